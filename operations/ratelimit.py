"""Per-client rate limits of the residents' public forms and the status page, kept in the cache.

A limit counts events of one kind (``name``) per client address in a fixed window. Keys carry
the center's schema: the cache key function already separates centers, the schema in the key
keeps that true even if someone swaps the key function. The client address is
``portal.net.client_address`` (REMOTE_ADDR, or the last X-Forwarded-For address with
``TRUST_X_FORWARDED_FOR``), the same one the sign-in lockouts count.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db import connection

from portal.net import client_address

__all__ = ["RateLimit", "attempts", "client_address", "lookups", "submissions"]


class RateLimit:
    """At most ``limit`` events called ``name`` per client address in ``window`` seconds."""

    def __init__(self, name: str, *, limit: int, window: int):
        self.name = name
        self.limit = limit
        self.window = window

    def key(self, request) -> str:
        # Hashed so that no address sits in the cache in clear and keys stay short and safe.
        client = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
        return f"ratelimit:{connection.schema_name}:{self.name}:{client}"

    def count(self, request) -> int:
        return int(cache.get(self.key(request), 0) or 0)

    def exceeded(self, request) -> bool:
        """True when the client has already used up the limit (does not count an event)."""
        return self.count(request) >= self.limit

    def hit(self, request) -> int:
        """Count one event and return how many the client has had in the current window."""
        key = self.key(request)
        cache.add(key, 0, self.window)  # starts the window; a no-op when it is running
        try:
            return cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, self.window)
            return 1

    def hit_exceeds(self, request) -> bool:
        """Count one event; True when it goes over the limit."""
        return self.hit(request) > self.limit


#: Saved submissions (and honeypot hits) per form, and any POST per form (typos included).
SUBMISSIONS_PER_WINDOW = 5
ATTEMPTS_PER_WINDOW = 20
#: Status page look-ups: generous for a resident, far too few to guess codes.
LOOKUPS_PER_WINDOW = 30
WINDOW_SECONDS = 10 * 60


def submissions(form_name: str) -> RateLimit:
    return RateLimit(f"{form_name}:saved", limit=SUBMISSIONS_PER_WINDOW, window=WINDOW_SECONDS)


def attempts(form_name: str) -> RateLimit:
    return RateLimit(f"{form_name}:posted", limit=ATTEMPTS_PER_WINDOW, window=WINDOW_SECONDS)


def lookups() -> RateLimit:
    return RateLimit("track:lookup", limit=LOOKUPS_PER_WINDOW, window=WINDOW_SECONDS)
