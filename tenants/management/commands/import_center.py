"""``manage.py import_center ARCHIVE [--as NEWCODE --domain HOST]``: restore an archive of
``export_center`` into a fresh schema and register the center; a damaged archive or one from a newer
version is refused with a clear message and nothing is created."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.backup import center_import


class Command(BaseCommand):
    help = "Restore a center from an archive of export_center (optionally under a new code and domain)."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--as", dest="new_code", default="", help="Restore under this code (schema)")
        parser.add_argument("--domain", default="", help="The restored center's domain")

    def handle(self, *args, archive, new_code="", domain="", **options):
        if not Path(archive).is_file():
            raise CommandError(f"No archive at {archive}.")
        try:
            imported = center_import(archive=Path(archive), new_code=new_code, domain=domain)
        except ValidationError as error:
            messages = (
                error.messages
                if not hasattr(error, "error_dict")
                else [message for messages in error.message_dict.values() for message in messages]
            )
            raise CommandError(" ".join(messages)) from None
        self.stdout.write(
            f"{imported.center.code} ({imported.center.name}) at {imported.domain}: {imported.tables} tables, "
            f"{imported.rows} rows, {imported.files} files restored"
            + (f"; {len(imported.migrated)} migrations applied" if imported.migrated else "")
        )
