"""repair_centers: every inconsistency between the registry of centers and the database is reported (dry run,
nothing changed, exit status 1); ``--fix`` drops orphan schemas and media folders and never touches a center;
a clean database reports nothing and exits 0.

The damage is built inside the test's transaction (a clone of the template under a name without a center,
a center row without a schema, a clone registered without its provisioning steps), so the rollback removes
it; media folders are removed by the fixture.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from wagtail.models import Site

import pytest
from django_tenants.utils import schema_context, schema_exists

from tenants.backup import STAGING_PREFIX, restore_lock
from tenants.cloning import clone_template
from tenants.models import Domain, ServiceCenter
from tenants.repair import QUARANTINE, Kind, _drop_schema, centers_inconsistencies

pytestmark = pytest.mark.django_db

ORPHAN, HALF, GHOST, LOST_MEDIA = "orphanx", "halfx", "ghostx", "lostx"


@pytest.fixture
def media():
    created = []

    def folder(name: str, files: int = 1) -> Path:
        path = Path(settings.MEDIA_ROOT) / name / "documents"
        path.mkdir(parents=True, exist_ok=True)
        for number in range(files):
            (path / f"{number}.pdf").write_bytes(b"%PDF-1.4\n")
        created.append(path.parent)
        return path.parent

    yield folder
    for path in [*created, Path(settings.MEDIA_ROOT) / QUARANTINE]:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def damage(center_a, center_b, media):
    """An orphan schema, a center without its schema, a half-provisioned center, an orphan media folder and
    a schema and a folder of other software."""
    clone_template(template=settings.TENANT_BASE_SCHEMA, new_schema=ORPHAN)
    ServiceCenter.objects.create(schema_name=GHOST, code=GHOST, name="幽灵中心")
    clone_template(template=settings.TENANT_BASE_SCHEMA, new_schema=HALF)
    half = ServiceCenter.objects.create(schema_name=HALF, code=HALF, name="半开通中心")
    Domain.objects.create(domain="halfx.localhost", tenant=half, is_primary=True)
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA other_software")
        cursor.execute("CREATE TABLE other_software.django_migrations (id int, app text, name text)")
        cursor.execute("INSERT INTO other_software.django_migrations VALUES (1, 'billing', '0001_initial')")
    lost = media(LOST_MEDIA, files=2)
    foreign = media("CACHE-other")
    return {"lost": lost, "foreign": foreign}


def repair(*args) -> tuple[dict, int]:
    """Run the command with --json; its output and exit status."""
    out = io.StringIO()
    try:
        with translation.override("en"):
            call_command("repair_centers", "--json", *args, stdout=out)
        status = 0
    except CommandError as error:
        status = error.returncode
    return json.loads(out.getvalue()), status


def kinds(result) -> set[tuple[str, str]]:
    return {(finding["kind"], finding["subject"]) for finding in result["findings"]}


def test_a_clean_database_reports_nothing_and_exits_0(center_a, center_b, capsys):
    call_command("repair_centers")  # no CommandError: exit status 0
    out = capsys.readouterr().out
    assert "No inconsistency found" in out or "未发现不一致" in out
    assert centers_inconsistencies().findings == []


def test_the_dry_run_reports_every_inconsistency_and_changes_nothing(damage):
    result, status = repair()

    assert status == 1
    assert kinds(result) >= {
        (Kind.ORPHAN_SCHEMA, ORPHAN),
        (Kind.MISSING_SCHEMA, GHOST),
        (Kind.NO_PRIMARY_DOMAIN, GHOST),
        (Kind.HALF_PROVISIONED, HALF),
        (Kind.ORPHAN_MEDIA, LOST_MEDIA),
    }
    assert not {subject for _kind, subject in kinds(result)} & {"alpha", "beta", "public", "center_template"}
    half = " ".join(f["message"] for f in result["findings"] if f["subject"] == HALF)
    assert "no home page" in half and "missing staff groups" in half and "no active administrator" in half
    assert "the site answers at localhost" in half
    # Other software's schema and folder are listed, never taken for ours.
    assert "other_software" in result["foreign_schemas"] and "CACHE-other" in result["foreign_media"]
    assert result["actions"] == []
    # Nothing changed.
    assert all(schema_exists(name) for name in (ORPHAN, HALF, "other_software"))
    assert damage["lost"].is_dir() and damage["foreign"].is_dir()
    assert ServiceCenter.objects.filter(code__in=[GHOST, HALF]).count() == 2


def test_the_text_report_names_each_finding_and_what_it_left_alone(damage, capsys):
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("repair_centers")
    out = capsys.readouterr().out
    assert error.value.returncode == 1
    assert f"Schema {ORPHAN} has no service center" in out
    assert f"its schema {GHOST} does not exist" in out
    assert "Not ours, left alone: schema other_software." in out
    assert "Run with --fix" in out


def test_fix_removes_the_orphans_and_leaves_every_center_alone(damage, center_a, caplog):
    with schema_context("alpha"):
        alpha_site = Site.objects.get(is_default_site=True).hostname
    logger = logging.getLogger("bianmin.repair")
    logger.addHandler(caplog.handler)
    try:
        result, status = repair("--fix")
    finally:
        logger.removeHandler(caplog.handler)

    assert not schema_exists(ORPHAN) and not damage["lost"].exists()
    # The media folder is moved aside, not deleted (MEDIA_ROOT might be another database's by mistake).
    (moved,) = (Path(settings.MEDIA_ROOT) / QUARANTINE).glob(f"*-{LOST_MEDIA}")
    assert len(list(moved.rglob("*.pdf"))) == 2
    assert len(result["actions"]) == 2
    assert f"dropped orphan schema {ORPHAN}" in caplog.text and "moved orphan media folder" in caplog.text
    # Centers, even broken ones, and what is not ours stay.
    assert all(schema_exists(name) for name in ("alpha", "beta", HALF, "other_software"))
    assert ServiceCenter.objects.filter(code__in=["alpha", "beta", GHOST, HALF]).count() == 4
    assert damage["foreign"].is_dir()
    with schema_context("alpha"):
        assert Site.objects.get(is_default_site=True).hostname == alpha_site
    # What needs a person remains, so the status stays 1.
    assert status == 1 and result["remaining"] == len(
        [f for f in result["findings"] if f["subject"] in (GHOST, HALF)]
    )
    after, _status = repair()
    assert (Kind.ORPHAN_SCHEMA, ORPHAN) not in kinds(after) and (Kind.ORPHAN_MEDIA, LOST_MEDIA) not in kinds(
        after
    )


def test_fix_on_orphans_only_ends_clean(center_a, media):
    clone_template(template=settings.TENANT_BASE_SCHEMA, new_schema=ORPHAN)
    media(LOST_MEDIA)
    result, status = repair("--fix")
    assert status == 0 and result["remaining"] == 0 and len(result["actions"]) == 2
    after, status = repair()
    assert status == 0 and after["findings"] == []


def test_fix_leaves_a_schema_a_restore_is_building(center_a):
    staging = f"{STAGING_PREFIX}building"
    clone_template(template=settings.TENANT_BASE_SCHEMA, new_schema=staging)
    with restore_lock(staging):
        result, _status = repair("--fix")
    assert (Kind.ORPHAN_SCHEMA, staging) in kinds(result)
    assert schema_exists(staging) and "a restore is building it" in " ".join(result["actions"])


def test_a_schema_with_a_center_is_never_dropped(center_a):
    for schema in ("alpha", "public", settings.TENANT_BASE_SCHEMA):
        with pytest.raises(RuntimeError):
            _drop_schema(schema)
    assert schema_exists("alpha")
