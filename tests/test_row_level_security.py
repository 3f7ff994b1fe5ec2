"""Row-level security on the shared tables (portal migration 0015): a center's connection can neither read
nor change another center's rows of the inbox, the news index, the rollups or the sign-in unlocks, even with
a raw query; head office's connection sees them all; model projects are shared for reading.

The suite connects as a superuser, which PostgreSQL lets past row-level security, so each check runs as an
ordinary role (``SET LOCAL ROLE``) inside the test's transaction, as production's application role would."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

import pytest
from django_tenants.utils import schema_context

from portal.models import (
    AccountSecurityEvent,
    CenterDay,
    CenterKpi,
    CenterMonth,
    PublishedReport,
    SignInUnlock,
    Submission,
    SubmissionAttachment,
    SubmissionEvent,
)

pytestmark = pytest.mark.django_db
ROLE = "bianmin_rls_probe"


@pytest.fixture
def rows(center_a, center_b):
    """One row of every protected table for each center (made as head office)."""
    made = {}
    for center in (center_a, center_b):
        submission = Submission.objects.create(
            center=center,
            kind=Submission.Kind.PURCHASE_REQUEST,
            reference=f"PR-{center.code}",
            title="申购",
            snapshot={},
        )
        made[center.code] = {
            "portal_submission": submission.pk,
            "portal_submissionevent": SubmissionEvent.objects.create(
                submission=submission, action="submitted"
            ).pk,
            "portal_centerday": CenterDay.objects.create(center=center, day=dt.date(2026, 11, 3)).pk,
            "portal_centermonth": CenterMonth.objects.create(center=center, month=dt.date(2026, 11, 1)).pk,
            "portal_centerkpi": CenterKpi.objects.get_or_create(center=center)[0].pk,
            "portal_signinunlock": SignInUnlock.objects.create(
                schema_name=center.schema_name, username="x", unlocked_by="y"
            ).pk,
            "portal_accountsecurityevent": AccountSecurityEvent.objects.create(
                schema_name=center.schema_name, username="x", action="2fa_enabled", acting_username="x"
            ).pk,
        }
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public, alpha, beta TO {ROLE}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}")
        cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")
    return made


def as_role(sql: str, params=()):
    """Run ``sql`` as the ordinary role on the connection as the tenant middleware left it (in a savepoint:
    a refused statement rolls back to it, the role with it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        cursor.execute(sql, params)
        result = cursor.fetchall() if cursor.description else cursor.rowcount
        cursor.execute("RESET ROLE")
        return result


TABLES = [
    "portal_submission",
    "portal_submissionevent",
    "portal_centerday",
    "portal_centermonth",
    "portal_centerkpi",
    "portal_signinunlock",
    "portal_accountsecurityevent",
]


@pytest.mark.parametrize("table", TABLES)
def test_a_center_reads_and_changes_only_its_own_rows(rows, center_a, table):
    own, other = rows["alpha"][table], rows["beta"][table]
    with schema_context(center_a.schema_name):
        seen = {pk for (pk,) in as_role(f"SELECT id FROM {table} WHERE id IN (%s, %s)", [own, other])}  # noqa: S608
        assert seen == {own}
        assert as_role(f"UPDATE {table} SET id = id WHERE id = %s", [other]) == 0  # noqa: S608
        assert as_role(f"DELETE FROM {table} WHERE id = %s", [other]) == 0  # noqa: S608
        assert as_role(f"UPDATE {table} SET id = id WHERE id = %s", [own]) == 1  # noqa: S608


def test_a_center_cannot_write_a_row_for_another_center(rows, center_a, center_b):
    with schema_context(center_a.schema_name), pytest.raises(Exception, match="row-level security"):
        as_role(
            "INSERT INTO portal_centerday (center_id, day, work_orders_opened, work_orders_completed, "
            "work_orders_in_time, work_orders_breached, complaints_received, complaints_major, complaints_replied, "
            "complaints_replied_in_time, responses, ratings, ratings_satisfied, clinics_held, birthday_parties_held, "
            "repair_days_held, activities_held, bookings, bookings_no_show, queue_called, queue_wait_seconds, updated) "
            "VALUES (%s, '2026-11-09', 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, now())",
            [center_b.pk],
        )


def test_head_office_sees_every_center(rows):
    connection.set_schema_to_public()
    for table in TABLES:
        ids = {pk for (pk,) in as_role(f"SELECT id FROM {table}")}  # noqa: S608
        assert {rows["alpha"][table], rows["beta"][table]} <= ids


def test_model_projects_are_shared_for_reading_only(rows, center_a):
    Submission.objects.filter(pk=rows["beta"]["portal_submission"]).update(is_model=True)
    other = rows["beta"]["portal_submission"]
    with schema_context(center_a.schema_name):
        assert as_role("SELECT id FROM portal_submission WHERE id = %s", [other]) == [(other,)]
        assert as_role("UPDATE portal_submission SET title = 'x' WHERE id = %s", [other]) == 0


def current_owner() -> str:
    with connection.cursor() as cursor:  # a new cursor: the search path (and the owner) are set on it
        cursor.execute("SELECT current_setting('bianmin.schema')")
        return cursor.fetchone()[0]


def test_the_setting_follows_every_schema_switch(center_a, center_b):
    for center in (center_a, center_b):
        with schema_context(center.schema_name):
            assert current_owner() == center.schema_name
    connection.set_schema_to_public()
    assert current_owner() == "public"


def test_the_attachment_and_news_tables_are_protected_too():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity AND relname = ANY(%s)",
            [[SubmissionAttachment._meta.db_table, PublishedReport._meta.db_table]],
        )
        assert len(cursor.fetchall()) == 2
