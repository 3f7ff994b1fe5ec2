"""django-tenants' migrate_schemas, for a thousand centers, which also keeps the center template current.

Public is migrated as before. Then the template (``TENANT_BASE_SCHEMA``, created on the first run) and
every center's schema are checked in two queries, and ``migrate`` runs only in those that are behind,
several at a time, each reported as it ends; a center that fails does not stop the others, the command
exits non-zero naming it, and a re-run continues with the schemas still behind (``tenants.migrating``).

New centers are cloned from the template with its migrations marked as applied, so the template must
always be fully migrated. It has no tenant row and no domain, so it never serves requests.

``--schema``/``-s`` migrates that one schema (without a check); ``--executor standard|multiprocessing|
subprocess`` (or ``EXECUTOR``) hands the schemas behind to that django-tenants executor instead of ours;
``--parallel N`` (or ``MIGRATE_PROCESSES``, or ``TENANT_MULTIPROCESSING_MAX_PROCESSES``) sets the
processes; ``--every-schema`` skips the check. ``--prune``, ``--run-syncdb`` and a target migration
imply ``--every-schema``: what they change is not a missing migration.
"""

import os

from django.core.management.base import CommandError

from django_tenants.management.commands import SyncCommon
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor
from django_tenants.utils import get_public_schema_name, schema_exists

from tenants.migrating import ParallelExecutor, template_schema_create, tenant_schemas_check
from tenants.spares import spare_pool_refill


class Command(MigrateSchemasCommand):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--every-schema",
            action="store_true",
            help="Run migrate in every center's schema, not only in those missing a migration.",
        )

    def handle(self, *args, **options):
        SyncCommon.handle(self, *args, **options)
        self.verbosity = options["verbosity"]
        public = get_public_schema_name()
        codename = self.executor or os.environ.get("EXECUTOR") or ParallelExecutor.codename
        executor = get_executor(codename=codename)(self.args, self.options)
        if isinstance(executor, ParallelExecutor):
            executor.progress = self.write_progress

        if self.sync_public:
            executor.run_migrations(tenants=[public])
        if not self.sync_tenant:
            return
        if self.schema_name and self.schema_name != public:
            if not schema_exists(self.schema_name, options["database"]):
                raise CommandError(f'Schema "{self.schema_name}" does not exist')
            executor.run_migrations(tenants=[self.schema_name])
            self.finish(executor, [])
            return

        every_schema = any(options[name] for name in ("every_schema", "app_label", "prune", "run_syncdb"))
        check = tenant_schemas_check(every_schema=every_schema)
        self.write_check(check)
        if options["check_unapplied"]:
            if check.behind:
                raise CommandError(f"Schemas with unapplied migrations: {', '.join(check.behind)}")
            return
        if check.template_missing:
            template_schema_create()
        if check.to_migrate:
            executor.run_migrations(tenants=check.to_migrate)
        self.finish(executor, check.centers_without_schema)
        # Spare schemas made from the template before these migrations are stale: drop them, make new ones.
        refill = spare_pool_refill()
        if self.verbosity >= 1 and (refill.made or refill.dropped):
            self.stdout.write(f"Spare schemas for new centers: {refill}.")

    def write_check(self, check):
        if self.verbosity < 1:
            return
        what = "every schema" if check.every_schema else f"{len(check.behind)} behind"
        self.stdout.write(f"Checked {len(check.schemas)} schemas in {check.seconds:.1f} s: {what}.")
        if self.verbosity >= 2 or len(check.behind) <= 20:
            for schema, why in check.behind.items():
                self.stdout.write(f"  {schema}: {why}")

    def write_progress(self, position, total, result):
        if self.verbosity >= 1:
            width = len(str(total))
            if result.failed:
                state = f"FAILED after {result.seconds:.1f} s: {result.error}"
            else:
                state = f"migrated in {result.seconds:.1f} s"
            self.stdout.write(f"[{position:>{width}}/{total}] {result.schema} {state}")
        if self.verbosity >= 2 or self.options.get("plan"):
            self.stdout.write(result.output, ending="")

    def finish(self, executor, missing):
        failed = [(result.schema, result.error) for result in getattr(executor, "failed", [])]
        failed += [(schema, "the schema does not exist (see manage.py repair_centers)") for schema in missing]
        results = getattr(executor, "results", [])
        if results and self.verbosity >= 1:
            processes = f"{executor.processes} process" + ("es" if executor.processes > 1 else "")
            self.stdout.write(
                f"Migrated {len(results) - len(executor.failed)} of {len(results)} schemas in "
                f"{executor.seconds:.1f} s ({processes}); {len(executor.failed)} failed."
            )
        if failed:
            for schema, error in failed:
                self.stderr.write(f"  {schema}: {error}")
            raise CommandError(
                f"{len(failed)} schema(s) failed: {', '.join(schema for schema, _error in failed)}. "
                "The others are migrated; run migrate again once fixed: it continues with those behind."
            )
