"""django-tenants' backend without its ContentType cache flush on every schema switch.

django-tenants empties ``ContentType.objects``' cache whenever a request (or a job) switches
schema, because content types *may* differ per schema when ``contenttypes`` is a tenant app.
Here it is a shared app only (``portal.settings.base``): there is one ``django_content_type``
table, in the public schema, so an id means the same model in every center and the flush only
costs every page two to three extra queries. When ``contenttypes`` is (ever) made a tenant app,
this backend behaves exactly like django-tenants' again.

Its introspection lists a schema's tables without scanning the whole catalog (portal.db.introspection).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper

from portal.db.introspection import SchemaIntrospection


def contenttypes_are_shared() -> bool:
    return "django.contrib.contenttypes" not in settings.TENANT_APPS


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.introspection = SchemaIntrospection(self)  # table lists by schema (portal.db.introspection)

    def _handle_search_path(self, cursor=None):
        if self._setting_search_path or not self.schema_name:
            return super()._handle_search_path(cursor)
        own = cursor is None
        real = self.connection.cursor() if own else cursor
        try:
            super()._handle_search_path(_SaysWhose(real, self.schema_name))
        finally:
            if own:
                real.close()

    def set_tenant(self, tenant, include_public=True):
        kept = ContentType.objects._cache.get(self.alias) if contenttypes_are_shared() else None
        super().set_tenant(tenant, include_public)
        if kept:
            ContentType.objects._cache[self.alias] = kept


class _SaysWhose:
    """A cursor whose ``SET search_path`` also says whose the connection is (``bianmin.schema``), in the
    same statement: row-level security on the shared tables reads it (portal migration 0015)."""

    def __init__(self, cursor, schema: str):
        self._cursor, self._schema = cursor, schema

    def execute(self, sql, params=None):
        if params is None and sql.startswith("SET search_path"):
            # The schema name was validated by django-tenants (_check_schema_name) before it got here.
            sql = f"{sql}; SET bianmin.schema = '{self._schema}'"
        return self._cursor.execute(sql, params)

    def close(self):
        return self._cursor.close()

    def __getattr__(self, name):
        return getattr(self._cursor, name)
