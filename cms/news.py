"""A center's activity reports on the company website's news (the public index in ``portal.news``)."""

from django.db import transaction

from cms.models import live_reports
from cms.models.reports import LIST_THUMBNAIL
from portal.news import published_report_record, published_reports_prune
from tenants.models import ServiceCenter


def _absolute(root_url: str, url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{root_url}{url}"


def news_entry(page) -> dict | None:
    """The news index entry of a report page, or None when no site routes to it."""
    parts = page.get_url_parts()
    if parts is None:  # not routable from any site
        return None
    _site_id, root_url, page_path = parts
    cover_url = ""
    if page.cover_image is not None:
        cover_url = _absolute(root_url, page.cover_image.get_rendition(LIST_THUMBNAIL).url)
    return {
        "page_id": page.pk,
        "title": page.title,
        "url": _absolute(root_url, page_path),
        "date": page.date,
        "summary": page.summary or page.search_description or "",
        "cover_url": cover_url,
        "published_at": page.first_published_at or page.last_published_at,
    }


@transaction.atomic
def published_reports_rebuild(*, center: ServiceCenter) -> dict:
    """Bring the center's entries in line with its live reports (run in the center's schema).

    For reports published before the index existed, or after a failure between a center and the
    public table; the signals keep it current otherwise.
    """
    listed = set()
    for page in live_reports().select_related("cover_image"):
        entry = news_entry(page)
        if entry is not None:
            published_report_record(center=center, **entry)
            listed.add(page.pk)
    removed = published_reports_prune(center=center, keep_page_ids=listed)
    return {"listed": len(listed), "removed": removed}
