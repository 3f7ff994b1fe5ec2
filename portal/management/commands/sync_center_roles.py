"""Bring the head-office groups and every center's staff groups up to the permissions their roles have now."""

from django.core.management.base import BaseCommand

from django_tenants.utils import schema_context

from portal.roles import head_office_roles_sync
from tenants.models import ServiceCenter
from tenants.services import center_roles_sync


class Command(BaseCommand):
    help = "Add the permissions of tenants.roles to every center's staff groups (safe to run twice)."

    def handle(self, *args, **options):
        changed = head_office_roles_sync()
        self.stdout.write(f"head office: {', '.join(changed) if changed else 'up to date'}")
        for center in ServiceCenter.objects.order_by("code"):
            with schema_context(center.schema_name):
                changed = center_roles_sync()
            self.stdout.write(f"{center.code}: {', '.join(changed) if changed else 'up to date'}")
