"""Sign-in at head office (/login/): lockout per account+address with the message saying when, the
administrator's unlock screen and its record, centers unaffected, password rules in Chinese."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

import pytest
from axes.models import AccessAttempt, AccessFailureLog

from portal.models import SignInUnlock
from portal.roles import head_office_roles_sync
from portal.signin import lockout_message, lockout_until
from tests.base import TEST_PASSWORD
from tests.twofactor import pass_second_step

LIMIT = settings.AXES_FAILURE_LIMIT
ADDRESS = "192.0.2.20"


@pytest.fixture
def staff(db):
    head_office_roles_sync()
    users = get_user_model().objects
    admin = users.create_user(username="hq_admin", password=TEST_PASSWORD, first_name="总部管理员")
    admin.groups.add(Group.objects.get(name="总部管理员"))
    auditor = users.create_user(username="hq_auditor", password=TEST_PASSWORD)
    auditor.groups.add(Group.objects.get(name="总部督查"))
    return {"admin": admin, "auditor": auditor}


def head_office(address=ADDRESS) -> Client:
    return Client(HTTP_HOST="localhost", REMOTE_ADDR=address)


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_head_office_locks_out_and_says_when_in_chinese(staff):
    client = head_office()
    answers = [sign_in(client, "hq_auditor", "wrong-password").status_code for _ in range(LIMIT)]
    assert answers == [200] * (LIMIT - 1) + [429]
    right = sign_in(client, "hq_auditor", TEST_PASSWORD)
    assert right.status_code == 429
    with translation.override("zh-hans"):
        message = lockout_message(lockout_until("hq_auditor", ADDRESS), head_office=True)
    text = right.content.decode()
    assert message in text
    assert 'name="password"' in text  # the login page itself, with the message on its form
    assert 'lang="zh-hans"' in text
    assert "_auth_user_id" not in client.session
    # Another address, the same account: signs in.
    assert sign_in(head_office("192.0.2.21"), "hq_auditor", TEST_PASSWORD).status_code == 302
    assert AccessFailureLog.objects.filter(username="hq_auditor", locked_out=True).count() == 1


def test_a_head_office_lockout_leaves_the_centers_alone(staff, center_a, in_center):
    client = head_office()
    for _ in range(LIMIT):
        sign_in(client, "admin", "wrong-password")
    assert AccessAttempt.objects.filter(username="admin").exists()
    with in_center(center_a):
        assert not AccessAttempt.objects.exists()
    alpha = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=ADDRESS)
    response = alpha.post("/admin/login/", {"username": "admin", "password": f"alpha-{TEST_PASSWORD}"})
    assert response.status_code == 302


def test_the_administrator_unlocks_a_head_office_account(staff):
    locked = head_office()
    for _ in range(LIMIT):
        sign_in(locked, "hq_auditor", "wrong-password")

    admin = head_office("192.0.2.30")
    assert sign_in(admin, "hq_admin", TEST_PASSWORD).status_code == 302
    pass_second_step(admin, staff["admin"])  # and the code from the app (tests/portal/test_two_factor.py)
    assert "/sign-in/lockouts/" in admin.get("/").content.decode()
    page = admin.get("/sign-in/lockouts/")
    assert page.status_code == 200
    assert page.content.decode().count('class="signin-lockout"') == 1

    response = admin.post("/sign-in/lockouts/", {"username": "hq_auditor", "ip_address": ADDRESS})
    assert response.status_code == 302
    record = SignInUnlock.objects.get()
    assert (record.schema_name, record.username, record.ip_address, record.unlocked_by) == (
        "public",
        "hq_auditor",
        ADDRESS,
        "hq_admin",
    )
    assert sign_in(locked, "hq_auditor", TEST_PASSWORD).status_code == 302
    assert 'class="signin-unlock"' in admin.get("/sign-in/lockouts/").content.decode()


def test_the_auditor_may_not_see_or_lift_lockouts(staff):
    client = head_office()
    client.force_login(staff["auditor"])
    assert client.get("/sign-in/lockouts/").status_code == 403
    assert client.post("/sign-in/lockouts/", {"username": "x", "ip_address": ADDRESS}).status_code == 403
    assert not SignInUnlock.objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab-3x9", "密码长度太短。密码必须包含至少 10 个字符。"),
        ("password123", "这个密码太常见了。"),
        ("20260315867", "密码只包含数字。"),
    ],
)
def test_weak_passwords_are_refused_in_chinese_at_head_office(staff, password, message):
    client = head_office()
    client.force_login(staff["admin"])
    response = client.post(
        "/password/",
        {"old_password": TEST_PASSWORD, "new_password1": password, "new_password2": password},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    staff["admin"].refresh_from_db()
    assert staff["admin"].check_password(TEST_PASSWORD)


def test_a_good_password_is_accepted_at_head_office(staff):
    client = head_office()
    client.force_login(staff["admin"])
    response = client.post(
        "/password/",
        {"old_password": TEST_PASSWORD, "new_password1": "Qiu-feng-2026!", "new_password2": "Qiu-feng-2026!"},
    )
    assert response.status_code == 302
    staff["admin"].refresh_from_db()
    assert staff["admin"].check_password("Qiu-feng-2026!")


def test_test_passwords_pass_the_rules():
    from django.contrib.auth.password_validation import validate_password

    for password in (TEST_PASSWORD, f"alpha-{TEST_PASSWORD}"):
        validate_password(password)


def test_the_session_idle_time_comes_from_the_environment(monkeypatch):
    import importlib

    import portal.settings.base as base

    monkeypatch.setenv("SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("AXES_FAILURE_LIMIT", "7")
    monkeypatch.setenv("AXES_COOLOFF_MINUTES", "60")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.SESSION_COOKIE_AGE == 30 * 60
        assert reloaded.AXES_FAILURE_LIMIT == 7
        assert reloaded.AXES_COOLOFF_TIME.total_seconds() == 3600
    finally:
        monkeypatch.undo()
        importlib.reload(base)
