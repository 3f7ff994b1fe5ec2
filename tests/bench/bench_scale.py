"""Benchmark: 1,000 centers on this machine — provisioning, the residents' site, the dashboard, migrate.

A benchmark, not a test: it asserts nothing about time, it prints one table of figures, each with the
baseline it is compared to in the same run. ``make bench-scale`` runs it (about an hour here at 1,000)::

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python tests/bench/bench_scale.py \
        [--centers 1000] [--synthetic 10000] [--seconds 15] [--standard-sample 30]

Set ``REDIS_URL`` to serve the site with Redis as production does (else each worker has a local-memory
cache of 300 entries, fewer than the keys of many centers). It works in a scratch database (``bianmin_bench_scale_<pid>``) and media folder, dropped at the end
(also on Ctrl-C, SIGTERM or an error).

1. Provisioning: ``--centers`` centers are created one by one with ``tenants.services.center_create``
   as head office does, each claiming a spare schema (``tenants.spares``) that the refill made just
   before (its time is the background work per center, shown apart). Medians of the first 10 and of
   the last 10, and at the checkpoints between: flat means the last are no slower than the first.
2. Each center gets one notice (Wagtail ``add_child``). The residents' site under gunicorn (the
   production settings, 2 sync workers, persistent connections, page cache off): home and notice
   pages on random hosts of the first 10 centers (the baseline), then of all of them, rounds
   alternating; requests per second and the ratio. Then each worker's RSS after a pass over every
   center (bounded per-center caches keep it flat).
3. The no-op ``migrate`` over every center (ours: one query decides which schemas are behind), and
   django-tenants' standard executor over ``--standard-sample`` schemas, extrapolated.
4. Head office's dashboard with rollups of every real center, then with ``--synthetic`` center rows
   (rows only: the dashboard reads nothing else), against the same pages with 10 centers.
5. The catalog and disk per center.
"""

from __future__ import annotations

import argparse
import copy
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

from tests.bench.bench_service_desk import describe_server, measure  # noqa: E402
from tests.bench.scratch import run_in_scratch_database  # noqa: E402 - sys.path is set up above

ADMIN_PASSWORD = "bench-pass-2026"  # noqa: S105 - the scratch database is dropped at the end
CHECKPOINTS = (10, 100, 250, 500, 1000, 2000, 5000)
WINDOW = 10
SMALL = 10


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--centers", type=int, default=1000, help="real centers (default 1000)")
    parser.add_argument(
        "--synthetic", type=int, default=10000, help="center rows for the dashboard (default 10000)"
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds per load round (default 15)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating rounds per site scenario (default 2)"
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--standard-sample",
        type=int,
        default=30,
        help="schemas django-tenants' executor migrates (default 30)",
    )
    parser.add_argument("--months", type=int, default=24, help="months of rollups per center (default 24)")
    args = parser.parse_args(argv)
    if args.centers < 2 * WINDOW:
        parser.error(f"--centers must be at least {2 * WINDOW}")
    return args


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def start_gunicorn(*, env: dict, workers: int):
    """gunicorn on a free port with ``env``; ready when ``/healthz`` answers (portal.health, any host)."""
    import socket

    from tests.bench.bench_site import fetch

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
        [
            str(gunicorn),
            "portal.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=REPO_ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(port, "localhost", "/healthz")[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def provision(count: int) -> tuple[list[str], list[float], list[float]]:
    """``count`` centers, each from a spare made just before. Returns codes, claim and spare seconds."""
    from tenants.services import center_create
    from tenants.spares import spare_pool_refill

    codes, claims, spares = [], [], []
    started = time.perf_counter()
    for i in range(1, count + 1):
        made = time.perf_counter()
        spare_pool_refill(size=1)
        spares.append(time.perf_counter() - made)
        code = f"c{i:05d}"
        result = center_create(
            name=f"压测第{i:05d}服务中心",
            code=code,
            domain=f"c{i:05d}.localhost",
            admin_password=ADMIN_PASSWORD,
            validate_admin_password=False,
        )
        if not result.from_spare:
            raise RuntimeError(f"center {code} did not claim the spare made for it")
        claims.append(result.seconds)
        codes.append(code)
        if i in CHECKPOINTS or i == count:
            window = claims[-WINDOW:]
            print(
                f"    {i:>6} centers: creation median {statistics.median(window) * 1000:5.0f} ms over the last "
                f"{len(window)} (spare made ahead: median {statistics.median(spares[-WINDOW:]):.2f} s), "
                f"{time.perf_counter() - started:6.0f} s elapsed",
                flush=True,
            )
    return codes, claims, spares


def add_notices(codes: list[str]) -> None:
    from django.db import connection
    from django.utils import timezone

    from wagtail.rich_text import RichText

    from django_tenants.utils import schema_context

    from cms.models import NoticeIndexPage, NoticePage

    now = timezone.now()
    for code in codes:
        with schema_context(code):
            index = NoticeIndexPage.objects.get()
            index.add_child(
                instance=NoticePage(
                    title="关于小区二次供水水箱清洗停水的通知",
                    slug="n0",
                    category="utilities",
                    body=[
                        (
                            "paragraph_block",
                            RichText("<p>各位业主：本周六上午 9:00–12:00 清洗水箱，请提前储水。</p>" * 4),
                        )
                    ],
                    first_published_at=now,
                    last_published_at=now,
                )
            )
    connection.set_schema_to_public()


def backend_memory(codes: list[str]) -> list[tuple[int, float]]:
    """MB of the session's memory contexts after reading a page of 0, 1, 10, 100… centers on one connection."""
    from django.db import connection

    from wagtail.models import Site

    from django_tenants.utils import schema_context

    def megabytes() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")
            return cursor.fetchone()[0] / 2**20

    connection.close()
    points = []
    marks = {0, 1, 10, 100, 250, 500, 1000, 2000, 5000, len(codes)}
    for served in range(len(codes) + 1):
        if served in marks:
            connection.set_schema_to_public()
            points.append((served, megabytes()))
        if served < len(codes):
            with schema_context(codes[served]):
                site = Site.objects.select_related("root_page").get(is_default_site=True)
                list(site.root_page.get_children().live().values_list("title", flat=True))
    connection.set_schema_to_public()
    return points


def site_rounds(port: int, codes: list[str], args) -> dict:
    from tests.bench.bench_site import load

    small_hosts = [f"{code}.localhost" for code in codes[:SMALL]]
    all_hosts = [f"{code}.localhost" for code in codes]
    scenarios = {}
    for page, path in (("home", "/"), ("notice", "/notices/n0/")):
        scenarios[(page, "small")] = [(host, path) for host in small_hosts]
        scenarios[(page, "all")] = [(host, path) for host in all_hosts]
    results: dict = {key: [] for key in scenarios}
    for round_number in range(args.rounds):
        order = ["small", "all"] if round_number % 2 == 0 else ["all", "small"]
        for page in ("home", "notice"):
            for which in order:
                results[(page, which)].append(
                    load(port, scenarios[(page, which)], seconds=args.seconds, clients=args.clients)
                )
    return results


def run(args: argparse.Namespace, config: dict, db_name: str, media_root: Path) -> None:
    import django
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from portal.kpis import months_ending
    from tests.bench.bench_dashboard import add_centers, analyze
    from tests.bench.bench_migrate import ours, standard_run
    from tests.bench.bench_site import database_url, fetch

    logging.getLogger("bianmin.tenants").setLevel(logging.WARNING)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print("Bianmin scale benchmark")
    print(f"  {describe_server(config)}; scratch database {db_name}")
    print(
        f"  Django {django.get_version()}, settings {os.environ['DJANGO_SETTINGS_MODULE']} (MD5 hasher for the "
        f"first admins), {os.cpu_count()} cores; migrate took {time.perf_counter() - started:.1f} s"
    )
    table: list[tuple[str, str, str, str]] = []  # (figure, measured, baseline, ratio)

    # 1. Provisioning.
    print(f"\n1. Provisioning {args.centers:,} centers from spare schemas", flush=True)
    codes, claims, spares = provision(args.centers)
    first, last = statistics.median(claims[:WINDOW]), statistics.median(claims[-WINDOW:])
    table.append(
        (
            f"creating a center, last {WINDOW} of {args.centers:,} (median)",
            f"{last * 1000:.0f} ms",
            f"first {WINDOW}: {first * 1000:.0f} ms",
            f"{last / first:.2f}x",
        )
    )
    spare_first, spare_last = statistics.median(spares[:WINDOW]), statistics.median(spares[-WINDOW:])
    table.append(
        (
            "making a spare ahead (background, median)",
            f"{spare_last:.2f} s",
            f"first {WINDOW}: {spare_first:.2f} s",
            f"{spare_last / spare_first:.2f}x",
        )
    )

    # 5 (measured now, before notices and rollups): catalog and disk per center.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_database_size(current_database()), (SELECT count(*) FROM pg_class), "
            "(SELECT count(*) FROM pg_attribute)"
        )
        size, relations, attributes = cursor.fetchone()
    per_center = f"{size / args.centers / 2**20:.1f} MB, {relations / args.centers:.0f} pg_class rows"
    table.append(("database per center (empty center)", per_center, "", ""))
    print(
        f"  database: {size / 2**30:.2f} GB, {relations:,} pg_class rows, {attributes:,} pg_attribute rows "
        f"({per_center} per center)"
    )

    # 2. The residents' site.
    print(
        f"\n2. Residents' site: one notice per center, gunicorn {args.workers} workers, page cache off",
        flush=True,
    )
    started = time.perf_counter()
    add_notices(codes)
    print(f"  notices added in {time.perf_counter() - started:.0f} s", flush=True)
    connection.close()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "ALLOWED_HOSTS": ".localhost,localhost,127.0.0.1",
        "DATABASE_URL": database_url(config, db_name),
        "MEDIA_ROOT": str(media_root),
        "SECURE_HSTS_SECONDS": "0",
        "PAGE_CACHE_SECONDS": "0",
        "ALLOW_PROCESS_LOCAL_CACHE": "1",
        "SPARE_SCHEMAS": "0",
        # With REDIS_URL set (as in production) the workers share Redis; this run's keys apart from others'.
        "CACHE_KEY_PREFIX": f"benchscale{os.getpid()}",
        # gunicorn.conf.py (read from the working directory) recycles a worker after 1,000 requests: not
        # here, where a worker's memory after every center is the point.
        "GUNICORN_MAX_REQUESTS": "0",
    }
    env.pop("CONN_MAX_AGE", None)  # the shipped default
    env["STATIC_ROOT"] = str(media_root / "static")
    subprocess.run(  # noqa: S603 - our own venv's python
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
    )
    process, port = start_gunicorn(env=env, workers=args.workers)
    try:
        for code in codes[:SMALL]:
            fetch(port, f"{code}.localhost", "/")
        results = site_rounds(port, codes, args)
        for page in ("home", "notice"):
            small = statistics.median(r["rps"] for r in results[(page, "small")])
            spread = statistics.median(r["rps"] for r in results[(page, "all")])
            errors = sum(r["errors"] for key in ((page, "small"), (page, "all")) for r in results[key])
            if errors:
                statuses = sorted(
                    {
                        st
                        for key in ((page, "small"), (page, "all"))
                        for r in results[key]
                        for st in r["statuses"]
                    }
                )
                raise RuntimeError(
                    f"{errors} {page} requests failed (statuses {statuses}): the figures would be wrong"
                )
            print(
                f"  {page:<7} {SMALL} centers: {small:6.1f} req/s; all {len(codes):,}: {spread:6.1f} req/s "
                f"(rounds: {[round(r['rps'], 1) for r in results[(page, 'all')]]}); errors {errors}"
            )
            table.append(
                (
                    f"{page} page over {len(codes):,} centers, uncached",
                    f"{spread:.1f} req/s",
                    f"over {SMALL} centers: {small:.1f} req/s",
                    f"{spread / small:.2f}x",
                )
            )
        # Memory: every center's home and notice once more, then each worker's RSS.
        before = [rss_mb(pid) for pid in worker_pids(process.pid)]
        for code in codes:
            for path in ("/", "/notices/n0/"):
                status, _body = fetch(port, f"{code}.localhost", path)
                if status != 200:
                    raise RuntimeError(f"{code}{path} answered {status}")
        after = [rss_mb(pid) for pid in worker_pids(process.pid)]
        print(
            f"  worker RSS after the rounds: {[round(mb) for mb in before]} MB; after every center once more: "
            f"{[round(mb) for mb in after]} MB"
        )
        table.append(
            (
                f"web worker RSS after every one of {len(codes):,} centers",
                f"{max(after):.0f} MB",
                f"before the pass: {max(before):.0f} MB",
                f"{max(after) / max(before):.2f}x",
            )
        )
    finally:
        process.terminate()
        process.wait(timeout=30)

    # The database side of a persistent connection: a backend's caches grow with the schemas it has used.
    print(
        "\n   A database session's memory as it serves more centers (pg_backend_memory_contexts)", flush=True
    )
    growth = backend_memory(codes)
    for served, megabytes in growth:
        print(f"    after {served:>6,} centers: {megabytes:7.1f} MB")
    table.append(
        (
            f"one database session after {growth[-1][0]:,} centers",
            f"{growth[-1][1]:.0f} MB",
            f"after {growth[1][0]}: {growth[1][1]:.0f} MB",
            f"{growth[-1][1] / growth[1][1]:.1f}x",
        )
    )

    # 3. No-op migrate.
    print(f"\n3. No-op migrate over {len(codes):,} centers", flush=True)
    seconds_ours = ours()
    sample = codes[: args.standard_sample]
    seconds_sample = standard_run(sample)
    per_schema = seconds_sample / len(sample)
    extrapolated = per_schema * (len(codes) + 1)
    print(
        f"  ours: {seconds_ours:.1f} s; django-tenants' standard executor: {seconds_sample:.1f} s for "
        f"{len(sample)} schemas ({per_schema:.2f} s each), about {extrapolated:.0f} s for all"
    )
    table.append(
        (
            f"no-op migrate, {len(codes):,} centers + template",
            f"{seconds_ours:.1f} s",
            f"django-tenants standard: ~{extrapolated:.0f} s (from {len(sample)})",
            f"{extrapolated / seconds_ours:.1f}x faster",
        )
    )

    # 4. Head office's dashboard.
    print("\n4. Head office's dashboard", flush=True)
    from portal.models import CenterKpi, CenterMonth  # noqa: F401 - the rollups add_centers writes
    from tenants.models import ServiceCenter

    rng = random.Random(2026)  # noqa: S311 - benchmark data
    get_user_model().objects.create_superuser(username="hq", password=ADMIN_PASSWORD, email="hq@example.com")
    client = Client(HTTP_HOST="localhost")
    # Head office signs in with two factors (portal.twofactor): the whole sign-in, as the tests do it.
    from tests.twofactor import pass_second_step

    hq_user = get_user_model().objects.get(username="hq")
    client.force_login(hq_user)
    pass_second_step(client, hq_user)
    months = months_ending(timezone.localdate().replace(day=1), args.months)
    # Rollups for the real centers: the rows of bench_dashboard's generator (made for SMALL rows), copied.
    real = list(ServiceCenter.objects.order_by("pk"))
    generated = add_centers(start=0, count=SMALL, months=months, rng=rng)
    _copy_rollups(source=generated, targets=real)
    analyze()
    pages = [
        ("dashboard", "/dashboard/"),
        ("league table", "/dashboard/league/"),
        ("heat map", "/dashboard/heat-map/"),
    ]
    at_real = {label: measure(client, url, 10) for label, url in pages}
    counted_real = ServiceCenter.objects.count()
    add_centers(start=SMALL, count=max(0, args.synthetic - counted_real), months=months, rng=rng)
    analyze()
    at_synthetic = {label: measure(client, url, 10) for label, url in pages}
    total = ServiceCenter.objects.count()
    for label, _url in pages:
        ms_real, q_real, _sql, _slow, status_real = at_real[label]
        ms_syn, q_syn, _sql, _slow, status_syn = at_synthetic[label]
        print(
            f"  {label:<14} {counted_real:,} centers: {ms_real:6.1f} ms ({q_real} queries, {status_real}); "
            f"{total:,}: {ms_syn:6.1f} ms ({q_syn} queries, {status_syn})"
        )
        table.append(
            (
                f"{label} at {total:,} centers (median)",
                f"{ms_syn:.0f} ms, {q_syn} queries",
                f"at {counted_real:,}: {ms_real:.0f} ms, {q_real} queries",
                f"{ms_syn / ms_real:.2f}x",
            )
        )

    print("\nSummary (each figure with its baseline from this run)")
    print(f"    {'figure':<52}{'measured':<30}{'baseline':<44}ratio")
    for figure, measured, baseline, ratio in table:
        print(f"    {figure:<52}{measured:<30}{baseline:<44}{ratio}")
    print(
        f"    server: {describe_server(config)}; settings.SPARE_SCHEMAS in the run: {settings.SPARE_SCHEMAS}"
    )


def _copy_rollups(*, source, targets) -> None:
    """Give every real center the months and open counts of one of the generated rows (round robin)."""
    from portal.models import CenterKpi, CenterMonth

    months = {}
    for row in CenterMonth.objects.filter(center__in=source):
        months.setdefault(row.center_id, []).append(row)
    kpis = {row.center_id: row for row in CenterKpi.objects.filter(center__in=source)}
    # The centers' own rows (what their services published so far) give way to the generated months.
    CenterMonth.objects.filter(center__in=targets).delete()
    CenterKpi.objects.filter(center__in=targets).delete()
    new_months, new_kpis = [], []
    for index, center in enumerate(targets):
        model = source[index % len(source)]
        for row in months[model.pk]:
            new_months.append(copy.copy(row))
            new_months[-1].pk, new_months[-1].center_id = None, center.pk
        new_kpis.append(copy.copy(kpis[model.pk]))
        new_kpis[-1].pk, new_kpis[-1].center_id = None, center.pk
        if len(new_months) >= 5000:
            CenterMonth.objects.bulk_create(new_months)
            new_months = []
    CenterMonth.objects.bulk_create(new_months)
    CenterKpi.objects.bulk_create(new_kpis, batch_size=5000)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    media_root = Path(tempfile.mkdtemp(prefix="bianmin-bench-scale-media-"))
    os.environ["MEDIA_ROOT"] = str(media_root)
    try:
        return run_in_scratch_database(
            prefix="bianmin_bench_scale",
            run=lambda server_config, db_name: run(args, server_config, db_name, media_root),
            conn_max_age=60,
        )
    finally:
        shutil.rmtree(media_root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
