"""``manage.py migrate`` at a thousand centers: only the schemas that are behind, several at a time.

django-tenants runs Django's ``migrate`` in every schema, one after another. Even with nothing to apply
that costs about 0.4 s a schema (loading the migrations, rendering the models, the post-migrate
signals, the check for model changes), six or seven minutes at 1,000 centers on every deployment.

1. ``schemas_behind`` decides which schemas need ``migrate`` with two queries (up to 1,500 schemas; one
   more per further 1,500): one to the catalog (which schemas exist and have a ``django_migrations``
   table) and one over every schema's ``django_migrations`` at once (a ``UNION ALL``) that returns the
   migrations each one lacks.
   The migrations that count are those of the tenant apps (``TENANT_APPS``) on disk, which is what
   ``migrate`` would apply; a head-office app's migration changes nothing in a center's schema (the
   router skips its operations), and the next ``migrate`` that has work in the schema records it.
   Squashed migrations are judged as Django's loader judges them (see ``_lacks``).
2. ``ParallelExecutor`` (django-tenants executor ``parallel``, the default of our ``migrate``) runs
   django-tenants' own per-schema step (``run_migrations``: Django's ``migrate`` in that schema) for
   those schemas only, in forked processes when more than a handful are behind. Each schema's result
   is reported as it ends (n/total, schema, seconds); a failure is collected and the other schemas go
   on. A re-run finds only the schemas still behind, so it continues where the last run stopped.

The template schema (``TENANT_BASE_SCHEMA``) is checked and migrated like a center, first. Schemas made
ahead of time (``tenants.spares``) are not: they have no center row, and a stale one is rebuilt.
"""

from __future__ import annotations

import functools
import io
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from django_tenants.migration_executors.base import MigrationExecutor, run_migrations
from django_tenants.utils import (
    get_public_schema_name,
    get_tenant_database_alias,
    get_tenant_migration_order,
    get_tenant_model,
    quote_schema_name,
)

#: Up to this many schemas behind are migrated in this process; more go to a pool of processes.
HANDFUL = 4
#: Schemas read by one query. A statement holds two locks per schema read (the table and its index) until
#: it ends, and PostgreSQL's shared lock table has room for max_locks_per_transaction x max_connections
#: (6,400 by default) for all sessions together: 1,500 schemas take under half of it.
SCHEMAS_PER_QUERY = 1500
#: Environment variable for the number of processes (``--parallel`` wins, then this, then the setting).
PROCESSES_ENV = "MIGRATE_PROCESSES"

MigrationKey = tuple[str, str]


# --- Which schemas are behind -------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantMigrations:
    """The tenant apps' migrations on disk: the graph's nodes and, for a squashed one, what it replaces."""

    nodes: tuple[MigrationKey, ...]
    replaces: dict[MigrationKey, tuple[MigrationKey, ...]]

    @property
    def keys(self) -> list[MigrationKey]:
        """Every (app, name) a schema's ``django_migrations`` is compared with."""
        replaced = [key for node in self.nodes for key in self.replaces.get(node, ())]
        return sorted({*self.nodes, *replaced})


@dataclass(frozen=True)
class Behind:
    """Why a schema needs ``migrate``: it does not exist, has no ``django_migrations``, or lacks migrations."""

    schema: str
    missing: tuple[MigrationKey, ...] = ()
    no_schema: bool = False
    no_table: bool = False

    def __str__(self) -> str:
        if self.no_schema:
            return "no schema"
        if self.no_table:
            return "no django_migrations table"
        names = ", ".join(f"{app}.{name}" for app, name in self.missing[:3])
        more = f" and {len(self.missing) - 3} more" if len(self.missing) > 3 else ""
        return f"{len(self.missing)} to apply: {names}{more}"


def tenant_app_labels() -> set[str]:
    """Labels of the apps in ``TENANT_APPS`` (by module or AppConfig path, as django-tenants' router)."""
    tenant_apps = set(settings.TENANT_APPS)
    return {
        config.label
        for config in apps.get_app_configs()
        if config.name in tenant_apps or f"{config.__module__}.{config.__class__.__name__}" in tenant_apps
    }


def tenant_migrations() -> TenantMigrations:
    """The tenant apps' migrations as ``migrate`` sees them in a schema that has none applied."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    labels = tenant_app_labels()
    nodes = tuple(sorted(key for key in loader.graph.nodes if key[0] in labels))
    replaces = {
        key: tuple(migration.replaces) for key, migration in loader.replacements.items() if key in nodes
    }
    return TenantMigrations(nodes=nodes, replaces=replaces)


def tenant_schemas() -> list[str]:
    """The schemas ``migrate`` keeps current besides public: the template first, then every center's."""
    centers = get_tenant_model().objects.exclude(schema_name=get_public_schema_name())
    order = get_tenant_migration_order()
    if order is not None:
        centers = centers.order_by(*order)
    schemas = list(centers.values_list("schema_name", flat=True))
    template = settings.TENANT_BASE_SCHEMA
    return [template, *(schema for schema in schemas if schema != template)]


def _lacks(node: MigrationKey, missing: set[MigrationKey], replaces: tuple[MigrationKey, ...]) -> bool:
    """Whether ``migrate`` would apply something for ``node`` in a schema lacking ``missing``.

    For a squashed migration, as Django's loader: with all the migrations it replaces applied, it is
    applied; with none of them, it counts on its own row; with some only, the rest are applied.
    """
    if not replaces:
        return node in missing
    lacking = [key for key in replaces if key in missing]
    if not lacking:
        return False
    return node in missing or len(lacking) < len(replaces)


# (schema, app, name) of each wanted migration a schema's django_migrations lacks; {applied} is the
# UNION ALL of every schema's rows.
_MISSING_SQL = (
    "SELECT s.schema_name, e.app, e.name FROM unnest(%s::text[]) AS s(schema_name) "
    "CROSS JOIN unnest(%s::text[], %s::text[]) AS e(app, name) "
    "WHERE NOT EXISTS (SELECT 1 FROM ({applied}) AS a "
    "WHERE a.schema_name = s.schema_name AND a.app = e.app AND a.name = e.name)"
)


def schemas_behind(
    schemas: Sequence[str], *, migrations: TenantMigrations | None = None, using: str | None = None
) -> dict[str, Behind]:
    """The schemas among ``schemas`` where ``migrate`` has something to do, in their order, with why.

    Two queries up to ``SCHEMAS_PER_QUERY`` schemas: the catalog, then every ``django_migrations`` at
    once (one more query per further ``SCHEMAS_PER_QUERY``). A schema that does not exist or has no
    ``django_migrations`` table is behind.
    """
    migrations = migrations or tenant_migrations()
    connection = connections[using or get_tenant_database_alias()]
    keys = migrations.keys
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.name, n.oid IS NOT NULL, c.oid IS NOT NULL "
            "FROM unnest(%s::text[]) AS s(name) "
            "LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = s.name "
            "LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = 'django_migrations' "
            "AND c.relkind IN ('r', 'p')",
            [list(schemas)],
        )
        catalog = {name: (has_schema, has_table) for name, has_schema, has_table in cursor.fetchall()}
        with_table = [schema for schema in schemas if catalog[schema][1]]
        missing: dict[str, set[MigrationKey]] = {}
        apps_, names = [app for app, _name in keys], [name for _app, name in keys]
        for start in range(0, len(with_table) if keys else 0, SCHEMAS_PER_QUERY):
            chunk = with_table[start : start + SCHEMAS_PER_QUERY]
            applied = " UNION ALL ".join(
                f"SELECT %s AS schema_name, app, name FROM {quote_schema_name(schema)}.django_migrations"  # noqa: S608
                for schema in chunk
            )
            # The identifiers are quoted, the values are parameters.
            cursor.execute(_MISSING_SQL.format(applied=applied), [chunk, apps_, names, *chunk])
            for schema, app, name in cursor.fetchall():
                missing.setdefault(schema, set()).add((app, name))
    behind: dict[str, Behind] = {}
    for schema in schemas:
        has_schema, has_table = catalog[schema]
        if not has_schema:
            behind[schema] = Behind(schema, no_schema=True)
        elif not has_table:
            behind[schema] = Behind(schema, no_table=True)
        elif schema in missing:
            lacking = tuple(
                node
                for node in migrations.nodes
                if _lacks(node, missing[schema], migrations.replaces.get(node, ()))
            )
            if lacking:
                behind[schema] = Behind(schema, missing=lacking)
    return behind


# --- Migrating them ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaMigration:
    """The result of ``migrate`` in one schema: its time, its output, and the error when it failed."""

    schema: str
    seconds: float
    output: str = ""
    error: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.error)


#: Called in the parent process as each schema ends: (position, total, result).
Progress = Callable[[int, int, SchemaMigration], None]


def migration_processes(*, behind: int, requested: int | None = None) -> int:
    """How many processes migrate ``behind`` schemas.

    ``requested`` (``--parallel``), else ``MIGRATE_PROCESSES``, else ``TENANT_MULTIPROCESSING_MAX_PROCESSES``
    (django-tenants' setting); without any, one for a handful of schemas and the CPU count beyond.
    Never more processes than schemas.
    """
    if requested is None and os.environ.get(PROCESSES_ENV):
        requested = int(os.environ[PROCESSES_ENV])
    if requested is None:
        requested = getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", None)
    if requested is None:
        requested = (os.cpu_count() or 1) if behind > HANDFUL else 1
    return max(1, min(int(requested), behind))


def _schema_migrate(args: tuple, options: dict, schema: str, *, allow_atomic: bool) -> SchemaMigration:
    """django-tenants' per-schema step, with its output kept and its failure returned instead of raised."""
    started = time.perf_counter()
    output = io.StringIO()
    error = ""
    try:
        with redirect_stdout(output), redirect_stderr(output):
            run_migrations(args, options, ParallelExecutor.codename, schema, allow_atomic=allow_atomic)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported with the schema; the others go on
        error = f"{type(exc).__name__}: {exc}".strip()
        output.write(traceback.format_exc())
        connection = connections[options.get("database") or get_tenant_database_alias()]
        if not connection.in_atomic_block:
            connection.close()  # a broken session must not carry over to the next schema
        connection.set_schema_to_public()
    return SchemaMigration(
        schema=schema, seconds=time.perf_counter() - started, output=output.getvalue(), error=error
    )


def _in_transaction() -> bool:
    return any(connection.in_atomic_block for connection in connections.all(initialized_only=True))


def schemas_migrate(
    schemas: Sequence[str],
    *,
    args: Iterable = (),
    options: dict,
    processes: int = 1,
    progress: Progress | None = None,
) -> list[SchemaMigration]:
    """Run ``migrate`` (with the command's ``args`` and ``options``) in each schema; every result, in the
    order they ended. A failure does not stop the others.

    With ``processes`` > 1 the schemas go to a pool of forked processes (Linux ``fork``: the workers
    inherit the loaded apps and settings; the database connections are closed first, each worker opens
    its own). Inside a transaction (a test, a caller's ``atomic``) they run here, one after another.
    """
    schemas = list(schemas)
    options = {key: value for key, value in options.items() if key not in ("stdout", "stderr")}
    options["skip_checks"] = True  # the command ran the system checks once
    args = tuple(args)
    total = len(schemas)
    results: list[SchemaMigration] = []

    def done(result: SchemaMigration) -> None:
        results.append(result)
        if progress is not None:
            progress(len(results), total, result)

    processes = max(1, min(processes, total))
    if processes == 1 or _in_transaction() or "fork" not in multiprocessing.get_all_start_methods():
        for schema in schemas:
            done(_schema_migrate(args, options, schema, allow_atomic=True))
        return results
    connections.close_all()
    task = functools.partial(_schema_migrate, args, options, allow_atomic=False)
    maxtasksperchild = getattr(settings, "TENANT_MULTIPROCESSING_MAX_TASKS_PER_CHILD", None)
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_worker_start, maxtasksperchild=maxtasksperchild) as pool:
        for result in pool.imap_unordered(task, schemas):
            done(result)
        pool.close()
        pool.join()
    return results


def _worker_start() -> None:
    """A worker ends on SIGTERM (the pool's terminate on Ctrl-C) whatever handler its parent had set."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class ParallelExecutor(MigrationExecutor):
    """django-tenants executor ``parallel``: public in this process as before, then the given schemas with
    ``schemas_migrate``. ``results`` holds each schema's result, ``seconds`` the wall clock they took,
    ``progress`` is called as each ends.

    A failure of public stops the command, as with django-tenants' executors; a center's does not.
    """

    codename = "parallel"

    def __init__(self, args, options):
        super().__init__(args, options)
        self.results: list[SchemaMigration] = []
        self.processes = 1
        self.seconds = 0.0
        self.progress: Progress | None = None

    @property
    def failed(self) -> list[SchemaMigration]:
        return [result for result in self.results if result.failed]

    def run_migrations(self, tenants=None):
        tenants = list(tenants or [])
        if self.PUBLIC_SCHEMA_NAME in tenants:
            tenants.remove(self.PUBLIC_SCHEMA_NAME)
            run_migrations(self.args, self.options, self.codename, self.PUBLIC_SCHEMA_NAME)
        if not tenants:
            return
        self.processes = migration_processes(behind=len(tenants), requested=self.options.get("parallel"))
        started = time.perf_counter()
        self.results += schemas_migrate(
            tenants, args=self.args, options=self.options, processes=self.processes, progress=self.progress
        )
        self.seconds += time.perf_counter() - started

    def run_multi_type_migrations(self, tenants):
        raise NotImplementedError("The parallel executor does not support multi-type tenants.")


@dataclass
class TenantSchemas:
    """What ``tenant_schemas_check`` found: the schemas looked at and those behind, with why."""

    schemas: list[str]
    behind: dict[str, Behind]
    seconds: float
    every_schema: bool = False

    @property
    def template_missing(self) -> bool:
        why = self.behind.get(settings.TENANT_BASE_SCHEMA)
        return why is not None and why.no_schema

    @property
    def centers_without_schema(self) -> list[str]:
        """Centers whose schema is missing: reported, never created here (``manage.py repair_centers``)."""
        template = settings.TENANT_BASE_SCHEMA
        return [s for s, why in self.behind.items() if why.no_schema and s != template]

    @property
    def to_migrate(self) -> list[str]:
        """The schemas to run ``migrate`` in: those behind (or all of them), the template first."""
        without = set(self.centers_without_schema)
        chosen = self.schemas if self.every_schema else list(self.behind)
        return [schema for schema in chosen if schema not in without]


def tenant_schemas_check(*, every_schema: bool = False) -> TenantSchemas:
    """The template and every center's schema, and which are behind (``schemas_behind``).

    ``every_schema`` picks them all (for what the check cannot see: ``migrate --prune``, ``--run-syncdb``,
    a target migration), still naming the centers whose schema is missing.
    """
    started = time.perf_counter()
    schemas = tenant_schemas()
    behind = schemas_behind(schemas)
    return TenantSchemas(
        schemas=schemas, behind=behind, seconds=time.perf_counter() - started, every_schema=every_schema
    )


def template_schema_create() -> None:
    """Create the (empty) template schema when it is missing, for ``migrate`` to fill."""
    with connections[get_tenant_database_alias()].cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_schema_name(settings.TENANT_BASE_SCHEMA)}")
