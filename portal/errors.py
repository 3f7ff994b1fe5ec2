"""Our own 400/403/404/500 pages and the helper both sites render them with.

Each host has its own set in its own style, naming no other center: the head office's here
(``portal.urls`` handlers), a center's in ``cms.views`` (``cms.urls`` handlers), an unknown host's
in ``tenants.middleware``. The pages use no database and no ``{% url %}`` (a 500 may come from a
broken database, and a middleware may answer before the URL configuration is active).
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import get_resolver

ERROR_STATUSES = (400, 403, 404, 500)


def error_page(request, *, template: str, status: int, context: dict | None = None) -> HttpResponse:
    """The error page ``template`` with ``status``, never cached, rendered without context processors."""
    body = render_to_string(template, {"status": status, "path": request.path, **(context or {})})
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def error_response_for(request, status: int, exception=None) -> HttpResponse:
    """The error page of the host's own site, for middleware that answers before any view runs."""
    handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(status)
    return handler(request) if status == 500 else handler(request, exception)


def bad_request(request, exception=None):
    return error_page(request, template="portal/error.html", status=400)


def permission_denied(request, exception=None):
    return error_page(request, template="portal/error.html", status=403)


def page_not_found(request, exception=None):
    return error_page(request, template="portal/error.html", status=404)


def server_error(request):
    return error_page(request, template="portal/error.html", status=500)
