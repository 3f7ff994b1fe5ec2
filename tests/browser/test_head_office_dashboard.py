"""Head office supervises in the browser: the dashboard flags a center in red, sorts and filters,
a center's page shows its month and twelve months, and the administrator tightens a threshold so
that another center turns amber; the league table ranks them."""

import re

from django.utils import timezone

from playwright.sync_api import Page, expect

from portal.models import CenterKpi, CenterMonth, KpiThreshold
from tests.base import TEST_PASSWORD
from tests.browser.steps import admin_login

HEAD_OFFICE = "localhost"
MONTH = timezone.localdate().replace(day=1)


def month(center, *, in_time, satisfied, region):
    center.region = region
    center.save(update_fields=["region"])
    CenterMonth.objects.update_or_create(
        center=center,
        month=MONTH,
        defaults={
            "work_orders_completed": 20,
            "work_orders_in_time": in_time,
            "ratings": 20,
            "ratings_satisfied": satisfied,
            "elder_visits_required": 60,
            "elder_visits_done": 60,
        },
    )
    CenterKpi.objects.update_or_create(center=center, defaults={"work_orders_overdue": 0})


def test_head_office_reads_the_dashboard_and_tightens_a_threshold(
    head_office_admin, center_a, center_b, live, desktop: Page
):
    month(center_a, in_time=19, satisfied=19, region="东区")  # 95%, 95%
    month(center_b, in_time=16, satisfied=17, region="西区")  # 80%: red; 85%: red
    admin_login(desktop, live.url(HEAD_OFFICE, "/login/"), "hq", TEST_PASSWORD)
    desktop.get_by_role("link", name="总部看板").click()
    table = desktop.locator("table.dashboard")
    red_row = table.locator("tr", has_text=center_b.name)
    expect(red_row.locator('[data-kpi="in_time_rate"]')).to_have_class(re.compile("flag-red"))
    expect(red_row.locator('[data-kpi="in_time_rate"]')).to_contain_text("80.0%")

    # Worst first by the share done in time, then only the east region.
    table.get_by_role("link", name="按时完成工单").click()
    expect(desktop).to_have_url(re.compile(r"sort=in_time_rate"))
    names = table.locator("tbody th[scope=row]").all_inner_texts()
    assert names.index(center_b.name) < names.index(center_a.name)
    desktop.locator("#region").select_option("东区")
    desktop.get_by_role("button", name="筛选").click()
    expect(table).to_contain_text(center_a.name)
    expect(table).not_to_contain_text(center_b.name)

    # The center's own page: its month and its twelve months, with the figures behind the charts.
    table.get_by_role("link", name=center_a.name).click()
    expect(desktop.locator("h1")).to_contain_text(center_a.name)
    expect(desktop.locator("figure.chart")).to_have_count(4)
    expect(desktop.locator("table.trend-table")).to_contain_text("95.0%")

    # Head office asks for 98% in time: center A turns amber.
    desktop.get_by_role("link", name="全部中心").click()
    desktop.get_by_role("link", name="预警标准").click()
    desktop.locator("[name=in_time_rate__amber]").fill("98")
    desktop.get_by_role("button", name="保存").click()
    expect(desktop.locator(".messages")).to_contain_text("预警标准已保存")
    assert KpiThreshold.objects.get(code="in_time_rate").amber == 98
    desktop.get_by_role("link", name="返回看板").click()
    row_a = desktop.locator("table.dashboard tr", has_text=center_a.name)
    expect(row_a.locator('[data-kpi="in_time_rate"]')).to_have_class(re.compile("flag-amber"))

    desktop.get_by_role("link", name="排行榜").click()
    ranked = desktop.locator("table.league tbody th[scope=row]").all_inner_texts()
    assert ranked == [center_a.name, center_b.name]
