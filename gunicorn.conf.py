"""gunicorn's settings: ``gunicorn -c gunicorn.conf.py portal.wsgi`` (Procfile, ``make prod``, ``make demo``).

Everything comes from the environment, with defaults safe for one machine behind a proxy:

| variable | default | |
|---|---|---|
| ``PORT`` / ``GUNICORN_BIND`` | ``8000`` / ``0.0.0.0:$PORT`` | where to listen |
| ``WEB_CONCURRENCY`` | 2 × cores + 1, at most ``GUNICORN_MAX_WORKERS`` (8) | worker processes |
| ``GUNICORN_THREADS`` | 1 | threads per worker (above 1, gunicorn's ``gthread`` workers) |
| ``GUNICORN_TIMEOUT`` | 30 | a worker silent this long is killed and replaced |
| ``GUNICORN_GRACEFUL_TIMEOUT`` | 30 | on restart or stop, how long requests in flight may finish |
| ``GUNICORN_KEEPALIVE`` | 5 | seconds a keep-alive connection waits (gthread; keep it above the proxy's) |
| ``GUNICORN_MAX_REQUESTS`` / ``_JITTER`` | 1000 / 100 | a worker is replaced after about this many requests |
| ``FORWARDED_ALLOW_IPS`` | ``127.0.0.1,::1`` | proxies whose ``X-Forwarded-*`` headers are trusted |
| ``LOG_FORMAT`` | ``json`` with production settings, else ``text`` | access and error lines (``portal.observability``) |

The cap on workers bounds memory (a worker holds Django and Wagtail, 150–250 MB) and database connections
(one per worker, per PostgreSQL pool). Request line and header limits keep gunicorn's defaults.
"""

import multiprocessing
import os

from portal.observability import GunicornLogger


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


_settings_module = os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
# One format for gunicorn's lines and Django's (the workers inherit the variable).
os.environ.setdefault("LOG_FORMAT", "json" if _settings_module == "portal.settings.production" else "text")

wsgi_app = "portal.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"]
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, _int("GUNICORN_MAX_WORKERS", 8)))
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Workers' heartbeat files in memory: a container's disk-backed /tmp can stall them into timeouts.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

accesslog = "-"  # stdout, one line per request (successful load-balancer probes left out)
errorlog = "-"  # stderr
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = GunicornLogger
proc_name = "bianmin"
