"""django-tenants' migrate_schemas, which also keeps the center template schema current.

New centers are cloned from TENANT_BASE_SCHEMA with their migrations marked as applied, so
the template must always be fully migrated: every full run migrates it too (creating it on
the first run). The template has no tenant row and no domain, so it never serves requests.
"""

from django.conf import settings
from django.db import connection

from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor
from django_tenants.utils import quote_schema_name, schema_exists


class Command(MigrateSchemasCommand):
    def handle(self, *args, **options):
        super().handle(*args, **options)
        if self.sync_tenant and not options.get("schema_name"):
            self.migrate_template()

    def migrate_template(self):
        template = settings.TENANT_BASE_SCHEMA
        if not schema_exists(template):
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE SCHEMA {quote_schema_name(template)}")
        executor = get_executor(codename=self.executor)(self.args, self.options)
        executor.run_migrations(tenants=[template])
