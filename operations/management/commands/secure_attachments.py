"""Move work-order attachments stored before they were private into the login-only collection."""

from django_tenants.utils import schema_context

from operations.services.work_orders import work_order_attachments_secure
from tenants.commands import EveryCenterCommand


class Command(EveryCenterCommand):
    help = (
        "For every active center: put work-order photos and documents kept in a public collection (stored "
        "before attachments were private) into the login-only 工单附件 collection. Safe to run twice."
    )

    def handle(self, *args, **options):
        for center in self.centers(options):
            # The job carries no schema of its own: set it explicitly per center.
            with schema_context(center.schema_name):
                moved = work_order_attachments_secure()
            self.stdout.write(f"{center.code}: {moved} files moved")
