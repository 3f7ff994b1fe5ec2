"""Set up and measure the baseline site, in its own process (its own settings):

    DJANGO_SETTINGS_MODULE=tests.bench.baseline_site.settings BASELINE_DATABASE_URL=postgresql://… \
        python -m tests.bench.baseline_site.tool fill --notices 200 --host baseline.localhost
    … python -m tests.bench.baseline_site.tool queries --host baseline.localhost --path / --path /notices/n5/

``fill`` migrates the (empty) database and builds the site as an editor would (``add_child``): a home
page, the notice list and two other sections, ``--notices`` notices with the same titles and bodies as
the centers' in ``bench_site``. ``queries`` prints, as JSON, the SQL of each path's second request
(the first warms the connection and Wagtail's cache), counted in process with the test client.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.baseline_site.settings")

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


def fill(*, notices: int, host: str) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from wagtail.models import Page, Site

    from tests.bench.baseline_site.notices.models import HomePage, NoticeIndexPage, NoticePage, SectionPage

    call_command("migrate", interactive=False, verbosity=0)
    now = timezone.now()
    today = timezone.localdate()
    root = Page.get_first_root_node()
    for page in root.get_children():  # Wagtail's welcome page
        page.delete()
    root.refresh_from_db()
    home = root.add_child(
        instance=HomePage(title="压测服务中心", slug="home", intro="<p>为社区居民提供便民服务。</p>")
    )
    Site.objects.all().delete()
    Site.objects.create(
        hostname=host, port=80, root_page=home, is_default_site=True, site_name="压测服务中心"
    )
    index = home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices", show_in_menus=True))
    for title, slug in (("活动报道", "reports"), ("办事指南", "guide")):
        home.add_child(instance=SectionPage(title=title, slug=slug, show_in_menus=True))
    for i in range(notices):
        topic = TOPICS[i % len(TOPICS)]
        index.add_child(
            instance=NoticePage(
                title=f"关于{i % 12 + 1}号楼{topic}的通知（第{i}期）",
                slug=f"n{i}",
                date=today - dt.timedelta(days=i),
                body=f"<p>各位业主：{topic}相关安排如下，请相互转告。" * 4 + "</p>",
                first_published_at=now - dt.timedelta(days=i),
                last_published_at=now - dt.timedelta(days=i),
            )
        )


def queries(*, host: str, paths: list[str]) -> dict[str, list[str]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host)
    result = {}
    for path in paths:
        assert client.get(path).status_code == 200, path
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, path
        result[path] = [query["sql"] for query in captured.captured_queries]
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["fill", "queries"])
    parser.add_argument("--notices", type=int, default=200)
    parser.add_argument("--host", default="baseline.localhost")
    parser.add_argument("--path", action="append", default=[])
    args = parser.parse_args(argv)

    import django

    django.setup()
    if args.command == "fill":
        fill(notices=args.notices, host=args.host)
    else:
        print(json.dumps(queries(host=args.host, paths=args.path or ["/"]), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
