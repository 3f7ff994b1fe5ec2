"""Flag breached work orders and remind assignees of due-soon and breached deadlines, in every active center."""

from django.utils import timezone

from django_tenants.utils import schema_context

from operations.services.work_orders import work_orders_check_deadlines
from tenants.commands import EveryCenterCommand


class Command(EveryCenterCommand):
    help = (
        "For every active center: flag open work orders past their committed deadline and notify the assignees "
        "of deadlines due within 2 hours or passed. Safe to run twice (each reminder is sent once)."
    )

    def handle(self, *args, **options):
        centers = self.centers(options)
        now = timezone.now()
        total = {"breached": 0, "due_soon": 0, "breach": 0}
        for center in centers:
            # The job carries no schema of its own: set it explicitly per center (DESIGN §5).
            with schema_context(center.schema_name):
                counts = work_orders_check_deadlines(now=now)
            for key, value in counts.items():
                total[key] += value
            self.stdout.write(
                f"{center.code}: {counts['breached']} newly breached, "
                f"{counts['due_soon']} due-soon reminders, {counts['breach']} breach reminders"
            )
        self.stdout.write(
            f"total: {total['breached']} newly breached, {total['due_soon']} due-soon reminders, "
            f"{total['breach']} breach reminders"
        )
