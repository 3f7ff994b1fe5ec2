"""Delete sign-in records older than SIGNIN_RECORD_DAYS at head office and in every center (run daily
from cron; safe to run twice)."""

from django.core.management.base import BaseCommand

from portal.signin import signin_records_prune_everywhere


class Command(BaseCommand):
    help = "Delete sign-in records (sign-ins, failures, unlocks, two-factor events) past SIGNIN_RECORD_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="keep this many days (default the setting)"
        )

    def handle(self, *args, **options):
        deleted = signin_records_prune_everywhere(keep_days=options["days"])
        for schema, counts in deleted.items():
            if any(counts.values()):
                self.stdout.write(f"{schema}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items() if n))
        self.stdout.write(f"sign-in records pruned in {len(deleted)} schemas")
