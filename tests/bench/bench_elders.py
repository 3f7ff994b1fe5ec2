"""Benchmark: elders living alone in a center with 5,000 elders and 200,000 visits.

A benchmark, not a test: it asserts nothing about time, it prints figures::

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python tests/bench/bench_elders.py \
        [--elders 5000] [--visits 200000] [--n 20]

Like the other benchmarks it works in a scratch database (``bianmin_bench_elders_<pid>``)
dropped at the end: two centers, ``big`` filled with ``bulk_create`` (20 customer managers, the
elders spread over them, visits over the last two years with the current month half done) and
``empty`` as the baseline. Each page is requested ``--n`` times through the Django test Client,
signed in as the center's admin (the center head), and the median server time, the SQL query
count and the ratio against the empty center are printed. Targets of the issue: the due list in
at most 10 queries, the compliance table in one aggregate query.
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

TARGET_QUERIES = 10
ADMIN_PASSWORD = "bench-pass-2026"  # noqa: S105 - the scratch database is dropped at the end
BATCH = 5000
MANAGERS = 20
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰玉珍建国淑芬德明凤英志强丽华永福"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elders", type=int, default=5000)
    parser.add_argument("--visits", type=int, default=200_000)
    parser.add_argument("--n", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--conn-max-age", type=int, default=60)
    return parser.parse_args(argv)


def fill_center(*, elders: int, visits: int) -> dict:
    """Bulk-create managers, units, residents, elders and visits in the current schema."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from operations.models import Building, Elder, ElderVisit, Resident, RiskTier, Unit

    rng = random.Random(2026)  # noqa: S311 - benchmark data
    now = timezone.now()
    today = timezone.localdate()
    User = get_user_model()
    group = Group.objects.get(name="客户主任")
    managers = []
    for i in range(MANAGERS):
        user = User.objects.create_user(username=f"kehu{i}", password=None, first_name=f"客户主任{i}")
        user.groups.add(group)
        managers.append(user)
    buildings = Building.objects.bulk_create(Building(name=f"{i}号楼", sort_order=i) for i in range(1, 51))
    units = Unit.objects.bulk_create(
        Unit(building=b, entrance="1单元", room=f"{floor}{room:02d}")
        for b in buildings
        for floor in range(1, 26)
        for room in (1, 2, 3, 4)
    )
    residents = Resident.objects.bulk_create(
        (
            Resident(unit=units[i % len(units)], name=f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{i}")
            for i in range(elders)
        ),
        batch_size=BATCH,
    )
    tiers = [RiskTier.HIGH] * 2 + [RiskTier.PRIORITY] * 3 + [RiskTier.GENERAL] * 5
    registered = today - dt.timedelta(days=800)
    rows = Elder.objects.bulk_create(
        (
            Elder(
                resident=resident,
                birth_date=dt.date(rng.randint(1930, 1960), rng.randint(1, 12), rng.randint(1, 28)),
                gender=rng.choice(["female", "male"]),
                manager=managers[i % MANAGERS],
                risk_tier=(tier := rng.choice(tiers)),
                risk_reasons=["dementia"] if tier != RiskTier.GENERAL else [],
                status_since=registered,
                registered_on=registered,
                registry_consent=True,
                card_given_on=registered,
            )
            for i, resident in enumerate(residents)
        ),
        batch_size=BATCH,
    )
    month_start = today.replace(day=1)
    this_month = timezone.make_aware(dt.datetime.combine(month_start, dt.time(9)))
    batch = []
    made = 0
    for index in range(visits):
        elder = rows[index % len(rows)]
        # One in eight visits falls in the current month (about half of the elders done).
        if index % 8 == 0 and index % 16 == 0:
            visited = min(this_month + dt.timedelta(hours=rng.randint(0, 24 * max(today.day - 1, 0))), now)
        else:
            visited = now - dt.timedelta(days=rng.randint(today.day + 1, 760), hours=rng.randint(0, 8))
        batch.append(
            ElderVisit(
                elder=elder,
                visited_at=visited,
                visitor=elder.manager,
                kind=rng.choice(["home", "home", "home", "phone"]),
                reached=rng.random() > 0.03,
            )
        )
        if len(batch) == BATCH:
            ElderVisit.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    if batch:
        ElderVisit.objects.bulk_create(batch)
        made += len(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"elders": len(rows), "visits": made, "manager": managers[0].pk}


def run(args: argparse.Namespace, config: dict, db_name: str) -> None:
    import django
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from django_tenants.utils import schema_context

    from tenants.services import center_create

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print("Bianmin elders benchmark")
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
        facts = fill_center(elders=args.elders, visits=args.visits)
    connection.set_schema_to_public()
    print(
        f"  big center: {facts['elders']:,} elders, {facts['visits']:,} visits, {MANAGERS} managers; "
        f"filled in {time.perf_counter() - started:.1f} s"
    )
    clients = {}
    for code in ("big", "empty"):
        client = Client(HTTP_HOST=f"{code}.localhost")
        with schema_context(code):
            assert client.login(username="admin", password=ADMIN_PASSWORD)
        clients[code] = client

    pages = [
        ("due list, one manager", f"/admin/operations/elders/due/?manager={facts['manager']}", True),
        ("due list, whole center", "/admin/operations/elders/due/", True),
        ("registry index", "/admin/operations/elders/", False),
        ("visits index", "/admin/operations/elders/visits/", False),
        ("compliance table", "/admin/operations/elders/compliance/", True),
    ]
    print(
        f"\n  median of {args.n} requests per page (server time through the test Client, as the center head)"
    )
    print(
        f"    {'page':<26}{'big ms':>9}{'sql':>7}{'queries':>9}{'empty ms':>10}{'sql':>7}{'queries':>9}{'ratio':>8}"
    )
    for label, url, _required in pages:
        big_ms, big_q, big_sql, _slowest, big_status = measure(clients["big"], url, args.n)
        empty_ms, empty_q, empty_sql, _s, _st = measure(clients["empty"], url, args.n)
        ratio = big_ms / empty_ms if empty_ms else float("nan")
        print(
            f"    {label:<26}{big_ms:>9.1f}{big_sql:>7.1f}{big_q:>9}{empty_ms:>10.1f}{empty_sql:>7.1f}{empty_q:>9}"
            f"{ratio:>7.2f}x{'' if big_status == 200 else f'  HTTP {big_status}'}"
        )
    print(
        f"\n  target: due lists in <= {TARGET_QUERIES} queries; the compliance figures in one aggregate query"
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    return run_in_scratch_database(
        prefix="bianmin_bench_elders",
        conn_max_age=args.conn_max_age,
        run=lambda server_config, db_name: run(args, server_config, db_name),
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
