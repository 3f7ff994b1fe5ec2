"""Benchmark: ``migrate`` over many centers, ours (tenants.migrating) against django-tenants' standard executor.

A benchmark, not a test: it asserts nothing about time, it prints figures::

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python tests/bench/bench_migrate.py \
        [--centers 1000] [--standard-sample 100]

It never touches the developer's databases: it creates a scratch database (``bianmin_bench_migrate_<pid>``)
on the server the settings point at, and drops it at the end (also on Ctrl-C, SIGTERM or an error).

1. ``migrate`` (public and the template), then ``--centers`` centers made cheaply: their tenant rows and
   domains in bulk, then one ``tenants.cloning.clone_template`` per center, each in its own transaction
   (a clone takes hundreds of locks; a batch in one transaction would run out of lock slots).
2. A no-op ``migrate``: ours (``call_command("migrate")``, in this process, twice) and, with DATABASE_URL,
   ``manage.py migrate`` in a new process (Django's start-up included); against it django-tenants'
   ``StandardExecutor`` with the options its ``migrate_schemas`` gives it, public included — over every
   schema when ``--standard-sample`` covers them, else over the first ``--standard-sample`` centers,
   extrapolated to all of them and labelled so. The standard executor runs twice: with this project's
   backend (``portal.db``), and "before", with django-tenants' introspection, whose table list tests the
   visibility of every table in the catalog (what ``migrate`` did before issue #17).
3. One added column, a migration that is not in the project. ``MIGRATION_MODULES`` points ``operations``'
   migrations at a copy of them in a temporary folder (on ``sys.path``) holding one more migration: a
   nullable column on ``ServiceItem``. Nothing in the project changes, the folder is removed at the end,
   and the forked workers inherit the setting. Ours applies it to the template and every center; then
   further throwaway migrations (another column each) go through the standard executor over the sample,
   both ways, so every side applies one ``AddField`` per schema; extrapolated the same way.

Both sides run Django's own ``migrate`` in a schema; ours runs the system checks once instead of once
per schema, skips the schemas that are up to date, and spreads the others over
``migration_processes()`` processes (the CPU count unless ``MIGRATE_PROCESSES`` says otherwise).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

from tests.bench.bench_service_desk import describe_server  # noqa: E402
from tests.bench.bench_site import database_url  # noqa: E402
from tests.bench.scratch import run_in_scratch_database  # noqa: E402 - sys.path is set up above

PROGRESS_EVERY = 100
COLUMN_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("operations", "{after}")]
    operations = [
        migrations.AddField(model_name="serviceitem", name="{column}", field=models.IntegerField(null=True)),
    ]
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--centers", type=int, default=1000, help="centers to create (default 1000)")
    parser.add_argument(
        "--standard-sample",
        type=int,
        default=100,
        help="schemas the standard executor runs in, extrapolated to all (default 100; all when larger)",
    )
    args = parser.parse_args(argv)
    if args.centers < 1 or args.standard_sample < 1:
        parser.error("--centers and --standard-sample must be at least 1")
    return args


# --- Setting up ------------------------------------------------------------------------------------------


def create_centers(count: int) -> list[str]:
    """``count`` centers: rows and domains in bulk, then a clone of the template per center."""
    from django.conf import settings
    from django.db import connection, transaction

    from tenants.cloning import clone_template
    from tenants.models import Domain, ServiceCenter

    codes = [f"b{number:04d}" for number in range(1, count + 1)]
    with transaction.atomic():
        centers = ServiceCenter.objects.bulk_create(
            ServiceCenter(schema_name=code, code=code, name=f"压测{code}服务中心") for code in codes
        )
        Domain.objects.bulk_create(
            Domain(domain=f"{center.code}.localhost", tenant=center, is_primary=True) for center in centers
        )
    started = time.perf_counter()
    for number, code in enumerate(codes, start=1):
        with transaction.atomic():
            clone_template(template=settings.TENANT_BASE_SCHEMA, new_schema=code)
        if number % PROGRESS_EVERY == 0 or number == count:
            elapsed = time.perf_counter() - started
            print(f"    {number:>5} centers cloned, {elapsed:6.0f} s ({elapsed / number:.2f} s each)")
    connection.set_schema_to_public()
    return codes


def stock_options(**overrides) -> dict:
    """The options ``manage.py migrate_schemas`` hands django-tenants' executor (checks per schema included)."""
    from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

    parser = MigrateSchemasCommand().create_parser("manage.py", "migrate_schemas")
    options = vars(parser.parse_args([]))
    options.update(interactive=False, verbosity=0, **overrides)
    return options


def standard_run(schemas: list[str]) -> float:
    """Seconds of django-tenants' StandardExecutor over ``schemas`` (public included when named)."""
    from django.db import connection

    from django_tenants.migration_executors.standard import StandardExecutor

    started = time.perf_counter()
    StandardExecutor((), stock_options()).run_migrations(tenants=list(schemas))
    seconds = time.perf_counter() - started
    connection.set_schema_to_public()
    return seconds


class ProgressLines(io.TextIOBase):
    """Our command's output, of which every PROGRESS_EVERY-th progress line, failures and summaries are shown."""

    def write(self, text: str) -> int:
        for line in text.splitlines():
            progress = line.startswith("[") and "FAILED" not in line
            if not progress or int(line[1:].split("/")[0]) % PROGRESS_EVERY == 0:
                print(f"      {line}")
        return len(text)


@contextlib.contextmanager
def django_tenants_introspection():
    """django-tenants' table list (Django's visibility test over the whole catalog) instead of portal.db's."""
    from django.db import connection

    from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection

    kept = connection.introspection
    connection.introspection = DatabaseSchemaIntrospection(connection)
    try:
        yield
    finally:
        connection.introspection = kept


def table_list_seconds(schema: str, *, before: bool) -> float:
    """Seconds of one table list in ``schema``, in a new session (as each schema's migrate has)."""
    from django.db import connection

    connection.close()
    connection.set_schema(schema)
    with (
        django_tenants_introspection() if before else contextlib.nullcontext(),
        connection.cursor() as cursor,
    ):
        started = time.perf_counter()
        connection.introspection.get_table_list(cursor)
        seconds = time.perf_counter() - started
    connection.set_schema_to_public()
    return seconds


def ours(verbosity: int = 0) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=verbosity, skip_checks=False, stdout=ProgressLines())
    return time.perf_counter() - started


def manage_py_migrate(config: dict, db_name: str) -> float | None:
    """Wall clock of ``manage.py migrate`` in a new process, when the server is reachable by URL."""
    if not os.environ.get("DATABASE_URL"):
        return None
    env = {**os.environ, "DATABASE_URL": database_url(config, db_name)}
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
    )
    return time.perf_counter() - started


def throwaway_migrations(folder: Path) -> tuple[str, str]:
    """A copy of operations' migrations under a new package in ``folder``; the leaf to add migrations after."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    package = f"bench_migrate_{os.getpid()}_operations"
    source = Path(apps.get_app_config("operations").path) / "migrations"
    shutil.copytree(source, folder / package, ignore=shutil.ignore_patterns("__pycache__"))
    (leaf,) = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("operations")
    return package, leaf[1]


def add_column_migration(folder: Path, package: str, *, name: str, after: str, column: str) -> None:
    (folder / package / f"{name}.py").write_text(COLUMN_MIGRATION.format(after=after, column=column))


# --- Main ------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, config: dict, db_name: str) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tenants.migrating import migration_processes, schemas_behind, tenant_schemas

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    setup_seconds = time.perf_counter() - started
    print("Bianmin migrate benchmark")
    print(f"  {describe_server(config)}; scratch database {db_name}")
    print(
        f"  Django {django.get_version()}, {os.cpu_count()} CPUs, settings {os.environ['DJANGO_SETTINGS_MODULE']}"
    )
    print(f"  setup: migrate (public + {settings.TENANT_BASE_SCHEMA}) took {setup_seconds:.1f} s")

    print(f"\nCreating {args.centers} centers (rows and domains in bulk, one template clone each)")
    started = time.perf_counter()
    codes = create_centers(args.centers)
    print(f"  {args.centers} centers in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), (SELECT count(*) FROM pg_class)"
        )
        size, relations = cursor.fetchone()
    print(f"  database: {size}, {relations} pg_class rows")

    schemas = tenant_schemas()
    started = time.perf_counter()
    behind = schemas_behind(schemas)
    check_seconds = time.perf_counter() - started
    print(f"  the check alone: {len(schemas)} schemas in {check_seconds:.2f} s, {len(behind)} behind")

    whole = args.standard_sample >= len(schemas)
    sample = schemas if whole else codes[: args.standard_sample]
    scale = len(schemas) / len(sample)
    label = "measured" if whole else f"{len(sample)} schemas, x{scale:.1f} to {len(schemas)}"

    print("  one schema's table list (Django's migrate asks four times per schema):")
    print(
        f"    django-tenants' introspection {table_list_seconds(codes[-1], before=True):.3f} s, "
        f"portal.db's {table_list_seconds(codes[-1], before=False):.3f} s"
    )

    def standard(schemas_run: list[str], *, before: bool) -> tuple[float, float]:
        """(estimated seconds for every schema, seconds a schema) of the standard executor, public included."""
        with django_tenants_introspection() if before else contextlib.nullcontext():
            public_seconds = standard_run(["public"])
            sample_seconds = standard_run(schemas_run)
        return public_seconds + sample_seconds * scale, sample_seconds / len(schemas_run)

    # 2. No-op migrate.
    print(f"\n1. No-op migrate over {len(codes)} centers + the template")
    noop_ours = [ours(), ours()]
    print(f"  ours, in process (call_command):            {noop_ours[0]:7.1f} s, again {noop_ours[1]:.1f} s")
    new_process = manage_py_migrate(config, db_name)
    if new_process is not None:
        print(f"  ours, manage.py migrate (a new process):    {new_process:7.1f} s")
    noop_standard, each = standard(sample, before=False)
    print(f"  standard, portal.db ({label}): {noop_standard:7.1f} s ({each:.2f} s a schema)")
    noop_before, each = standard(sample, before=True)
    print(
        f"  standard, django-tenants' introspection ({label}): {noop_before:7.1f} s ({each:.2f} s a schema)"
    )
    noop = min(noop_ours)

    # 3. One added column, through migrations that are not in the project.
    print("\n2. One added column (AddField on operations.ServiceItem) in every schema")
    folder = Path(tempfile.mkdtemp(prefix="bench-migrate-"))
    sys.path.insert(0, str(folder))
    try:
        package, leaf = throwaway_migrations(folder)
        add_column_migration(folder, package, name="9001_bench_a", after=leaf, column="bench_a")
        settings.MIGRATION_MODULES = {**getattr(settings, "MIGRATION_MODULES", {}), "operations": package}
        processes = migration_processes(behind=len(schemas))
        print(f"  ours: {len(schemas)} schemas behind, {processes} processes")
        column_ours = ours(verbosity=1)
        print(f"  ours: {column_ours:7.1f} s ({len(schemas_behind(schemas))} schemas still behind)")
        add_column_migration(folder, package, name="9002_bench_b", after="9001_bench_a", column="bench_b")
        column_standard, each = standard(sample, before=False)
        print(f"  standard, portal.db ({label}): {column_standard:7.1f} s ({each:.2f} s a schema)")
        add_column_migration(folder, package, name="9003_bench_c", after="9002_bench_b", column="bench_c")
        column_before, each = standard(sample, before=True)
        print(
            f"  standard, django-tenants' introspection ({label}): {column_before:7.1f} s ({each:.2f} s a schema)"
        )
    finally:
        sys.path.remove(str(folder))
        shutil.rmtree(folder, ignore_errors=True)

    print("\nSummary (seconds; standard = django-tenants' StandardExecutor, as its migrate_schemas runs it)")
    print(f"    {'':<22}{'ours':>9}{'standard':>11}{'ratio':>8}{'standard, before':>19}{'ratio':>8}")
    for what, mine, theirs, before in [
        ("no-op migrate", noop, noop_standard, noop_before),
        ("one added column", column_ours, column_standard, column_before),
    ]:
        print(
            f"    {what:<22}{mine:>9.1f}{theirs:>11.1f}{theirs / mine:>7.1f}x{before:>19.1f}{before / mine:>7.1f}x"
        )
    if new_process is not None:
        print(
            f"    no-op `manage.py migrate` in a new process (Django's start-up included): {new_process:.1f} s"
        )
    print(f"    {len(codes)} centers + the template; standard: {label}")
    print(
        "    'standard, before': with django-tenants' introspection instead of portal.db's (the code before #17)"
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    return run_in_scratch_database(
        prefix="bianmin_bench_migrate", run=lambda server_config, db_name: run(args, server_config, db_name)
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
