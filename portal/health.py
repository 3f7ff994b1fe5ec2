"""``/healthz`` and ``/readyz`` for load balancers and orchestrators, on any host (#16).

``HealthCheckMiddleware`` is first in ``MIDDLEWARE``: it answers these two paths before the tenant routing,
the host check (it never calls ``request.get_host()``, so ``127.0.0.1`` or an internal name works without
being in ``ALLOWED_HOSTS``) and the HTTPS redirect, and lets every other request through untouched.

- ``/healthz`` (liveness): the process answers, ``ok``, nothing else is touched.
- ``/readyz`` (readiness): ``SELECT 1`` on the database, a set/get round trip on the cache, ``PING`` to the
  Celery broker (Redis at ``CELERY_BROKER_URL``; "not configured" without one, which is no failure), each
  timed in ms, as JSON. 503 when a check in ``READINESS_REQUIRED`` fails (by default the database: without
  it every page is the 503 page anyway), else 200 with ``status`` ``ok`` or ``degraded``.

Answers are never cached and say nothing about centers or people: check names, ok, ms, an error's class.
"""

import json
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse

import redis

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
REDIS_SCHEMES = {"redis", "rediss", "unix"}

_broker_clients: dict[str, redis.Redis] = {}


class HealthCheckMiddleware:
    """Answers ``/healthz`` and ``/readyz`` on every host; everything else goes on to the site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Exactly these paths: a center's own ``/healthz/`` (cms.health, through the whole stack) stays its own.
        path = request.path_info
        if path not in (LIVENESS_PATH, READINESS_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = _plain("method not allowed", status=405)
            response["Allow"] = "GET, HEAD"
            return response
        if path == LIVENESS_PATH:
            return _plain("ok")
        return readiness_response()


def readiness_response() -> HttpResponse:
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    required = set(settings.READINESS_REQUIRED)
    failed = {name for name, result in checks.items() if result["ok"] is False}
    if failed & required:
        status, http_status = "unavailable", 503
    elif failed:
        status, http_status = "degraded", 200
    else:
        status, http_status = "ok", 200
    body = {"status": status, "checks": checks, "required": sorted(required)}
    response = HttpResponse(json.dumps(body), status=http_status, content_type="application/json")
    return _no_store(response)


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # a failed check is an answer, not an error of ours
        # The class only: a message could name hosts, users or a connection string.
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> dict:
    def select_one():
        # Head office's schema: the probe must not depend on the schema an earlier request left.
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True}

    return _timed(select_one)


def check_cache() -> dict:
    def round_trip():
        cache = caches["default"]
        key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
        cache.set(key, value, 10)
        # The Redis cache turns an outage into misses (portal.cache): a lost value is the failure.
        ok = cache.get(key) == value
        cache.delete(key)
        return {"ok": True} if ok else {"ok": False, "error": "round trip lost the value"}

    return _timed(round_trip)


def check_broker() -> dict:
    url = getattr(settings, "CELERY_BROKER_URL", "") or ""
    if not url:
        return {"ok": None, "detail": "not configured"}
    if urlsplit(url).scheme not in REDIS_SCHEMES:
        return {"ok": None, "detail": "not checked (not Redis)"}

    def ping():
        return {"ok": bool(_broker_client(url).ping())}

    return _timed(ping)


def _broker_client(url: str) -> redis.Redis:
    # One client (and connection pool) per process, not a new connection per probe.
    client = _broker_clients.get(url)
    if client is None:
        timeout = settings.READINESS_TIMEOUT
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        _broker_clients[url] = client
    return client


def _plain(text: str, status: int = 200) -> HttpResponse:
    return _no_store(HttpResponse(text, status=status, content_type="text/plain; charset=utf-8"))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
