"""Base of the management commands that run a job in every active center, one schema at a time."""

from django.core.management.base import BaseCommand

from tenants.models import ServiceCenter


class EveryCenterCommand(BaseCommand):
    """``--center CODE`` (repeatable) narrows the run; ``self.centers(options)`` lists the centers.

    A job carries no schema of its own: the subclass sets it per center with ``schema_context``.
    """

    def add_arguments(self, parser):
        parser.add_argument(
            "--center", action="append", default=[], help="only this center code (repeatable)"
        )

    def centers(self, options):
        centers = ServiceCenter.objects.filter(status=ServiceCenter.Status.ACTIVE).order_by("code")
        if options["center"]:
            centers = centers.filter(code__in=options["center"])
        return centers
