"""Our own 400/403/404/500 pages, the 503 page of a database outage, and the helper both sites use.

Each host has its own set in its own style, naming no other center: the head office's here
(``portal.urls`` handlers), a center's in ``cms.views`` (``cms.urls`` handlers), an unknown host's
in ``tenants.middleware``. The pages use no database and no ``{% url %}`` (a 500 may come from a
broken database, and a middleware may answer before the URL configuration is active).

**The database unreachable** (restarted, failed over, refusing connections) is not a bug of ours: any
``OperationalError``/``InterfaceError`` that reaches Django's exception handling becomes the 503 page
"service temporarily unavailable" (``Retry-After``, never cached) instead of the 500 page. Django turns
an exception into a response inside each middleware layer with the handler500 of the URL configuration
active at that moment: ``cms.urls``' (ROOT_URLCONF) until the tenant middleware has routed the request
— a failed host lookup lands there, for a center's host as for an unknown one — then the host's own.
Both handlers are wrapped by ``database_outage_aware``, so every host answers the same way. One warning
per ``OUTAGE_LOG_SECONDS`` goes to the ``bianmin.resilience`` log instead of a traceback per request.
The broken connection itself is dropped at the end of the request (Django does so after an error) or at
the next one's health check (``CONN_HEALTH_CHECKS``): the next request reconnects, no restart needed.
"""

import functools
import logging
import sys
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import get_resolver
from django.utils import translation

import psycopg

from tenants.models import ServiceCenter

ERROR_STATUSES = (400, 403, 404, 500)
#: Connection failures: Django's wrappers, and psycopg's own where django-tenants sets the search path
#: outside Django's error wrapping.
DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
OUTAGE_LOG_SECONDS = 10

logger = logging.getLogger("bianmin.resilience")
_outage_log = {"last": 0.0, "unlogged": 0}


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


# --- The database unreachable: 503 ---------------------------------------------------------------------


def is_database_outage(exception: BaseException | None) -> bool:
    """True when ``exception`` (or what caused it) is a failure to reach or keep the database connection."""
    for _depth in range(8):
        if exception is None:
            return False
        if isinstance(exception, DATABASE_OUTAGE_ERRORS):
            return True
        exception = exception.__cause__ or exception.__context__
    return False


def _log_outage(request, exception: BaseException) -> None:
    now = time.monotonic()
    if now - _outage_log["last"] < OUTAGE_LOG_SECONDS:
        _outage_log["unlogged"] += 1
        return
    logger.warning(
        "Database unavailable, answering 503 (%s on %s %s; %d more since the last warning): %s",
        type(exception).__name__,
        request.method,
        request.path,
        _outage_log["unlogged"],
        str(exception).strip().splitlines()[0] if str(exception).strip() else "",
    )
    _outage_log.update(last=now, unlogged=0)


def service_unavailable(request, exception: BaseException | None = None) -> HttpResponse:
    """The 503 page while the database cannot be reached: in the visitor's language (zh-hans by default),
    naming the center of the host when the routing got that far, rendered without the database."""
    tenant = getattr(request, "tenant", None)
    language = translation.get_language_from_request(request)
    with translation.override(language):
        body = render_to_string(
            "portal/unavailable.html",
            {
                "status": 503,
                "lang": language,
                "center": tenant if isinstance(tenant, ServiceCenter) else None,
            },
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    if exception is not None:
        _log_outage(request, exception)
        # Logged above, once per OUTAGE_LOG_SECONDS; this marker makes django.utils.log.log_response skip
        # its own error log of the response, a traceback per request for as long as the outage lasts.
        response._has_been_logged = True
    return response


def database_outage_aware(handler500):
    """``handler500`` that answers the 503 page instead when the exception being handled is an outage."""

    @functools.wraps(handler500)
    def handler(request, *args, **kwargs):
        exception = sys.exc_info()[1]
        if is_database_outage(exception):
            return service_unavailable(request, exception)
        return handler500(request, *args, **kwargs)

    return handler


# --- The pages of each status ----------------------------------------------------------------------


def bad_request(request, exception=None):
    return error_page(request, template="portal/error.html", status=400)


def permission_denied(request, exception=None):
    return error_page(request, template="portal/error.html", status=403)


def page_not_found(request, exception=None):
    return error_page(request, template="portal/error.html", status=404)


@database_outage_aware
def server_error(request):
    return error_page(request, template="portal/error.html", status=500)
