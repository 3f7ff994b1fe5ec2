"""What follows when an activity report is published, unpublished or deleted.

Publishing marks the activity as reported and lists the report on the company website's news
(``portal.news``); unpublishing (also by expiry) or deleting takes it off. The handlers only call
services, in the transaction of the Wagtail action that sent the signal.
"""

import logging

from django.db import connection
from django.db.models.signals import post_delete

from wagtail.log_actions import get_active_log_context
from wagtail.signals import page_published, page_unpublished

from cms.models import ActivityReportPage
from cms.news import news_entry
from operations.models import Activity
from operations.services.activities import activity_mark_reported
from portal.news import published_report_record, published_report_remove
from tenants.models import ServiceCenter

logger = logging.getLogger(__name__)


def _current_center():
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, ServiceCenter) and tenant.schema_name == connection.schema_name:
        return tenant
    return ServiceCenter.objects.filter(schema_name=connection.schema_name).first()


def report_published(sender, instance, revision=None, **kwargs):
    page = instance
    if not page.live:  # scheduled for later: the signal comes again when it goes live
        return
    user = get_active_log_context().user or (revision.user if revision is not None else None)
    if page.activity_id is not None:
        activity = Activity.objects.filter(pk=page.activity_id, status=Activity.Status.HELD).first()
        if activity is not None:
            activity_mark_reported(acting_user=user, activity=activity)
    center = _current_center()
    entry = news_entry(page) if center is not None else None
    if entry is None:
        logger.warning("report %s published outside a center's site: not listed on the news", page.pk)
        return
    published_report_record(center=center, **entry)


def report_unpublished(sender, instance, **kwargs):
    center = _current_center()
    if center is not None:
        published_report_remove(center=center, page_id=instance.pk)


def connect() -> None:
    page_published.connect(report_published, sender=ActivityReportPage, dispatch_uid="cms_report_published")
    page_unpublished.connect(
        report_unpublished, sender=ActivityReportPage, dispatch_uid="cms_report_unpublished"
    )
    # A live page is unpublished before it is deleted, but drafts and bulk deletions of a
    # whole tree come here only.
    post_delete.connect(report_unpublished, sender=ActivityReportPage, dispatch_uid="cms_report_deleted")
