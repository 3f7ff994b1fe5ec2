"""Backup and restore of one center (export_center / import_center): a round trip gives back every
table row for row and every file byte for byte, leaves the other centers alone, and a damaged archive
or one from a newer version is refused with nothing created.

pg_dump and psql run in their own sessions: they see committed data only, so the test works on
what provisioning committed (about 126 tables with their rows) and on media files on disk, and drops
the restored schema at the end."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

import pytest
from django_tenants.utils import schema_exists

from tenants.backup import (
    MANIFEST,
    SCHEMA_SQL,
    STAGING_PREFIX,
    _snapshot_connection,
    center_export,
    center_import,
    table_checksums,
)
from tenants.models import ServiceCenter

NEW = "alpharestore"


@pytest.fixture
def media_file(center_a):
    folder = Path(settings.MEDIA_ROOT) / center_a.schema_name / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "公告-停水.pdf"
    path.write_bytes(b"%PDF-1.4 test document\n" * 50)
    yield path
    path.unlink(missing_ok=True)


@pytest.fixture
def cleanup():
    """Ask for it before the database fixtures: its teardown then runs after the test's transaction
    is rolled back (that transaction holds locks on the restored schema's tables)."""
    yield
    # psql committed the restored schema in its own session: drop it in a session of our own too
    # (a DROP in the test's transaction would be rolled back with it).
    # The restore renamed its staging schema to NEW in the test's transaction: after the rollback it is
    # the staging schema again.
    with _snapshot_connection() as session:
        for schema in (NEW, STAGING_PREFIX + NEW):
            session.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    for folder in (NEW, STAGING_PREFIX + NEW):
        shutil.rmtree(Path(settings.MEDIA_ROOT) / folder, ignore_errors=True)


def test_round_trip_gives_back_every_row_and_file_and_leaves_others_alone(
    cleanup, center_a, center_b, media_file, tmp_path, capsys
):
    beta_before = table_checksums(center_b.schema_name)
    archive = tmp_path / "alpha.tar.gz"
    call_command("export_center", "alpha", "--output", str(archive))
    assert "alpha:" in capsys.readouterr().out
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    assert (
        manifest["center"]["code"] == "alpha"
        and "operations.0013_desk_hours_messages" in manifest["migrations"]
    )
    assert manifest["files"]["documents/公告-停水.pdf"]

    call_command("import_center", str(archive), "--as", NEW, "--domain", "alpha-restore.localhost")
    center = ServiceCenter.objects.get(code=NEW)
    assert center.name == center_a.name and center.domains.get().domain == "alpha-restore.localhost"

    original, restored = table_checksums(center_a.schema_name), table_checksums(NEW)
    assert set(original) == set(restored)
    differing = {t for t in original if original[t] != restored[t]}
    assert differing <= {"wagtailcore_site"}  # the site now answers at the new domain
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT hostname FROM "{NEW}".wagtailcore_site')
        assert cursor.fetchone()[0] == "alpha-restore.localhost"
    copy = Path(settings.MEDIA_ROOT) / NEW / "documents" / "公告-停水.pdf"
    assert copy.read_bytes() == media_file.read_bytes()
    assert table_checksums(center_b.schema_name) == beta_before


def _rewrite(archive: Path, target: Path, change) -> Path:
    work = target.parent / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    change(work)
    with tarfile.open(target, "w:gz") as tar:
        for path in work.rglob("*"):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(work).as_posix())
    return target


def test_a_damaged_or_newer_archive_is_refused_and_nothing_is_created(cleanup, center_a, tmp_path, zh):
    archive = tmp_path / "alpha.tar.gz"
    center_export(center=center_a, output=archive)

    def tamper_sql(work: Path):
        sql = work / SCHEMA_SQL
        sql.write_text(sql.read_text().replace("入住手续", "入住手续X", 1))

    def from_the_future(work: Path):
        manifest = json.loads((work / MANIFEST).read_text())
        manifest["migrations"].append("operations.9999_from_the_future")
        (work / MANIFEST).write_text(json.dumps(manifest))

    for change, words in ((tamper_sql, "校验"), (from_the_future, "更新的版本")):
        bad = _rewrite(archive, tmp_path / f"{change.__name__}.tar.gz", change)
        with pytest.raises(ValidationError) as error:
            center_import(archive=bad, new_code=NEW, domain="alpha-restore.localhost")
        assert words in " ".join(error.value.messages)
        assert not schema_exists(NEW) and not ServiceCenter.objects.filter(code=NEW).exists()
        shutil.rmtree(tmp_path / "unpacked")


def test_restoring_under_an_existing_code_is_refused(center_a, tmp_path):
    archive = tmp_path / "alpha.tar.gz"
    center_export(center=center_a, output=archive)
    with pytest.raises(ValidationError):
        center_import(archive=archive)  # alpha exists
    assert ServiceCenter.objects.filter(code="alpha").count() == 1
