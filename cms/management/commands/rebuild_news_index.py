"""Rebuild the head-office news index (public schema) from every active center's live reports."""

from django_tenants.utils import schema_context

from cms.news import published_reports_rebuild
from tenants.commands import EveryCenterCommand


class Command(EveryCenterCommand):
    help = "Rebuild the company website's news index from the live activity reports of every active center."

    def handle(self, *args, **options):
        centers = self.centers(options)
        for center in centers:
            with schema_context(center.schema_name):
                result = published_reports_rebuild(center=center)
            self.stdout.write(
                f"{center.code}: {result['listed']} reports listed, {result['removed']} stale entries removed"
            )
