"""Rebuild the head-office news index (public schema) from every active center's live reports."""

from django.core.management.base import BaseCommand

from django_tenants.utils import schema_context

from portal.news import published_reports_rebuild
from tenants.models import ServiceCenter


class Command(BaseCommand):
    help = "Rebuild the company website's news index from the live activity reports of every active center."

    def add_arguments(self, parser):
        parser.add_argument(
            "--center", action="append", default=[], help="only this center code (repeatable)"
        )

    def handle(self, *args, **options):
        centers = ServiceCenter.objects.filter(status=ServiceCenter.Status.ACTIVE).order_by("code")
        if options["center"]:
            centers = centers.filter(code__in=options["center"])
        for center in centers:
            with schema_context(center.schema_name):
                result = published_reports_rebuild(center=center)
            self.stdout.write(
                f"{center.code}: {result['listed']} reports listed, {result['removed']} stale entries removed"
            )
