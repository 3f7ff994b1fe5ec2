"""The center's audit trail (操作日志) holds the sign-in events in words: signed in and out, wrong passwords,
the lockout and its lifting, two-factor changes — filterable by record type 用户 and exported with the rest;
head office's schema gets none."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

import pytest

from operations.models import AuditEntry
from tests.base import TEST_PASSWORD
from tests.factories import make_user

ADDRESS = "192.0.2.60"


def center(address=ADDRESS) -> Client:
    return Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=address)


def sign_in(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password})


def actions(username: str) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_repr=username).order_by("id").values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_sign_in_events_are_in_the_centers_audit_trail(alpha, zh):
    make_user("qiantai3", "前台客服", "前台小吴")
    head = make_user("head3", "中心负责人", "张主任")
    clerk = center()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(clerk, "qiantai3", "wrong-password")
    assert sign_in(clerk, "qiantai3", TEST_PASSWORD).status_code == 429
    limit = settings.AXES_FAILURE_LIMIT
    # The last wrong password locks the account; the right one is then refused.
    assert actions("qiantai3") == ["signin_failed"] * (limit - 1) + [
        "signin_locked",
        "signin_failed",
        "signin_refused_locked",
    ]

    boss = center("192.0.2.61")
    assert sign_in(boss, "head3", TEST_PASSWORD).status_code == 302
    boss.post("/admin/sign-in-lockouts/", {"username": "qiantai3", "ip_address": ADDRESS})
    assert sign_in(clerk, "qiantai3", TEST_PASSWORD).status_code == 302
    clerk.post("/admin/logout/")
    trail = actions("qiantai3")
    assert {"signin_locked", "signin_unlocked", "signin", "signout"} <= set(trail)
    unlocked = AuditEntry.objects.get(action="signin_unlocked")
    assert unlocked.acting_user == head and unlocked.changes == {"address": ADDRESS}
    signed_in = AuditEntry.objects.filter(action="signin", object_repr="qiantai3").get()
    assert signed_in.acting_user.username == "qiantai3" and signed_in.changes == {"address": ADDRESS}

    # The center head reads them in words, filtered to accounts, and exports them.
    user_type = AuditEntry.objects.get(action="signin_unlocked").content_type_id
    page = boss.get(f"/admin/operations/audit/?content_type={user_type}")
    body = page.content.decode()
    assert page.status_code == 200
    for words in (
        "密码错误",
        "密码错误次数过多，账号被锁定",
        "解除登录锁定",
        "登录",
        "退出登录",
        f"来自 {ADDRESS}",
    ):
        assert words in body, words
    export = boss.get(f"/admin/operations/audit/?content_type={user_type}&export=xlsx")
    assert export.status_code == 200


@pytest.mark.django_db
def test_head_office_sign_ins_write_no_center_entry(head_office_admin, center_a):
    client = Client(HTTP_HOST="localhost")
    client.post("/login/", {"username": "hq", "password": TEST_PASSWORD})
    connection.set_tenant(center_a)
    assert not AuditEntry.objects.filter(object_repr="hq").exists()
    assert get_user_model().objects.filter(username="hq").count() == 0
