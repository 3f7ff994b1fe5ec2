"""The Redis cache backend of every alias: Redis unreachable is a cache miss, never an error page.

Everything we keep in the cache can be rebuilt from the database — host → center lookups, whole
residents' pages, the home page's sections, Wagtail's site root paths and renditions, the residents'
rate-limit counters — and sessions live in the database, not here. So when Redis stops (restart,
failover, a full network), ``ResilientRedisCache`` answers as an empty cache that stores nothing:
``get`` gives the default, ``set``/``add``/``delete`` do nothing, ``incr`` says the key is missing
(``ValueError``, which every caller already handles). Pages are then built from the database, which is
slower but correct, and nobody is logged out.

- **Fail fast**: connecting gives up after ``socket_connect_timeout`` and a command after
  ``socket_timeout`` (``portal.settings.resilience``), with one immediate retry so that a connection
  left stale by a Redis restart is replaced without an error.
- **Don't wait on every request**: after a failure the process skips Redis for ``OUTAGE_SECONDS``
  (a circuit breaker, per process and Redis location), then tries again.
- **Say so, briefly**: one warning when Redis goes away (then at most one per ``LOG_SECONDS`` while it
  stays away, with the number of operations bypassed) and one when it answers again, on the
  ``bianmin.resilience`` log.
- **While Redis is away** the rate limits of the residents' forms cannot count (they let requests
  through), and a change that drops cached entries (a suspension, a publish) cannot reach Redis: what
  was cached before the outage may be served until it expires (60 s for host lookups,
  ``PAGE_CACHE_SECONDS`` for pages) once Redis is back with its data. A Redis that restarts empty (our
  default, no persistence) has nothing stale.

Only connection failures and timeouts are absorbed; any other error (a bug, a serialisation problem)
still raises.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger("bianmin.resilience")

#: What "Redis is unreachable" looks like (BusyLoadingError, while it loads its data, is a ConnectionError).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
DEFAULT_OUTAGE_SECONDS = 5.0
LOG_SECONDS = 30.0


class _Outage:
    """Whether one Redis location is being skipped, shared by every cache alias of the process on it."""

    def __init__(self, location: str):
        self.location = location
        self.skip_until = 0.0
        self.down_since: float | None = None
        self.bypassed = 0
        self.last_logged = 0.0
        self.lock = threading.Lock()

    def skipping(self) -> bool:
        if time.monotonic() < self.skip_until:
            with self.lock:
                self.bypassed += 1
            return True
        return False

    def failed(self, error: Exception, seconds: float) -> None:
        now = time.monotonic()
        with self.lock:
            self.skip_until = now + seconds
            self.bypassed += 1
            first = self.down_since is None
            if first:
                self.down_since = now
            if not first and now - self.last_logged < LOG_SECONDS:
                return
            self.last_logged, bypassed, self.bypassed = now, self.bypassed, 0
        if first:
            logger.warning(
                "Redis at %s unreachable (%s: %s): cache bypassed, retrying every %.0f s",
                self.location,
                type(error).__name__,
                error,
                seconds,
            )
        else:
            logger.warning(
                "Redis at %s still unreachable after %.0f s (%d cache operations bypassed since the last warning)",
                self.location,
                now - self.down_since,
                bypassed,
            )

    def answered(self) -> None:
        if self.down_since is None:
            return
        with self.lock:
            if self.down_since is None:
                return
            seconds, bypassed = time.monotonic() - self.down_since, self.bypassed
            self.down_since, self.bypassed = None, 0
        logger.warning(
            "Redis at %s answers again after %.0f s (%d cache operations bypassed)",
            self.location,
            seconds,
            bypassed,
        )


def _without_password(url: str) -> str:
    """``redis://:secret@host:6379/0`` → ``redis://host:6379/0``: the location as it may be logged."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage(location))


def reset_outages() -> None:
    """Forget every outage (tests)."""
    with _outages_lock:
        _outages.clear()


class _Missing:
    """``incr``/``decr`` of an unreachable cache: the key is missing, as Django's API says."""


class ResilientRedisCache(RedisCache):
    """Django's Redis cache in which an unreachable Redis behaves as an empty cache (module docstring).

    ``OPTIONS``: redis-py's connection options (``socket_connect_timeout``, ``socket_timeout``, …), and
    ``OUTAGE_SECONDS``: how long the process skips Redis after a failure (default 5).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.outage_seconds = float(options.pop("OUTAGE_SECONDS", DEFAULT_OUTAGE_SECONDS))
        # One immediate retry on a connection error: replaces a connection a Redis restart left stale.
        options.setdefault("retry", Retry(NoBackoff(), 1))
        super().__init__(server, {**params, "OPTIONS": options})
        self._outage = _outage_for(",".join(_without_password(server) for server in self._servers))

    def _guarded(self, operation, fallback, *args, **kwargs):
        if self._outage.skipping():
            return self._fallback(fallback, args)
        try:
            result = operation(*args, **kwargs)
        except UNREACHABLE as error:
            self._outage.failed(error, self.outage_seconds)
            return self._fallback(fallback, args)
        self._outage.answered()
        return result

    @staticmethod
    def _fallback(fallback, args):
        if fallback is _Missing:
            raise ValueError(f"Key '{args[0]}' not found (the cache is unreachable).")
        return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._guarded(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._guarded(super().incr, _Missing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guarded(super().delete_many, None, keys, version)

    def clear(self):
        return self._guarded(super().clear, False)
