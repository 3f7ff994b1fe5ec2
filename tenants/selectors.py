"""Named reads about centers."""

from django.conf import settings
from django.db import connection

from tenants.models import Domain


def center_base_url(schema_name: str | None = None) -> str:
    """``http(s)://<primary domain>[:port]`` of a center (default: the current schema's), or "" if none."""
    schema_name = schema_name or connection.schema_name
    domain = (
        Domain.objects.filter(tenant__schema_name=schema_name, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )
    if not domain:
        return ""
    port = settings.SITE_PORT
    if port == 443:
        return f"https://{domain}"
    return f"http://{domain}" if port == 80 else f"http://{domain}:{port}"


def center_absolute_url(path: str) -> str:
    """An absolute link for e-mails and SMS; ``path`` unchanged when it is already absolute or no domain is known."""
    if not path.startswith("/"):
        return path
    return f"{center_base_url()}{path}"
