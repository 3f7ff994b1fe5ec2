"""``migrate`` at scale (tenants.migrating): which schemas are behind is decided in two queries, ``migrate`` runs
only there, a failing center is reported while the others are migrated, and a re-run continues.

Schemas are put behind inside the test's transaction (a row deleted from ``django_migrations``, a migration
really unapplied), so the rollback restores them. The pool of processes is tested without the database: a
forked worker cannot see the test's uncommitted transaction.
"""

from __future__ import annotations

import io
import os
import time

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

import pytest
from django_tenants.utils import schema_exists

from tenants import migrating
from tenants.migrating import Behind, SchemaMigration, schemas_behind, tenant_migrations
from tenants.models import ServiceCenter

TEMPLATE = settings.TENANT_BASE_SCHEMA
# A leaf migration of a tenant app (django-otp's, pinned < 2) that adds two columns: unapplied and applied
# again in the tests that run a real migration.
OTP_APP, OTP_LAST, OTP_PREVIOUS = "otp_totp", "0003_add_timestamps", "0002_auto_20190420_0723"


def latest(app: str) -> tuple[str, str]:
    """The last migration of ``app`` on disk."""
    leaves = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes(app)
    return leaves[0]


def forget(schema: str, *keys: tuple[str, str]) -> None:
    """Delete these rows of the schema's django_migrations, as if the migrations were never applied."""
    with connection.cursor() as cursor:
        for app, name in keys:
            cursor.execute(
                f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [app, name]
            )
            assert cursor.rowcount == 1, (schema, app, name)


def applied(schema: str, app: str, name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [app, name]
        )
        return cursor.fetchone() is not None


def column_exists(schema: str, table: str, column: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
            "AND column_name = %s",
            [schema, table, column],
        )
        return cursor.fetchone() is not None


def migrate(*args: str) -> tuple[str, str, CommandError | None]:
    """``manage.py migrate *args``: its output, its errors and the CommandError it raised, if any."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("migrate", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


@pytest.fixture
def runs(monkeypatch) -> list[str]:
    """The schemas the per-schema ``migrate`` is run in, in order (it is not run)."""
    calls: list[str] = []

    def record(args, options, schema, *, allow_atomic):
        calls.append(schema)
        return SchemaMigration(schema=schema, seconds=0.01)

    monkeypatch.setattr(migrating, "_schema_migrate", record)
    return calls


# --- Which schemas are behind ------------------------------------------------------------------------


class TestSchemasBehind:
    def test_up_to_date_schemas_are_not_behind_and_two_queries_decide(
        self, center_a, center_b, django_assert_num_queries
    ):
        migrations = tenant_migrations()
        with django_assert_num_queries(2):
            assert schemas_behind([TEMPLATE, "alpha", "beta"], migrations=migrations) == {}

    def test_a_schema_missing_a_migration_row_is_behind_and_named(self, center_a, center_b):
        last = latest("operations")
        forget("alpha", last)
        behind = schemas_behind([TEMPLATE, "alpha", "beta"])
        assert behind == {"alpha": Behind("alpha", missing=(last,))}
        assert str(behind["alpha"]) == f"1 to apply: operations.{last[1]}"

    def test_no_django_migrations_table_or_no_schema_at_all_is_behind(
        self, center_a, django_assert_num_queries
    ):
        with connection.cursor() as cursor:
            cursor.execute("CREATE SCHEMA migx_empty")
        migrations = tenant_migrations()
        with django_assert_num_queries(2):
            behind = schemas_behind(["alpha", "migx_empty", "migx_none"], migrations=migrations)
        assert behind == {
            "migx_empty": Behind("migx_empty", no_table=True),
            "migx_none": Behind("migx_none", no_schema=True),
        }

    def test_beyond_a_query_s_share_of_schemas_one_more_query(
        self, center_a, center_b, monkeypatch, django_assert_num_queries
    ):
        """Each query reads at most SCHEMAS_PER_QUERY schemas (two locks each, held until it ends)."""
        monkeypatch.setattr(migrating, "SCHEMAS_PER_QUERY", 2)
        last = latest("operations")
        forget("beta", last)
        migrations = tenant_migrations()
        with django_assert_num_queries(3):
            behind = schemas_behind([TEMPLATE, "alpha", "beta"], migrations=migrations)
        assert behind == {"beta": Behind("beta", missing=(last,))}

    def test_a_head_office_apps_migration_does_not_make_a_center_behind(self, center_a):
        """The router skips a shared-only app's operations in a center's schema: nothing to do there."""
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM alpha.django_migrations WHERE app IN ('tenants', 'portal')")
            assert cursor.rowcount > 0
        assert schemas_behind(["alpha"]) == {}

    def test_squashed_migrations_count_as_djangos_loader_counts_them(self, center_a):
        migrations = tenant_migrations()
        squashed, replaced = next(iter(migrations.replaces.items()))
        # Every replaced migration applied: the squashed one is applied, with or without its own row.
        forget("alpha", squashed)
        assert schemas_behind(["alpha"]) == {}
        # Some replaced migrations missing: migrate would apply them.
        forget("alpha", replaced[-1])
        assert schemas_behind(["alpha"]) == {"alpha": Behind("alpha", missing=(squashed,))}

    def test_the_template_comes_first_then_every_center(self, center_a, center_b):
        schemas = migrating.tenant_schemas()
        assert schemas[0] == TEMPLATE and {"alpha", "beta"} <= set(schemas[1:])
        assert "public" not in schemas


# --- The command: only the schemas behind --------------------------------------------------------------


class TestMigrateOnlyWhatIsBehind:
    def test_a_no_op_migrate_runs_migrate_in_no_schema(self, center_a, center_b):
        with CaptureQueriesContext(connection) as queries:
            out, _err, error = migrate("--tenant")
        assert error is None
        assert ": 0 behind." in out
        # The centers' list, the catalog and every schema's django_migrations in one query (then the spare
        # schemas' check); a migrate in one schema would take dozens, reading its django_migrations itself.
        sqls = [query["sql"] for query in queries.captured_queries]
        assert sum(".django_migrations UNION ALL " in sql for sql in sqls) == 1
        assert not any('FROM "django_migrations"' in sql for sql in sqls)
        assert len(sqls) < 10

    def test_only_the_schemas_behind_are_migrated(self, center_a, center_b, runs):
        forget("alpha", latest("cms"))
        out, _err, error = migrate("--tenant")
        assert error is None
        assert runs == ["alpha"]
        assert ": 1 behind." in out and f"alpha: 1 to apply: cms.{latest('cms')[1]}" in out
        assert "[1/1] alpha migrated in" in out

    def test_a_missing_template_is_created_and_migrated_first(self, center_a, runs):
        forget("alpha", latest("cms"))
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{TEMPLATE}" CASCADE')
        _out, _err, error = migrate("--tenant")
        assert error is None
        assert runs == [TEMPLATE, "alpha"]
        assert schema_exists(TEMPLATE)

    def test_every_schema_and_a_single_schema_skip_the_check(self, center_a, center_b, runs):
        migrate("--tenant", "--every-schema")
        assert runs[0] == TEMPLATE and {"alpha", "beta"} <= set(runs)
        runs.clear()
        migrate("--schema", "beta")
        assert runs == ["beta"]

    def test_check_names_the_schemas_behind_and_migrates_none(self, center_a, runs):
        forget("alpha", latest("cms"))
        _out, _err, error = migrate("--tenant", "--check")
        assert error is not None and "alpha" in str(error)
        assert runs == []

    def test_another_django_tenants_executor_gets_the_schemas_behind(self, center_a, center_b):
        """``--executor standard`` with ``--fake``: the missing row is recorded in alpha, no other schema runs."""
        last = latest("cms")
        forget("alpha", last)
        out, _err, error = migrate("--tenant", "--executor", "standard", "--fake")
        assert error is None, error
        assert applied("alpha", *last) and ": 1 behind." in out
        assert schemas_behind([TEMPLATE, "alpha", "beta"]) == {}


# --- Failures and re-runs --------------------------------------------------------------------------------


def test_a_failing_center_is_reported_the_others_migrate_and_a_re_run_continues(center_a, center_b):
    """A real migration, unapplied in two centers; in beta a stray column makes it fail again."""
    for code in ("alpha", "beta"):
        _out, _err, error = migrate("--schema", code, OTP_APP, OTP_PREVIOUS)
        assert error is None, error
        assert not applied(code, OTP_APP, OTP_LAST)
    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE "beta".otp_totp_totpdevice ADD COLUMN created_at timestamptz')

    out, err, error = migrate("--tenant")
    assert error is not None and "beta" in str(error) and "alpha" not in str(error)
    assert ": 2 behind." in out
    assert "alpha migrated in" in out and "beta FAILED after" in out and "already exists" in out
    assert "beta:" in err
    assert applied("alpha", OTP_APP, OTP_LAST) and column_exists(
        "alpha", "otp_totp_totpdevice", "last_used_at"
    )
    assert not applied("beta", OTP_APP, OTP_LAST)

    # The re-run takes only beta (still failing), then, once the stray column is gone, finishes.
    out, _err, error = migrate("--tenant")
    assert error is not None and ": 1 behind." in out and "[1/1] beta FAILED" in out
    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE "beta".otp_totp_totpdevice DROP COLUMN created_at')
    out, _err, error = migrate("--tenant")
    assert error is None and ": 1 behind." in out and "[1/1] beta migrated in" in out
    assert applied("beta", OTP_APP, OTP_LAST)
    out, _err, error = migrate("--tenant")
    assert error is None and ": 0 behind." in out


def test_a_center_without_its_schema_is_named_and_the_others_still_migrate(center_a, runs):
    ServiceCenter.objects.create(schema_name="ghostx", code="ghostx", name="幽灵中心")
    forget("alpha", latest("cms"))
    out, err, error = migrate("--tenant")
    assert runs == ["alpha"]
    assert error is not None and "ghostx" in str(error)
    assert "ghostx: no schema" in out and "ghostx: the schema does not exist" in err


# --- The pool of processes (no database: a forked worker cannot see the test's transaction) --------------


def fake_run_migrations(args, options, codename, schema_name, allow_atomic=True):
    """Stands for django-tenants' per-schema step in a worker: prints its process, fails for one schema."""
    time.sleep(0.2)  # long enough for both workers to take schemas
    print(f"pid {os.getpid()} {schema_name} allow_atomic={allow_atomic}")
    if schema_name == "s3":
        raise RuntimeError("boom in s3")


def test_the_pool_reports_every_schema_as_it_ends_and_a_failure_stops_no_other(monkeypatch):
    monkeypatch.setattr(migrating, "run_migrations", fake_run_migrations)
    seen: list[tuple[int, int, str]] = []
    schemas = [f"s{number}" for number in range(1, 9)]
    results = migrating.schemas_migrate(
        schemas,
        options={"verbosity": 1},
        processes=2,
        progress=lambda position, total, result: seen.append((position, total, result.schema)),
    )
    assert sorted(result.schema for result in results) == schemas
    assert [(position, total) for position, total, _schema in seen] == [(n, 8) for n in range(1, 9)]
    failed = [result for result in results if result.failed]
    assert [result.schema for result in failed] == ["s3"]
    assert failed[0].error == "RuntimeError: boom in s3" and "Traceback" in failed[0].output
    pids = {result.output.split()[1] for result in results}
    assert len(pids) == 2 and str(os.getpid()) not in pids
    assert all("allow_atomic=False" in result.output for result in results)


def test_how_many_processes(monkeypatch, settings):
    monkeypatch.delenv(migrating.PROCESSES_ENV, raising=False)
    settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = None
    assert migrating.migration_processes(behind=migrating.HANDFUL) == 1
    assert migrating.migration_processes(behind=1000) == (os.cpu_count() or 1)
    assert migrating.migration_processes(behind=2, requested=8) == 2
    settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = 3
    assert migrating.migration_processes(behind=1000) == 3
    monkeypatch.setenv(migrating.PROCESSES_ENV, "5")
    assert migrating.migration_processes(behind=1000) == 5
    assert migrating.migration_processes(behind=1000, requested=1) == 1
