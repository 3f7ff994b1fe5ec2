"""Bianmin through PgBouncer in session mode (issue #16): the CI step `.ci/run` runs, under
``bin/pgbouncer-session`` (which starts PgBouncer and exports ``PGBOUNCER_PORT``)::

    bin/pgbouncer-session -- .venv/bin/python tests/pgbouncer.py --database bianmin_ci

1. **Why not transaction mode** — the statement ``portal.db`` sends for every schema switch
   (``SET search_path = …; SET bianmin.schema = …``) is made by two clients in turn; the first client then
   asks whose its connection is. Through the session pool it is still its own center; through the
   transaction-mode demonstration pool (one server connection, ``PGBOUNCER_TRANSACTION_DEMO=1``) it is
   the *other* center's: the leak that makes Bianmin refuse transaction pooling.
2. **The isolation tests** (host routing, both centers' pages, the public pages, row-level security of the
   shared tables) with ``DATABASE_URL`` through PgBouncer, reusing the test database ``test_<database>``
   that ``make test`` left (``--reuse-db``: pytest-django creates nothing through the pooler).
3. **Two centers' pages, alternately** — gunicorn (2 workers × 2 threads) on that test database through
   PgBouncer, the page cache off, 60 requests alternating the centers ``alpha`` and ``beta`` four at a
   time: every answer is 200, names its own center and never the other. Once with ``CONN_MAX_AGE=60``
   (each Django connection, one PgBouncer session, switches between the centers) and once with ``0``
   (a new PgBouncer client per request: the few server connections pass from one center's request to
   the other's, reset by ``DISCARD ALL``). Prints how many client logins shared how many server
   connections.

Not collected by pytest (the file is not ``test_*.py``); it needs PgBouncer, which ``.ci/run`` installs.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ISOLATION_TESTS = [
    "tests/test_isolation.py",
    "tests/test_public_isolation.py",
    "tests/test_row_level_security.py",
    "tests/tenants/test_middleware.py",
    "tests/portal/test_inbox_isolation.py",
    "tests/portal/test_db_backend.py",
]
# tests.base.TEST_CENTERS: the centers every test database has (made by the suite's session fixture).
CENTERS = {"alpha.localhost": "阿尔法服务中心", "beta.localhost": "贝塔服务中心"}
TRANSACTION_DEMO_DB = "bianmin_transaction_mode_demo"  # bin/pgbouncer-session, PGBOUNCER_TRANSACTION_DEMO=1
REQUESTS = 60


def say(message: str) -> None:
    print(f"pgbouncer: {message}", flush=True)


def fail(message: str) -> None:
    print(f"pgbouncer: FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def url(port: int, database: str) -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/{database}"


# 1. Session state under session and transaction pooling ------------------------------------------------


def whose_connection_after_another_center_switches(dsn: str) -> tuple[str, str]:
    """Client A switches to alpha, client B to beta (as portal.db does, autocommit), then A asks."""
    with psycopg.connect(dsn, autocommit=True) as a, psycopg.connect(dsn, autocommit=True) as b:
        a.execute("SET search_path = 'alpha','public'; SET bianmin.schema = 'alpha'")
        b.execute("SET search_path = 'beta','public'; SET bianmin.schema = 'beta'")
        row = a.execute(
            "SELECT current_setting('search_path'), current_setting('bianmin.schema', true)"
        ).fetchone()
        return row[0], row[1]


def check_session_state(port: int, database: str) -> None:
    path, schema = whose_connection_after_another_center_switches(url(port, database))
    if schema != "alpha" or not path.startswith("alpha"):
        fail(f"session mode: client A switched to alpha but its connection says {path=} {schema=}")
    say(f"session pool: A still sees its own center (search_path {path}, bianmin.schema {schema})")
    if os.environ.get("PGBOUNCER_TRANSACTION_DEMO") == "1":
        path, schema = whose_connection_after_another_center_switches(url(port, TRANSACTION_DEMO_DB))
        if schema != "beta":
            fail(f"transaction-mode demonstration did not show the leak ({path=} {schema=})")
        say(
            f"transaction pool (demonstration only): A's next query ran as the OTHER center "
            f"(search_path {path}, bianmin.schema {schema}) — why Bianmin refuses transaction pooling"
        )


# 2. The isolation tests through PgBouncer ---------------------------------------------------------------


def run_isolation_tests(port: int, database: str) -> None:
    env = {**os.environ, "DATABASE_URL": url(port, database)}
    command = [
        str(ROOT / ".venv/bin/pytest"),
        "--ds=portal.settings.test",
        "--reuse-db",
        "-q",
        *ISOLATION_TESTS,
    ]
    started = time.monotonic()
    if subprocess.run(command, cwd=ROOT, env=env, check=False).returncode:
        fail("the isolation tests failed through PgBouncer")
    say(f"isolation tests through PgBouncer passed in {time.monotonic() - started:.0f} s")


# 3. Two centers' pages, alternately, through gunicorn and PgBouncer ------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port: int, host: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": f"{host}:{port}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own local server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def server_logins(database: str) -> tuple[int, int]:
    """(client logins, server connections made) for the database, from PgBouncer's log."""
    log = (ROOT / "var/pgbouncer/pgbouncer.log").read_text(errors="replace").splitlines()
    clients = sum(1 for line in log if f" {database}/" in line and "login attempt" in line)
    servers = sum(1 for line in log if f" {database}/" in line and "new connection to server" in line)
    return clients, servers


def check_pages(pg_port: int, database: str, conn_max_age: int) -> None:
    web_port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url(pg_port, database),
        "CONN_MAX_AGE": str(conn_max_age),
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "PAGE_CACHE_SECONDS": "0",  # every page from the database, not from a cache
    }
    env.pop("REDIS_URL", None)
    log_path = ROOT / "var/pgbouncer/gunicorn.log"
    before = server_logins(database)
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{web_port}"]
            + ["--workers", "2", "--threads", "2", "--worker-class", "gthread", "--timeout", "60"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(150):
            try:
                fetch(web_port, "alpha.localhost")
                break
            except OSError:
                if server.poll() is not None:
                    fail(f"gunicorn exited:\n{log_path.read_text()}")
                time.sleep(0.2)
        hosts = [list(CENTERS)[i % 2] for i in range(REQUESTS)]
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda host: (host, *fetch(web_port, host)), hosts))
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    wrong = []
    for host, status, body in answers:
        own = CENTERS[host]
        others = [name for other, name in CENTERS.items() if other != host and name in body]
        if status != 200 or own not in body or others:
            wrong.append(
                f"{host} {status} own name {'present' if own in body else 'MISSING'}, others named {others}"
            )
    if wrong:
        print("\n".join(log_path.read_text(errors="replace").splitlines()[-40:]), file=sys.stderr)
        fail(
            f"CONN_MAX_AGE={conn_max_age}: {len(wrong)} of {REQUESTS} answers wrong, e.g. "
            + "; ".join(wrong[:3])
        )
    after = server_logins(database)
    clients, servers = after[0] - before[0], after[1] - before[1]
    say(
        f"CONN_MAX_AGE={conn_max_age}: {REQUESTS} requests alternating alpha/beta, 4 at a time, in {elapsed:.1f} s: "
        f"each named its own center only ({clients} PgBouncer client logins, {servers} new server connections)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="bianmin_ci", help="the DATABASE_URL database make test used")
    parser.add_argument("--skip-tests", action="store_true", help="only the session probe and the pages")
    args = parser.parse_args()
    if not os.environ.get("PGBOUNCER_PORT"):
        fail("run under bin/pgbouncer-session (PGBOUNCER_PORT unset)")
    port = int(os.environ["PGBOUNCER_PORT"])
    test_database = f"test_{args.database}"
    with psycopg.connect(url(port, "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [test_database]).fetchone():
            fail(f"no database {test_database}: run make test with DATABASE_URL=…/{args.database} first")
    check_session_state(port, test_database)
    if not args.skip_tests:
        run_isolation_tests(port, args.database)
    for conn_max_age in (60, 0):
        check_pages(port, test_database, conn_max_age)


if __name__ == "__main__":
    main()
