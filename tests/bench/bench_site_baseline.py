"""Benchmark: residents' pages of 200 centers beside a single-tenant Wagtail site, and a worker's memory.

A benchmark, not a test: it asserts nothing about time, it prints figures (issue #17, P2 and P6)::

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python tests/bench/bench_site_baseline.py \
        [--centers 200] [--notices 200] [--rounds 5] [--seconds 8] [--rss-requests 10000] \
        [--redis redis://127.0.0.1:6379/0]

It never touches the developer's databases: two scratch databases on the configured server
(``bianmin_bench_vs_baseline_<pid>`` for ours, ``…_baseline`` for the yardstick), a scratch media
and static folder, all dropped at the end (also on Ctrl-C, SIGTERM or an error).

1. Ours: one center filled as ``bench_site`` fills it (notices, reports with images, activities, the
   day's duty), copied to ``--centers`` centers. The baseline (``tests/bench/baseline_site``): a
   minimal single-tenant Wagtail project (``wagtail start``'s apps and middleware), a home page,
   the notice list beside two other sections, the same ``--notices`` notices.
2. SQL per uncached page, counted in process with the test client on a warm persistent connection
   (the second request of a page): ours and the baseline side by side, and our statements that the
   baseline has no counterpart for.
3. Both served by gunicorn with the same settings (our gunicorn.conf.py, ``--workers`` sync workers), ours
   with the production settings we ship (``CONN_MAX_AGE`` as shipped unless ``--conn-max-age``)
   and the page cache off, the baseline with ``CONN_MAX_AGE=60`` like a typical Wagtail site.
   ``--rounds`` rounds of ``--seconds`` per page and site, the order of the two sites alternating
   from round to round; ours picks a random center's host per request. Prints requests per second,
   median and 95th-percentile latency and the ratio ours/baseline per round, then the median ratio.
4. Memory (P6): a fresh server of ours takes ``--rss-requests`` uncached requests spread over the
   centers, the number of distinct centers growing phase by phase; the RSS of each worker is printed
   at each checkpoint, with the centers seen so far. The baseline's workers' RSS after its rounds is
   printed for comparison.

The load generator runs on the same machine and competes with the servers for the CPU: compare
ratios within one run rather than absolute figures across runs or machines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

from tests.bench.bench_service_desk import describe_server  # noqa: E402
from tests.bench.bench_site import (  # noqa: E402
    ADMIN_PASSWORD,
    SEED,
    clone_center,
    database_url,
    fetch,
    fill_seed,
    load,
)
from tests.bench.scratch import create_database, drop_database, run_in_scratch_database  # noqa: E402

BASELINE_HOST = "baseline.localhost"
NOTICE_SLUG = "n5"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--centers", type=int, default=200)
    parser.add_argument("--notices", type=int, default=200, help="notices per center and in the baseline")
    parser.add_argument("--reports", type=int, default=50, help="activity reports per center")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8.0, help="load per page, site and round")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each site")
    parser.add_argument(
        "--rss-requests", type=int, default=10_000, help="requests of the memory phase (0: none)"
    )
    parser.add_argument(
        "--conn-max-age", default=None, help="CONN_MAX_AGE of ours (default: unset, the shipped default)"
    )
    parser.add_argument("--redis", default="", help="Redis URL for both sites' cache (default: local memory)")
    return parser.parse_args(argv)


# --- SQL --------------------------------------------------------------------------------------------


def sql_label(sql: str) -> str:
    """A statement in a few words: ``SET search_path`` or ``SELECT <first table>``, the page models' tables
    without their app's prefix (``cms_noticepage`` and ``baseline_notices_noticepage`` are both ``noticepage``)."""
    if sql.lstrip().upper().startswith("SET "):
        return "SET search_path"
    verb = sql.split(None, 1)[0].upper()
    match = re.search(r'\bFROM\s+"?([a-z0-9_]+)"?', sql, re.IGNORECASE)
    table = re.sub(r"^(cms|baseline_notices)_", "", match.group(1)) if match else "?"
    return f"{verb} {table}"


def our_queries(host: str, paths: list[str]) -> dict[str, list[str]]:
    """SQL of each path's second request on a warm persistent connection (in process, test client)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host)
    result = {}
    for path in paths:
        assert client.get(path).status_code == 200, path
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        result[path] = [query["sql"] for query in captured.captured_queries]
        connection.set_schema_to_public()
    return result


def baseline_env(base_db_url: str, media_root: Path, args: argparse.Namespace) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.bench.baseline_site.settings",
        "BASELINE_DATABASE_URL": base_db_url,
        "CONN_MAX_AGE": "60",
        "MEDIA_ROOT": str(media_root / "baseline"),
        "BASELINE_REDIS_URL": args.redis,
        "CACHE_KEY_PREFIX": f"baseline{os.getpid()}",
    }


def baseline_tool(env: dict, *arguments: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own venv's python
        [sys.executable, "-m", "tests.bench.baseline_site.tool", *arguments],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"baseline tool {arguments[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def print_sql(ours: dict[str, list[str]], baseline: dict[str, list[str]], pages: list[tuple[str, str, str]]):
    print("\n  SQL per uncached page (in process, test client, second request on a persistent connection)")
    print(f"    {'page':<10}{'ours':>6}{'baseline':>10}{'goal (baseline + 1)':>22}")
    for label, our_path, base_path in pages:
        n_ours, n_base = len(ours[our_path]), len(baseline[base_path])
        verdict = "ok" if n_ours <= n_base + 1 else "over"
        print(f"    {label:<10}{n_ours:>6}{n_base:>10}{n_base + 1:>16}  {verdict}")
    for label, our_path, base_path in pages:
        extra = Counter(map(sql_label, ours[our_path])) - Counter(map(sql_label, baseline[base_path]))
        fewer = Counter(map(sql_label, baseline[base_path])) - Counter(map(sql_label, ours[our_path]))
        print(f"    {label}: ours  {', '.join(sql_label(s) for s in ours[our_path])}")
        print(f"    {'':<{len(label)}}  base  {', '.join(sql_label(s) for s in baseline[base_path])}")
        print(
            f"    {'':<{len(label)}}  our extra: {', '.join(f'{k} ×{v}' for k, v in extra.items()) or 'none'}"
            f"; the baseline's extra: {', '.join(f'{k} ×{v}' for k, v in fewer.items()) or 'none'}"
        )


# --- servers ----------------------------------------------------------------------------------------


def start_server(
    *, app: str, env: dict, workers: int, probe: tuple[str, str]
) -> tuple[subprocess.Popen, int]:
    """gunicorn with the same settings for both sites: our shipped ``gunicorn.conf.py`` (JSON access lines,
    to /dev/null here), ``workers`` sync workers, never recycled (``GUNICORN_MAX_REQUESTS=0``: the memory
    phase must see a worker's growth)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**env, "WEB_CONCURRENCY": str(workers), "GUNICORN_MAX_REQUESTS": "0", "LOG_FORMAT": "json"}
    process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
        [
            str(gunicorn),
            "-c",
            str(REPO_ROOT / "gunicorn.conf.py"),
            app,
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = fetch(port, *probe)
            if status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"gunicorn {app} did not start")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def worker_rss_mb(process: subprocess.Popen) -> list[float]:
    import psutil

    children = psutil.Process(process.pid).children()
    return sorted(child.memory_info().rss / 2**20 for child in children)


def collect_static(env: dict) -> None:
    subprocess.run(  # noqa: S603 - our own venv's python
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
    )


# --- load -------------------------------------------------------------------------------------------


def rounds(*, args, ours: tuple[int, list], baseline: tuple[int, list], scenarios: list[str]) -> dict:
    """``args.rounds`` rounds; in each, every scenario on both sites, the order alternating by round."""
    results: dict[tuple[str, str], list[dict]] = {}
    for number in range(args.rounds):
        order = ("ours", "baseline") if number % 2 == 0 else ("baseline", "ours")
        for scenario in scenarios:
            for side in order:
                port, urls = (
                    (ours if side == "ours" else baseline)[0],
                    (ours if side == "ours" else baseline)[1],
                )
                result = load(port, urls[scenario], seconds=args.seconds, clients=args.clients)
                results.setdefault((scenario, side), []).append(result)
        summary = "; ".join(
            f"{s}: {results[(s, 'ours')][-1]['rps']:.0f} vs {results[(s, 'baseline')][-1]['rps']:.0f} req/s "
            f"= {results[(s, 'ours')][-1]['rps'] / results[(s, 'baseline')][-1]['rps']:.2f}x"
            for s in scenarios
        )
        print(f"    round {number + 1} ({order[0]} first): {summary}", flush=True)
    return results


def print_rounds(results: dict, scenarios: list[str], rounds_count: int) -> None:
    print(
        f"\n    {'page':<8}{'round':>6}{'ours req/s':>12}{'p50/p95 ms':>14}{'base req/s':>12}{'p50/p95 ms':>14}"
        f"{'ours/base':>11}  errors"
    )
    for scenario in scenarios:
        ratios = []
        for number in range(rounds_count):
            o, b = results[(scenario, "ours")][number], results[(scenario, "baseline")][number]
            ratio = o["rps"] / b["rps"]
            ratios.append(ratio)
            print(
                f"    {scenario:<8}{number + 1:>6}{o['rps']:>12.1f}{o['p50']:>7.1f}/{o['p95']:<6.1f}"
                f"{b['rps']:>12.1f}{b['p50']:>7.1f}/{b['p95']:<6.1f}{ratio:>10.2f}x  {o['errors']}/{b['errors']}"
            )
        o_med = statistics.median(r["rps"] for r in results[(scenario, "ours")])
        b_med = statistics.median(r["rps"] for r in results[(scenario, "baseline")])
        print(
            f"    {scenario:<8}{'median':>6}{o_med:>12.1f}{'':>14}{b_med:>12.1f}{'':>14}"
            f"{statistics.median(ratios):>10.2f}x  (ratios {min(ratios):.2f}–{max(ratios):.2f}; goal ≥ 0.90x)"
        )


def drive(port: int, plan: list[tuple[str, str]], *, clients: int) -> list[tuple[int, tuple[str, str]]]:
    """Every request of ``plan`` once, by ``clients`` threads; the ones not answered 200."""
    queue = iter(plan)
    lock = threading.Lock()
    errors = []

    def worker():
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            status, _ = fetch(port, *item)
            if status != 200:
                errors.append((status, item))

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def memory_phase(
    *, port: int, process: subprocess.Popen, hosts: list[str], paths: list[str], total: int, clients: int
) -> None:
    """``total`` requests over a growing number of centers; RSS of each worker at each checkpoint."""
    rng = random.Random(17)  # noqa: S311 - load pattern
    n = len(hosts)
    # (requests so far, centers reached): the centers seen grow 20-fold over the first half of the requests,
    # then the second half goes to all of them again (a bounded worker stays flat).
    phases = [
        (total // 10, max(1, n // 20)),
        (total // 5, max(1, n // 4)),
        (total // 2, n),
        (3 * total // 4, n),
        (total, n),
    ]
    print(f"\n  Memory (P6): {total} uncached requests over up to {n} centers, {clients} clients")
    print(f"    {'requests':>9}{'centers seen':>14}{'worker RSS MB':>24}{'total MB':>10}")
    print(
        f"    {0:>9}{0:>14}{' / '.join(f'{r:.0f}' for r in worker_rss_mb(process)):>24}"
        f"{sum(worker_rss_mb(process)):>10.0f}   (after start and a few requests)"
    )
    done, seen = 0, set()
    for checkpoint, reach in phases:
        count = checkpoint - done
        if count <= 0:
            continue
        visible = hosts[:reach]
        # Every center of the phase once, then random picks among them.
        plan = [(h, rng.choice(paths)) for h in visible if h not in seen][:count]
        plan += [(rng.choice(visible), rng.choice(paths)) for _ in range(count - len(plan))]
        seen.update(h for h, _ in plan)
        errors = drive(port, plan, clients=clients)
        done = checkpoint
        rss = worker_rss_mb(process)
        print(
            f"    {done:>9}{len(seen):>14}{' / '.join(f'{r:.0f}' for r in rss):>24}{sum(rss):>10.0f}"
            f"{'   errors: ' + str(len(errors)) + ' ' + str(errors[:3]) if errors else ''}",
            flush=True,
        )


# --- the run ----------------------------------------------------------------------------------------


def run(args: argparse.Namespace, config: dict, db_name: str, media_root: Path, static_root: Path) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from django_tenants.utils import schema_context

    from tenants.services import center_create

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print("Bianmin residents' site beside a single-tenant Wagtail site")
    print(f"  {describe_server(config)}; scratch databases {db_name}, {db_name}_baseline")
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
    codes = [SEED]
    for index in range(1, args.centers):
        codes.append(clone_center(index=index, media_root=media_root))
        if index % 50 == 0:
            print(f"    {index + 1} centers ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"  ours: {len(codes)} centers of {facts['notices']} notices, {facts['reports']} reports, "
        f"{facts['images']} images each, in {time.perf_counter() - started:.0f} s"
    )

    base_db = f"{db_name}_baseline"
    create_database(config, base_db)
    try:
        env_base = baseline_env(database_url(config, base_db), media_root, args)
        started = time.perf_counter()
        baseline_tool(env_base, "fill", "--notices", str(args.notices), "--host", BASELINE_HOST)
        print(f"  baseline: {args.notices} notices in {time.perf_counter() - started:.0f} s")
        run_servers(args, config, db_name, media_root, static_root, codes, env_base, settings)
    finally:
        drop_database(config, base_db)
        print(f"Scratch database {base_db} dropped.", file=sys.stderr)


def run_servers(args, config, db_name, media_root, static_root, codes, env_base, settings) -> None:
    notice = f"/notices/{NOTICE_SLUG}/"
    pages = [("home", "/", "/"), ("notice", notice, notice)]
    ours_sql = our_queries(f"{codes[min(1, len(codes) - 1)]}.localhost", [p[1] for p in pages])
    base_sql = json.loads(
        baseline_tool(
            env_base, "queries", "--host", BASELINE_HOST, *sum((["--path", p[2]] for p in pages), [])
        )
    )
    print_sql(ours_sql, base_sql, pages)

    env_ours = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "ALLOWED_HOSTS": ".localhost,localhost,127.0.0.1",
        "DATABASE_URL": database_url(config, db_name),
        "MEDIA_ROOT": str(media_root),
        "STATIC_ROOT": str(static_root),
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_KEY_PREFIX": f"bench{os.getpid()}",
        "REDIS_URL": args.redis,
        "ALLOW_PROCESS_LOCAL_CACHE": "" if args.redis else "1",
        "PAGE_CACHE_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    env_ours.pop("CONN_MAX_AGE", None)
    if args.conn_max_age is not None:
        env_ours["CONN_MAX_AGE"] = str(args.conn_max_age)
    collect_static(env_ours)
    shipped = subprocess.run(  # noqa: S603 - our own venv's python: what the shipped settings say
        [
            sys.executable,
            "-c",
            "from django.conf import settings; import django; django.setup(); "
            "print(settings.DATABASES['default']['CONN_MAX_AGE'], settings.DATABASES['default']['CONN_HEALTH_CHECKS'])",
        ],
        cwd=REPO_ROOT,
        env=env_ours,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    rng = random.Random(7)  # noqa: S311 - choice of pages
    hosts = [f"{code}.localhost" for code in codes]
    ours_urls = {
        "home": [(h, "/") for h in hosts],
        "notice": [(h, f"/notices/n{rng.randrange(args.notices)}/") for h in hosts for _ in range(5)],
    }
    base_urls = {
        "home": [(BASELINE_HOST, "/")],
        "notice": [
            (BASELINE_HOST, f"/notices/n{rng.randrange(args.notices)}/") for _ in range(5 * len(hosts))
        ],
    }
    scenarios = ["notice", "home"]
    ours_proc, ours_port = start_server(
        app="portal.wsgi", env=env_ours, workers=args.workers, probe=(hosts[0], "/")
    )
    base_proc, base_port = None, None
    try:
        base_proc, base_port = start_server(
            app="tests.bench.baseline_site.wsgi",
            env=env_base,
            workers=args.workers,
            probe=(BASELINE_HOST, "/"),
        )
        for port, urls in ((ours_port, ours_urls), (base_port, base_urls)):
            # Warm, as a server that has been up a while: every URL of the rounds once (connections, host
            # lookups, renditions, templates, what each site remembers).
            for scenario in scenarios:
                drive(port, urls[scenario], clients=args.clients)
        cache_kind = "Redis" if args.redis else "local memory per worker"
        print(
            f"\n  gunicorn, {args.workers} sync workers each, {args.clients} concurrent clients, "
            f"{args.rounds} rounds × {args.seconds:.0f} s per page and site; page cache off; cache: {cache_kind}"
        )
        print(
            f"    ours: production settings, CONN_MAX_AGE={shipped[0]} (health checks {shipped[1]}), "
            f"a random host of {len(hosts)} centers per request; baseline: CONN_MAX_AGE=60"
        )
        results = rounds(
            args=args, ours=(ours_port, ours_urls), baseline=(base_port, base_urls), scenarios=scenarios
        )
        print_rounds(results, scenarios, args.rounds)
        print(
            f"\n  RSS of the baseline's workers after its rounds: "
            f"{' / '.join(f'{r:.0f}' for r in worker_rss_mb(base_proc))} MB; "
            f"ours after the rounds: {' / '.join(f'{r:.0f}' for r in worker_rss_mb(ours_proc))} MB"
        )
    finally:
        stop_server(ours_proc)
        if base_proc is not None:
            stop_server(base_proc)

    if args.rss_requests:
        ours_proc, ours_port = start_server(
            app="portal.wsgi", env=env_ours, workers=args.workers, probe=(hosts[0], "/")
        )
        try:
            memory_phase(
                port=ours_port,
                process=ours_proc,
                hosts=hosts,
                paths=[
                    "/",
                    "/notices/",
                    f"/notices/{NOTICE_SLUG}/",
                    f"/notices/n{min(17, args.notices - 1)}/",
                    f"/notices/n{args.notices - 1}/",
                    "/reports/",
                    "/search/?q=%E5%81%9C%E6%B0%B4",
                ],
                total=args.rss_requests,
                clients=args.clients,
            )
        finally:
            stop_server(ours_proc)

    if args.redis:  # leave nothing of the run in the shared Redis
        import redis

        client = redis.Redis.from_url(args.redis)
        for prefix in (env_ours["CACHE_KEY_PREFIX"], env_base["CACHE_KEY_PREFIX"]):
            for key in client.scan_iter(match=f"*{prefix}:*", count=1000):
                client.delete(key)


def main(argv: list[str]) -> int:
    args = parse_args(argv)

    from django.conf import settings

    media_root = Path(tempfile.mkdtemp(prefix="bianmin-bench-media-"))
    static_root = Path(tempfile.mkdtemp(prefix="bianmin-bench-static-"))
    settings.MEDIA_ROOT = str(media_root)
    try:
        return run_in_scratch_database(
            prefix="bianmin_bench_vs_baseline",
            conn_max_age=60,
            run=lambda server_config, db_name: run(args, server_config, db_name, media_root, static_root),
        )
    finally:
        shutil.rmtree(media_root, ignore_errors=True)
        shutil.rmtree(static_root, ignore_errors=True)
        print(f"Scratch media {media_root} and static {static_root} removed.", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
