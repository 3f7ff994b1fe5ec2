"""Whole-page caching of a center's public pages for residents (anonymous visitors).

A cached page is stored under a key made of the center's schema (the cache key function adds
it too), a per-center *generation* number, the language, scheme, host and path. Publishing,
unpublishing, moving or deleting a page, and changes to what pages show beside page content
(activities, the duty roster, the service guide) bump the center's generation, so every cached
page of that center — and only of that center — is dropped at once. ``PAGE_CACHE_SECONDS``
bounds how long a page can show time-dependent content (today's duty, scheduled notices).

Not cached: visitors with a session (staff see previews and the user bar), requests other than
GET/HEAD, query strings other than pagination and the notice category, responses other than
200, and responses that set a cookie or use a CSRF token.
"""

from __future__ import annotations

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils import translation

from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from operations.hooks import records_bulk_created
from operations.models import Activity, BookableService, DutyShift, ServiceItem

GENERATION_KEY = "cms:page-generation"
GENERATION_SECONDS = 7 * 24 * 3600
CACHEABLE_QUERY_KEYS = {"page", "category"}


def _seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0))


def _new_generation() -> int:
    # A generation that starts from the clock is larger than any earlier one of this center, so
    # an evicted or expired counter never brings back pages cached under an old number.
    return int(time.time() * 1000)


def page_generation(request=None) -> int:
    """The current center's page generation; read once per ``request`` when one is given."""
    if request is not None and getattr(request, "_cms_page_generation", None) is not None:
        return request._cms_page_generation
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=GENERATION_SECONDS)
        generation = cache.get(GENERATION_KEY) or _new_generation()
    if request is not None:
        request._cms_page_generation = generation
    return generation


def center_pages_changed(**kwargs) -> None:
    """Drop every cached page of the current center (signal receiver; safe to call directly)."""
    if connection.schema_name == getattr(settings, "PUBLIC_SCHEMA_NAME", "public"):
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set (or evicted): the next read starts a new, larger generation
        cache.set(GENERATION_KEY, _new_generation(), timeout=GENERATION_SECONDS)


def _page_created_live(sender, instance, created, **kwargs) -> None:
    """A page created already live (``add_child`` in code: seeds, services) sends no ``page_published``."""
    if created and isinstance(instance, Page) and instance.live:
        center_pages_changed()


def _key(request) -> str:
    raw = "|".join(
        (
            connection.schema_name,
            str(page_generation(request)),
            translation.get_language() or "",
            request.scheme,
            request.get_host(),
            request.get_full_path(),
        )
    )
    return "cms:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _cacheable_request(request) -> bool:
    return (
        _seconds() > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and set(request.GET) <= CACHEABLE_QUERY_KEYS
    )


def _cacheable_response(request, response) -> bool:
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.has_header("Cache-Control")
    )


def cache_page_for_residents(view):
    """Serve anonymous visitors a center's page from the cache when it is there."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        if _cacheable_response(request, response):
            cache.set(key, response, timeout=_seconds())
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper


def connect_signals() -> None:
    """Bump the center's generation when anything a public page shows, or how pages are served, changes.

    Sites and view restrictions count too: ``cms.serving`` remembers them under the generation.
    """
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(center_pages_changed, dispatch_uid=f"cms-page-cache-{signal!r}")
    watched = (
        Activity,
        DutyShift,
        ServiceItem,
        BookableService,
        "wagtailcore.Site",
        "wagtailcore.PageViewRestriction",
    )
    for model in ("wagtailcore.Page", *watched):
        post_delete.connect(center_pages_changed, sender=model, dispatch_uid=f"cms-page-cache-del-{model}")
    for model in watched:
        post_save.connect(center_pages_changed, sender=model, dispatch_uid=f"cms-page-cache-save-{model}")
    # Every page type is its own sender, so this one listens to every save and keeps the pages.
    post_save.connect(_page_created_live, dispatch_uid="cms-page-cache-created-live")
    # Generated roster weeks are bulk-created: operations says so with its own signal.
    records_bulk_created.connect(
        center_pages_changed, sender=DutyShift, dispatch_uid="cms-page-cache-bulk-duty"
    )
