"""Delete sign-in records older than SIGNIN_RECORD_DAYS at head office and in every center (run daily
from cron; safe to run twice)."""

from django.core.management.base import BaseCommand

from django_tenants.utils import schema_context

from portal.signin import signin_records_prune
from tenants.models import ServiceCenter


class Command(BaseCommand):
    help = "Delete sign-in records (sign-ins, failures, unlocks, two-factor events) past SIGNIN_RECORD_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="keep this many days (default the setting)"
        )

    def handle(self, *args, **options):
        schemas = ["public", *ServiceCenter.objects.order_by("code").values_list("schema_name", flat=True)]
        for schema in schemas:
            with schema_context(schema):
                deleted = signin_records_prune(keep_days=options["days"])
            if any(deleted.values()):
                self.stdout.write(
                    f"{schema}: " + ", ".join(f"{n} {kind}" for kind, n in deleted.items() if n)
                )
        self.stdout.write(f"sign-in records pruned in {len(schemas)} schemas")
