"""End of the lending day: remind the desk of overdue loans and report each center's count to head office."""

from django.utils import timezone

from django_tenants.utils import schema_context

from operations.services.lending import loans_close_day
from tenants.commands import EveryCenterCommand


class Command(EveryCenterCommand):
    help = (
        "For every active center: notify the front desk (or the center head) of each overdue loan, once per "
        "loan and day, and write the center's overdue count to head office. Safe to run twice."
    )

    def handle(self, *args, **options):
        centers = self.centers(options)
        now = timezone.now()
        total = 0
        for center in centers:
            # The job carries no schema of its own: set it explicitly per center.
            with schema_context(center.schema_name):
                counts = loans_close_day(now=now, center=center)
            total += counts["overdue"]
            self.stdout.write(
                f"{center.code}: {counts['overdue']} overdue loans, {counts['reminders']} reminders"
            )
        self.stdout.write(f"total: {total} overdue loans")
