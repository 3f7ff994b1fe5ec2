"""Two-factor sign-in (portal.twofactor): required of every head-office account, required of a center's
heads and administrators where head office says so, optional for everyone else; recovery codes; wrong
codes throttled; an administrator's reset; every change recorded. The clients here sign in through the
login pages (``second_step = False`` where a fixture signs in)."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AccountSecurityEvent
from portal.roles import head_office_roles_sync
from portal.twofactor import CENTER_HEAD_GROUP, RECOVERY_CODE_COUNT
from tenants.models import CenterAuditLog, ServiceCenter
from tests.base import TEST_PASSWORD
from tests.factories import make_user
from tests.twofactor import current_code

Action = AccountSecurityEvent.Action
ALPHA_ADMIN_PASSWORD = f"alpha-{TEST_PASSWORD}"


def head_office(address="192.0.2.40") -> Client:
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR=address)
    client.second_step = False
    return client


def center(address="192.0.2.41") -> Client:
    client = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=address)
    client.second_step = False
    return client


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def hq_users(db):
    head_office_roles_sync()
    users = get_user_model().objects
    admin = users.create_user(username="hq_admin", password=TEST_PASSWORD, first_name="总部管理员")
    admin.groups.add(Group.objects.get(name="总部管理员"))
    auditor = users.create_user(username="hq_auditor", password=TEST_PASSWORD, first_name="督查")
    auditor.groups.add(Group.objects.get(name="总部督查"))
    return {"admin": admin, "auditor": auditor}


def set_up_authenticator(client, *, prefix="") -> tuple[TOTPDevice, list[str]]:
    """Open the set-up page, read the key off it as a person would type it into the app, confirm with
    the app's code; returns the device and the recovery codes shown."""
    page = client.get(f"{prefix}/two-factor/setup/")
    assert page.status_code == 200
    body = text(page)
    assert "<svg" in body and "<script" not in body.split("<main", 1)[-1]
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', body).group(1)
    device = TOTPDevice.objects.get(confirmed=False)
    assert secret.replace(" ", "") in device.config_url
    done = client.post(f"{prefix}/two-factor/setup/", {"code": current_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", text(done))
    assert len(codes) == RECOVERY_CODE_COUNT
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


# --- Head office ----------------------------------------------------------------------------------


def test_a_head_office_account_sets_up_its_authenticator_at_first_sign_in(hq_users, zh):
    client = head_office()
    assert client.post("/login/", {"username": "hq_admin", "password": TEST_PASSWORD}).status_code == 302
    # Nothing of the portal answers until the second step is passed.
    for path in ("/", "/dashboard/", "/inbox/", "/password/", "/account/two-factor/", "/sign-in/two-factor/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/two-factor/setup/?next="), path

    page = client.get("/two-factor/setup/?next=/dashboard/")
    assert "设置两步验证" in text(page)
    assert "总部管理员" not in text(page).split("</header>")[0]  # no menu before the second step
    # A wrong first code: said in Chinese, nothing turned on.
    wrong = client.post("/two-factor/setup/", {"code": "000000"})
    assert "验证码不正确" in text(wrong) or "不正确" in text(wrong)
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    bad = client.post("/two-factor/setup/", {"code": "12ab"})
    assert "请输入应用显示的六位数字" in text(bad)

    device, codes = set_up_authenticator(client)
    assert device.user == hq_users["admin"]
    assert StaticToken.objects.filter(device__user=hq_users["admin"]).count() == RECOVERY_CODE_COUNT
    assert client.get("/").status_code == 200
    assert client.get("/dashboard/").status_code == 200
    event = AccountSecurityEvent.objects.get()
    assert (event.schema_name, event.username, event.action, event.ip_address) == (
        "public",
        "hq_admin",
        Action.ENABLED,
        "192.0.2.40",
    )
    assert "两步验证" in text(client.get("/audit/"))


def test_the_next_sign_in_asks_for_the_code_and_throttles_wrong_ones(hq_users, zh):
    first = head_office()
    first.post("/login/", {"username": "hq_admin", "password": TEST_PASSWORD})
    device, _codes = set_up_authenticator(first)

    client = head_office("192.0.2.42")
    assert client.post("/login/", {"username": "hq_admin", "password": TEST_PASSWORD}).status_code == 302
    response = client.get("/dashboard/")
    assert response["Location"] == "/two-factor/verify/?next=%2Fdashboard%2F"
    # A password alone never replaces the authenticator.
    assert client.get("/two-factor/setup/")["Location"].startswith("/two-factor/verify/")

    wrong = client.post("/two-factor/verify/?next=/dashboard/", {"code": "000000", "next": "/dashboard/"})
    assert wrong.status_code == 200
    assert "验证码不正确" in text(wrong)
    again = client.post("/two-factor/verify/", {"code": current_code(device), "next": "/dashboard/"})
    assert "错误次数过多" in text(again) and "秒" in text(again)  # throttled: even the right code waits
    assert client.get("/dashboard/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.throttling_failure_count = 0
    device.last_t = -1
    device.save()
    ok = client.post("/two-factor/verify/", {"code": current_code(device), "next": "/dashboard/"})
    assert ok.status_code == 302 and ok["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    # An outside address as "next" is not followed.
    assert client.get("/two-factor/verify/?next=https://evil.example/")["Location"] == "/"


def test_a_recovery_code_signs_in_once(hq_users, zh):
    first = head_office()
    first.post("/login/", {"username": "hq_admin", "password": TEST_PASSWORD})
    _device, codes = set_up_authenticator(first)

    client = head_office("192.0.2.43")
    client.post("/login/", {"username": "hq_admin", "password": TEST_PASSWORD})
    response = client.post("/two-factor/verify/", {"code": codes[0].upper(), "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AccountSecurityEvent.objects.filter(action=Action.CODE_USED, username="hq_admin").count() == 1
    assert StaticToken.objects.filter(token=codes[0]).count() == 0

    again = head_office("192.0.2.44")
    again.post("/login/", {"username": "hq_admin", "password": TEST_PASSWORD})
    assert "验证码不正确" in text(again.post("/two-factor/verify/", {"code": codes[0]}))
    manage = client.get("/account/two-factor/")
    assert "还剩 9 个恢复码" in text(manage)
    renewed = client.post("/account/two-factor/", {"action": "renew"})
    new_codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", text(renewed))
    assert len(new_codes) == RECOVERY_CODE_COUNT and codes[1] not in new_codes
    assert not StaticToken.objects.filter(token=codes[1]).exists()
    # Head-office accounts may not turn it off.
    client.post("/account/two-factor/", {"action": "disable"})
    assert TOTPDevice.objects.filter(user=hq_users["admin"], confirmed=True).exists()


def test_the_administrator_resets_a_lost_phone(hq_users, zh):
    auditor = head_office("192.0.2.45")
    auditor.post("/login/", {"username": "hq_auditor", "password": TEST_PASSWORD})
    set_up_authenticator(auditor)

    admin = head_office("192.0.2.46")
    admin.post("/login/", {"username": "hq_admin", "password": TEST_PASSWORD})
    set_up_authenticator(admin)
    page = admin.get("/sign-in/two-factor/")
    assert page.status_code == 200
    assert "hq_auditor" in text(page)
    response = admin.post("/sign-in/two-factor/", {"username": "hq_auditor"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=hq_users["auditor"]).exists()
    event = AccountSecurityEvent.objects.get(action=Action.RESET)
    assert (event.username, event.acting_username) == ("hq_auditor", "hq_admin")

    again = head_office("192.0.2.47")
    again.post("/login/", {"username": "hq_auditor", "password": TEST_PASSWORD})
    assert again.get("/")["Location"].startswith("/two-factor/setup/")
    # The auditor may neither see nor reset others.
    set_up_authenticator(again)
    assert again.get("/sign-in/two-factor/").status_code == 403
    assert again.post("/sign-in/two-factor/", {"username": "hq_admin"}).status_code == 403


def test_head_office_requires_it_of_a_centers_heads(head_office_client, head_office_admin, center_a, zh):
    head_office_client.force_login(head_office_admin)  # both steps (tests/conftest.py)
    response = head_office_client.post(f"/centers/{center_a.pk}/two-factor/", {"required": "1"})
    assert response.status_code == 302
    center_a.refresh_from_db()
    assert center_a.require_head_two_factor
    assert CenterAuditLog.objects.filter(center=center_a, action="two_factor_on").exists()
    assert "要求中心负责人使用两步验证" in text(head_office_client.get("/audit/"))
    head_office_client.post(f"/centers/{center_a.pk}/two-factor/", {"required": "0"})
    center_a.refresh_from_db()
    assert not center_a.require_head_two_factor


# --- A center -------------------------------------------------------------------------------------


@pytest.fixture
def requiring_alpha(center_a):
    ServiceCenter.objects.filter(pk=center_a.pk).update(require_head_two_factor=True)
    yield center_a
    ServiceCenter.objects.filter(pk=center_a.pk).update(require_head_two_factor=False)


def test_optional_at_a_center_by_default(alpha, zh):
    client = center()
    assert (
        client.post("/admin/login/", {"username": "admin", "password": ALPHA_ADMIN_PASSWORD}).status_code
        == 302
    )
    assert client.get("/admin/").status_code == 200


def test_a_center_head_must_set_it_up_where_head_office_requires_it(alpha, requiring_alpha, zh):
    head = make_user("zhuren", CENTER_HEAD_GROUP, "周主任")
    make_user("qiantai2", "前台客服", "前台")
    client = center()
    client.post("/admin/login/", {"username": "zhuren", "password": TEST_PASSWORD})
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/two-factor/setup/?next=")
    page = client.get(response["Location"])
    assert "必须" in text(page)
    device, _codes = set_up_authenticator(client, prefix="/admin")
    assert client.get("/admin/").status_code == 200
    assert AccountSecurityEvent.objects.get().schema_name == "alpha"
    assert device.user == head

    # Other staff are not asked.
    desk = center("192.0.2.48")
    desk.post("/admin/login/", {"username": "qiantai2", "password": TEST_PASSWORD})
    assert desk.get("/admin/").status_code == 200

    # The next sign-in asks for the code; the site itself never does.
    again = center("192.0.2.49")
    again.post("/admin/login/", {"username": "zhuren", "password": TEST_PASSWORD})
    assert again.get("/admin/pages/")["Location"].startswith("/admin/two-factor/verify/")
    assert again.get("/").status_code == 200
    ok = again.post(
        "/admin/two-factor/verify/", {"code": current_code(device, offset_steps=1), "next": "/admin/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert again.get("/admin/pages/")["Location"].startswith("/admin/pages/")  # Wagtail: on to the home page


def test_a_session_signed_in_before_the_requirement_is_asked_at_once(alpha, center_a, zh):
    make_user("zhuren", CENTER_HEAD_GROUP, "周主任")
    client = center()
    client.post("/admin/login/", {"username": "zhuren", "password": TEST_PASSWORD})
    assert client.get("/admin/").status_code == 200
    ServiceCenter.objects.filter(pk=center_a.pk).update(require_head_two_factor=True)
    from django.core.cache import cache

    cache.clear()  # the service clears the host cache; this test changed the row directly
    try:
        assert client.get("/admin/")["Location"].startswith("/admin/two-factor/setup/")
    finally:
        ServiceCenter.objects.filter(pk=center_a.pk).update(require_head_two_factor=False)


def test_a_clerk_turns_it_on_and_off_for_their_own_account(alpha, zh):
    make_user("qiantai2", "前台客服", "前台")
    client = center()
    client.post("/admin/login/", {"username": "qiantai2", "password": TEST_PASSWORD})
    manage = client.get("/admin/two-factor/")
    assert manage.status_code == 200 and "两步验证未开启" in text(manage)
    assert "两步验证" in text(client.get("/admin/account/"))
    set_up_authenticator(client, prefix="/admin")
    assert "两步验证已开启" in text(client.get("/admin/two-factor/"))

    again = center("192.0.2.50")
    again.post("/admin/login/", {"username": "qiantai2", "password": TEST_PASSWORD})
    assert again.get("/admin/")["Location"].startswith("/admin/two-factor/verify/")

    client.post("/admin/two-factor/", {"action": "disable"})
    assert not TOTPDevice.objects.filter(user__username="qiantai2").exists()
    assert [e.action for e in AccountSecurityEvent.objects.order_by("id")] == [
        Action.ENABLED,
        Action.DISABLED,
    ]
    later = center("192.0.2.51")
    later.post("/admin/login/", {"username": "qiantai2", "password": TEST_PASSWORD})
    assert later.get("/admin/").status_code == 200


def test_the_center_head_resets_a_clerks_lost_phone_and_clerks_may_not(alpha, zh):
    make_user("qiantai2", "前台客服", "前台")
    clerk = center()
    clerk.post("/admin/login/", {"username": "qiantai2", "password": TEST_PASSWORD})
    set_up_authenticator(clerk, prefix="/admin")
    denied = clerk.get("/admin/sign-in-two-factor/")  # Wagtail answers "no permission" with its home page
    assert denied.status_code == 302 and denied["Location"] == "/admin/"
    assert clerk.post("/admin/sign-in-two-factor/", {"username": "admin"})["Location"] == "/admin/"

    head = center("192.0.2.52")
    head.post("/admin/login/", {"username": "admin", "password": ALPHA_ADMIN_PASSWORD})
    page = head.get("/admin/sign-in-two-factor/")
    assert page.status_code == 200 and "qiantai2" in text(page)
    head.post("/admin/sign-in-two-factor/", {"username": "qiantai2"})
    assert not TOTPDevice.objects.filter(user__username="qiantai2").exists()
    assert AccountSecurityEvent.objects.filter(action=Action.RESET, schema_name="alpha").count() == 1
    # Head office's list of its own events never shows a center's.
    connection.set_schema_to_public()
    assert not AccountSecurityEvent.objects.filter(schema_name="public").exists()


def test_the_set_up_page_keeps_its_key_and_what_it_loads_is_not_redirected(alpha, requiring_alpha, zh):
    make_user("zhuren", CENTER_HEAD_GROUP, "周主任")
    client = center()
    client.post("/admin/login/", {"username": "zhuren", "password": TEST_PASSWORD})
    first = re.search(
        r'<code class="secret">([A-Z2-7 ]+)</code>', text(client.get("/admin/two-factor/setup/"))
    )
    # The page's scripts and icons load (a redirect here once put a second set-up page into the first).
    assert client.get("/admin/jsi18n/").status_code == 200
    assert client.get("/admin/sprite/").status_code == 200
    again = re.search(
        r'<code class="secret">([A-Z2-7 ]+)</code>', text(client.get("/admin/two-factor/setup/"))
    )
    assert first.group(1) == again.group(1)
    assert TOTPDevice.objects.filter(user__username="zhuren").count() == 1
