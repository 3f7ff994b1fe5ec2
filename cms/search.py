"""Site search of a center's notices and activity reports that works for Chinese.

PostgreSQL's full-text search does not segment Chinese (``停水`` is no token of
``关于3号楼停水的通知``), so the search matches the terms of the query — split on whitespace and
punctuation — as case-insensitive substrings of each page's ``search_text`` (title, description
and body text, kept by ``cms.models.search.SearchTextMixin``). Every term must occur; pages whose
title holds every term come first, then the newest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from wagtail.models import Page

from cms.models import live_notices, live_reports

MAX_QUERY_LENGTH = 50
MAX_TERMS = 5
_SEPARATORS = re.compile(r"[\W_]+")  # whitespace and punctuation, ASCII and full-width alike


@dataclass(frozen=True)
class SearchQuery:
    """What a visitor typed, cut to ``MAX_QUERY_LENGTH`` characters, and the terms searched for."""

    text: str
    terms: list[str] = field(default_factory=list)
    truncated: bool = False


def search_query_parse(raw: str | None) -> SearchQuery:
    text = " ".join((raw or "").split())
    truncated = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]
    terms: list[str] = []
    for term in _SEPARATORS.split(text):
        if term and term.lower() not in (t.lower() for t in terms):
            terms.append(term)
    return SearchQuery(text=text, terms=terms[:MAX_TERMS], truncated=truncated)


def site_search(*, terms: list[str]):
    """Live, visible notices and reports of the current center holding every term; best first.

    A query of ``Page`` (annotated, ordered): paginate it, then call ``.specific()`` on it to
    show each result — one query per page type, however many results.
    """
    if not terms:
        return Page.objects.none()
    notices, reports = live_notices(), live_reports()
    in_title = Q()
    for term in terms:
        notices = notices.filter(search_text__icontains=term)
        reports = reports.filter(search_text__icontains=term)
        in_title &= Q(title__icontains=term)
    return (
        Page.objects.filter(Q(pk__in=notices.values("pk")) | Q(pk__in=reports.values("pk")))
        .annotate(
            title_match=Case(When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField()),
            newest=Coalesce("noticepage__date", "activityreportpage__date"),
        )
        .order_by(
            "-title_match",
            F("newest").desc(nulls_last=True),
            F("first_published_at").desc(nulls_last=True),
            "-pk",
        )
    )


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` escaped, with every occurrence of a term wrapped in ``<mark>``."""
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above
