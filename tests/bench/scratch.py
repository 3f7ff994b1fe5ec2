"""The scratch database every benchmark runs in: created on the configured server, dropped after.

``run_in_scratch_database`` points Django's default database at a new, empty database before
``django.setup()`` (settings are loaded, the embedded server started if needed, no connection
open yet), runs the benchmark, and drops the database at the end — also on Ctrl-C, SIGTERM or an
error — so benchmarks never touch the developer's databases.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

# Keys of DATABASES["default"]["OPTIONS"] that Django consumes itself and psycopg does not accept.
DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "assume_role", "pool"}


def connection_kwargs(config: dict, dbname: str) -> dict:
    """psycopg.connect() keywords for ``dbname`` on the server of a DATABASES entry."""
    kwargs = {
        "dbname": dbname,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": str(config["PORT"]) if config.get("PORT") else None,
    }
    kwargs.update(
        {key: value for key, value in (config.get("OPTIONS") or {}).items() if key not in DJANGO_ONLY_OPTIONS}
    )
    return {key: value for key, value in kwargs.items() if value is not None}


def maintenance_connection(config: dict):
    import psycopg

    return psycopg.connect(**connection_kwargs(config, "postgres"), autocommit=True)


def create_database(config: dict, name: str) -> None:
    from psycopg import sql

    with maintenance_connection(config) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(config: dict, name: str) -> None:
    from psycopg import sql

    with maintenance_connection(config) as conn:
        try:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        except Exception:  # PostgreSQL < 13 has no WITH (FORCE)
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run_in_scratch_database(
    *, prefix: str, run: Callable[[dict, str], None], conn_max_age: int | None = None
) -> int:
    """Run ``run(server_config, db_name)`` against ``<prefix>_<pid>``; the exit status for main()."""
    from django.conf import settings

    config = settings.DATABASES["default"]
    db_name = f"{prefix}_{os.getpid()}"
    server_config = dict(config)
    create_database(server_config, db_name)
    config["NAME"] = db_name
    if conn_max_age is not None:
        config["CONN_MAX_AGE"] = conn_max_age
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        import django

        django.setup()
        run(server_config, db_name)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            from django.db import connections

            connections.close_all()
        except Exception as exc:  # noqa: BLE001 - a connection broken by the interrupt; DROP ... FORCE ends it
            print(f"(closing connections: {exc})", file=sys.stderr)
        drop_database(server_config, db_name)
        print(f"Scratch database {db_name} dropped.", file=sys.stderr)
    return 0
