"""The company website's news: the public-schema index of the centers' published activity reports.

A center's publish, unpublish and delete signals (``cms.signals``) and its rebuild
(``cms.news``) call the services below while the connection is in the center's schema (the public
table is on the search path, in the same transaction); the head-office news page reads only this
table.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.models import PublishedReport
from tenants.models import ServiceCenter


def _check_own_center(center: ServiceCenter) -> None:
    if connection.schema_name != center.schema_name:
        raise ValidationError(_("A service center can only list its own reports."))


@transaction.atomic
def published_report_record(
    *,
    center: ServiceCenter,
    page_id: int,
    title: str,
    url: str,
    date: dt.date,
    summary: str,
    cover_url: str,
    published_at: dt.datetime,
) -> PublishedReport:
    """Add a center's report to the news index, or bring its entry up to date."""
    _check_own_center(center)
    report = PublishedReport.objects.filter(center=center, page_id=page_id).first() or PublishedReport(
        center=center, page_id=page_id
    )
    report.title = title[:255]
    report.url = url
    report.date = date
    report.summary = summary
    report.cover_url = cover_url
    report.published_at = published_at
    report.full_clean(validate_unique=False)
    report.save()
    return report


@transaction.atomic
def published_report_remove(*, center: ServiceCenter, page_id: int) -> bool:
    """Take a center's report off the news index (unpublished or deleted). True if it was listed."""
    _check_own_center(center)
    deleted, _rows = PublishedReport.objects.filter(center=center, page_id=page_id).delete()
    return bool(deleted)


def published_reports_latest() -> QuerySet[PublishedReport]:
    """The reports of active centers for the news page, newest first, with their center."""
    return (
        PublishedReport.objects.filter(center__status=ServiceCenter.Status.ACTIVE)
        .select_related("center")
        .only(
            "title",
            "url",
            "date",
            "summary",
            "cover_url",
            "published_at",
            "center__name",
            "center__status",
        )
        .order_by("-date", "-published_at", "-id")
    )


@transaction.atomic
def published_reports_prune(*, center: ServiceCenter, keep_page_ids: set[int]) -> int:
    """Take every entry of the center off the news index except those of ``keep_page_ids``.

    For ``cms.news.published_reports_rebuild``; returns how many entries were removed.
    """
    _check_own_center(center)
    stale = PublishedReport.objects.filter(center=center).exclude(page_id__in=keep_page_ids)
    removed, _rows = stale.delete()
    return removed
