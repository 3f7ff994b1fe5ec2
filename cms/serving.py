"""Serving a center's pages in fewer queries: what a worker remembers between requests, per center.

Wagtail looks up the Site of every request (a query), walks the page tree from the site's root to the
page (about two queries a level) and reads the page's and its ancestors' view restrictions. Here a web
process remembers, per center:

- the Site of a host (its fields, never a shared instance);
- the page a path leads to: its model, id, ``url_path`` and how many path components it took (loaded
  again by id on each request, one query, and used only while its ``url_path`` still matches; any
  surprise falls back to Wagtail's own routing);
- whether the center has any view restriction at all (most have none: then no query).

Every key holds the schema and the center's page generation (``cms.cache``): publishing, unpublishing,
moving or deleting a page, and any change to a Site or a view restriction, start a new generation, so
every process forgets that center's entries at its next request. Each memory is a bounded LRU with a time
limit in the process (``LocalMemory``: a worker's memory does not grow with the number of centers it
serves) in front of the shared cache (Redis in production: a new or recycled worker starts warm). A change
made without signals (a queryset ``update()``) is seen within ``SERVING_MEMORY_SECONDS``.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.http.request import split_domain_port

from wagtail.models import Page, PageViewRestriction, Site
from wagtail.models.sites import get_site_for_hostname

from cms.cache import page_generation

SITE_FIELDS = ("id", "hostname", "port", "site_name", "root_page_id", "is_default_site")
_MISSING = object()


class LocalMemory:
    """A process-local, thread-safe LRU of at most ``size`` entries, each kept at most ``seconds``."""

    def __init__(self, *, size: int, seconds: float):
        self.size, self.seconds = size, seconds
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            if entry[0] < time.monotonic():
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return entry[1]

    def set(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class Memory:
    """What a web process remembers of the current center: its own ``LocalMemory`` in front of the shared
    cache (tenant-keyed by the cache's key function, so a recycled or new worker starts warm)."""

    def __init__(self, name: str, *, size: int, seconds: float):
        self.name, self.seconds = name, seconds
        self.local = LocalMemory(size=size, seconds=seconds)

    def _shared_key(self, parts: tuple) -> str:
        return f"cms:serving:{self.name}:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:40]

    def get(self, *parts: Hashable) -> Any:
        local_key = (connection.schema_name, *parts)
        value = self.local.get(local_key)
        if value is None:
            value = cache.get(self._shared_key(parts))
            if value is not None:
                self.local.set(local_key, value)
        return value

    def set(self, *parts: Hashable, value: Any) -> None:
        self.local.set((connection.schema_name, *parts), value)
        cache.set(self._shared_key(parts), value, timeout=int(self.seconds))


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# A Site and a restriction flag per center served; routes of the pages served most recently (about 5 MB).
SECONDS = _setting("SERVING_MEMORY_SECONDS", 300)
sites = Memory("site", size=_setting("SERVING_MEMORY_SITES", 2000), seconds=SECONDS)
routes = Memory("route", size=_setting("SERVING_MEMORY_ROUTES", 10_000), seconds=SECONDS)
restrictions = Memory("restricted", size=_setting("SERVING_MEMORY_SITES", 2000), seconds=SECONDS)


def forget_everything() -> None:
    """Empty this process's memories (tests, after emptying the shared cache)."""
    for memory in (sites, routes, restrictions):
        memory.local.clear()


def _site_key(request) -> tuple:
    hostname = split_domain_port(request._get_raw_host())[0]
    return (page_generation(request), hostname, request.get_port())


def site_for_request(request) -> Site | None:
    """Wagtail's ``Site.find_for_request``, remembered per center and host (a fresh instance each time)."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    key = _site_key(request)
    values = sites.get(*key)
    if values is None:
        try:
            site = get_site_for_hostname(key[1], key[2])
        except Site.DoesNotExist:
            site = None
        if site is not None:
            sites.set(*key, value=tuple(getattr(site, field) for field in SITE_FIELDS))
    else:
        site = Site.from_db(connection.alias, SITE_FIELDS, values)
    request._wagtail_site = site
    return site


def center_has_view_restrictions(request=None) -> bool:
    """Whether any page of the current center has a view restriction (remembered per generation)."""
    generation = page_generation(request)
    known = restrictions.get(generation)
    if known is None:
        known = PageViewRestriction.objects.exists()
        restrictions.set(generation, value=known)
    return known


def _components(path: str) -> list[str]:
    return [component for component in path.split("/") if component]


def _remembered_route(request, site: Site, path: str):
    """The route Wagtail would find for ``path``, from memory; ``_MISSING`` when not known or stale."""
    key = (page_generation(request), site.pk, path)
    entry = routes.get(*key)
    if entry is None:
        return _MISSING, key
    model_label, page_id, url_path, taken = entry
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return _MISSING, key
    page = model._default_manager.filter(pk=page_id).first()
    if page is None or page.url_path != url_path:
        return _MISSING, key
    try:
        return page.route(request, _components(path)[taken:]), key
    except Http404:
        return None, key


def _remember_route(key: tuple, site: Site, path: str, result) -> None:
    """Remember where a route Wagtail found leads, when it is the page at that path of the tree."""
    page = result[0] if result is not None else None
    root = site.root_page
    if not isinstance(page, Page) or not page.url_path.startswith(root.url_path):
        return
    taken = page.depth - root.depth
    components = _components(path)
    if taken > len(components) or page.url_path != root.url_path + "".join(
        f"{c}/" for c in components[:taken]
    ):
        return
    routes.set(*key, value=(page._meta.label_lower, page.pk, page.url_path, taken))


def remembering_routes(serve):
    """Wrap Wagtail's ``serve`` view: the request's Site and route come from memory when known."""

    @functools.wraps(serve)
    def wrapper(request, path, *args, **kwargs):
        site = site_for_request(request)
        if site is not None and not hasattr(request, "_wagtail_route_for_request"):
            result, key = _remembered_route(request, site, path)
            if result is _MISSING:
                result = Page.route_for_request(request, path)
                _remember_route(key, site, path, result)
            request._wagtail_route_for_request = result
        return serve(request, path, *args, **kwargs)

    return wrapper
