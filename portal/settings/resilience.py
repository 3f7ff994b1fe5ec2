"""Settings for behaviour under faults: the database or the cache going away (make reliability).

Read by ``base.py`` (imported at its top for the database and cache entries it builds, and re-exported
at its end). DESIGN.md §15; ``tests/reliability`` proves it under load.

- **Database unreachable**: persistent connections are health-checked at the start of each request
  (``CONN_HEALTH_CHECKS``, set in ``base.database_from_env``), so a connection broken by a restart is
  replaced instead of failing the request; connecting gives up after ``DATABASE_CONNECT_TIMEOUT``
  seconds; while it cannot connect, every host answers the 503 page (``portal.errors``) with
  ``Retry-After: DATABASE_UNAVAILABLE_RETRY_AFTER``.
- **Redis unreachable**: the cache is bypassed (``portal.cache.ResilientRedisCache``): connecting gives up
  after ``CACHE_CONNECT_TIMEOUT`` seconds, a command after ``CACHE_SOCKET_TIMEOUT``, and each process then
  skips Redis for ``CACHE_OUTAGE_SECONDS`` before trying again. Sessions are in the database, never in
  the cache (``SESSION_ENGINE`` stays Django's default).
"""

import os

DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
DATABASE_UNAVAILABLE_RETRY_AFTER = int(os.environ.get("DATABASE_UNAVAILABLE_RETRY_AFTER", "30"))

CACHE_CONNECT_TIMEOUT = float(os.environ.get("CACHE_CONNECT_TIMEOUT", "0.5"))
CACHE_SOCKET_TIMEOUT = float(os.environ.get("CACHE_SOCKET_TIMEOUT", "1"))
CACHE_OUTAGE_SECONDS = float(os.environ.get("CACHE_OUTAGE_SECONDS", "5"))
REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": CACHE_CONNECT_TIMEOUT,
    "socket_timeout": CACHE_SOCKET_TIMEOUT,
    "OUTAGE_SECONDS": CACHE_OUTAGE_SECONDS,
}
