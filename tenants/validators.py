"""Normalising and validating what identifies a center: its short code and its domain."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_SCHEMAS = {"public", "information_schema", "template", "default", "admin", "www"}


def reserved_schema_names() -> set[str]:
    return RESERVED_SCHEMAS | {settings.PUBLIC_SCHEMA_NAME, settings.TENANT_BASE_SCHEMA}


def normalize_code(value: str) -> str:
    """Lower-case and trim a short code; raise ValidationError when it cannot name a schema."""
    code = (value or "").strip().lower()
    if not code:
        raise ValidationError(_("Enter a short code."), code="required")
    if not CODE_RE.match(code):
        raise ValidationError(
            _(
                "The short code must be 2–30 characters: lower-case letters, digits or underscores, "
                "starting with a letter."
            ),
            code="invalid",
        )
    if code in reserved_schema_names() or code.startswith("pg_"):
        raise ValidationError(
            _("“%(code)s” is reserved; choose another short code.") % {"code": code}, code="reserved"
        )
    return code


def normalize_domain(value: str) -> str:
    """Lower-case a host name, drop a scheme or trailing slash, append BASE_DOMAIN to a bare label.

    Domains use hyphens, never underscores: Django rejects hosts with underscores.
    """
    domain = (value or "").strip().lower()
    for prefix in ("http://", "https://"):
        if domain.startswith(prefix):
            domain = domain[len(prefix) :]
    domain = domain.rstrip("/").rstrip(".")
    if not domain:
        raise ValidationError(_("Enter a domain."), code="required")
    if "_" in domain:
        raise ValidationError(
            _("A domain may not contain underscores; use hyphens (-) instead."), code="underscore"
        )
    if any(ch.isspace() for ch in domain):
        raise ValidationError(_("A domain may not contain spaces."), code="invalid")
    if ":" in domain or "/" in domain:
        raise ValidationError(_("Enter only the host name, without a port or path."), code="invalid")
    if domain == settings.BASE_DOMAIN:
        raise ValidationError(_("This domain belongs to the head office."), code="reserved")
    if "." not in domain:
        domain = f"{domain}.{settings.BASE_DOMAIN}"
    labels = domain.split(".")
    if len(domain) > 253 or not all(LABEL_RE.match(label) for label in labels):
        raise ValidationError(
            _(
                "“%(domain)s” is not a valid domain: use letters, digits and hyphens, e.g. yangguang.localhost."
            )
            % {"domain": domain},
            code="invalid",
        )
    if domain == settings.BASE_DOMAIN:
        raise ValidationError(_("This domain belongs to the head office."), code="reserved")
    return domain
