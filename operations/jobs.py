"""A center's periodic jobs and queued deliveries, on Celery (``portal.jobs`` explains the machinery).

Registered jobs (each idempotent, run in the center's schema by ``portal.jobs.run_center_job``, fanned out by
the beat schedule, and by hand through the management commands):

- ``center_jobs`` (every 10 minutes): work-order deadlines, overdue complaints, elders not reached past their
  escalation time, scheduled publishing and expiry of pages, booking reminders, today's open counts for head
  office, and what other apps register (``operations.hooks.center_jobs``);
- ``lending_day_close`` (21:00): overdue loans to the desk and head office;
- ``kpis_recompute`` (02:30): head office's rollups of yesterday and today recomputed from the records;
- ``elder_months_publish`` (the 1st, 03:00): the monthly elder-care figures of this month and the last.

``deliver_notification``: a staff notification's e-mail and SMS, sent by a worker after the commit that created
it, retried with back-off; the outcome is recorded on the notification (``operations.notify``).
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.models import Page, Revision

from celery import shared_task

from operations.hooks import center_jobs
from portal.jobs import CenterTask, register_center_job

logger = logging.getLogger("bianmin.jobs")

#: Delivery retries: 30 s, 1, 2, 4, 8 minutes, then the failure is recorded for the center to see.
DELIVERY_RETRIES = 5
DELIVERY_FIRST_RETRY_SECONDS = 30


def publish_scheduled_pages() -> dict:
    """Wagtail's scheduled go-live and expiry for the current center (notices, reports): Wagtail's own
    ``publish_scheduled`` fires the publish/unpublish signals that drop the page cache and keep the
    head-office news index current."""
    now = timezone.now()
    counts = {
        "published": Revision.page_revisions.filter(approved_go_live_at__lte=now).count(),
        "expired": Page.objects.filter(live=True, expire_at__lte=now).count(),
    }
    call_command("publish_scheduled", stdout=io.StringIO())
    return counts


def center_jobs_run(*, center, now) -> str:
    """The ten-minute jobs of the current center; one app's failing job does not stop the others."""
    from operations.notify import deliveries_requeue
    from operations.services.appointments import bookings_send_reminders
    from operations.services.complaints import complaints_notify_overdue
    from operations.services.elder_escalations import elder_escalations_check
    from operations.services.kpis import kpis_snapshot_publish
    from operations.services.work_orders import work_orders_check_deadlines

    work_orders = work_orders_check_deadlines(now=now)
    complaints = complaints_notify_overdue(today=timezone.localdate(now))
    escalations = elder_escalations_check(now=now)
    pages = publish_scheduled_pages()
    reminders = bookings_send_reminders(now=now)
    requeued = deliveries_requeue(now=now)
    kpis_snapshot_publish(now=now, center=center)
    more = []
    for name, extra in center_jobs():
        try:
            with transaction.atomic():
                if done := extra(now=now):
                    more.append(done)
        except Exception:  # noqa: BLE001 - one app's job must not stop the others
            logger.exception("periodic job %s failed for center %s", name, center.code)
            more.append(f"{name} failed (see the log)")
    return (
        f"work orders {work_orders['breached']} newly breached, "
        f"{work_orders['due_soon']} due-soon and {work_orders['breach']} breach reminders; "
        f"{complaints} overdue-complaint reminders; "
        f"elders not reached: {escalations['escalated']} escalated to the center head; "
        f"pages {pages['published']} published as scheduled, {pages['expired']} expired; "
        f"{reminders} booking reminders; {requeued} deliveries queued again"
        + "".join(f"; {report}" for report in more)
    )


def lending_day_close_run(*, center, now) -> str:
    from operations.services.lending import loans_close_day

    counts = loans_close_day(now=now, center=center)
    return f"{counts['overdue']} overdue loans, {counts['reminders']} reminders"


def kpis_recompute_run(*, center, now) -> str:
    from operations.services.kpis import kpis_publish

    today = timezone.localdate(now)
    days = [today - dt.timedelta(days=1), today]
    kpis_publish(days=days, center=center)
    return f"{len(days)} days recomputed"


def elder_months_publish_run(*, center, now) -> str:
    """Head office's monthly elder-care figures of this month and the last (the services keep the current
    month up to date; this corrects what they could not see, on the first of each month)."""
    from operations.services.elder_figures import elder_figures_publish, months_back

    months = months_back(timezone.localdate(now), 2)
    for month in months:
        elder_figures_publish(month=month, center=center)
    return f"{len(months)} months of elder-care figures recomputed"


register_center_job("center_jobs", center_jobs_run, label=_("Deadlines, reminders and scheduled pages"))
register_center_job("lending_day_close", lending_day_close_run, label=_("End of the lending day"))
register_center_job("kpis_recompute", kpis_recompute_run, label=_("Head office's figures recomputed"))
register_center_job("elder_months_publish", elder_months_publish_run, label=_("Monthly elder-care figures"))


def _deliver_or_retry(task, deliver, **ids) -> str:
    """One delivery attempt; "retry" schedules the next (30 s, 1, 2, 4, 8 min), the last attempt records."""
    outcome = deliver(**ids, final=task.request.retries >= task.max_retries)
    if outcome == "retry":
        raise task.retry(countdown=DELIVERY_FIRST_RETRY_SECONDS * 2**task.request.retries)
    return outcome


@shared_task(
    base=CenterTask,
    bind=True,
    name="operations.jobs.deliver_notification",
    ignore_result=True,
    acks_late=True,
    max_retries=DELIVERY_RETRIES,
)
def deliver_notification(self, notification_id: int) -> str:
    from operations.notify import notification_deliver

    return _deliver_or_retry(self, notification_deliver, notification_id=notification_id)


@shared_task(
    base=CenterTask,
    bind=True,
    name="operations.jobs.deliver_sms",
    ignore_result=True,
    acks_late=True,
    max_retries=DELIVERY_RETRIES,
)
def deliver_sms(self, sms_id: int) -> str:
    """A resident's SMS (operations.sms.sms_queue), retried like the notifications."""
    from operations.sms import sms_deliver

    return _deliver_or_retry(self, sms_deliver, sms_id=sms_id)
