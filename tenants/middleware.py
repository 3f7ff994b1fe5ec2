"""Routing a request to the head office or to a center by its Host header."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_domain_model, schema_context

# Host → center lookups are cached briefly (every request needs one); suspending or
# reactivating a center forgets its hosts at once (see tenants.services).
TENANT_LOOKUP_SECONDS = getattr(settings, "TENANT_LOOKUP_CACHE_SECONDS", 60)


def _host_key(hostname: str) -> str:
    return f"tenant-by-host:{hostname}"


def forget_center_hosts(center) -> None:
    """Drop the cached lookups of a center's hosts (keys live under the public schema)."""
    with schema_context(get_public_schema_name()):
        cache.delete_many([_host_key(domain) for domain in center.domains.values_list("domain", flat=True)])


class CenterTenantMiddleware(TenantMainMiddleware):
    """django-tenants' routing, with the head office on BASE_DOMAIN and no tenant row for it.

    - ``BASE_DOMAIN`` → public schema, portal URLs.
    - a center's domain → its schema; a suspended center answers 503 with a notice.
    - any other host → a 404 page that names no center (in the visitor's language, zh-hans by default).
    """

    def get_tenant(self, domain_model, hostname):
        # The connection is on the public schema here, so the cache key is the public one.
        key = _host_key(hostname)
        tenant = cache.get(key)
        if tenant is None:
            tenant = super().get_tenant(domain_model, hostname)
            cache.set(key, tenant, TENANT_LOOKUP_SECONDS)
        return tenant

    def process_request(self, request):
        connection.set_schema_to_public()
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return self.unknown_host_response(request)

        if hostname == settings.BASE_DOMAIN:
            request.tenant = connection.tenant  # django-tenants' public FakeTenant
            self.setup_url_routing(request)
            return None

        domain_model = get_tenant_domain_model()
        try:
            tenant = self.get_tenant(domain_model, hostname)
        except domain_model.DoesNotExist:
            return self.unknown_host_response(request)

        if not tenant.is_active:
            return self.suspended_response(request, tenant)

        tenant.domain_url = hostname
        request.tenant = tenant
        connection.set_tenant(tenant)
        self.setup_url_routing(request)
        return None

    # One page for both answers a host gets without reaching a site: a suspended center's notice
    # (with its name and phone) and the 404 of an unknown host (naming no center).
    @staticmethod
    def unknown_host_response(request):
        language = translation.get_language_from_request(request)
        with translation.override(language):
            body = render_to_string("tenants/host_notice.html", {"lang": language, "status": 404})
        response = HttpResponse(body, status=404)
        response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def suspended_response(request, tenant):
        language = translation.get_language_from_request(request)
        with translation.override(language):
            body = render_to_string(
                "tenants/host_notice.html", {"center": tenant, "lang": language}, request=None
            )
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "3600"
        response["Cache-Control"] = "no-store"
        return response
