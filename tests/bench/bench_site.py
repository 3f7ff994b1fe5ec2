"""Benchmark: residents' pages of 200 centers (200 notices and 50 reports each) under gunicorn.

A benchmark, not a test: it asserts nothing about time, it prints figures::

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python tests/bench/bench_site.py \
        [--centers 200] [--notices 200] [--reports 50] [--seconds 10] [--redis redis://127.0.0.1:6379/0]

It never touches the developer's databases: it creates a scratch database
(``bianmin_bench_site_<pid>``) and a scratch media folder, and drops both at the end (also on
Ctrl-C, SIGTERM or an error).

1. Provisions one center with ``tenants.services.center_create`` and fills it through Wagtail
   (``add_child``): ``--notices`` notices (one urgent), ``--reports`` activity reports with cover
   images, upcoming activities and today's duty. Then ``--centers - 1`` more centers are made
   as copies of that schema with ``tenants.cloning`` (each with its own tenant row, domain,
   Site hostname and media folder) — the same content per center, which is what matters here.
2. In process, through the Django test Client: SQL queries of an uncached home page and notice
   page (the test suite asserts the ceilings: <= 7 and <= 3), and what django-tenants adds per
   request: the host lookup (cached 60 s by ``tenants.middleware``) and ``SET search_path``.
3. Starts gunicorn (production settings, 2 sync workers, persistent DB connections) twice —
   page cache off and on — and drives it with ``--clients`` concurrent clients for ``--seconds``
   per scenario, each request on a random center's host. The baseline of the same run is
   ``/healthz/`` (the whole middleware stack and tenant routing, no page). Prints requests per
   second, median and 95th-percentile latency, and the ratio to the baseline.
   With ``--redis`` the page cache and host lookups are shared by both workers (as in
   production); without it each worker has its own local-memory cache.

The load generator runs on the same machine and competes with gunicorn for the CPU: compare
ratios within one run rather than absolute figures across machines.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

from tests.bench.bench_service_desk import describe_server  # noqa: E402
from tests.bench.scratch import run_in_scratch_database  # noqa: E402 - sys.path is set up above

ADMIN_PASSWORD = "bench-pass-2026"  # noqa: S105 - the scratch database is dropped at the end
SEED = "c000"
QUERY_CEILINGS = {"home": 7, "notice": 3}
TOPICS = [
    "停水",
    "停电",
    "电梯维保",
    "消防演练",
    "垃圾分类",
    "高温提醒",
    "防汛",
    "装修管理",
    "义诊",
    "健康讲座",
]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--centers", type=int, default=200)
    parser.add_argument("--notices", type=int, default=200, help="notices per center")
    parser.add_argument("--reports", type=int, default=50, help="activity reports per center")
    parser.add_argument("--seconds", type=float, default=10.0, help="load per scenario")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--redis", default="", help="Redis URL for the servers' cache (default: local memory)"
    )
    return parser.parse_args(argv)


def _jpeg(index: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 800), (40 + index * 20 % 200, 120, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 200, 900, 700), fill=(240, 200, 80))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def fill_seed(*, notices: int, reports: int) -> dict:
    """Pages and records of the seed center, created the way editors create them (Wagtail)."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.files.images import ImageFile
    from django.utils import timezone

    from wagtail.images import get_image_model
    from wagtail.rich_text import RichText

    from cms.models import ActivityReportIndexPage, ActivityReportPage, NoticeIndexPage, NoticePage
    from operations.models import Activity, DutyShift

    now = timezone.now()
    today = timezone.localdate()
    Image = get_image_model()
    images = [
        Image.objects.create(
            title=f"活动照片 {i}", file=ImageFile(io.BytesIO(_jpeg(i)), name=f"photo{i}.jpg")
        )
        for i in range(10)
    ]
    notice_index = NoticeIndexPage.objects.get()
    report_index = ActivityReportIndexPage.objects.get()
    for i in range(notices):
        topic = TOPICS[i % len(TOPICS)]
        page = NoticePage(
            title=f"关于{i % 12 + 1}号楼{topic}的通知（第{i}期）",
            slug=f"n{i}",
            date=today - dt.timedelta(days=i),
            category="utilities" if i % 3 == 0 else "reminder",
            urgent=i == 0,
            pinned=i == 1,
            body=[
                ("paragraph_block", RichText(f"<p>各位业主：{topic}相关安排如下，请相互转告。" * 4 + "</p>"))
            ],
            first_published_at=now - dt.timedelta(days=i),
            last_published_at=now - dt.timedelta(days=i),
        )
        notice_index.add_child(instance=page)
    for i in range(reports):
        page = ActivityReportPage(
            title=f"社区义诊活动报道（第{i}期）",
            slug=f"r{i}",
            date=today - dt.timedelta(days=7 * i),
            summary="社区卫生服务中心医生为居民量血压、测血糖，提供健康咨询。",
            cover_image=images[i % len(images)],
            participants_count=60 + i,
            satisfaction_rate=96,
            body=[("paragraph_block", RichText("<p>活动现场气氛热烈，居民纷纷点赞。</p>"))],
            first_published_at=now - dt.timedelta(days=7 * i),
            last_published_at=now - dt.timedelta(days=7 * i),
        )
        report_index.add_child(instance=page)
    for i in range(3):
        start = now + dt.timedelta(days=3 + 7 * i)
        Activity.objects.create(
            number=f"HD-B{i}",
            kind="free_clinic",
            title=f"社区义诊（第{i + 1}场）",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            place="服务中心广场",
            status="publicised",
        )
    User = get_user_model()
    for post in ("A", "B"):
        user = User.objects.create_user(username=f"duty{post}", first_name=f"值班{post}")
        DutyShift.objects.create(
            date=today, post=post, staff=user, start_time=dt.time(8), end_time=dt.time(18)
        )
    return {"notices": notices, "reports": reports, "images": len(images)}


def clone_center(*, index: int, media_root: Path) -> str:
    """One more center as a copy of the seed's schema and media (tenant row, domain, site host)."""
    from django.db import connection, transaction

    from wagtail.models import Site

    from django_tenants.utils import schema_context

    from tenants.cloning import clone_template
    from tenants.models import Domain, ServiceCenter

    code = f"c{index:03d}"
    with transaction.atomic():
        center = ServiceCenter(
            schema_name=code, code=code, name=f"压测{index}号服务中心", phone="021-5555 0000"
        )
        center.save()
        Domain.objects.create(domain=f"{code}.localhost", tenant=center, is_primary=True)
        clone_template(template=SEED, new_schema=code)
        with schema_context(code):
            Site.objects.update(hostname=f"{code}.localhost")
    connection.set_schema_to_public()
    if (media_root / SEED).exists():
        shutil.copytree(media_root / SEED, media_root / code)
    return code


class StatementCounter:
    """Counts every statement psycopg sends (the ORM's and django-tenants' own SET search_path)."""

    def __init__(self):
        self.statements: list[str] = []

    def __enter__(self):
        import psycopg

        self._patched = []
        for cls in (psycopg.Cursor, psycopg.ClientCursor):
            if "execute" in cls.__dict__:
                original = cls.__dict__["execute"]

                def execute(cursor, query, *args, _original=original, **kwargs):
                    self.statements.append(query if isinstance(query, str) else repr(query))
                    return _original(cursor, query, *args, **kwargs)

                cls.execute = execute
                self._patched.append((cls, original))
        return self

    def __exit__(self, *exc):
        for cls, original in self._patched:
            cls.execute = original


def count_queries(codes: list[str], *, notice_path: str) -> list[tuple[str, int, int, int]]:
    """(label, SQL queries, of which SET search_path, host lookups) for uncached requests, in process.

    ``CaptureQueriesContext`` sees django-tenants' ``SET search_path`` too; ``StatementCounter``
    confirms it from what psycopg actually sends.
    """
    from django.core.cache import caches
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rows = []
    for label, path, cold in [
        ("home, host lookup cached", "/", False),
        ("notice, host lookup cached", notice_path, False),
        ("home, host lookup cold", "/", True),
        ("healthz (baseline)", "/healthz/", False),
    ]:
        host = f"{codes[1]}.localhost"
        client = Client(HTTP_HOST=host)
        client.get(path)  # warm connection, host lookup and renditions
        if cold:
            for alias in caches:
                caches[alias].clear()
        connections.close_all()  # a new connection, as a worker's first request
        with StatementCounter() as statements, CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        search_path = sum("search_path" in s.lower() for s in statements.statements)
        lookups = sum("tenants_domain" in q["sql"] for q in queries.captured_queries)
        rows.append((label, len(queries.captured_queries), search_path, lookups))
        connection.set_schema_to_public()
    return rows


def database_url(config: dict, name: str) -> str:
    host = config.get("HOST") or "127.0.0.1"
    if host.startswith("/"):
        host = quote(host, safe="")
    port = config.get("PORT") or 5432
    user = quote(config.get("USER") or "postgres", safe="")
    password = config.get("PASSWORD")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    return f"postgresql://{auth}@{host}:{port}/{name}"


def start_gunicorn(*, env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    import socket

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
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _ = fetch(port, "c000.localhost", "/healthz/")
            if status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def fetch(port: int, host: str, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host, "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def load(port: int, urls: list[tuple[str, str]], *, seconds: float, clients: int) -> dict:
    """Requests per second and latency of random picks from ``urls`` by ``clients`` threads."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(seed: int):
        rng = random.Random(seed)  # noqa: S311 - load pattern
        mine, bad = [], []
        while time.perf_counter() < stop_at:
            host, path = rng.choice(urls)
            started = time.perf_counter()
            status, _ = fetch(port, host, path)
            mine.append(time.perf_counter() - started)
            if status != 200:
                bad.append(status)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": 1000 * statistics.median(latencies),
        "p95": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "n": len(latencies),
        "errors": len(errors),
        "statuses": sorted(set(errors)),
    }


def run(args: argparse.Namespace, config: dict, db_name: str, media_root: Path) -> None:
    import django
    from django.core.management import call_command
    from django.db import connection

    from django_tenants.utils import schema_context

    from tenants.services import center_create

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print("Bianmin residents' site benchmark")
    print(f"  {describe_server(config)}; scratch database {db_name}")
    print(f"  Django {django.get_version()}; migrate took {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    center_create(
        name="压测0号服务中心",
        code=SEED,
        domain=f"{SEED}.localhost",
        phone="021-5555 0000",
        address="压测路 1 号",
        service_hours="每日 8:00–18:00",
        admin_password=ADMIN_PASSWORD,
        validate_admin_password=False,
    )
    with schema_context(SEED):
        facts = fill_seed(notices=args.notices, reports=args.reports)
    connection.set_schema_to_public()
    print(
        f"  seed center {SEED}: {facts['notices']} notices, {facts['reports']} reports, "
        f"{facts['images']} images; filled in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    codes = [SEED]
    for index in range(1, args.centers):
        codes.append(clone_center(index=index, media_root=media_root))
        if index % 50 == 0:
            print(f"    {index + 1} centers ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  {len(codes)} centers in {time.perf_counter() - started:.1f} s")

    print("\n  SQL per uncached request (in process, new DB connection, test Client)")
    print(f"    {'request':<30}{'SQL queries':>12}{'of which SET search_path':>26}{'host lookups':>14}")
    for label, queries, search_path, lookups in count_queries(
        codes, notice_path=f"/notices/n{min(5, args.notices - 1)}/"
    ):
        print(f"    {label:<30}{queries:>12}{search_path:>26}{lookups:>14}")
    print(
        "    django-tenants adds one SET search_path when a connection first uses a schema"
        " (TENANT_LIMIT_SET_CALLS) and one host lookup per host per minute (cached)."
    )

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "ALLOWED_HOSTS": ".localhost,localhost,127.0.0.1",
        "DATABASE_URL": database_url(config, db_name),
        "CONN_MAX_AGE": "60",
        "MEDIA_ROOT": str(media_root),
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_KEY_PREFIX": f"bench{os.getpid()}",
        "REDIS_URL": args.redis,
        "ALLOW_PROCESS_LOCAL_CACHE": "" if args.redis else "1",  # the per-worker mode is measured on purpose
    }
    rng = random.Random(7)  # noqa: S311 - choice of pages
    hosts = [f"{code}.localhost" for code in codes]
    scenarios = [
        ("baseline /healthz/", [(h, "/healthz/") for h in hosts]),
        ("home page", [(h, "/") for h in hosts]),
        ("notice page", [(h, f"/notices/n{rng.randrange(args.notices)}/") for h in hosts for _ in range(5)]),
        ("search (never cached)", [(h, "/search/?q=" + quote("停水")) for h in hosts]),
    ]
    results = {}
    for cache_label, seconds in (("uncached", "0"), ("page cache", "300")):
        process, port = start_gunicorn(env={**env, "PAGE_CACHE_SECONDS": seconds}, workers=args.workers)
        try:
            for label, urls in scenarios:
                for host, path in urls:  # warm: host lookups, connections, renditions (and the cache)
                    fetch(port, host, path)
                results[(cache_label, label)] = load(port, urls, seconds=args.seconds, clients=args.clients)
        finally:
            process.terminate()
            process.wait(timeout=30)

    if args.redis:  # leave nothing of the run in the shared Redis
        import redis

        client = redis.Redis.from_url(args.redis)
        for key in client.scan_iter(match=f"*:{env['CACHE_KEY_PREFIX']}:*", count=1000):
            client.delete(key)
    cache_kind = "Redis" if args.redis else "local memory per worker"
    print(
        f"\n  gunicorn, {args.workers} sync workers, {args.clients} concurrent clients, {args.seconds:.0f} s each, "
        f"random host of {len(codes)} centers; cache: {cache_kind}"
    )
    print(
        f"    {'scenario':<28}{'cache':<12}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'vs baseline':>13}  errors"
    )
    for (cache_label, label), r in results.items():
        base = results[(cache_label, "baseline /healthz/")]["rps"]
        print(
            f"    {label:<28}{cache_label:<12}{r['rps']:>8.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}"
            f"{r['rps'] / base:>12.2f}x  {r['errors']}{' ' + str(r['statuses']) if r['errors'] else ''}"
        )
    for label in ("home page", "notice page"):
        ratio = results[("page cache", label)]["rps"] / results[("uncached", label)]["rps"]
        print(f"    {label}: page cache serves {ratio:.1f}x the uncached requests per second")


def main(argv: list[str]) -> int:
    args = parse_args(argv)

    from django.conf import settings

    media_root = Path(tempfile.mkdtemp(prefix="bianmin-bench-media-"))
    settings.MEDIA_ROOT = str(media_root)
    try:
        return run_in_scratch_database(
            prefix="bianmin_bench_site",
            conn_max_age=60,
            run=lambda server_config, db_name: run(args, server_config, db_name, media_root),
        )
    finally:
        shutil.rmtree(media_root, ignore_errors=True)
        print(f"Scratch media {media_root} removed.", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
