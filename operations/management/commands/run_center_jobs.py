"""The periodic jobs of every active center, each run with the center's schema set explicitly.

Celery beat runs the same function every 10 minutes (``operations.jobs``); this command is for a manual run or
cron without Celery. Every job is safe to run twice.
"""

import logging

from django.utils import timezone

from django_tenants.utils import schema_context

from operations.jobs import center_jobs_run
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
        return center_jobs_run(center=center, now=now)
