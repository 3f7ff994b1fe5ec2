"""Sign-in at a center's admin (/admin/login/): lockout per center and per account+address, the
lockout message in the site's language, the proxy's address, the center head's unlock, the record,
password rules in Chinese and sessions that end after inactivity."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import timezone, translation

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from portal.models import SignInUnlock
from portal.signin import lockout_message, lockout_until
from tests.base import TEST_PASSWORD
from tests.factories import make_user

LIMIT = settings.AXES_FAILURE_LIMIT
ADDRESS = "192.0.2.10"
ALPHA_ADMIN_PASSWORD = f"alpha-{TEST_PASSWORD}"
BETA_ADMIN_PASSWORD = f"beta-{TEST_PASSWORD}"


def center_client(host="alpha.localhost", address=ADDRESS) -> Client:
    return Client(HTTP_HOST=host, REMOTE_ADDR=address)


def sign_in(client, username, password, **extra):
    return client.post("/admin/login/", {"username": username, "password": password}, **extra)


def lock_out(client, username, **extra):
    """Wrong passwords until the lockout; returns the last answer."""
    responses = [sign_in(client, username, "wrong-password", **extra) for _ in range(LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [200] * (LIMIT - 1)
    return responses[-1]


def expected_message(username, address, *, head_office=False) -> str:
    with translation.override("zh-hans"):
        return lockout_message(lockout_until(username, address), head_office=head_office)


def test_wrong_passwords_lock_the_account_with_a_message_saying_when(alpha):
    client = center_client()
    locked = lock_out(client, "admin")
    assert locked.status_code == 429
    message = expected_message("admin", ADDRESS)
    assert f"{settings.AXES_COOLOFF_MINUTES}" in message
    until = timezone.localtime(timezone.now() + dt.timedelta(minutes=settings.AXES_COOLOFF_MINUTES))
    assert (
        until.strftime("%H:%M") in message or (until - dt.timedelta(minutes=1)).strftime("%H:%M") in message
    )
    assert message in locked.content.decode()
    assert (
        "wagtailadmin" in locked.content.decode() or 'name="password"' in locked.content.decode()
    )  # the login page

    # The right password now gets the same answer, and no session.
    right = sign_in(client, "admin", ALPHA_ADMIN_PASSWORD)
    assert right.status_code == 429
    assert message in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_attempts_during_the_lockout_do_not_extend_it(alpha):
    client = center_client()
    lock_out(client, "admin")
    until = lockout_until("admin", ADDRESS)
    for _ in range(3):
        sign_in(client, "admin", "still-wrong")
    assert lockout_until("admin", ADDRESS) == until


def test_a_lockout_at_one_center_leaves_other_centers_and_head_office_alone(alpha, center_b, in_center):
    lock_out(center_client(), "admin")
    assert sign_in(center_client(), "admin", ALPHA_ADMIN_PASSWORD).status_code == 429
    with in_center(center_b):
        assert not AccessAttempt.objects.exists()
    # beta's admin of the same name, from the same address
    assert sign_in(center_client("beta.localhost"), "admin", BETA_ADMIN_PASSWORD).status_code == 302
    # head office, same name and address
    from django.db import connection

    connection.set_schema_to_public()
    get_user_model().objects.create_user(username="admin", password=TEST_PASSWORD)
    head_office = Client(HTTP_HOST="localhost", REMOTE_ADDR=ADDRESS)
    assert head_office.post("/login/", {"username": "admin", "password": TEST_PASSWORD}).status_code == 302


def test_the_lockout_is_per_account_and_address(alpha):
    make_user("wen", "前台客服")
    lock_out(center_client(), "admin")
    # the same account from another address
    assert sign_in(center_client(address="192.0.2.99"), "admin", ALPHA_ADMIN_PASSWORD).status_code == 302
    # another account from the locked address
    assert sign_in(center_client(), "wen", TEST_PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(alpha):
    client = center_client()
    for _ in range(LIMIT - 1):
        sign_in(client, "admin", "wrong-password")
    assert sign_in(client, "admin", ALPHA_ADMIN_PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="admin").exists()
    client.post("/admin/logout/")
    assert sign_in(client, "admin", "wrong-password").status_code == 200


def test_x_forwarded_for_is_ignored_unless_trusted(alpha):
    proxy = center_client(address="10.0.0.1")
    # Not trusted: an attacker's made-up header changes nothing, the lockout is on the proxy's address.
    for number in range(LIMIT):
        sign_in(proxy, "admin", "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}
    assert (
        sign_in(proxy, "admin", ALPHA_ADMIN_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.77").status_code == 429
    )


@override_settings(TRUST_X_FORWARDED_FOR=True)
def test_behind_a_trusted_proxy_the_last_forwarded_address_counts(alpha):
    proxy = center_client(address="10.0.0.1")
    locked = lock_out(proxy, "admin", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    assert (
        sign_in(proxy, "admin", ALPHA_ADMIN_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    )
    # another client behind the same proxy signs in
    assert (
        sign_in(proxy, "admin", ALPHA_ADMIN_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302
    )


def test_failures_lockouts_and_sign_ins_are_recorded(alpha):
    lock_out(center_client(), "admin")
    failures = AccessFailureLog.objects.filter(username="admin", ip_address=ADDRESS)
    assert failures.count() == LIMIT
    assert failures.filter(locked_out=True).count() == 1
    assert sign_in(center_client(address="192.0.2.99"), "admin", ALPHA_ADMIN_PASSWORD).status_code == 302
    assert AccessLog.objects.filter(username="admin", ip_address="192.0.2.99").exists()


def test_the_center_head_unlocks_an_account(alpha):
    head = make_user("zhang", "中心负责人", "张主任")
    make_user("wen", "前台客服")
    lock_out(center_client(), "wen")
    assert sign_in(center_client(), "wen", TEST_PASSWORD).status_code == 429

    admin = center_client(address="192.0.2.50")
    admin.force_login(head)
    page = admin.get("/admin/sign-in-lockouts/")
    assert page.status_code == 200
    assert page.content.decode().count('class="signin-lockout"') == 1
    assert ADDRESS in page.content.decode()
    menu = admin.get("/admin/").content.decode()
    assert "/admin/sign-in-lockouts/" in menu

    response = admin.post("/admin/sign-in-lockouts/", {"username": "wen", "ip_address": ADDRESS})
    assert response.status_code == 302
    record = SignInUnlock.objects.get()
    assert (record.schema_name, record.username, record.ip_address, record.unlocked_by) == (
        "alpha",
        "wen",
        ADDRESS,
        "zhang",
    )
    assert record.attempts_cleared >= 1
    assert sign_in(center_client(), "wen", TEST_PASSWORD).status_code == 302
    assert 'class="signin-unlock"' in admin.get("/admin/sign-in-lockouts/").content.decode()


def test_staff_without_the_permission_see_no_lockouts_and_unlock_nothing(alpha):
    desk = make_user("wen", "前台客服")
    lock_out(center_client(), "admin")
    client = center_client(address="192.0.2.50")
    client.force_login(desk)
    # Wagtail answers a refusal with a redirect to the dashboard and a message.
    for response in (
        client.get("/admin/sign-in-lockouts/"),
        client.post("/admin/sign-in-lockouts/", {"username": "admin", "ip_address": ADDRESS}),
    ):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "/admin/sign-in-lockouts/" not in client.get("/admin/").content.decode()
    assert AccessAttempt.objects.filter(username="admin").exists()
    assert not SignInUnlock.objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab-3x9", "密码长度太短。密码必须包含至少 10 个字符。"),
        ("password123", "这个密码太常见了。"),
        ("20260315867", "密码只包含数字。"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(alpha, password, message):
    from wagtail.users.forms import UserCreationForm

    with translation.override("zh-hans"):
        form = UserCreationForm(
            data={
                "username": "newstaff",
                "first_name": "新",
                "last_name": "员工",
                "email": "new@example.com",
                "password1": password,
                "password2": password,
            }
        )
        assert not form.is_valid()
        assert message in str(form.errors)


def test_a_weak_password_is_refused_in_chinese_on_the_password_change_page(alpha):
    user = make_user("wen", "前台客服")
    client = center_client()
    client.force_login(user)
    response = client.post(
        "/admin/account/",
        {
            "password-old_password": TEST_PASSWORD,
            "password-new_password1": "12345678",
            "password-new_password2": "12345678",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    text = response.content.decode()
    assert "密码长度太短" in text
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_the_session_ends_after_the_idle_time(alpha):
    from django.contrib.sessions.models import Session

    from portal.middleware import SEEN_KEY

    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    client = center_client()
    assert sign_in(client, "admin", ALPHA_ADMIN_PASSWORD).status_code == 302
    session = client.session
    # Within a minute of the last mark, a request saves nothing (no UPDATE per request)…
    before = Session.objects.get(session_key=session.session_key).expire_date
    assert client.get("/admin/").status_code == 200
    assert Session.objects.get(session_key=session.session_key).expire_date == before
    # …once the mark is older, a request moves the expiry on to idle-time from now.
    session[SEEN_KEY] = session[SEEN_KEY] - settings.SESSION_IDLE_REFRESH_SECONDS - 1
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=5)
    )
    assert client.get("/admin/").status_code == 200
    stored = Session.objects.get(session_key=session.session_key)
    assert abs(
        (stored.expire_date - timezone.now()) - dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    ) < dt.timedelta(minutes=1)
    # Idle past the time: the session is gone and the admin asks to sign in again.
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
