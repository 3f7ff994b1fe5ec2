"""Template context of a center's host: ``center``, the service center the request is routed to."""

from django.db import connection

from tenants.models import ServiceCenter


def center(request) -> dict:
    """The center of this host for every template (its site, forms and admin); nothing at head office."""
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    return {"center": tenant} if isinstance(tenant, ServiceCenter) else {}
