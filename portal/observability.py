"""Structured logs: every line says which center, and which request, it belongs to (#16).

- ``RequestContextMiddleware`` (in ``MIDDLEWARE`` right after the health endpoints, before the tenant
  middleware, so that a host's 404 or a suspended center's 503 gets a request id too) binds the request to a
  context variable: its id (the ``X-Request-ID`` header when it is a plain token, else a new one; echoed on
  the response), method and path. The binding lasts until the response is closed, so Django's own
  "Not Found"/"Internal Server Error" lines, written after the middleware chain, still carry it. It also
  leaves the center and the request id in the WSGI environ for gunicorn's access line.
- ``ContextFilter`` (on every handler) adds ``center``, ``request_id``, ``method`` and ``path`` to a record.
  The center is the request's (``ServiceCenter.code``; ``public`` for head office) once the tenant middleware
  has routed it. Outside a request it is the schema the database connection is on — a management command in
  ``schema_context``, a Celery task (tenant-schemas-celery sets the task's center; a center's schema name is
  its code) — and None where Django is not set up (gunicorn's master).
- ``JsonFormatter``: one JSON object a line (time, level, logger, message, the fields above, plain extras,
  the traceback); ``TextFormatter``: the same on one readable line. ``LOG_FORMAT`` chooses
  (``portal.settings.observability``).
- ``GunicornLogger``: gunicorn's access and error lines in the same format; an access line has the method,
  the path (never the query string, which may hold a resident's phone number), status, duration and size.

Paths are logged, query strings, addresses, user agents and bodies are not.
"""

import datetime
import json
import logging
import logging.config
import os
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings

from celery import current_task
from gunicorn.glogging import Logger as GunicornBaseLogger

#: Fields every record gets from ``ContextFilter`` (None when unknown).
CONTEXT_FIELDS = ("center", "request_id", "method", "path")
#: Fields written when a record has them: gunicorn's access line, a Celery task's name.
REQUEST_FIELDS = ("status", "duration_ms", "bytes", "task")
REQUEST_ID_HEADER = "X-Request-ID"
#: A client's or proxy's request id is kept only when it is a plain token (no log injection, bounded).
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
ENVIRON_CENTER = "bianmin.center"
ENVIRON_REQUEST_ID = "bianmin.request_id"
HEALTH_PATHS = ("/healthz", "/readyz")

# The attributes of every LogRecord: anything else on a record was passed as ``extra``.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    *CONTEXT_FIELDS,
    *REQUEST_FIELDS,
}


@dataclass
class RequestContext:
    request: object
    request_id: str
    method: str
    path: str
    started: float = field(default_factory=time.monotonic)

    @property
    def center(self) -> str | None:
        # None until the tenant middleware has routed the request (and for an unknown host).
        return center_code(getattr(self.request, "tenant", None))


_current: ContextVar[RequestContext | None] = ContextVar("bianmin_request", default=None)


def center_code(tenant) -> str | None:
    """A center's code, ``public`` for head office (django-tenants' FakeTenant), None without a tenant."""
    if tenant is None:
        return None
    return getattr(tenant, "code", None) or getattr(tenant, "schema_name", None)


def connection_center() -> str | None:
    """The center of the schema the database connection is on, for lines written outside a request."""
    from django.apps import apps

    if not apps.ready:
        return None
    try:
        from django.db import connection

        return center_code(getattr(connection, "tenant", None))
    except Exception:  # logging never fails because of the context
        return None


def current_request_id() -> str | None:
    context = _current.get()
    return context.request_id if context else None


class RequestContextMiddleware:
    """Binds a request (id, method, path, center once routed) to the log lines written while it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if REQUEST_ID_PATTERN.match(given) else uuid.uuid4().hex
        context = RequestContext(request, request_id, request.method, request.path)
        _current.set(context)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        request.META[ENVIRON_REQUEST_ID] = request_id  # the WSGI environ, for gunicorn's access line
        request.META[ENVIRON_CENTER] = context.center
        # Cleared when the server closes the response: after Django has logged a 4xx/5xx for it.
        response._resource_closers.append(lambda: _current.set(None))
        return response


class ContextFilter(logging.Filter):
    """Adds the request's or the job's context to a record (never overriding what ``extra`` gave)."""

    def __init__(self, name: str = "", *, use_connection: bool = True):
        super().__init__(name)
        self.use_connection = use_connection

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        if context is not None:
            values = {
                "center": context.center,
                "request_id": context.request_id,
                "method": context.method,
                "path": context.path,
            }
        elif self.use_connection:
            # A job: the schema it runs in; in a Celery task, the task's id stands for the request id.
            task = current_task._get_current_object()
            task_id = getattr(task.request, "id", None) if task is not None else None
            values = {"center": connection_center(), "request_id": task_id, "method": None, "path": None}
            if task_id:
                values["task"] = task.name
        else:
            values = dict.fromkeys(CONTEXT_FIELDS)
        for name, value in values.items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, the context, plain extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            entry[name] = getattr(record, name, None)
        for name in REQUEST_FIELDS:
            if getattr(record, name, None) is not None:
                entry[name] = getattr(record, name)
        # Plain values given as ``extra`` (Django's ``status_code``…); objects such as the request are left out.
        for name, value in vars(record).items():
            plain = value is None or isinstance(value, str | int | float | bool)
            if plain and name not in _RECORD_ATTRIBUTES and not name.startswith("_") and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [center request-id] message`` for a terminal (development, tests, the demo)."""

    converter = time.gmtime  # UTC like the JSON lines: gunicorn's master and its workers agree

    def __init__(self, fmt=None, datefmt=None, style="%", **kwargs):
        super().__init__(
            fmt or "%(asctime)sZ %(levelname)s %(name)s [%(center)s %(request_id)s] %(message)s",
            datefmt,
            style,
            **kwargs,
        )

    def format(self, record: logging.LogRecord) -> str:
        # A copy: the same record goes on to other handlers, which must still see None.
        shown = logging.makeLogRecord(vars(record))
        for name in ("center", "request_id"):
            if getattr(shown, name, None) is None:
                setattr(shown, name, "-")
        return super().format(shown)


def configure_celery_logging(loglevel=None, **kwargs):
    """A receiver for ``celery.signals.setup_logging``: the worker and beat log through Django's ``LOGGING``
    (this format, the task's center and id) instead of Celery's own, with ``-l``'s level for Celery's lines."""
    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger("celery").setLevel(loglevel)


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's error and access lines in our format (``LOG_FORMAT``), one structured line per request.

    Load-balancer probes that succeed (``/healthz``, ``/readyz`` answering 200) are not logged.
    """

    def setup(self, cfg):
        super().setup(cfg)
        formatter = formatter_for(os.environ.get("LOG_FORMAT", "json"))
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)
                handler.addFilter(ContextFilter(use_connection=False))

    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:
            return
        path = environ.get("PATH_INFO", "")
        status = resp.status_code if hasattr(resp, "status_code") else int(str(resp.status).split()[0])
        if path in HEALTH_PATHS and status == 200:
            return
        method = environ.get("REQUEST_METHOD", "")
        duration_ms = round(request_time.total_seconds() * 1000, 1)
        try:
            self.access_log.info(
                "%s %s %s %sms",
                method,
                path,
                status,
                duration_ms,
                extra={
                    "center": environ.get(ENVIRON_CENTER),
                    "request_id": environ.get(ENVIRON_REQUEST_ID),
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                    "bytes": getattr(resp, "sent", None),
                },
            )
        except Exception:  # as gunicorn's own: a bad access line never breaks a response
            self.exception("Access log line failed")
