"""The periodic jobs of every active center, each run with the center's schema set explicitly.

Run it from cron (e.g. every 10 minutes) or a scheduler; every job is safe to run twice.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from django_tenants.utils import schema_context

from operations.services.complaints import complaints_notify_overdue
from operations.services.work_orders import work_orders_check_deadlines
from tenants.models import ServiceCenter


class Command(BaseCommand):
    help = "Run the periodic jobs (work-order deadlines, overdue complaints) for every active center."

    def add_arguments(self, parser):
        parser.add_argument(
            "--center", action="append", default=[], help="only this center code (repeatable)"
        )

    def handle(self, *args, **options):
        centers = ServiceCenter.objects.filter(status=ServiceCenter.Status.ACTIVE).order_by("code")
        if options["center"]:
            centers = centers.filter(code__in=options["center"])
        now = timezone.now()
        for center in centers:
            with schema_context(center.schema_name):
                work_orders = work_orders_check_deadlines(now=now)
                complaints = complaints_notify_overdue(today=timezone.localdate(now))
            self.stdout.write(
                f"{center.code}: work orders {work_orders['breached']} newly breached, "
                f"{work_orders['due_soon']} due-soon and {work_orders['breach']} breach reminders; "
                f"{complaints} overdue-complaint reminders"
            )
