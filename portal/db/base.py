"""django-tenants' backend without its ContentType cache flush on every schema switch.

django-tenants empties ``ContentType.objects``' cache whenever a request (or a job) switches
schema, because content types *may* differ per schema when ``contenttypes`` is a tenant app.
Here it is a shared app only (``portal.settings.base``): there is one ``django_content_type``
table, in the public schema, so an id means the same model in every center and the flush only
costs every page two to three extra queries. When ``contenttypes`` is (ever) made a tenant app,
this backend behaves exactly like django-tenants' again.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


def contenttypes_are_shared() -> bool:
    return "django.contrib.contenttypes" not in settings.TENANT_APPS


class DatabaseWrapper(TenantDatabaseWrapper):
    def set_tenant(self, tenant, include_public=True):
        kept = ContentType.objects._cache.get(self.alias) if contenttypes_are_shared() else None
        super().set_tenant(tenant, include_public)
        if kept:
            ContentType.objects._cache[self.alias] = kept
