"""axe-core on the residents' pages (a phone): no critical or serious violations; the counts printed."""

import datetime as dt
from collections import Counter

from django.utils import timezone

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from cms.models import HomePage, NoticeIndexPage
from cms.services.evaluations import evaluation_publish
from cms.setup import center_pages_install
from tests.cms.test_home_page import add_report
from tests.cms.test_notices import add_notice

HOST = "alpha.localhost"
BLOCKING = {"critical", "serious"}


def violations(page: Page) -> list[dict]:
    return Axe().run(page).response["violations"]


def test_residents_pages_have_no_critical_or_serious_violations(guide, live, phone: Page, capsys):
    home = HomePage.objects.get()
    center_pages_install(home=home)
    index = NoticeIndexPage.objects.child_of(home).get()
    notice = add_notice(index, "明日停水通知", urgent=True)
    report = add_report("重阳节书法活动", live=True)
    report.cover_image.description = report.title  # as editors write it: the card's alt said the title again
    report.cover_image.save()
    evaluation = evaluation_publish(month=(timezone.localdate().replace(day=1) - dt.timedelta(days=1)))
    pages = {
        "home": "/",
        "notice": notice.url,
        "report": report.url,
        "guide": "/guide/",
        "repair": "/repair/",
        "feedback": "/feedback/",
        "track": "/track/",
        "evaluation": evaluation.url,
        "evaluations": evaluation.get_parent().url,
    }
    found = {}
    for name, path in pages.items():
        phone.goto(live.url(HOST, path))
        found[name] = violations(phone)
    with capsys.disabled():
        for name, items in found.items():
            counts = Counter(item["impact"] for item in items)
            print(f"\naxe {name}: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))
    blocking = {
        name: [(item["id"], item["impact"]) for item in items if item["impact"] in BLOCKING]
        for name, items in found.items()
    }
    assert not any(blocking.values()), blocking
    assert "image-redundant-alt" not in {item["id"] for item in found["home"]}
