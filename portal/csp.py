"""Content-Security-Policy of every response (django-csp), one policy per kind of page.

Residents' pages and the head office's portal run no inline script at all (``script-src 'self'``):
the only script of a resident's page is the waiting room's screen, an external file. Wagtail's
admin writes a few inline scripts of its own (the date and time pickers, inline panels) without a
nonce, so a center's ``/admin/`` allows inline script, and nothing else from outside: every policy
keeps ``default-src 'self'``, no plugins, no ``<base>`` elsewhere, forms posting only to the same
host, and framing only by the same host (the admin's page preview).

Inline ``style`` is allowed everywhere: pages carry ``style`` attributes and small ``<style>``
blocks, and the residents' pages are cached whole, so a per-request nonce cannot be used there.
"""

from __future__ import annotations

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts

#: Residents' pages and the portal.
SITE_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
}

#: A center's Wagtail admin: the same, with the inline scripts Wagtail writes and blob: images
#: (previews of images chosen for upload).
ADMIN_POLICY = {
    **SITE_POLICY,
    "script-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "frame-src": [SELF],
}

ADMIN_PREFIX = "/admin/"


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with our policies: the admin's for ``/admin/``, the site's elsewhere."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        if parts.config is None:
            admin = request.path_info.startswith(ADMIN_PREFIX)
            parts.config = ADMIN_POLICY if admin else SITE_POLICY
        # A nonce is never part of our policies: with one present, browsers ignore 'unsafe-inline'.
        parts.nonce = None
        return parts
