"""Benchmark: head office's dashboard over 10,000 centers with 24 months of rollups.

A benchmark, not a test: it asserts nothing about time, it prints figures::

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python tests/bench/bench_dashboard.py \
        [--centers 10000] [--months 24] [--naive-centers 100] [--n 20] [--explain]

Like the other benchmarks it works in a scratch database (``bianmin_bench_dashboard_<pid>``)
dropped at the end, also on Ctrl-C, SIGTERM or an error.

1. Rollups: ``--centers`` ``tenants.ServiceCenter`` rows made with ``bulk_create`` (rows only, no
   schemas — the dashboard reads nothing else), spread over eight regions, each with ``--months``
   months of ``portal.CenterMonth`` (the running month partly done) and a ``portal.CenterKpi`` row
   (some with work orders or complaints past their deadline, a few with alerts). Head office's
   pages — the dashboard plain, sorted by a rate and filtered by a region, the league table, the
   heat map, the trends and a center's page — are requested ``--n`` times through the Django test
   Client on the head office host, signed in as a head-office superuser, first when only the
   first 10 centers exist and again with all of them: the median server time, the SQL time and
   query count of each, and whether the query count is the same for 10 centers as for 10,000.
   Target of the issue: the dashboard in at most 300 ms with a query count independent of the
   number of centers.
2. The naive way, for the ratio: ``--naive-centers`` real centers provisioned with
   ``tenants.services.center_create`` (a template clone, about 0.5–1 s each), each given some
   work orders and complaints of this month with ``bulk_create`` and its rollup published by
   ``operations.services.kpis.kpis_publish``. A loop over those schemas computing each center's
   month from its own tables (``operations.selectors.kpis.kpi_figures``, what head office would
   run without rollups) is timed against reading the same centers' month from the rollups
   (``portal.kpis.dashboard_centers`` filtered to them, one query); both medians, the ratio and
   the loop extrapolated to ``--centers`` are printed, and the two readings are checked to agree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

from tests.bench.bench_service_desk import describe_server, measure  # noqa: E402
from tests.bench.scratch import run_in_scratch_database  # noqa: E402 - sys.path is set up above

TARGET_MS = 300.0
SMALL = 10
HQ_PASSWORD = "bench-pass-2026"  # noqa: S105 - the scratch database is dropped at the end
BATCH = 5000
REGIONS = ["东区", "西区", "南区", "北区", "中区", "高新区", "开发区", "滨江片区"]
DESCRIPTIONS = ["厨房水龙头漏水", "楼道灯不亮", "下水道堵塞", "门禁刷卡无反应", "代交水电费"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--centers", type=int, default=10_000, help="centers with rollups (default 10000)")
    parser.add_argument("--months", type=int, default=24, help="months of rollups per center (default 24)")
    parser.add_argument(
        "--naive-centers",
        type=int,
        default=100,
        help="real center schemas for the naive loop (default 100; provisioning takes about 0.5-1 s each)",
    )
    parser.add_argument("--n", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of the dashboard's page query even if met"
    )
    parser.add_argument("--conn-max-age", type=int, default=60)
    return parser.parse_args(argv)


# --- Rollups ------------------------------------------------------------------------------------


def add_centers(*, start: int, count: int, months: list[dt.date], rng: random.Random) -> list:
    """Bulk-create ``count`` center rows (no schema) with their months of rollups and open counts."""
    from django.utils import timezone

    from portal.models import CenterKpi, CenterMonth
    from tenants.models import ServiceCenter

    centers = ServiceCenter.objects.bulk_create(
        (
            ServiceCenter(
                schema_name=f"bulk{i:05d}",
                code=f"bulk{i:05d}",
                name=f"压测第{i:05d}服务中心",
                region=rng.choice(REGIONS),
            )
            for i in range(start, start + count)
        ),
        batch_size=BATCH,
    )
    today = timezone.localdate()
    this_month = today.replace(day=1)
    batch = []
    for center in centers:
        size = rng.uniform(0.3, 2.5)  # a small or a large center
        quality = rng.uniform(0.82, 1.0)  # how well it keeps its commitments
        elders = int(rng.randint(80, 400) * size)
        for month in months:
            # The running month is only partly done.
            share = today.day / 31 if month == this_month else 1.0
            completed = int(rng.gauss(120, 25) * size * share)
            completed = max(completed, 0)
            ratings = int(completed * rng.uniform(0.3, 0.6))
            complaints = (
                rng.choices(range(6), weights=[40, 25, 15, 10, 6, 4])[0] if rng.random() < share else 0
            )
            replied = complaints - (1 if complaints and rng.random() < 0.2 else 0)
            required = int(elders * 1.6 * share)
            high = int(elders * 0.12)
            priority = int(elders * 0.25)
            clinics = 1 if month.month in (5, 11) and share == 1 else 0
            birthdays = 1 if month.month % 3 == 2 and share == 1 else 0
            repair_days = 1 if month.month % 3 == 1 and share == 1 else 0
            others = rng.randint(0, 3) if share == 1 else 0
            batch.append(
                CenterMonth(
                    center=center,
                    month=month,
                    work_orders_opened=int(completed * rng.uniform(0.95, 1.08)),
                    work_orders_completed=completed,
                    work_orders_in_time=int(completed * min(1.0, quality + rng.uniform(-0.04, 0.04))),
                    work_orders_breached=int(completed * (1 - quality) * rng.uniform(0.2, 0.6)),
                    completion_minutes_median=rng.randint(90, 1500) if completed else None,
                    complaints_received=complaints,
                    complaints_major=1 if complaints >= 4 and rng.random() < 0.3 else 0,
                    complaints_replied=replied,
                    complaints_replied_in_time=replied - (1 if replied and rng.random() < 0.1 else 0),
                    responses=ratings + rng.randint(0, 10),
                    ratings=ratings,
                    ratings_satisfied=int(ratings * min(1.0, quality + rng.uniform(-0.08, 0.05))),
                    clinics_held=clinics,
                    birthday_parties_held=birthdays,
                    repair_days_held=repair_days,
                    activities_held=clinics + birthdays + repair_days + others,
                    elders_high=high,
                    elders_priority=priority,
                    elders_general=elders - high - priority,
                    elder_visits_required=required,
                    elder_visits_done=int(required * min(1.0, quality + rng.uniform(-0.05, 0.08))),
                    elders_fully_visited=int(elders * quality * share),
                    escalations_opened=rng.randint(0, 3),
                    escalations_resolved=rng.randint(0, 3),
                    special_services_done=int(rng.randint(0, 30) * size * share),
                )
            )
            if len(batch) == BATCH:
                CenterMonth.objects.bulk_create(batch)
                batch = []
    if batch:
        CenterMonth.objects.bulk_create(batch)
    CenterKpi.objects.bulk_create(
        (
            CenterKpi(
                center=center,
                work_orders_open=rng.randint(5, 60),
                work_orders_overdue=rng.randint(1, 6) if rng.random() < 0.2 else 0,
                inquiries_overdue=rng.randint(1, 3) if rng.random() < 0.05 else 0,
                complaints_open=rng.randint(0, 3),
                complaints_overdue=1 if rng.random() < 0.05 else 0,
                loans_out=rng.randint(0, 12),
                overdue_loans=rng.randint(1, 3) if rng.random() < 0.1 else 0,
                escalations_open=1 if rng.random() < 0.03 else 0,
                escalations_over_day=1 if rng.random() < 0.01 else 0,
                work_orders_late_over_day=rng.randint(1, 3) if rng.random() < 0.02 else 0,
            )
            for center in centers
        ),
        batch_size=BATCH,
    )
    return centers


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def explain_dashboard(month: dt.date) -> None:
    """EXPLAIN ANALYZE of the dashboard's page query and count (plain and sorted by a rate)."""
    from django.db import connection

    from portal.kpis import dashboard_centers

    for label, sort in (("plain", ""), ("sorted by -in_time_rate", "-in_time_rate")):
        queryset = dashboard_centers(month=month, sort=sort)
        for what, sql_params in (
            ("page query", queryset[:50].query.sql_with_params()),
            ("count", queryset.order_by().values("pk").query.sql_with_params()),
        ):
            sql, params = sql_params
            if what == "count":
                sql = f"SELECT COUNT(*) FROM ({sql}) counted"
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
                plan = [row[0] for row in cursor.fetchall()]
            print(f"\n  EXPLAIN ANALYZE, dashboard {label}, {what}:")
            for line in plan:
                print(f"    {line}")


# --- The naive way --------------------------------------------------------------------------------


def fill_naive_center(rng: random.Random, *, month_start: dt.datetime, now: dt.datetime) -> None:
    """A few work orders and complaints of this month in the current schema (``bulk_create``)."""
    from django.db import connection

    from operations.models import Complaint, Department, WorkOrder

    departments = list(Department.objects.order_by("pk")) or [None]
    span = max((now - month_start).total_seconds() - 3 * 3600, 3600)
    rows = []
    for index in range(rng.randint(20, 60)):
        accepted = month_start + dt.timedelta(seconds=rng.uniform(0, span))
        deadline = accepted + dt.timedelta(hours=rng.choice((4, 24, 48, 72)))
        done = rng.random() < 0.85
        completed = min(accepted + dt.timedelta(hours=rng.uniform(0.5, 40)), now) if done else None
        rated = done and rng.random() < 0.5
        rows.append(
            WorkOrder(
                number=f"GD{index:08d}",
                tracking_code=f"T{index:08d}",
                description=rng.choice(DESCRIPTIONS),
                department=departments[index % len(departments)],
                status=WorkOrder.Status.CLOSED if done else WorkOrder.Status.IN_PROGRESS,
                deadline=deadline,
                is_breached=bool(completed and completed > deadline) or (not done and deadline < now),
                accepted_at=accepted,
                completed_at=completed,
                called_back_at=completed + dt.timedelta(minutes=30) if rated else None,
                satisfaction=rng.choice((3, 4, 5, 5)) if rated else None,
            )
        )
    WorkOrder.objects.bulk_create(rows)
    complaints = []
    for index in range(rng.randint(0, 5)):
        replied = rng.random() < 0.7
        complaints.append(
            Complaint(
                number=f"TS{index:08d}",
                tracking_code=f"C{index:08d}",
                channel=Complaint.Channel.PHONE,
                is_major=rng.random() < 0.1,
                content="服务态度",
                status=Complaint.Status.REPLIED if replied else Complaint.Status.INVESTIGATING,
                reply_due=(now + dt.timedelta(days=rng.choice((-2, 3)))).date(),
                replied_at=now - dt.timedelta(hours=rng.uniform(1, 20)) if replied else None,
            )
        )
    Complaint.objects.bulk_create(complaints)
    # bulk_create set ``created`` to now (auto_now_add): registration is when it was accepted.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE operations_workorder SET created = accepted_at")


def provision_naive(count: int, rng: random.Random) -> tuple[list, float]:
    """``count`` real centers (template clones) with records and their published rollup."""
    from django.utils import timezone

    from django_tenants.utils import schema_context

    from operations.selectors.elders import local_midnight
    from operations.services.kpis import kpis_publish
    from tenants.services import center_create

    now = timezone.now()
    today = timezone.localdate(now)
    month_start = local_midnight(today.replace(day=1))
    centers, seconds = [], []
    provisioning_log = logging.getLogger("bianmin.tenants")  # one INFO line per center otherwise
    level = provisioning_log.level
    provisioning_log.setLevel(logging.WARNING)
    try:
        for i in range(count):
            code = f"naive{i:03d}"
            provisioned = center_create(
                name=f"逐个压测{i:03d}服务中心",
                code=code,
                domain=f"{code}.localhost",
                admin_password=HQ_PASSWORD,
                validate_admin_password=False,
            )
            seconds.append(provisioned.seconds)
            with schema_context(code):
                fill_naive_center(rng, month_start=month_start, now=now)
                kpis_publish(days=[today], now=now, center=provisioned.center)
            centers.append(provisioned.center)
    finally:
        provisioning_log.setLevel(level)
    return centers, statistics.median(seconds)


def statements(client, url: str) -> list[str]:
    """The SQL statements of one request to ``url``, shortened, to tell which ones differ."""
    from django.db import connection

    shapes: list[str] = []

    def record(execute, sql, params, many, context):
        shapes.append(" ".join(sql.split())[:110])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get(url)
    return shapes


def timed(function, n: int) -> tuple[float, int, object]:
    """Median ms of ``n`` calls (after one warm-up), the SQL statements of one call, its result."""
    from django.db import connection

    count = 0

    def record(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    result = function()
    with connection.execute_wrapper(record):
        function()
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), count, result


def run(args: argparse.Namespace, config: dict, db_name: str) -> None:
    import django
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from django_tenants.utils import schema_context

    from operations.selectors.elders import month_range
    from operations.selectors.kpis import kpi_figures
    from portal.kpis import dashboard_centers, months_ending

    rng = random.Random(2026)  # noqa: S311 - benchmark data
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print("Bianmin head-office dashboard benchmark")
    print(f"  {describe_server(config)}; scratch database {db_name}")
    print(
        f"  Django {django.get_version()}, settings {os.environ['DJANGO_SETTINGS_MODULE']}, "
        f"CONN_MAX_AGE {args.conn_max_age}; migrate took {time.perf_counter() - started:.1f} s"
    )
    get_user_model().objects.create_superuser(
        username="hq", password=HQ_PASSWORD, email="hq@example.com", first_name="总部"
    )
    client = Client(HTTP_HOST="localhost")
    # Head office signs in with two factors (portal.twofactor): the whole sign-in, as the tests do it.
    from tests.twofactor import pass_second_step

    hq_user = get_user_model().objects.get(username="hq")
    client.force_login(hq_user)
    pass_second_step(client, hq_user)

    today = timezone.localdate()
    month = today.replace(day=1)
    months = months_ending(month, args.months)
    first = add_centers(start=0, count=SMALL, months=months, rng=rng)
    analyze()
    pages = [
        ("dashboard", "/dashboard/", True),
        ("dashboard ?sort=-in_time_rate", "/dashboard/?sort=-in_time_rate", True),
        (f"dashboard ?region={REGIONS[0]}", f"/dashboard/?region={REGIONS[0]}", True),
        ("dashboard ?page=100", "/dashboard/?page=100", False),
        ("league table", "/dashboard/league/", False),
        ("heat map", "/dashboard/heat-map/", False),
        ("trends (12 months)", "/dashboard/trends/", False),
        ("a center's page", f"/dashboard/centers/{first[0].pk}/", False),
    ]
    small = {url: measure(client, url, args.n) for _label, url, _target in pages}
    small_statements = {url: statements(client, url) for _label, url, _target in pages}

    started = time.perf_counter()
    add_centers(start=SMALL, count=args.centers - SMALL, months=months, rng=rng)
    analyze()
    print(
        f"  {args.centers:,} centers in {len(REGIONS)} regions, {args.centers * args.months:,} center months "
        f"({months[0]:%Y-%m} to {months[-1]:%Y-%m}), {args.centers:,} open-count rows; "
        f"filled in {time.perf_counter() - started:.1f} s"
    )
    print(
        f"\n  median of {args.n} requests per page (server time through the test Client, signed in as head office)"
    )
    print(
        f"    (sql = median time spent in SQL per request; same = the query count with {SMALL} centers "
        f"and with {args.centers:,}; the time target applies to the dashboard)"
    )
    print(
        f"    {'page':<32}{f'{args.centers:,} ms':>11}{'sql':>7}{'queries':>9}"
        f"{f'{SMALL} ms':>9}{'sql':>7}{'queries':>9}  {'queries':<10}target"
    )
    rows = []
    slow_queries = []
    differences = []
    for label, url, targeted in pages:
        big_ms, big_q, big_sql, slowest, big_status = measure(client, url, args.n)
        small_ms, small_q, small_sql, _slowest, _status = small[url]
        same = "same" if big_q == small_q else "DIFFERENT"
        fast = big_ms <= TARGET_MS and big_status == 200
        target = (f"<= {TARGET_MS:.0f} ms: " + ("met" if fast else "NOT met")) if targeted else "(info)"
        rows.append((label, big_ms, big_q, small_q, fast, targeted))
        if big_q != small_q:
            differences.append((label, small_statements[url], statements(client, url)))
        slow_queries.append((label, slowest))
        print(
            f"    {label:<32}{big_ms:>11.1f}{big_sql:>7.1f}{big_q:>9}{small_ms:>9.1f}{small_sql:>7.1f}{small_q:>9}"
            f"  {same:<10}{target}{'' if big_status == 200 else f'  HTTP {big_status}'}"
        )
    print(f"\n  slowest queries with {args.centers:,} centers (ms, SQL from its FROM)")
    for label, slowest in slow_queries:
        for ms, sql in slowest:
            flat = " ".join(sql.split())
            where = flat.find(" FROM ")
            print(f"    {label:<32}{ms:>7.1f}  {flat[:30]}…{flat[where : where + 80] if where > 0 else ''}")
    for label, few, many in differences:
        print(f"\n  {label}: statements only with {SMALL} centers (-) or only with {args.centers:,} (+)")
        for sign, ours, theirs in (("-", few, many), ("+", many, few)):
            rest = list(theirs)
            for shape in ours:
                if shape in rest:
                    rest.remove(shape)
                else:
                    print(f"    {sign} {shape}…")
    if args.explain or not all(fast for *_rest, fast, targeted in rows if targeted):
        explain_dashboard(month)

    # The naive way: loop over real center schemas and compute each month from the records.
    started = time.perf_counter()
    naive, provisioning_s = provision_naive(args.naive_centers, rng)
    connection.set_schema_to_public()
    analyze()
    print(
        f"\n  naive way: {len(naive)} real centers provisioned (template clones, median {provisioning_s:.2f} s each), "
        f"each with 20-60 work orders and 0-5 complaints of {month:%Y-%m}, rollups published; "
        f"{time.perf_counter() - started:.1f} s"
    )
    first_day, last_day = month_range(month)
    end = last_day + dt.timedelta(days=1)
    schemas = [center.schema_name for center in naive]
    ids = [center.pk for center in naive]

    def loop():
        figures = {}
        for schema in schemas:
            with schema_context(schema):
                figures[schema] = kpi_figures(start=first_day, end=end)
        connection.set_schema_to_public()
        return figures

    def rollup():
        return {center.schema_name: center for center in dashboard_centers(month=month).filter(pk__in=ids)}

    loop_ms, loop_q, from_records = timed(loop, args.n)
    rollup_ms, rollup_q, from_rollup = timed(rollup, args.n)
    agree = all(
        from_records[schema]["work_orders_completed"] == from_rollup[schema].kpi_work_orders_completed
        and from_records[schema]["complaints_received"] == from_rollup[schema].kpi_complaints_received
        for schema in schemas
    )
    ratio = loop_ms / rollup_ms if rollup_ms else float("nan")
    scale = args.centers / len(naive)
    print(
        f"    (median of {args.n} runs after a warm-up; {month:%Y-%m} figures of the same {len(naive)} centers)"
    )
    print(f"    {'way':<58}{'ms':>9}{'queries':>9}")
    print(
        f"    {f'loop over {len(naive)} schemas, kpi_figures() in each':<58}{loop_ms:>9.1f}{loop_q:>9}"
        f"  (+{len(naive)} SET search_path)"
    )
    print(
        f"    {f'rollup read, dashboard_centers() for those {len(naive)}':<58}{rollup_ms:>9.1f}{rollup_q:>9}"
    )
    print(f"    ratio loop / rollup: {ratio:.0f}x; figures agree: {'yes' if agree else 'NO'}")
    print(
        f"    the loop scaled to {args.centers:,} centers: about {loop_ms * scale / 1000:.1f} s "
        f"and {loop_q * scale:,.0f} queries, against the dashboard's {rows[0][1]:.1f} ms and {rows[0][2]} queries"
    )

    if args.explain:
        sql, params = dashboard_centers(month=month).filter(pk__in=ids).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
        print(f"\n  EXPLAIN ANALYZE, rollup read of the {len(ids)} centers:")
        for line in plan:
            print(f"    {line}")

    print("\nSummary")
    for label, ms, queries, small_q, fast, targeted in rows:
        if targeted:
            print(
                f"    {label}: {ms:.1f} ms median with {args.centers:,} centers (<= {TARGET_MS:.0f} ms: "
                f"{'met' if fast else 'NOT met'}); {queries} queries, {small_q} with {SMALL} centers "
                f"(independent of the number of centers: {'met' if queries == small_q else 'NOT met'})"
            )
    print(
        f"    naive loop over {len(naive)} center schemas {loop_ms:.1f} ms vs rollup read {rollup_ms:.1f} ms: "
        f"{ratio:.0f}x"
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    return run_in_scratch_database(
        prefix="bianmin_bench_dashboard",
        conn_max_age=args.conn_max_age,
        run=lambda server_config, db_name: run(args, server_config, db_name),
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
