"""Benchmark: provisioning a center by cloning the template vs django-tenants' creation by migrations.

A benchmark, not a test: it asserts nothing about time, it prints figures. ``make bench`` runs it::

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python tests/bench/bench_provisioning.py \
        [--n 3] [--grow 200]

It never touches the developer's databases: it creates a scratch database
(``bianmin_bench_<pid>``) on the server the settings point at (DATABASE_URL, or the embedded
server when that is unset), runs ``migrate`` there (public schema and ``center_template``),
and drops it at the end, also on Ctrl-C, SIGTERM or an error.

1. Creates ``--n`` centers each way, rotating the order, and prints the medians of
   (a) our provisioning cold (``tenants.services.center_create`` with no spare ready: clone of
   the template, then site, home page, groups, defaults and first admin), (w) warm: the same
   service claiming a spare schema made ahead (``tenants.spares``; the spare is made untimed
   before each creation, as the background refill does), and (b) django-tenants' creation by
   migrations (tenant row and domain, then ``create_schema`` with TENANT_CREATION_FAKES_MIGRATIONS
   off: CREATE SCHEMA and every migration), and the ratios b/a and b/w.
2. Provisions more centers the (a) way (or (w) with ``--grow-warm``) until ``--grow`` centers
   exist, printing progress, and compares the first 10 with the last 10 to show whether
   provisioning stays flat.
3. Prints where the time of (a) goes (validation, fresh session, template clone, site, groups,
   admin, commit; for (b) the migrations) and a summary against the targets of the issue.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib.metadata
import logging
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

from tests.bench.scratch import run_in_scratch_database  # noqa: E402 - sys.path is set up above

# Targets from the issue.
TARGET_A_SECONDS = 1.5
TARGET_W_SECONDS = 0.2
TARGET_RATIO = 8.0
FLAT_WINDOW = 10
PROGRESS_EVERY = 25
ADMIN_PASSWORD = "bench-pass-2026"  # validate_admin_password=False; the database is dropped after.


# Timed sections of a creation, in display order (see Recorder and instrument()).
SECTIONS = [
    ("validate", "validate input"),
    ("connect", "fresh database session"),
    ("clone_sql", "template clone (tenants.cloning)"),
    ("claim", "spare claim (rename, tenants.spares)"),
    ("migrate", "migrate_schemas (b only)"),
    ("site", "site + home page"),
    ("groups", "groups + permissions"),
    ("admin", "first admin"),
    ("commit", "COMMIT"),
    ("other", "other (row, domain, lock, audit)"),
]


# --- Timing ------------------------------------------------------------------------------------------


class Recorder:
    """Self time of instrumented sections during one creation (nested sections are not double counted)."""

    def __init__(self):
        self.current: dict[str, float] | None = None
        self._children: list[float] = []

    def wrap(self, key: str, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if self.current is None:
                return func(*args, **kwargs)
            self._children.append(0.0)
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                children = self._children.pop()
                self.current[key] = self.current.get(key, 0.0) + elapsed - children
                if self._children:
                    self._children[-1] += elapsed

        return wrapper

    @contextmanager
    def sample(self):
        """Collect one creation's sections; the caller stores ``total`` (its own wall clock)."""
        from django.db import connection

        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        self.current = {}
        self._children = []
        sections = self.current
        try:
            with connection.execute_wrapper(count):
                yield sections
        finally:
            self.current = None
            sections["queries"] = queries
            sections["other"] = sections.get("total", 0.0) - sum(
                sections.get(key, 0.0) for key, _label in SECTIONS if key != "other"
            )


def instrument(recorder: Recorder) -> None:
    """Wrap the steps of both creation paths; benchmark-side only, no project code is changed."""
    from django.db import connection

    import django_tenants.models

    import tenants.services
    from tenants import provisioning

    tenants.services._clean_center_input = recorder.wrap("validate", tenants.services._clean_center_input)
    # The steps the apps registered (tenants.provisioning); the others count as "other".
    keys = {
        provisioning.SITE: "site",
        provisioning.SITE_NAME: "site",
        provisioning.GROUPS: "groups",
        provisioning.FIRST_ADMIN: "admin",
    }
    for step in provisioning.provisioning_steps():
        if step.order in keys:
            provisioning._steps[step.name] = dataclasses.replace(
                step, run=recorder.wrap(keys[step.order], step.run)
            )
    tenants.services.clone_template = recorder.wrap("clone_sql", tenants.services.clone_template)
    tenants.services.spare_schema_claim = recorder.wrap("claim", tenants.services.spare_schema_claim)
    connection.close = recorder.wrap("connect", connection.close)
    django_tenants.models.call_command = recorder.wrap("migrate", django_tenants.models.call_command)
    # Atomic.__exit__ and transaction.commit() call the wrapper's commit(): an instance attribute wins.
    connection.commit = recorder.wrap("commit", connection.commit)


# --- The two ways of creating a center ----------------------------------------------------------


def create_by_cloning(recorder: Recorder, index: int, fresh_connection: bool, warm: bool = False) -> dict:
    """(a) our provisioning service with no spare ready, or (w, ``warm``) claiming a spare made just before."""
    from django.db import connections

    from tenants.services import center_create
    from tenants.spares import spare_pool_refill

    if warm:
        spare_pool_refill(size=1)  # untimed, as the background refill makes it
    if fresh_connection:
        connections.close_all()  # the next query connects, inside the timing

    code = f"bench_{'w' if warm else 'a'}{index:03d}"
    with recorder.sample() as sample:
        started = time.perf_counter()
        result = center_create(
            name=f"Bench center {'W' if warm else 'A'}{index:03d}",
            code=code,
            domain=f"bench-{'w' if warm else 'a'}{index:03d}.localhost",
            admin_password=ADMIN_PASSWORD,
            validate_admin_password=False,
        )
        sample["total"] = time.perf_counter() - started
    if warm and not result.from_spare:
        raise RuntimeError("the warm creation did not claim the spare made for it")
    return sample


def create_by_migrations(recorder: Recorder, index: int, fresh_connection: bool) -> dict:
    """(b) django-tenants' default: tenant row (+ domain), then create_schema running every migration."""
    from django.db import connection, connections
    from django.test import override_settings

    from django_tenants.models import TenantMixin
    from django_tenants.signals import post_schema_sync

    from tenants.models import Domain, ServiceCenter

    code = f"bench_b{index:03d}"
    if fresh_connection:
        connections.close_all()
    # get_creation_fakes_migrations() reads the setting at call time.
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False), recorder.sample() as sample:
        started = time.perf_counter()
        center = ServiceCenter(schema_name=code, code=code, name=f"Bench center B{index:03d}")
        center.save()
        Domain.objects.create(domain=f"bench-b{index:03d}.localhost", tenant=center, is_primary=True)
        center.create_schema(check_if_exists=True, verbosity=0)
        post_schema_sync.send(sender=TenantMixin, tenant=center.serializable_fields())
        sample["total"] = time.perf_counter() - started
    connection.set_schema_to_public()
    return sample


# --- Reporting ------------------------------------------------------------------------------------


def median(samples: list[dict], key: str = "total") -> float:
    return statistics.median(sample.get(key, 0.0) for sample in samples)


def mean(samples: list[dict], key: str) -> float:
    return statistics.fmean(sample.get(key, 0.0) for sample in samples)


def print_breakdown(columns: list[tuple[str, list[dict]]]) -> None:
    """Mean seconds per section for each column of samples."""
    header = f"    {'section':<34}" + "".join(f"{title:>16}" for title, _samples in columns)
    print(header)
    for key, label in SECTIONS:
        print(f"    {label:<34}" + "".join(f"{mean(samples, key):>15.3f}s" for _title, samples in columns))
    print(f"    {'total (wall clock)':<34}" + "".join(f"{mean(s, 'total'):>15.3f}s" for _t, s in columns))
    print(f"    {'SQL queries (mean)':<34}" + "".join(f"{mean(s, 'queries'):>16.0f}" for _t, s in columns))


def status(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "NOT met")


def server_description(config: dict) -> tuple[str, str, str]:
    """Server version, which server, and the settings that change these figures most."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('server_version'), pg_jit_available(), current_setting('jit'), "
            "current_setting('autovacuum')"
        )
        version, jit_available, jit, autovacuum = cursor.fetchone()
    # pg_jit_available() is false when jit=off, so it only tells anything when jit=on.
    if jit == "on":
        jit += " (JIT compiler installed)" if jit_available else " (no JIT compiler installed)"
    tuning = f"jit={jit}, autovacuum={autovacuum}"
    if os.environ.get("DATABASE_URL"):
        where = f"DATABASE_URL server {config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
    else:
        where = f"embedded server (socket in {config.get('HOST')})"
    return version, where, tuning


# --- Main -------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n", type=int, default=3, help="centers created each way for the comparison (default 3)"
    )
    parser.add_argument(
        "--grow",
        type=int,
        default=200,
        help="provision (a) until this many centers exist, counting those of the comparison (default 200)",
    )
    parser.add_argument(
        "--flat-tolerance",
        type=float,
        default=0.25,
        help="'flat' means median of the last 10 <= (1 + this) x median of the first 10 (default 0.25)",
    )
    parser.add_argument(
        "--fresh-connection",
        action="store_true",
        help="close the database connection before each center, as a web request with CONN_MAX_AGE=0 "
        "does (default: one connection for the whole run, as a management command)",
    )
    parser.add_argument(
        "--grow-warm",
        action="store_true",
        help="grow with spare schemas (w) instead of cold clones (a); each spare is made untimed first",
    )
    parser.add_argument(
        "--production-hasher",
        action="store_true",
        help="hash the admin password with Django's default hasher (PBKDF2) instead of the test settings' MD5",
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    return args


def run(args: argparse.Namespace, config: dict, db_name: str) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tenants.models import ServiceCenter

    logging.getLogger("bianmin.tenants").setLevel(logging.WARNING)  # one INFO line per center otherwise
    if args.production_hasher:
        from django.conf import global_settings

        settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - started
    version, where, tuning = server_description(config)

    print("Bianmin provisioning benchmark")
    print(f"  PostgreSQL {version}, {where}; scratch database {db_name}")
    print(f"  server settings: {tuning}")
    print(
        "  connection: "
        + (
            "a fresh one per center (like a web request with CONN_MAX_AGE=0)"
            if args.fresh_connection
            else "one for the whole run (like a management command)"
        )
    )
    print(
        f"  Django {django.get_version()}, django-tenants "
        f"{importlib.metadata.version('django-tenants')}, settings {os.environ['DJANGO_SETTINGS_MODULE']}, "
        f"password hasher {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}"
    )
    print(f"  setup: migrate (public schema + {settings.TENANT_BASE_SCHEMA}) took {migrate_seconds:.1f} s")

    recorder = Recorder()
    instrument(recorder)

    # 1. Comparison, rotating the order so that load affects every way alike.
    print(f"\nComparison: {args.n} center(s) each way, rotating order")
    print(f"    {'#':>3}  {'order':<8}{'(a) cold':>11}{'(w) spare':>12}{'(b) migrations':>17}")
    cloned: list[dict] = []
    warm: list[dict] = []
    migrated: list[dict] = []
    next_a = 1
    orders = ["awb", "wba", "baw"]
    for i in range(1, args.n + 1):
        order = orders[(i - 1) % len(orders)]
        for way in order:
            if way == "a":
                cloned.append(create_by_cloning(recorder, next_a, args.fresh_connection))
                next_a += 1
            elif way == "w":
                warm.append(create_by_cloning(recorder, i, args.fresh_connection, warm=True))
            else:
                migrated.append(create_by_migrations(recorder, i, args.fresh_connection))
        print(
            f"    {i:>3}  {','.join(order):<8}{cloned[-1]['total']:>10.2f}s{warm[-1]['total']:>11.3f}s"
            f"{migrated[-1]['total']:>16.2f}s"
        )
    median_a = median(cloned)
    median_w = median(warm)
    median_b = median(migrated)
    ratio = median_b / median_a
    print(f"  median (a) our provisioning, cold:    {median_a:7.3f} s")
    print(f"  median (w) from a spare schema:       {median_w:7.3f} s")
    print(f"  median (b) django-tenants migrations: {median_b:7.3f} s")
    print(f"  ratio b/a:                            {ratio:7.1f}x")
    print(f"  ratio b/w:                            {median_b / median_w:7.1f}x")
    print(f"  ratio a/w:                            {median_a / median_w:7.1f}x")
    print("  Where the time goes (mean seconds per center):")
    print_breakdown([("(a) cold", cloned), ("(w) spare", warm), ("(b) migrations", migrated)])

    # 2. Growth: only (a), until --grow centers exist.
    count = ServiceCenter.objects.count()
    grown: list[dict] = []
    if args.grow > count:
        way = "(w) from spares" if args.grow_warm else "(a) cold"
        print(f"\nGrowth: our provisioning, {way}, until {args.grow} centers exist (now {count})")
        since_progress: list[dict] = []
        growth_started = time.perf_counter()
        while count < args.grow:
            sample = create_by_cloning(recorder, next_a + 1000, args.fresh_connection, warm=args.grow_warm)
            next_a += 1
            count += 1
            grown.append(sample)
            since_progress.append(sample)
            if count % PROGRESS_EVERY == 0 or count == args.grow:
                print(
                    f"    {count:>4} centers: median {median(since_progress):5.2f} s over the last "
                    f"{len(since_progress):>2} (min {min(s['total'] for s in since_progress):.2f}, "
                    f"max {max(s['total'] for s in since_progress):.2f}; "
                    f"template clone {mean(since_progress, 'clone_sql'):.2f}), "
                    f"{time.perf_counter() - growth_started:6.0f} s elapsed"
                )
                since_progress = []
    else:
        print(f"\nGrowth: skipped, {count} centers exist already (--grow {args.grow})")

    all_a = (warm if args.grow_warm else cloned) + grown
    first = all_a[:FLAT_WINDOW]
    last = all_a[-FLAT_WINDOW:]
    median_first = median(first)
    median_last = median(last)
    enough = len(all_a) >= 2 * FLAT_WINDOW
    change = median_last / median_first - 1
    print(f"  (a) median of the first {len(first)} created: {median_first:.2f} s")
    print(f"  (a) median of the last {len(last)} created:  {median_last:.2f} s ({change:+.0%})")
    if not enough:
        print(f"  (fewer than {2 * FLAT_WINDOW} centers provisioned the (a) way: the two sets overlap)")
    print("  Where the time goes, first vs last (mean seconds per center):")
    print_breakdown([(f"first {len(first)}", first), (f"last {len(last)}", last)])

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "(SELECT count(*) FROM pg_class), (SELECT count(*) FROM pg_namespace)"
        )
        size, relations, namespaces = cursor.fetchone()
    print(f"  database at the end: {count} centers, {size}, {relations} pg_class rows, {namespaces} schemas")

    # 3. Summary against the targets of the issue.
    flat_met = median_last <= median_first * (1 + args.flat_tolerance) if enough else None
    rows = [
        (
            f"(a) our provisioning <= {TARGET_A_SECONDS} s (median)",
            f"{median_a:.2f} s",
            median_a <= TARGET_A_SECONDS,
        ),
        (
            f"(w) from a spare <= {TARGET_W_SECONDS} s (median)",
            f"{median_w:.3f} s",
            median_w <= TARGET_W_SECONDS,
        ),
        (f"ratio b/a >= {TARGET_RATIO:g}x", f"{ratio:.1f}x", ratio >= TARGET_RATIO),
        (
            f"flat as centers grow (last {FLAT_WINDOW} <= first {FLAT_WINDOW} +{args.flat_tolerance:.0%})",
            f"{median_first:.2f} -> {median_last:.2f} s ({change:+.0%})",
            flat_met,
        ),
    ]
    print("\nSummary")
    print(f"    {'target':<50}{'measured':<28}status")
    for target, measured, met in rows:
        print(f"    {target:<50}{measured:<28}{status(met)}")
    print(f"    PostgreSQL {version}, {where}")
    print(
        f"    {count} centers at the end; (a) n={len(cloned)}, (w) n={len(warm)}, grown n={len(grown)}, (b) n={len(migrated)}"
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    return run_in_scratch_database(
        prefix="bianmin_bench", run=lambda server_config, db_name: run(args, server_config, db_name)
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
