"""Recompute head office's rollup of every active center from its records (DESIGN §12).

The services keep today's figures current as they change things; run this nightly (after
midnight, for yesterday and today) to correct anything they could not see, or with ``--days``
after restoring data or changing the counting rules. Safe to run again at any time.
"""

import datetime as dt
import time

from django.utils import timezone

from django_tenants.utils import schema_context

from operations.services.kpis import kpis_publish
from tenants.commands import EveryCenterCommand


class Command(EveryCenterCommand):
    help = "Recompute the daily and monthly figures and the open counts head office reads."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--days",
            type=int,
            default=2,
            help="today and the days before it (default 2: yesterday and today)",
        )

    def handle(self, *args, **options):
        today = timezone.localdate()
        days = [today - dt.timedelta(days=n) for n in range(max(options["days"], 1))]
        for center in self.centers(options):
            started = time.monotonic()
            with schema_context(center.schema_name):
                kpis_publish(days=days, center=center)
            self.stdout.write(
                f"{center.code}: {len(days)} days and their months recomputed "
                f"in {time.monotonic() - started:.2f}s"
            )
