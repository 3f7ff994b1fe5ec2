"""manage.py create_center --name NAME --code CODE --domain HOST [--admin-username U --admin-password P]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenants.services import center_create

FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "code": gettext_lazy("Short code"),
    "domain": gettext_lazy("Domain"),
    "admin_password": gettext_lazy("Admin password"),
}


class Command(BaseCommand):
    help = "Create a service center: schema, domain, site, home page, staff groups and first admin."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--code", required=True)
        parser.add_argument("--domain", required=True)
        parser.add_argument("--address", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--service-hours", default="")
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument("--admin-password", default=None)
        parser.add_argument("--admin-name", default="")
        parser.add_argument("--admin-phone", default="")
        parser.add_argument("--admin-email", default="")

    def handle(self, *args, **options):
        try:
            result = center_create(
                name=options["name"],
                code=options["code"],
                domain=options["domain"],
                address=options["address"],
                phone=options["phone"],
                service_hours=options["service_hours"],
                admin_username=options["admin_username"],
                admin_password=options["admin_password"],
                admin_name=options["admin_name"],
                admin_phone=options["admin_phone"],
                admin_email=options["admin_email"],
                acting_username="manage.py create_center",
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                lines = [
                    f"{FIELD_LABELS.get(field, field)}: {message}"
                    for field, messages in exc.message_dict.items()
                    for message in messages
                ]
            else:
                lines = exc.messages
            raise CommandError("\n".join(lines)) from exc

        center = result.center
        self.stdout.write(self.style.SUCCESS(_("Created service center “%(name)s”") % {"name": center.name}))
        password_note = _(" (generated, shown only now)") if result.password_generated else ""
        rows = [
            (_("Short code"), f"{center.code} (schema {center.schema_name})"),
            (_("Domain"), result.domain),
            (_("Admin username"), result.admin_username),
            (_("Admin password"), f"{result.admin_password}{password_note}"),
            (_("Time taken"), f"{result.seconds:.2f}s"),
        ]
        for label, value in rows:
            self.stdout.write(f"  {label}: {value}")
