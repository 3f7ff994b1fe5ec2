"""Sign-in records stay bounded (``prune_signin_records``: older than SIGNIN_RECORD_DAYS, in every schema,
lockouts in force untouched), and head office reads the latest unlocks at the centers."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django_tenants.utils import schema_context

from portal.models import AccountSecurityEvent, SignInUnlock

OLD = timezone.now() - dt.timedelta(days=400)


def records(schema: str, *, when) -> None:
    with schema_context(schema):
        AccessLog.objects.create(username="a", attempt_time=when, user_agent="", http_accept="", path_info="")
        AccessFailureLog.objects.create(
            username="a", attempt_time=when, user_agent="", http_accept="", path_info=""
        )
        AccessAttempt.objects.create(
            username="a",
            attempt_time=when,
            user_agent="",
            http_accept="",
            path_info="",
            failures_since_start=5,
        )
        for model in (AccessLog, AccessFailureLog, AccessAttempt):  # attempt_time is set on creation
            model.objects.update(attempt_time=when)
        SignInUnlock.objects.create(schema_name=schema, username="a", unlocked_by="b")
        SignInUnlock.objects.filter(schema_name=schema).update(unlocked_at=when)
        AccountSecurityEvent.objects.create(
            schema_name=schema, username="a", action="2fa_enabled", acting_username="a"
        )
        AccountSecurityEvent.objects.filter(schema_name=schema).update(created=when)


def counts(schema: str) -> list[int]:
    with schema_context(schema):
        return [
            AccessLog.objects.count(),
            AccessFailureLog.objects.count(),
            AccessAttempt.objects.count(),
            SignInUnlock.objects.filter(schema_name=schema).count(),
            AccountSecurityEvent.objects.filter(schema_name=schema).count(),
        ]


@pytest.mark.django_db
def test_old_records_go_in_every_schema_and_recent_ones_stay(center_a):
    for schema in ("public", "alpha"):
        records(schema, when=OLD)
    with schema_context("alpha"):
        AccessAttempt.objects.create(
            username="now",
            attempt_time=timezone.now(),
            user_agent="",
            http_accept="",
            path_info="",
            failures_since_start=5,
        )
        AccessLog.objects.create(username="now", user_agent="", http_accept="", path_info="")
    out = StringIO()
    call_command("prune_signin_records", stdout=out)
    assert counts("public") == [0, 0, 0, 0, 0]
    assert counts("alpha") == [1, 0, 1, 0, 0]  # today's sign-in and the lockout in force stay
    assert "alpha: 1 sign-ins" in out.getvalue()
    call_command("prune_signin_records", stdout=StringIO())  # twice is harmless
    assert counts("alpha") == [1, 0, 1, 0, 0]


@pytest.mark.django_db
def test_head_office_reads_the_centers_unlocks(head_office_admin, center_a, zh):
    SignInUnlock.objects.create(
        schema_name="alpha", username="qiantai", ip_address="192.0.2.9", unlocked_by="zhuren"
    )
    SignInUnlock.objects.create(schema_name="public", username="hq2", unlocked_by="hq")
    client = Client(HTTP_HOST="localhost")
    client.force_login(head_office_admin)
    page = client.get("/sign-in/lockouts/").content.decode()
    rows = page.split("各中心的解锁记录")[1]
    assert rows.count('class="center-unlock"') == 1
    assert center_a.name in rows and "qiantai" in rows and "zhuren" in rows
