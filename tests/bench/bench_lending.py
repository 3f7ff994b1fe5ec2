"""Benchmark: the lending desk and the overdue queue of a center with 100,000 historical loans.

A benchmark, not a test: it asserts nothing about time, it prints figures::

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python tests/bench/bench_lending.py \
        [--loans 100000] [--n 30]

Like ``bench_service_desk.py`` it never touches the developer's databases: it creates a scratch
database (``bianmin_bench_lending_<pid>``), migrates it, provisions two centers with
``tenants.services.center_create`` — ``big`` filled with ``bulk_create`` and ``empty`` as the
baseline — and drops the database at the end, also on Ctrl-C, SIGTERM or an error.

For the desk screen and the overdue queue it requests the page ``--n`` times through the Django
test Client on the center's host, logged in as the center's admin, and prints the median server
time, the SQL query count, and the ratio against the same page on the empty center. Target of
the issue: at most 12 queries (asserted by the test suite) and a median of at most 150 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

from tests.bench.bench_service_desk import describe_server, measure  # noqa: E402
from tests.bench.scratch import run_in_scratch_database  # noqa: E402 - sys.path is set up above

TARGET_MS = 150.0
TARGET_QUERIES = 12
ADMIN_PASSWORD = "bench-pass-2026"  # noqa: S105 - the scratch database is dropped at the end
BATCH = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=100_000, help="historical loans in the big center")
    parser.add_argument("--n", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE for the run (default 60)")
    return parser.parse_args(argv)


def fill_center(*, loans: int) -> dict[str, int]:
    """Bulk-create units, items and loans in the current schema (no services: speed)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from operations.models import (
        Building,
        ConvenienceItem,
        Loan,
        LoanFollowUp,
        LoanItem,
        ReadingGlassesUse,
        Unit,
    )

    rng = random.Random(2026)  # noqa: S311 - benchmark data
    now = timezone.now()
    User = get_user_model()
    staff = [
        User.objects.create_user(username=f"desk{i}", password=None, first_name=f"前台{i}") for i in range(6)
    ]
    buildings = Building.objects.bulk_create(Building(name=f"{i}号楼", sort_order=i) for i in range(1, 21))
    units = Unit.objects.bulk_create(
        Unit(building=b, entrance="1单元", room=f"{floor}{room:02d}")
        for b in buildings
        for floor in range(1, 26)
        for room in (1, 2, 3, 4)
    )
    items = ConvenienceItem.objects.bulk_create(
        ConvenienceItem(
            code=f"B-{i:03d}", name=rng.choice(["电钻", "梯子", "雨伞", "打气筒", "手推车"]), kind="tool"
        )
        for i in range(60)
    )
    open_loans = overdue = 0
    rows = []
    for index in range(loans):
        is_open = index >= loans - 40  # the last 40 are still out: 25 overdue, 15 lent today
        if is_open:
            open_loans += 1
            late = index < loans - 15
            overdue += late
            lent_at = now - (
                dt.timedelta(days=rng.randint(1, 20)) if late else dt.timedelta(minutes=rng.randint(1, 300))
            )
        else:
            lent_at = now - dt.timedelta(days=rng.uniform(0, 1000), hours=1)
        rows.append(
            Loan(
                unit=units[index % len(units)],
                borrower_name=f"{rng.choice(SURNAMES)}先生",
                phone=f"13{rng.randint(100000000, 999999999)}",
                lent_at=lent_at,
                due_at=lent_at + dt.timedelta(hours=4)
                if not is_open or late
                else now + dt.timedelta(hours=3),
                lent_by=staff[index % len(staff)],
                returned_at=None if is_open else lent_at + dt.timedelta(hours=2),
                received_by=None if is_open else staff[(index + 1) % len(staff)],
                return_condition="" if is_open else "good",
            )
        )
        if len(rows) == BATCH:
            Loan.objects.bulk_create(rows)
            rows = []
    if rows:
        Loan.objects.bulk_create(rows)
    loan_ids = list(Loan.objects.values_list("pk", flat=True))
    LoanItem.objects.bulk_create(
        (LoanItem(loan_id=pk, item=items[pk % len(items)]) for pk in loan_ids), batch_size=BATCH
    )
    LoanItem.objects.bulk_create(
        (LoanItem(loan_id=pk, item=items[(pk + 7) % len(items)]) for pk in loan_ids[::3]), batch_size=BATCH
    )
    overdue_ids = Loan.objects.overdue(now).values_list("pk", flat=True)
    LoanFollowUp.objects.bulk_create(
        LoanFollowUp(loan_id=pk, method="called", outcome="已电话联系", acting_user=staff[0])
        for pk in overdue_ids
    )
    glasses = ConvenienceItem.objects.filter(kind="reading_glasses").first()
    if glasses:
        ReadingGlassesUse.objects.bulk_create(
            (ReadingGlassesUse(item=glasses, used_at=now - dt.timedelta(hours=i)) for i in range(5000)),
            batch_size=BATCH,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"loans": loans, "open": open_loans, "overdue": overdue}


def run(args: argparse.Namespace, config: dict, db_name: str) -> None:
    import django
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from django_tenants.utils import schema_context

    from tenants.services import center_create

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print("Bianmin lending benchmark")
    print(f"  {describe_server(config)}; scratch database {db_name}")
    print(
        f"  Django {django.get_version()}, settings {os.environ['DJANGO_SETTINGS_MODULE']}, "
        f"CONN_MAX_AGE {args.conn_max_age}; migrate took {time.perf_counter() - started:.1f} s"
    )
    for code in ("big", "empty"):
        center_create(
            name=f"压测{code}服务中心",
            code=code,
            domain=f"{code}.localhost",
            admin_password=ADMIN_PASSWORD,
            validate_admin_password=False,
        )
    started = time.perf_counter()
    with schema_context("big"):
        facts = fill_center(loans=args.loans)
    connection.set_schema_to_public()
    print(
        f"  big center: {facts['loans']:,} loans ({facts['open']} still out, {facts['overdue']} overdue); "
        f"filled in {time.perf_counter() - started:.1f} s"
    )
    clients = {}
    for code in ("big", "empty"):
        client = Client(HTTP_HOST=f"{code}.localhost")
        with schema_context(code):
            assert client.login(username="admin", password=ADMIN_PASSWORD)
        clients[code] = client

    pages = [
        ("desk screen", "/admin/operations/lending/", True),
        ("overdue queue", "/admin/operations/lending/loans/?scope=overdue", True),
        ("desk, unit looked up", "/admin/operations/lending/?unit=1号楼-1单元-101", False),
    ]
    print(
        f"\n  median of {args.n} requests per page (server time through the test Client, logged in as admin)"
    )
    print(
        f"    {'page':<24}{'big ms':>9}{'sql':>7}{'queries':>9}{'empty ms':>10}{'sql':>7}{'queries':>9}{'ratio':>8}  target"
    )
    rows = []
    for label, url, required in pages:
        big_ms, big_q, big_sql, _slowest, big_status = measure(clients["big"], url, args.n)
        empty_ms, empty_q, empty_sql, _s, _st = measure(clients["empty"], url, args.n)
        ratio = big_ms / empty_ms if empty_ms else float("nan")
        met = big_ms <= TARGET_MS and big_q <= TARGET_QUERIES and big_status == 200
        rows.append((label, big_ms, big_q, met, required))
        print(
            f"    {label:<24}{big_ms:>9.1f}{big_sql:>7.1f}{big_q:>9}{empty_ms:>10.1f}{empty_sql:>7.1f}{empty_q:>9}"
            f"{ratio:>7.2f}x  {'met' if met else 'NOT met'}{'' if required else ' (info)'}"
            f"{'' if big_status == 200 else f' HTTP {big_status}'}"
        )
    print("\nSummary")
    for label, ms, queries, met, required in rows:
        if required:
            print(
                f"    {label}: {ms:.1f} ms median, {queries} queries "
                f"(targets <= {TARGET_MS:.0f} ms, <= {TARGET_QUERIES} queries): {'met' if met else 'NOT met'}"
            )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    return run_in_scratch_database(
        prefix="bianmin_bench_lending",
        conn_max_age=args.conn_max_age,
        run=lambda server_config, db_name: run(args, server_config, db_name),
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
