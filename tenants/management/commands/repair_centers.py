"""``manage.py repair_centers [--fix] [--json]``: the registry of centers against the database and media.

A dry run by default: it reports every inconsistency (``tenants.repair``) and exits with status 1 when
it found one, so cron or monitoring sees it. ``--fix`` drops the orphan schemas, deletes domains without
a center and moves orphan media folders to ``MEDIA_ROOT/.removed-by-repair/``, printing and logging each
removal; what needs a person (a center without its schema, a half-provisioned center) is reported, and the
status is 1 while anything remains.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenants.repair import centers_inconsistencies, centers_repair


class Command(BaseCommand):
    help = (
        "Report orphan schemas, centers without a schema, domains without a center, half-provisioned centers "
        "and orphan media folders (exit status 1 when any is found); --fix removes the orphans."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Drop orphan schemas (DROP SCHEMA … CASCADE), delete domains without a center, move orphan "
            "media folders to MEDIA_ROOT/.removed-by-repair/. Never touches a schema that has a center.",
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON (for monitoring).")

    def handle(self, *args, fix=False, json=False, **options):
        if fix:
            repair = centers_repair(acting_username="manage.py repair_centers")
            survey, actions, remaining = repair.survey, repair.actions, repair.remaining
        else:
            survey, actions = centers_inconsistencies(), []
            remaining = survey.findings
        if json:
            self._print_json(survey, actions, remaining)
        else:
            self._print_text(survey, actions, fix=fix)
        if remaining:
            raise CommandError(
                ngettext(
                    "%(count)s inconsistency remains.",
                    "%(count)s inconsistencies remain.",
                    len(remaining),
                )
                % {"count": len(remaining)},
                returncode=1,
            )

    def _print_text(self, survey, actions, *, fix):
        self.stdout.write(
            _(
                "Checking the registry of service centers against the database %(database)s and the media folder %(media)s."
            )
            % {"database": connection.settings_dict["NAME"], "media": settings.MEDIA_ROOT}
        )
        self.stdout.write(
            _(
                "Only schemas that look like a center's are considered: they hold django_migrations with "
                "migrations of the center apps (%(apps)s)."
            )
            % {"apps": ", ".join(survey.center_apps)}
        )
        for finding in survey.findings:
            self.stdout.write(f"- {finding.message}")
        if survey.foreign_schemas:
            self.stdout.write(
                _("Not ours, left alone: schema %(names)s.") % {"names": ", ".join(survey.foreign_schemas)}
            )
        if survey.foreign_media:
            self.stdout.write(
                _("Not ours, left alone: %(names)s in the media folder.")
                % {"names": ", ".join(survey.foreign_media)}
            )
        if not survey.findings:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "No inconsistency found (%(count)s center checked).",
                        "No inconsistency found (%(count)s centers checked).",
                        survey.centers,
                    )
                    % {"count": survey.centers}
                )
            )
            return
        self.stdout.write(
            ngettext(
                "%(count)s inconsistency found.", "%(count)s inconsistencies found.", len(survey.findings)
            )
            % {"count": len(survey.findings)}
        )
        for action in actions:
            self.stdout.write(self.style.WARNING(action))
        if not fix and any(finding.fixable for finding in survey.findings):
            self.stdout.write(
                _(
                    "Run with --fix to remove the orphan schemas, media folders and domains; the other findings "
                    "need a person (restore the center from a backup, or remove it deliberately). Check first "
                    "that the media folder belongs to this database."
                )
            )

    def _print_json(self, survey, actions, remaining):
        self.stdout.write(
            json.dumps(
                {
                    "centers": survey.centers,
                    "findings": [
                        {
                            "kind": str(f.kind),
                            "subject": f.subject,
                            "message": f.message,
                            "fixable": f.fixable,
                        }
                        for f in survey.findings
                    ],
                    "actions": actions,
                    "remaining": len(remaining),
                    "foreign_schemas": survey.foreign_schemas,
                    "foreign_media": survey.foreign_media,
                },
                ensure_ascii=False,
            )
        )
