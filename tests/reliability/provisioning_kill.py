"""SIGKILL during provisioning (and during a restore): afterwards no half center, and repair_centers finds
and removes any orphan. An experiment, not a unit test: it prints a table and exits 1 on a failure.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bianmin_h2 \\
        .venv/bin/python tests/reliability/provisioning_kill.py [--runs 20] [--imports N] [--seed N] [--keep]
    .venv/bin/python tests/reliability/provisioning_kill.py --scratch     # make reliability

About 9 minutes for the default 20 + 14 runs (each run starts Django three to five times).

Each run starts a *driver* (this file with ``--driver create``, in its own process) that calls
``tenants.services.center_create`` with markers printed at each phase: ``validate``, ``locked`` (the
advisory lock is held), ``clone`` / ``clone_done``, ``step:site`` … ``step:profile``, ``audit`` (a
test-only last step: only the audit row and COMMIT remain), ``commit``, ``committed``, ``done``. The
markers come from wrapping the service's collaborators in the driver process only; production code has no
hook for this. The driver is killed with SIGKILL

- at a random delay after it called ``center_create`` (0 to 1.1 × the duration of a calibration run), or
- *in flight*: a random delay into a phase (inside the clone's one big statement, inside a step), or
- *paused*: the driver sleeps at a named phase (``--pause-at``), so the kill lands exactly there.

After each kill it measures how long the killed session still holds the provisioning lock and lives on the
server, checks with its own SQL that every center is complete (schema, site at its domain, home page,
groups, an administrator, primary domain, audit row; for a restore its media) and that no schema or media
folder lacks its center, runs ``manage.py repair_centers`` (dry run, then ``--fix`` if it found anything,
then a dry run that must be clean), and creates the same center again normally, which must succeed.
``--imports`` runs the same for ``manage.py import_center`` of an archive of the calibration center.

Safety: it needs an explicit DATABASE_URL and refuses a database with centers it did not make (codes not
starting with ``kill``) or with inconsistencies before it starts, unless ``--force``; it creates the
database when it does not exist and migrates it when the template schema is missing. ``--scratch`` uses a
new database ``bianmin_kill_<pid>`` on DATABASE_URL's server (the embedded development server when it is
unset), migrated first (about 30 s) and dropped at the end. Media go to a temporary MEDIA_ROOT. The
experiment's centers are removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
MARK = "@@PHASE"
PREFIX = "kill"
PROVISIONING_LOCK_ID = 0x6269616E  # tenants.services.PROVISIONING_LOCK_ID
ADMIN_PASSWORD = "Kill-test-passw0rd"  # noqa: S105 - a scratch database's throwaway centers
PAUSE_SECONDS = 120


# --- The driver (a child process) ---------------------------------------------------------------------


def _mark_factory(pause_at: str):
    seen: dict[str, int] = {}

    def mark(phase: str) -> None:
        seen[phase] = seen.get(phase, 0) + 1
        if seen[phase] > 1:  # a phase that comes again (a commit of each migration) gets a number
            phase = f"{phase}#{seen[phase]}"
        print(f"{MARK} {phase} {time.monotonic():.6f}", flush=True)
        if phase == pause_at:
            time.sleep(PAUSE_SECONDS)  # the parent kills us here

    return mark


def _wrap(owner, attr: str, before: str, mark, after: str = "") -> None:
    original = getattr(owner, attr, None)
    if original is None:
        return

    def wrapper(*args, **kwargs):
        mark(before)
        result = original(*args, **kwargs)
        if after:
            mark(after)
        return result

    setattr(owner, attr, wrapper)


def _instrument_commit(mark) -> None:
    from django.db import connections

    database = connections["default"]
    commit = database.commit

    def commit_marked():
        mark("commit")
        commit()
        mark("committed")

    database.commit = commit_marked


def _instrument_create(mark) -> None:
    from tenants import provisioning, services

    clean = services._clean_center_input
    calls = itertools.count()

    def clean_marked(**kwargs):
        mark("validate" if next(calls) == 0 else "locked")  # the second call runs under the lock
        return clean(**kwargs)

    services._clean_center_input = clean_marked
    # After the template check only a fresh connection and the advisory lock come before "locked".
    _wrap(services, "check_template_is_current", "template_check", mark, after="lock_wait")
    _wrap(services, "clone_template", "clone", mark, after="clone_done")
    labels = {
        provisioning.SITE: "site",
        provisioning.GROUPS: "groups",
        provisioning.DEFAULTS: "defaults",
        provisioning.SITE_NAME: "site_name",
        provisioning.FIRST_ADMIN: "first_admin",
        provisioning.PROFILE: "profile",
    }
    registered = services.provisioning_steps

    def step_marked(step):
        def run(new_center):
            mark(f"step:{labels.get(step.order, step.name)}")
            step.run(new_center)

        return dataclasses.replace(step, run=run)

    def steps_marked(**kwargs):
        # A test-only last step: after it only the audit row and COMMIT remain.
        last = provisioning.ProvisioningStep(order=10**9, name="audit", run=lambda new_center: mark("audit"))
        return [step_marked(step) for step in registered(**kwargs)] + [last]

    services.provisioning_steps = steps_marked
    _instrument_commit(mark)


def _instrument_import(mark) -> None:
    from tenants import backup

    _wrap(backup, "_read_archive", "read", mark)
    run = subprocess.run

    def run_marked(command, *args, **kwargs):
        restore = "--file" in command and Path(str(command[0])).name == "psql"
        if restore:
            mark("restore")
        result = run(command, *args, **kwargs)
        if restore:
            mark("restore_done")
        return result

    backup.subprocess.run = run_marked
    _wrap(backup, "table_checksums", "verify", mark)
    _wrap(backup, "call_command", "migrate", mark)
    _wrap(backup.shutil, "copytree", "media", mark)
    _wrap(backup.os, "replace", "media_move", mark)
    _wrap(backup, "_register", "register", mark)
    _instrument_commit(mark)


def driver(args) -> int:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    from django.core.exceptions import ValidationError

    mark = _mark_factory(args.pause_at)
    try:
        if args.driver == "create":
            from tenants.services import center_create

            _instrument_create(mark)
            center_create(
                name=f"断电测试 {args.code}",
                code=args.code,
                domain=args.domain,
                admin_password=ADMIN_PASSWORD,
                admin_phone="13800000000",
                acting_username="provisioning_kill",
            )
        elif args.driver == "import":
            from tenants.backup import center_import

            _instrument_import(mark)
            center_import(archive=Path(args.archive), new_code=args.code, domain=args.domain)
        elif args.driver == "cleanup":
            return _cleanup(args.code)
    except ValidationError as error:
        print(f"REFUSED {' '.join(error.messages)}", flush=True)
        return 3
    mark("done")
    return 0


def _cleanup(prefix: str) -> int:
    """Remove the experiment's centers (rows, schemas, media)."""
    from django.conf import settings
    from django.db import connection, transaction

    from django_tenants.utils import quote_schema_name

    from tenants.models import ServiceCenter

    for center in ServiceCenter.objects.filter(code__startswith=prefix):
        with transaction.atomic():
            center.audit_log.all().delete()
            center.domains.all().delete()
            schema = center.schema_name
            center.delete()
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(schema)} CASCADE")
        shutil.rmtree(Path(settings.MEDIA_ROOT) / schema, ignore_errors=True)
    print(f"removed the centers {prefix}*")
    return 0


# --- The experiment (the parent) ---------------------------------------------------------------------


@dataclasses.dataclass
class Plan:
    op: str  # create / import
    mode: str  # random / inflight / pause
    phase: str = ""  # the phase a kill aims at ("validate" for random)
    delay: float = 0.0  # seconds after the phase's marker


@dataclasses.dataclass
class Outcome:
    plan: Plan
    code: str
    killed_in: str = ""
    backend_state: str = ""
    lock_free_ms: float = 0.0
    backend_gone_ms: float = 0.0
    after_kill: str = ""  # nothing / complete / half
    half: list = dataclasses.field(default_factory=list)
    orphan_schemas: int = 0
    orphan_media: int = 0
    repair_found: list = dataclasses.field(default_factory=list)
    repair_removed: int = 0
    left_after_retry: int = 0
    retry: str = ""
    retry_seconds: float = 0.0
    retry_lock_ms: float = 0.0
    ok: bool = True


class Experiment:
    def __init__(self, args, url: str):
        self.args = args
        self.url = url
        self.prefix = f"{PREFIX}{secrets.token_hex(2)}"
        self.media = Path(tempfile.mkdtemp(prefix="bianmin-kill-media-"))
        self.work = Path(tempfile.mkdtemp(prefix="bianmin-kill-"))
        self.rng = random.Random(args.seed)
        self.groups = 0
        self.archive: Path | None = None
        self.archive_files = 0
        self.outcomes: list[Outcome] = []
        self.known_half: set[str] = set()  # half centers already counted (each fails one run only)

    # --- Processes ---

    def env(self, app: str) -> dict:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "MEDIA_ROOT": str(self.media),
            "PGAPPNAME": app,
            "PYTHONUNBUFFERED": "1",
            "BIANMIN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings.dev"),
        }

    def manage(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *argv],
            cwd=REPO_ROOT,
            env=self.env("bianmin-kill-manage"),
            capture_output=True,
            text=True,
            check=False,
        )

    def start_driver(self, op: str, code: str, *, pause_at: str = "", archive: Path | None = None):
        command = [sys.executable, __file__, "--driver", op, "--code", code, "--domain", domain_of(code)]
        if pause_at:
            command += ["--pause-at", pause_at]
        if archive:
            command += ["--archive", str(archive)]
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=self.env(app_of(code)),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return process, Markers(process)

    def run_driver(self, op: str, code: str, *, archive: Path | None = None):
        process, markers = self.start_driver(op, code, archive=archive)
        process.wait()
        markers.join()
        return process.returncode, markers

    # --- Database ---

    def connect(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def probe_lock(self, since: float) -> float:
        """Milliseconds from ``since`` until the provisioning lock can be taken."""
        with self.connect() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", [PROVISIONING_LOCK_ID])
            taken = time.monotonic()
            conn.execute("SELECT pg_advisory_unlock(%s)", [PROVISIONING_LOCK_ID])
        return (taken - since) * 1000

    def backend_state(self, app: str) -> str:
        with self.connect() as conn:
            rows = conn.execute(
                "SELECT state, left(regexp_replace(query, '\\s+', ' ', 'g'), 28) FROM pg_stat_activity "
                "WHERE application_name = %s",
                [app],
            ).fetchall()
        return "; ".join(f"{state}: {query}" for state, query in rows) or "gone"

    def wait_active(self, app: str, prefix: str) -> None:
        with self.connect() as conn:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if conn.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE application_name = %s AND state = 'active' "
                    "AND query LIKE %s",
                    [app, f"{prefix}%"],
                ).fetchone():
                    return
                time.sleep(0.002)

    def wait_backend_gone(self, app: str, since: float) -> float:
        with self.connect() as conn:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app]
                ).fetchone()
                if not count:
                    return (time.monotonic() - since) * 1000
                time.sleep(0.005)
        raise RuntimeError(f"the killed session {app} still lives after 120 s")

    def inspect(self) -> dict:
        """Our own view, in SQL: half centers, schemas and media folders without a center."""
        with self.connect() as conn:
            centers = conn.execute(
                "SELECT c.id, c.code, c.schema_name, "
                "(SELECT count(*) FROM tenants_domain d WHERE d.tenant_id = c.id AND d.is_primary), "
                "(SELECT array_agg(domain) FROM tenants_domain d WHERE d.tenant_id = c.id), "
                "(SELECT max(action) FROM tenants_centerauditlog a WHERE a.center_id = c.id "
                " AND a.action IN ('create', 'import')) "
                "FROM tenants_servicecenter c"
            ).fetchall()
            schemas = {
                row[0]
                for row in conn.execute(
                    "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' "
                    "AND nspname NOT IN ('information_schema', 'public', 'center_template')"
                )
            }
            half = {}
            for _id, code, schema, primaries, domains, audit in centers:
                problems = []
                if schema not in schemas:
                    half[code] = ["no schema"]
                    continue
                q = f'"{schema}"'
                site = conn.execute(
                    f"SELECT hostname FROM {q}.wagtailcore_site WHERE is_default_site"
                ).fetchone()
                if site is None or site[0] not in (domains or []):
                    problems.append(f"site {site[0] if site else None}")
                if not conn.execute(f"SELECT count(*) FROM {q}.cms_homepage").fetchone()[0]:
                    problems.append("no home page")
                groups = conn.execute(f"SELECT count(*) FROM {q}.auth_group").fetchone()[0]
                if groups < self.groups:
                    problems.append(f"{groups} groups")
                if not conn.execute(
                    f"SELECT count(*) FROM {q}.auth_user WHERE is_superuser AND is_active"
                ).fetchone()[0]:
                    problems.append("no admin")
                if primaries != 1:
                    problems.append(f"{primaries} primary domains")
                if audit is None:
                    problems.append("no audit row")
                if (
                    audit == "import"
                    and self.archive_files
                    and files_in(self.media / schema) != self.archive_files
                ):
                    problems.append(f"{files_in(self.media / schema)} of {self.archive_files} media files")
                if problems:
                    half[code] = problems
        registered = {schema for _id, _code, schema, *_rest in centers}
        folders = {p.name for p in self.media.iterdir() if p.is_dir() and not p.name.startswith(".")}
        media = folders - registered - {"public"}
        return {"half": half, "orphan_schemas": sorted(schemas - registered), "orphan_media": sorted(media)}

    # --- Repair ---

    def repair_report(self) -> list[dict]:
        """The findings of ``manage.py repair_centers`` (dry run); its exit status must say whether any."""
        dry = self.manage("repair_centers", "--json")
        found = json.loads(dry.stdout)["findings"] if dry.stdout.strip() else []
        if dry.returncode not in (0, 1) or (dry.returncode == 1) != bool(found):
            raise RuntimeError(f"repair_centers: exit {dry.returncode}: {dry.stderr.strip()[-300:]}")
        return found

    def repair_fix(self) -> int:
        """``repair_centers --fix``; the number of removals. A dry run afterwards must be clean."""
        fixed = self.manage("repair_centers", "--fix", "--json")
        removed = len(json.loads(fixed.stdout)["actions"]) if fixed.stdout.strip() else 0
        if self.manage("repair_centers").returncode != 0:
            raise RuntimeError(f"repair_centers still finds something after --fix: {fixed.stdout}")
        return removed

    def retry(self, outcome: Outcome, archive: Path | None) -> int:
        status, retry = self.run_driver(outcome.plan.op, outcome.code, archive=archive)
        outcome.retry_seconds = retry.span("validate" if outcome.plan.op == "create" else "read", "done")
        outcome.retry_lock_ms = retry.span("lock_wait", "locked") * 1000
        if status != 0:
            outcome.retry = f"refused: {retry.tail()[-90:]}"
        return status

    # --- One run ---

    def kill_run(self, plan: Plan, code: str, archive: Path | None = None) -> Outcome:
        outcome = Outcome(plan=plan, code=code)
        pause = plan.phase if plan.mode == "pause" else ""
        process, markers = self.start_driver(plan.op, code, pause_at=pause, archive=archive)
        if not markers.wait_for(plan.phase, timeout=120):
            process.wait()
            markers.join()
            outcome.killed_in = "(finished before the kill)"
        else:
            if plan.mode == "inflight" and plan.phase == "clone":
                # Aim inside the clone's one big statement: wait until the server runs it.
                self.wait_active(app_of(code), "CREATE SCHEMA")
            time.sleep(plan.delay)
            killed_at = time.monotonic()
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            outcome.backend_state = self.backend_state(app_of(code))
            outcome.lock_free_ms = self.probe_lock(killed_at)
            outcome.backend_gone_ms = self.wait_backend_gone(app_of(code), killed_at)
            markers.join()
            outcome.killed_in = markers.last_before(killed_at)
        state = self.inspect()
        outcome.half = [f"{c}: {', '.join(p)}" for c, p in state["half"].items() if c not in self.known_half]
        self.known_half |= set(state["half"])
        outcome.orphan_schemas = len(state["orphan_schemas"])
        outcome.orphan_media = len(state["orphan_media"])
        outcome.after_kill = (
            "half" if code in state["half"] else ("complete" if self.has_center(code) else "nothing")
        )
        # repair_centers must find every orphan our own SQL sees, and every half center.
        found = self.repair_report()
        outcome.repair_found = [f"{f['kind']}:{f['subject']}" for f in found]
        subjects = {f["subject"] for f in found}
        missed = (set(state["orphan_schemas"]) | set(state["orphan_media"]) | set(state["half"])) - subjects
        if outcome.half or missed:
            outcome.ok = False
            outcome.half += [f"missed by repair_centers: {sorted(missed)}"] if missed else []
        # The same center again, normally, before any repair: nothing may be left blocking it.
        if outcome.after_kill == "nothing":
            if self.retry(outcome, archive) == 0:
                outcome.retry = "ok"
            else:
                outcome.repair_removed += self.repair_fix()
                status = self.retry(outcome, archive)
                outcome.retry = "ok after repair --fix" if status == 0 else f"FAILED {outcome.retry}"
                outcome.ok &= status == 0
        else:
            outcome.retry = "not needed (the center is there)"
        mid = self.inspect()
        outcome.left_after_retry = len(mid["orphan_schemas"]) + len(mid["orphan_media"])
        if self.repair_report():
            outcome.repair_removed += self.repair_fix()
        after = self.inspect()
        after["half"] = {c: p for c, p in after["half"].items() if c not in self.known_half}
        if after["half"] or after["orphan_schemas"] or after["orphan_media"]:
            outcome.ok = False
            outcome.half.append(f"after retry and repair: {after}")
            self.known_half |= set(after["half"])
        return outcome

    def has_center(self, code: str) -> bool:
        with self.connect() as conn:
            return (
                conn.execute("SELECT 1 FROM tenants_servicecenter WHERE code = %s", [code]).fetchone()
                is not None
            )

    # --- The whole experiment ---

    def calibrate(self) -> tuple[dict, dict]:
        code = f"{self.prefix}_cal"
        status, markers = self.run_driver("create", code)
        if status != 0:
            raise SystemExit(f"The calibration center could not be created: {markers.tail()}")
        with self.connect() as conn:
            self.groups = conn.execute(f'SELECT count(*) FROM "{code}".auth_group').fetchone()[0]
        create = markers.durations()
        # An archive of it with one media file, for the restores.
        documents = self.media / code / "documents"
        documents.mkdir(parents=True)
        (documents / "断电测试.pdf").write_bytes(b"%PDF-1.4 kill test\n" * 100)
        self.archive = self.work / "cal.tar.gz"
        self.archive_files = 1
        export = self.manage("export_center", code, "--output", str(self.archive))
        if export.returncode != 0:
            raise SystemExit(f"export_center failed: {export.stderr}")
        imports = {}
        if self.args.imports != 0:
            status, markers = self.run_driver("import", f"{self.prefix}_ical", archive=self.archive)
            if status != 0:
                raise SystemExit(f"The calibration restore failed: {markers.tail()}")
            imports = markers.durations()
        return create, imports

    def plans(self, create: dict, imports: dict) -> list[Plan]:
        total = create["validate"][1]
        targeted = [
            ("pause", "locked"),
            ("inflight", "clone"),
            ("pause", "clone_done"),
            ("inflight", "step:site"),
            ("pause", "step:groups"),
            ("inflight", "step:defaults"),
            ("pause", "step:first_admin"),
            ("pause", "step:profile"),
            ("pause", "audit"),
            ("pause", "commit"),
            ("inflight", "commit"),
            ("inflight", "clone"),
        ]
        runs = self.args.runs
        plans = [Plan("create", mode, phase) for mode, phase in targeted[: runs - runs * 2 // 5]]
        plans += [Plan("create", "random", "validate") for _ in range(runs - len(plans))]
        self.rng.shuffle(plans)
        for plan in plans:
            if plan.mode == "random":
                plan.delay = self.rng.uniform(0, 1.1 * total)
            elif plan.mode == "inflight":
                plan.delay = self.rng.uniform(0, 0.8 * create.get(plan.phase, (0, 0.005))[0])
        if imports:
            # In flight inside psql's restore, at a random moment, then paused at each phase in turn.
            kinds = [("inflight", "restore"), ("random", "read")]
            kinds += [("pause", phase) for phase in imports if phase not in ("read", "done")]
            count = len(kinds) if self.args.imports is None else self.args.imports
            for mode, phase in itertools.islice(itertools.cycle(kinds), count):
                plan = Plan("import", mode, phase)
                if mode == "random":
                    plan.delay = self.rng.uniform(0, 1.1 * imports["read"][1])
                elif mode == "inflight":
                    plan.delay = self.rng.uniform(0, imports[phase][0])
                plans.append(plan)
        return plans

    def run(self) -> int:
        print(f"Database {database_of(self.url)}, centers {self.prefix}_*, media {self.media}")
        create, imports = self.calibrate()
        print("Calibration (seconds in each phase, seconds from the phase to the end):")
        for name, table in (("create", create), ("import", imports)):
            if table:
                print(f"  {name}: " + ", ".join(f"{p} {d:.3f}" for p, (d, _rest) in table.items()))
        for number, plan in enumerate(self.plans(create, imports), 1):
            code = f"{self.prefix}_{number:02d}"
            archive = self.archive if plan.op == "import" else None
            outcome = self.kill_run(plan, code, archive)
            self.outcomes.append(outcome)
            print(row(number, outcome), flush=True)
        return self.report()

    def report(self) -> int:
        print()
        print(LEGEND)
        print(HEADER)
        for number, outcome in enumerate(self.outcomes, 1):
            print(row(number, outcome))
        print()
        for op in ("create", "import"):
            done = [o for o in self.outcomes if o.plan.op == op]
            if not done:
                continue
            locks = sorted(o.lock_free_ms for o in done if o.backend_state)
            gone = sorted(o.backend_gone_ms for o in done if o.backend_state)
            by_retry = sum(
                o.orphan_schemas + o.orphan_media - o.left_after_retry for o in done if o.retry == "ok"
            )
            phases = {}
            for o in done:
                phases[o.killed_in] = phases.get(o.killed_in, 0) + 1
            print(f"{op}: {len(done)} runs killed in " + ", ".join(f"{p} ×{n}" for p, n in phases.items()))
            print(
                f"  half centers {sum(bool(o.half) for o in done)}; centers complete after the kill "
                f"{sum(o.after_kill == 'complete' for o in done)}, nothing left of the center "
                f"{sum(o.after_kill == 'nothing' for o in done)}"
            )
            print(
                f"  orphan schemas {sum(o.orphan_schemas for o in done)}, orphan media folders "
                f"{sum(o.orphan_media for o in done)}; found by repair_centers "
                f"{sum(len(o.repair_found) for o in done)}; removed by the next {op} of the code "
                f"{by_retry}, by repair_centers --fix "
                f"{sum(o.repair_removed for o in done)}"
            )
            print(
                f"  the same center again: ok {sum(o.retry == 'ok' for o in done)}, ok after repair "
                f"{sum(o.retry == 'ok after repair --fix' for o in done)}, failed "
                f"{sum(o.retry.startswith('FAILED') for o in done)}, not needed "
                f"{sum(o.retry.startswith('not needed') for o in done)}"
            )
            if locks:
                print(
                    f"  after the kill the provisioning lock was free in median {statistics.median(locks):.0f} ms "
                    f"(max {locks[-1]:.0f} ms), the server session ended in median {statistics.median(gone):.0f} "
                    f"ms (max {gone[-1]:.0f} ms)"
                )
        failed = [o for o in self.outcomes if not o.ok]
        for outcome in failed:
            print(
                f"FAILED {outcome.code}: half {outcome.half} repair {outcome.repair_found} retry {outcome.retry}"
            )
        print("PASS" if not failed else f"FAIL: {len(failed)} runs")
        return 1 if failed else 0

    def cleanup(self) -> None:
        if not self.args.keep:
            subprocess.run(
                [sys.executable, __file__, "--driver", "cleanup", "--code", self.prefix],
                cwd=REPO_ROOT,
                env=self.env("bianmin-kill-cleanup"),
                check=False,
            )
        shutil.rmtree(self.media, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)


LEGEND = """\
kill: random@validate+D = D after center_create was called; inflight@P+D = D into phase P; pause@P = the driver
sleeps at P. killed in: the last phase marker the driver printed. server session at kill: the killed client's
backend in pg_stat_activity. lock: until the provisioning lock could be taken after the kill; gone: until the
backend had ended. after: what the kill left of this center. half: half centers; orph/media: schemas and media
folders without a center (own SQL); repair: findings of repair_centers (dry run); fixed: removals by --fix.
retry: the same center created (restored) again, before any repair."""

HEADER = (
    f"{'run':>3} {'op':6} {'kill':24} {'killed in':16} {'server session at kill':30} {'lock':>6} {'gone':>6} "
    f"{'after':8} {'half':>4} {'orph':>4} {'media':>5} {'repair':>6} {'fixed':>5} retry"
)


def row(number: int, o: Outcome) -> str:
    kill = o.plan.mode if o.plan.mode != "pause" else "pause"
    kill = f"{kill}@{o.plan.phase}" + (f"+{o.plan.delay * 1000:.0f}ms" if o.plan.mode != "pause" else "")
    lock = f" (lock {o.retry_lock_ms:.0f} ms)" if o.retry_lock_ms == o.retry_lock_ms else ""  # not NaN
    retry = o.retry if o.retry != "ok" else f"ok {o.retry_seconds:.2f}s{lock}"
    return (
        f"{number:>3} {o.plan.op:6} {kill:24} {o.killed_in:16} {o.backend_state[:30]:30} {o.lock_free_ms:>4.0f}ms "
        f"{o.backend_gone_ms:>4.0f}ms {o.after_kill:8} {len(o.half):>4} {o.orphan_schemas:>4} {o.orphan_media:>5} "
        f"{len(o.repair_found):>6} {o.repair_removed:>5} {retry}" + ("" if o.ok else "  <-- FAIL")
    )


class Markers:
    """The phase markers a driver prints, read as they come (with the time the driver printed them)."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.seen: list[tuple[str, float]] = []
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.process.stdout:
            with self.changed:
                if line.startswith(MARK):
                    _mark, phase, at = line.split()
                    self.seen.append((phase, float(at)))
                else:
                    self.lines.append(line.rstrip())
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, phase: str, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(
                lambda: any(p == phase for p, _ in self.seen) or not self.thread.is_alive(), timeout
            ) and any(p == phase for p, _ in self.seen)

    def join(self):
        self.thread.join(timeout=30)

    def last_before(self, moment: float) -> str:
        before = [phase for phase, at in self.seen if at <= moment]
        return before[-1] if before else "(startup)"

    def at(self, phase: str) -> float | None:
        return next((at for p, at in self.seen if p == phase), None)

    def span(self, start: str, end: str) -> float:
        a, b = self.at(start), self.at(end)
        return b - a if a is not None and b is not None else float("nan")

    def durations(self) -> dict[str, tuple[float, float]]:
        """Each phase's (duration, time from it to the end)."""
        end = self.seen[-1][1]
        return {
            phase: ((self.seen[i + 1][1] if i + 1 < len(self.seen) else end) - at, end - at)
            for i, (phase, at) in enumerate(self.seen)
        }

    def tail(self) -> str:
        return " | ".join(self.lines[-4:])


def app_of(code: str) -> str:
    return f"bianmin-kill-{code}"


def domain_of(code: str) -> str:
    return f"{code.replace('_', '-')}.localhost"


def files_in(path: Path) -> int:
    return sum(1 for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


# --- Safety and setup ------------------------------------------------------------------------------


def database_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    """The same server and options, another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database_of(url)))
        )
    print(f"Scratch database {database_of(url)} dropped.")


def prepare_database(url: str, force: bool) -> None:
    import psycopg
    from psycopg import sql

    name = database_of(url)
    try:
        psycopg.connect(url).close()
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
        with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"Created the database {name}.")
    with psycopg.connect(url, autocommit=True) as conn:
        has_registry = conn.execute("SELECT to_regclass('public.tenants_servicecenter')").fetchone()[0]
        others = []
        if has_registry:
            others = [
                row[0]
                for row in conn.execute(
                    "SELECT code FROM tenants_servicecenter WHERE code NOT LIKE %s", [f"{PREFIX}%"]
                )
            ]
        has_template = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'center_template'").fetchone()
    if others and not force:
        raise SystemExit(
            f"Refusing: {name} holds centers this experiment did not make ({', '.join(others[:5])}…). It kills "
            "processes and drops orphan schemas: use a scratch database, or --force."
        )
    if not has_template:
        print(f"Migrating {name} (public schema and the center template)…", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"],
            cwd=REPO_ROOT,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="kills of center_create (default 20)")
    parser.add_argument(
        "--imports", type=int, default=None, help="kills of import_center (default: one per phase; 0: none)"
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the experiment's centers")
    parser.add_argument("--force", action="store_true", help="run on a database with other centers")
    parser.add_argument(
        "--scratch",
        action="store_true",
        help="create a database bianmin_kill_<pid> on DATABASE_URL's server (or the embedded one), migrate "
        "it, drop it at the end",
    )
    parser.add_argument("--driver", choices=["create", "import", "cleanup"], help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    parser.add_argument("--domain", help=argparse.SUPPRESS)
    parser.add_argument("--archive", help=argparse.SUPPRESS)
    parser.add_argument("--pause-at", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.driver:
        return driver(args)

    url = os.environ.get("DATABASE_URL", "")
    if args.scratch:
        if not url:  # the embedded development server, started if needed
            sys.path.insert(0, str(REPO_ROOT))
            from portal.devdb import database_url

            url = database_url()
        url = with_database(url, f"bianmin_kill_{os.getpid()}")
    elif not url:
        raise SystemExit(
            "Set DATABASE_URL to a scratch database (e.g. postgresql://postgres@127.0.0.1:5432/bianmin_h2), "
            "or use --scratch."
        )
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(10**6)
    print(f"seed {args.seed}")
    try:
        prepare_database(url, args.force)
        experiment = Experiment(args, url)
        before = experiment.manage("repair_centers")
        if before.returncode != 0 and not args.force:
            raise SystemExit(
                f"Refusing: the database is not consistent before the experiment:\n{before.stdout}"
            )
        try:
            return experiment.run()
        finally:
            experiment.cleanup()
    finally:
        if args.scratch:
            drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
