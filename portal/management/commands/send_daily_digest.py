"""Send head office's morning digest (run from cron each morning; safe to run twice)."""

import datetime as dt

from django.core.management.base import BaseCommand

from portal.digest import daily_digest_send


class Command(BaseCommand):
    help = "E-mail each head-office administrator the morning digest (once a day, from the rollups)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--day", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default today)"
        )

    def handle(self, *args, **options):
        sent = daily_digest_send(day=options["day"])
        self.stdout.write(f"digest sent to {sent} head-office administrator(s)")
