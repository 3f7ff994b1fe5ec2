"""Site search of a center's notices and activity reports that works for Chinese.

PostgreSQL's full-text search does not segment Chinese (``停水`` is no token of
``关于3号楼停水的通知``), so the search matches the terms of the query — split on whitespace and
punctuation — as case-insensitive substrings of each page's ``search_text`` (title, description
and body text, kept by ``cms.models.search.SearchTextMixin``). Every term must occur; pages whose
title holds every term come first, then the newest.

Residents also type words together without spaces (``停水通知``). A Chinese term that is not in a
page as a whole still matches when all of its two-character words are — the term without its
particles (的, 了, 和, …) cut into pairs (``停水`` + ``通知``). Most Chinese words are two
characters; this needs no dictionary (a segmenter such as jieba would add ~50 MB per worker).
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
_CHINESE = re.compile(r"^[\u4e00-\u9fff]+$")
_PARTICLES = re.compile(r"[的了和与及在是之或]")


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


def term_pairs(term: str) -> list[str]:
    """The two-character words a Chinese term of four or more characters is read as, else []."""
    if not _CHINESE.match(term) or len(term) < 4:
        return []
    core = _PARTICLES.sub("", term)
    pairs = [core[i : i + 2] for i in range(0, len(core), 2)]
    return pairs if len(pairs) > 1 and all(len(pair) == 2 for pair in pairs) else []


def _term_q(field: str, term: str) -> Q:
    q = Q(**{f"{field}__icontains": term})
    pairs = term_pairs(term)
    if pairs:
        q |= Q(*(Q(**{f"{field}__icontains": pair}) for pair in pairs))
    return q


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
        notices = notices.filter(_term_q("search_text", term))
        reports = reports.filter(_term_q("search_text", term))
        in_title &= _term_q("title", term)
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
    words = {*terms, *(pair for term in terms for pair in term_pairs(term))}
    pattern = re.compile("|".join(re.escape(t) for t in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above
