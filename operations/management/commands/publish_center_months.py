"""Recompute head office's monthly figures of every active center (safe to run again at any time).

The services keep the current month up to date as they change things; run this after restoring
data, after a change of the counting rules or from cron at the start of each month.
"""

from django.utils import timezone

from django_tenants.utils import schema_context

from operations.services.elder_figures import elder_figures_publish, months_back
from tenants.commands import EveryCenterCommand


class Command(EveryCenterCommand):
    help = "Recompute the monthly elder-care figures head office reads (portal.CenterMonth)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--months", type=int, default=2, help="this month and the ones before (default 2)"
        )

    def handle(self, *args, **options):
        months = months_back(timezone.localdate(), options["months"])
        for center in self.centers(options):
            with schema_context(center.schema_name):
                for month in months:
                    row = elder_figures_publish(month=month, center=center)
                    self.stdout.write(
                        f"{center.code} {month:%Y-%m}: {row.elder_visits_done}/{row.elder_visits_required} "
                        f"home visits, {row.elders_fully_visited} elders fully visited, "
                        f"{row.escalations_opened} escalations opened"
                    )
