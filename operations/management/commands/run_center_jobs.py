"""The periodic jobs of every active center, each run with the center's schema set explicitly.

Run it from cron (e.g. every 10 minutes) or a scheduler; every job is safe to run twice.
"""

import io
import logging

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from wagtail.models import Page, Revision

from django_tenants.utils import schema_context

from operations.hooks import center_jobs
from operations.services.appointments import bookings_send_reminders
from operations.services.complaints import complaints_notify_overdue
from operations.services.elder_escalations import elder_escalations_check
from operations.services.kpis import kpis_snapshot_publish
from operations.services.work_orders import work_orders_check_deadlines
from tenants.commands import EveryCenterCommand

logger = logging.getLogger("bianmin.jobs")


class Command(EveryCenterCommand):
    help = (
        "Run the periodic jobs (work-order deadlines, overdue complaints, elders not reached past "
        "their escalation time, scheduled publishing and expiry of pages, head office's open counts) "
        "for every active center."
    )

    def handle(self, *args, **options):
        centers = self.centers(options)
        now = timezone.now()
        for center in centers:
            # One center's failure (a broken page tree, a database error) must not stop the jobs
            # of the centers after it: it is logged and reported, and the next center runs.
            try:
                with schema_context(center.schema_name):
                    report = self.run_center(center, now)
            except Exception:  # noqa: BLE001
                logger.exception("periodic jobs failed for center %s", center.code)
                self.stderr.write(f"{center.code}: the periodic jobs failed (see the log)")
                continue
            self.stdout.write(f"{center.code}: {report}")

    def run_center(self, center, now) -> str:
        work_orders = work_orders_check_deadlines(now=now)
        complaints = complaints_notify_overdue(today=timezone.localdate(now))
        escalations = elder_escalations_check(now=now)
        pages = self.publish_scheduled_pages()
        reminders = bookings_send_reminders(now=now)
        kpis_snapshot_publish(now=now, center=center)
        more = []
        for name, job in center_jobs():
            try:
                with transaction.atomic():
                    if done := job(now=now):
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
            f"{reminders} booking reminders" + "".join(f"; {report}" for report in more)
        )

    @staticmethod
    def publish_scheduled_pages() -> dict:
        """Wagtail's scheduled go-live and expiry for the current center (notices, reports).

        Wagtail's own ``publish_scheduled`` does it, firing the publish/unpublish signals that
        drop the center's page cache and keep the head-office news index current.
        """
        now = timezone.now()
        counts = {
            "published": Revision.page_revisions.filter(approved_go_live_at__lte=now).count(),
            "expired": Page.objects.filter(live=True, expire_at__lte=now).count(),
        }
        call_command("publish_scheduled", stdout=io.StringIO())
        return counts
