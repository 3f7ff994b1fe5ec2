"""``manage.py export_center CODE [--output FILE]``: one archive with the center's schema (pg_dump),
its media and a manifest (versions, migration state, row counts, checksums)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tenants.backup import center_export
from tenants.models import ServiceCenter


class Command(BaseCommand):
    help = "Write one archive of a center: its schema, its media and a manifest with checksums."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument(
            "--output", help="The archive to write (default: var/backups/<code>-<time>.tar.gz)"
        )

    def handle(self, *args, code, output=None, **options):
        center = ServiceCenter.objects.filter(code=code).first()
        if center is None:
            raise CommandError(f"No center with the code {code!r}.")
        path = Path(output or f"var/backups/{code}-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")
        try:
            manifest = center_export(center=center, output=path)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"{center.code}: {len(manifest['tables'])} tables, {rows} rows, {len(manifest['files'])} files, "
            f"{len(manifest['migrations'])} migrations → {path} ({path.stat().st_size / 1024:.0f} KB)"
        )
