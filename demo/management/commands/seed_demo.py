"""Seed the demo: a head-office admin and three service centers with Chinese data.

Safe to run again: what exists is reused (never duplicated) and the demo passwords are
reset to DEMO_PASSWORD (or the default) so that the printed logins always work.
"""

import os
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo.centers import (
    DEMO_CENTERS,
    center_demo_install,
    demo_authenticator_key,
    demo_recovery_codes,
    head_office_demo_install,
)
from demo.staff import DEMO_STAFF, demo_password
from tenants.models import ServiceCenter


class Command(BaseCommand):
    help = "Create or refresh the demo head office and service centers, then print URLs and logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, **options):
        password = demo_password()
        port = options["port"]
        created = head_office_demo_install(password=password)
        self.stdout.write(("created" if created else "reused") + " head-office user admin")
        for spec in DEMO_CENTERS:
            # The demo's history (last month's care alert, escalations) notifies staff as it is
            # written; those messages stay in the admin, no SMS or e-mail goes out for them.
            with override_settings(
                SMS_BACKEND="operations.sms.LocmemSmsBackend",
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            ):
                seeded = center_demo_install(spec=spec, password=password)
            if seeded.created:
                self.stdout.write(f"created center {seeded.center.code} in {seeded.seconds:.2f}s")
            else:
                self.stdout.write(f"reused center {seeded.center.code}")
        # End of the demo day: overdue loans reach the desk and the head-office count.
        call_command("close_lending_day", stdout=StringIO())
        self.print_summary(password, port, password_from_env=bool(os.environ.get("DEMO_PASSWORD")))

    def print_summary(self, password: str, port: str, password_from_env: bool) -> None:
        suffix = "" if str(port) in ("80", "") else f":{port}"
        base = f"http://{settings.BASE_DOMAIN}{suffix}"
        lines = [
            "",
            "=" * 72,
            "便民服务中心云 demo is ready",
            "=" * 72,
            f"Head office portal   {base}/",
            "  login: admin / " + password + "   (read-only auditor: auditor / " + password + ")",
            "  two-factor sign-in (required at head office): add this key to an authenticator app",
            f"    (time-based, 6 digits): {demo_authenticator_key()}",
            "    or give a recovery code (each once; reset by the next seed):",
            "    admin: " + " ".join(demo_recovery_codes("admin")[:5]),
            "    auditor: " + " ".join(demo_recovery_codes("auditor")[:5]),
        ]
        for center in ServiceCenter.objects.prefetch_related("domains").order_by("code"):
            domain = next((d.domain for d in center.domains.all() if d.is_primary), None)
            if not domain:
                continue
            site = f"http://{domain}{suffix}"
            lines += [
                f"{center.name} [{center.get_status_display()}]",
                f"  site   {site}/",
                f"  admin  {site}/admin/   login: admin / "
                + (password if center.code in {c["code"] for c in DEMO_CENTERS} else "(set when created)"),
            ]
        # The roster's staff already cover every role; the departments' four log in the same way.
        staff = ", ".join(f"{m.username} ({m.group})" for m in DEMO_STAFF if m.dataset == "roster")
        lines += [
            "",
            f"Staff of each demo center (same password, to try the roles): {staff}",
            "Password from DEMO_PASSWORD."
            if password_from_env
            else f"Default demo password {password!r}; set DEMO_PASSWORD to choose another.",
            "Each center has its own users: a login works only on its own host.",
            "Stop everything with: make stop",
            "=" * 72,
        ]
        self.stdout.write("\n".join(lines))
