"""What an interrupted creation or restore could leave between the registry of centers and the database.

Creating a center (``tenants.services.center_create``) is one transaction, so even a process killed
half-way leaves nothing: PostgreSQL rolls the schema, the rows and the lock back together. A restore
(``tenants.backup.center_import``) builds its schema in a session of ``psql`` and copies media files, and
people drop schemas or folders by hand; ``centers_inconsistencies`` finds what does not match:

- an **orphan schema**: a schema that looks like a center's but has no ``ServiceCenter`` row;
- a center whose **schema is missing**;
- a **domain without a center**, a center **without a primary domain**;
- a **half-provisioned center**: its schema exists but lacks the site, the home page, the staff groups
  or an administrator that provisioning gives every center;
- an **orphan media folder**: ``MEDIA_ROOT/<name>`` of no center (media are stored per schema).

The database may hold schemas of other software: only a schema whose ``django_migrations`` records
migrations of the center-only apps (TENANT_APPS that are not SHARED_APPS) counts as ours; the others
are listed and never touched. The public schema, the template (``TENANT_BASE_SCHEMA``) and
PostgreSQL's own schemas are never candidates.

``centers_repair`` removes what is safe to remove (orphan schemas with ``DROP SCHEMA … CASCADE``, domains
without a center; orphan media folders are moved to ``MEDIA_ROOT/.removed-by-repair/``) under the
provisioning lock, so no creation or restore is registering a center meanwhile, and skips a name a restore
is building right now (its session holds the build lock, ``tenants.backup.restore_lock``). It never touches
a schema that has a center row: centers without a schema or half provisioned are reported for a person to
decide (restore from a backup, or remove the center deliberately).

Media folders count as a center's when their name could be a schema's; MEDIA_ROOT must belong to this
database (a folder of another database's center looks orphan here, hence the move instead of a delete).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.models import Site

from django_tenants.utils import quote_schema_name, schema_context

from tenants.backup import BUILD_LOCK_CLASS
from tenants.models import Domain, ServiceCenter
from tenants.roles import ROLES
from tenants.services import PROVISIONING_LOCK_ID
from tenants.spares import spare_schema_names

logger = logging.getLogger("bianmin.repair")

# A name a center's schema or media folder can have: a short code, or a restore's staging name.
OURS_NAME_RE = re.compile(r"^_?[a-z][a-z0-9_]{1,62}$")
# Orphan media folders are moved here, not deleted: MEDIA_ROOT may be shared by mistake with another
# database's centers (a developer's var/media with a scratch DATABASE_URL), whose folders look orphan here.
QUARANTINE = ".removed-by-repair"


class Kind(StrEnum):
    ORPHAN_SCHEMA = "orphan_schema"
    MISSING_SCHEMA = "missing_schema"
    ORPHAN_DOMAIN = "orphan_domain"
    NO_PRIMARY_DOMAIN = "no_primary_domain"
    HALF_PROVISIONED = "half_provisioned"
    ORPHAN_MEDIA = "orphan_media"


FIXABLE = {Kind.ORPHAN_SCHEMA, Kind.ORPHAN_DOMAIN, Kind.ORPHAN_MEDIA}


@dataclass(frozen=True)
class Finding:
    """One inconsistency: its kind, what it is about (a schema, domain or folder name) and a sentence."""

    kind: Kind
    subject: str
    message: str

    @property
    def fixable(self) -> bool:
        return self.kind in FIXABLE


@dataclass
class Survey:
    """Everything ``centers_inconsistencies`` looked at and found."""

    findings: list[Finding] = field(default_factory=list)
    foreign_schemas: list[str] = field(default_factory=list)  # not ours: never touched
    foreign_media: list[str] = field(default_factory=list)
    center_apps: list[str] = field(default_factory=list)
    centers: int = 0


@dataclass
class Repair:
    """What ``centers_repair`` found under the lock, what it did, and the names it left to a running restore."""

    survey: Survey
    actions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> list[Finding]:
        return [f for f in self.survey.findings if not f.fixable or f.subject in self.skipped]


# --- Locks -------------------------------------------------------------------------------------------


def _being_built(name: str) -> bool:
    """Whether a session holds the build lock of ``name`` (checked inside the repair's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [BUILD_LOCK_CLASS, name])
        return not cursor.fetchone()[0]


# --- Finding ---------------------------------------------------------------------------------------


def center_only_app_labels() -> list[str]:
    """Labels of the migrated apps whose tables only a center's schema has (operations, cms, wagtail…)."""
    migrated = MigrationLoader(None, ignore_no_migrations=True).migrated_apps
    shared = set(settings.SHARED_APPS)
    return sorted(
        cfg.label
        for cfg in apps.get_app_configs()
        if cfg.name in settings.TENANT_APPS and cfg.name not in shared and cfg.label in migrated
    )


def _schemas(cursor) -> list[str]:
    cursor.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema' "
        "ORDER BY nspname"
    )
    return [row[0] for row in cursor.fetchall()]


def _center_schema_tables(cursor, schema: str, center_apps: set[str]) -> int | None:
    """The number of tables of ``schema`` when it looks like a center's (see the module), else None."""
    cursor.execute("SELECT to_regclass(%s)", [f"{quote_schema_name(schema)}.django_migrations"])
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute(f"SELECT DISTINCT app FROM {quote_schema_name(schema)}.django_migrations")  # noqa: S608
    if not center_apps & {row[0] for row in cursor.fetchall()}:
        return None
    cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", [schema])
    return cursor.fetchone()[0]


def _half_provisioned(center: ServiceCenter, domains: set[str]) -> list[str]:
    """What provisioning gives every center and this one lacks (empty when it is complete)."""
    missing = []
    try:
        with transaction.atomic(), schema_context(center.schema_name):
            site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
            if site is None:
                missing.append(_("no Wagtail site"))
            else:
                if site.hostname not in domains:
                    missing.append(
                        _("the site answers at %(hostname)s, not at one of the center's domains")
                        % {"hostname": site.hostname}
                    )
                root = site.root_page
                content_type = root.cached_content_type
                if root.depth < 2 or (content_type.app_label, content_type.model) == ("wagtailcore", "page"):
                    missing.append(_("no home page"))
            groups = set(
                Group.objects.filter(name__in=[role.name for role in ROLES]).values_list("name", flat=True)
            )
            lacking = [role.name for role in ROLES if role.name not in groups]
            if lacking:
                missing.append(_("missing staff groups: %(groups)s") % {"groups": "、".join(lacking)})
            if not get_user_model().objects.filter(is_superuser=True, is_active=True).exists():
                missing.append(_("no active administrator"))
    except DatabaseError as error:
        missing.append(
            _("its tables cannot be read: %(error)s") % {"error": str(error).strip().splitlines()[0]}
        )
    finally:
        connection.set_schema_to_public()
    return missing


def _media_folders() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if path.is_dir())


def _count_files(path: Path) -> int:
    return sum(1 for p in path.rglob("*") if p.is_file())


def centers_inconsistencies() -> Survey:
    """Every inconsistency between the registry of centers (public schema) and the database and media.

    Outside a transaction it reads one snapshot (REPEATABLE READ), so a center created meanwhile is seen
    with its schema or not at all, never as an orphan schema or a center without one.
    """
    connection.set_schema_to_public()
    if connection.in_atomic_block:
        return _survey()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _survey()


def _survey() -> Survey:
    survey = Survey(center_apps=center_only_app_labels())
    centers = list(ServiceCenter.objects.prefetch_related("domains").order_by("code"))
    survey.centers = len(centers)
    by_schema = {center.schema_name: center for center in centers}
    # The template and the spares made ahead of time (tenants.spares) are no centers' and no orphans.
    never = {settings.PUBLIC_SCHEMA_NAME, settings.TENANT_BASE_SCHEMA} | spare_schema_names()
    findings = survey.findings

    with connection.cursor() as cursor:
        schemas = _schemas(cursor)
        for schema in schemas:
            if schema in never or schema in by_schema:
                continue
            tables = _center_schema_tables(cursor, schema, set(survey.center_apps))
            if tables is None:
                survey.foreign_schemas.append(schema)
                continue
            findings.append(
                Finding(
                    Kind.ORPHAN_SCHEMA,
                    schema,
                    _(
                        "Schema %(schema)s has no service center: an orphan left by an interrupted creation "
                        "or restore, or by a center removed without its schema (%(tables)s tables)."
                    )
                    % {"schema": schema, "tables": tables},
                )
            )

    existing = set(schemas)
    for center in centers:
        names = {"name": center.name, "code": center.code, "schema": center.schema_name}
        domains = list(center.domains.all())
        if not any(domain.is_primary for domain in domains):
            findings.append(
                Finding(
                    Kind.NO_PRIMARY_DOMAIN,
                    center.schema_name,
                    _("Center “%(name)s” (%(code)s) has no primary domain.") % names,
                )
            )
        if center.schema_name not in existing:
            findings.append(
                Finding(
                    Kind.MISSING_SCHEMA,
                    center.schema_name,
                    _("Center “%(name)s” (%(code)s): its schema %(schema)s does not exist.") % names,
                )
            )
            continue
        for missing in _half_provisioned(center, {domain.domain for domain in domains}):
            findings.append(
                Finding(
                    Kind.HALF_PROVISIONED,
                    center.schema_name,
                    _("Center “%(name)s” (%(code)s) is not fully provisioned: %(missing)s.")
                    % {**names, "missing": missing},
                )
            )

    for domain in Domain.objects.exclude(tenant_id__in=ServiceCenter.objects.values("pk")).order_by("domain"):
        findings.append(
            Finding(
                Kind.ORPHAN_DOMAIN,
                domain.domain,
                _("Domain %(domain)s points to no service center.") % {"domain": domain.domain},
            )
        )

    for folder in _media_folders():
        name = folder.name
        if name in never or name in by_schema:
            continue
        if not OURS_NAME_RE.match(name):
            survey.foreign_media.append(name)
            continue
        findings.append(
            Finding(
                Kind.ORPHAN_MEDIA,
                name,
                _("Media folder %(path)s belongs to no service center (%(files)s files).")
                % {"path": folder, "files": _count_files(folder)},
            )
        )
    return survey


# --- Repairing -------------------------------------------------------------------------------------


def _drop_schema(schema: str) -> None:
    if schema in {settings.PUBLIC_SCHEMA_NAME, settings.TENANT_BASE_SCHEMA} or schema.startswith("pg_"):
        raise RuntimeError(f"refusing to drop {schema}")
    if ServiceCenter.objects.filter(schema_name=schema).exists():
        raise RuntimeError(f"refusing to drop {schema}: a center uses it")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {quote_schema_name(schema)} CASCADE")


@transaction.atomic
def centers_repair(*, acting_username: str = "") -> Repair:
    """Remove the orphan schemas, orphan media folders and domains without a center; report the rest.

    Runs under the provisioning lock and looks again under it, so it only removes what no creation or
    restore is registering. Each removal is printed by the caller, and logged on ``bianmin.repair``.
    """
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PROVISIONING_LOCK_ID])
    repair = Repair(survey=centers_inconsistencies())
    by = acting_username or "-"
    for finding in repair.survey.findings:
        if not finding.fixable:
            continue
        if finding.kind in (Kind.ORPHAN_SCHEMA, Kind.ORPHAN_MEDIA) and _being_built(finding.subject):
            repair.skipped.append(finding.subject)
            repair.actions.append(
                _("Left %(name)s alone: a restore is building it right now.") % {"name": finding.subject}
            )
            continue
        if finding.kind == Kind.ORPHAN_SCHEMA:
            _drop_schema(finding.subject)
            logger.warning("dropped orphan schema %s (by %s)", finding.subject, by)
            repair.actions.append(_("Dropped the orphan schema %(schema)s.") % {"schema": finding.subject})
        elif finding.kind == Kind.ORPHAN_MEDIA:
            folder = Path(settings.MEDIA_ROOT) / finding.subject
            files = _count_files(folder)
            target = Path(settings.MEDIA_ROOT) / QUARANTINE / f"{timezone.now():%Y%m%d-%H%M%S}-{folder.name}"
            target.parent.mkdir(exist_ok=True)
            os.replace(folder, target)
            logger.warning(
                "moved orphan media folder %s with %d files to %s (by %s)", folder, files, target, by
            )
            repair.actions.append(
                _(
                    "Moved the orphan media folder %(path)s (%(files)s files) to %(target)s; delete it there "
                    "once no one needs it."
                )
                % {"path": folder, "files": files, "target": target}
            )
        elif finding.kind == Kind.ORPHAN_DOMAIN:
            Domain.objects.filter(domain=finding.subject).delete()
            logger.warning("deleted domain %s, which pointed to no center (by %s)", finding.subject, by)
            repair.actions.append(
                _("Deleted the domain %(domain)s, which pointed to no center.") % {"domain": finding.subject}
            )
    return repair
