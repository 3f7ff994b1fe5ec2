"""Head office's dashboard: every center's figures of a month from the rollups, flagged against
head office's thresholds, sorted, searched, filtered by region, exported; the same number of
queries for 10 centers as for 1,000; the thresholds page for the administrator, read-only for the
auditor."""

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from portal.models import CenterKpi, CenterMonth, KpiThreshold
from portal.roles import head_office_roles_sync
from tenants.models import ServiceCenter
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db

MONTH = timezone.localdate().replace(day=1)


def url(name):
    return reverse(f"portal:{name}", urlconf="portal.urls")


@pytest.fixture
def hq(head_office_client, head_office_admin):
    head_office_client.login(username="hq", password=TEST_PASSWORD)
    return head_office_client


def figures(center, *, completed=20, in_time=19, ratings=10, satisfied=9, overdue=0, region=""):
    if region:
        center.region = region
        center.save(update_fields=["region"])
    CenterMonth.objects.update_or_create(
        center=center,
        month=MONTH,
        defaults={
            "work_orders_completed": completed,
            "work_orders_in_time": in_time,
            "ratings": ratings,
            "ratings_satisfied": satisfied,
            "elder_visits_required": 60,
            "elder_visits_done": 60,
        },
    )
    CenterKpi.objects.update_or_create(center=center, defaults={"work_orders_overdue": overdue})


def cell(body: str, center_name: str, code: str) -> str:
    row = body.split(center_name, 1)[1].split("</tr>", 1)[0]
    return row.split(f'data-kpi="{code}"', 1)[1].split("</td>", 1)[0]


def test_the_table_shows_each_centers_month_flagged_against_the_thresholds(hq, center_a, center_b):
    figures(center_a, in_time=19, overdue=0)  # 95%: fine
    figures(center_b, in_time=17, overdue=4)  # 85%: red; 4 open past deadline: red
    body = hq.get(url("dashboard")).content.decode()
    assert "95.0%" in cell(body, center_a.name, "in_time_rate")
    assert "flag" not in cell(body, center_a.name, "in_time_rate").split(">")[0]
    assert "85.0%" in cell(body, center_b.name, "in_time_rate")
    assert "（红）" in cell(body, center_b.name, "in_time_rate") or "(红)" in cell(
        body, center_b.name, "in_time_rate"
    )
    assert 'class="num flag-red"' in body.split(center_b.name, 1)[1].split("</tr>")[0]
    # Head office tightens the mark: center A turns amber.
    KpiThreshold.objects.create(code="in_time_rate", amber=98, red=90)
    body = hq.get(url("dashboard")).content.decode()
    assert "flag-amber" in body.split(center_a.name, 1)[1].split("</tr>")[0]


def test_sorted_by_any_figure_searched_and_filtered_by_region(hq, center_a, center_b):
    figures(center_a, in_time=19, region="东区")
    figures(center_b, in_time=10, region="西区")
    worst_first = hq.get(url("dashboard"), {"sort": "in_time_rate"}).content.decode()
    assert worst_first.index(center_b.name) < worst_first.index(center_a.name)
    best_first = hq.get(url("dashboard"), {"sort": "-in_time_rate"}).content.decode()
    assert best_first.index(center_a.name) < best_first.index(center_b.name)
    east = hq.get(url("dashboard"), {"region": "东区"}).content.decode()
    assert center_a.name in east and center_b.name not in east
    found = hq.get(url("dashboard"), {"q": center_b.code}).content.decode()
    assert center_b.name in found and center_a.name not in found


def test_a_bad_month_is_explained_and_this_month_shown(hq, center_a):
    response = hq.get(url("dashboard"), {"month": "2026/13"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "2026-11" in body  # the example in the message
    assert MONTH.strftime("%Y-%m") in body


def test_the_export_is_the_table_with_its_flags(hq, center_a, center_b):
    figures(center_a)
    figures(center_b, in_time=10)
    response = hq.get(url("dashboard"), {"export": "xlsx", "sort": "name"})
    assert response["Content-Disposition"].endswith(f'centers-{MONTH:%Y-%m}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "服务中心" and "按时完成工单" in rows[0]
    names = [r[0] for r in rows[1:]]
    assert center_a.name in names and center_b.name in names
    column = rows[0].index("按时完成工单")
    b_row = names.index(center_b.name) + 2
    assert sheet.cell(row=b_row, column=column + 1).value == 50.0
    assert sheet.cell(row=b_row, column=column + 1).fill.fgColor.rgb.endswith("F8D7DA")


def test_the_query_count_does_not_grow_with_the_number_of_centers(hq):
    def add_centers(n, start):
        centers = ServiceCenter.objects.bulk_create(
            [
                ServiceCenter(schema_name=f"bulk{i}", name=f"测试中心{i}", code=f"bulk{i}", region="南区")
                for i in range(start, start + n)
            ]
        )
        CenterMonth.objects.bulk_create(
            [
                CenterMonth(center=c, month=MONTH, work_orders_completed=5, work_orders_in_time=4)
                for c in centers
            ]
        )
        # Some on alert: the alerts box lists 20 and counts them all, with 10 centers or 1,000.
        CenterKpi.objects.bulk_create(
            [
                CenterKpi(center=c, work_orders_overdue=1, escalations_over_day=i % 3 == 0)
                for i, c in enumerate(centers)
            ]
        )

    def queries(**params):
        hq.get(url("dashboard"), params)
        with CaptureQueriesContext(connection) as captured:
            response = hq.get(url("dashboard"), params)
        assert response.status_code == 200
        return len(captured.captured_queries)

    add_centers(10, 0)
    few = queries(sort="-in_time_rate"), queries(region="南区")
    add_centers(990, 10)
    many = queries(sort="-in_time_rate"), queries(region="南区")
    assert few == many, (few, many)


@pytest.fixture
def auditor(head_office_client):
    head_office_roles_sync()
    user = get_user_model().objects.create_user(username="audit", password=TEST_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="总部督查"))
    head_office_client.login(username="audit", password=TEST_PASSWORD)
    return head_office_client


def test_the_administrator_sets_thresholds_and_a_wrong_pair_is_refused(hq):
    page = hq.get(url("thresholds")).content.decode()
    assert 'name="in_time_rate__amber"' in page and 'value="95"' in page
    data = {f"{code}__{m}": "" for code in ("in_time_rate",) for m in ("amber", "red")}
    bad = hq.post(url("thresholds"), {**data, "in_time_rate__amber": "90", "in_time_rate__red": "95"})
    assert bad.status_code == 200 and "红色标准应比黄色标准更差" in bad.content.decode()
    assert not KpiThreshold.objects.exists()
    good = hq.post(url("thresholds"), {**data, "in_time_rate__amber": "97", "in_time_rate__red": "92"})
    assert good.status_code == 302
    row = KpiThreshold.objects.get(code="in_time_rate")
    assert (row.amber, row.red, row.updated_by_name) == (97, 92, "hq")


def test_the_auditor_reads_the_dashboard_and_the_thresholds_but_changes_nothing(auditor, center_a):
    figures(center_a)
    assert center_a.name in auditor.get(url("dashboard")).content.decode()
    page = auditor.get(url("thresholds")).content.decode()
    assert "<input" not in page.split("<tbody>")[1] and 'type="submit"' not in page.split("<tbody>")[1]
    refused = auditor.post(url("thresholds"), {"in_time_rate__amber": "50", "in_time_rate__red": "40"})
    assert refused.status_code == 403
    assert not KpiThreshold.objects.exists()


def test_late_elders_and_work_orders_are_alerts_at_the_top(hq, center_a, center_b):
    figures(center_a)
    figures(center_b)
    assert "需关注" not in hq.get(url("dashboard")).content.decode()
    CenterKpi.objects.filter(center=center_b).update(escalations_over_day=1, work_orders_late_over_day=2)
    body = hq.get(url("dashboard")).content.decode()
    alerts = body.split('class="alerts"', 1)[1].split("</section>", 1)[0]
    assert center_b.name in alerts and center_a.name not in alerts
    assert "1 位老人超过 24 小时未联系上" in alerts and "2 张工单超时一天以上" in alerts


def test_the_elders_visit_rate_is_flagged_only_once_its_month_is_over(hq, center_a):
    figures(center_a)
    last_month = (MONTH - dt.timedelta(days=1)).replace(day=1)
    for month in (MONTH, last_month):
        CenterMonth.objects.update_or_create(
            center=center_a, month=month, defaults={"elder_visits_required": 60, "elder_visits_done": 30}
        )
    running = hq.get(url("dashboard")).content.decode()
    assert "50.0%" in cell(running, center_a.name, "visit_rate")
    assert (
        "flag-red"
        not in running.split(center_a.name, 1)[1].split('data-kpi="visit_rate"', 1)[0].rsplit("<td", 1)[1]
    )
    over = hq.get(url("dashboard"), {"month": f"{last_month:%Y-%m}"}).content.decode()
    assert (
        "flag-red" in over.split(center_a.name, 1)[1].split('data-kpi="visit_rate"', 1)[0].rsplit("<td", 1)[1]
    )


def test_the_desks_bookings_and_average_wait_per_center(hq, center_a, center_b):
    """Center-level figures only: bookings and the average wait, red from 30 minutes."""
    figures(center_a)
    figures(center_b)
    CenterMonth.objects.filter(center=center_a, month=MONTH).update(
        bookings=40, queue_called=10, queue_wait_seconds=10 * 8 * 60
    )
    CenterMonth.objects.filter(center=center_b, month=MONTH).update(
        bookings=12, queue_called=4, queue_wait_seconds=4 * 35 * 60
    )
    body = hq.get(url("dashboard")).content.decode()
    assert "40" in cell(body, center_a.name, "bookings")
    assert "8 分钟" in cell(body, center_a.name, "queue_wait_minutes")
    assert "flag" not in cell(body, center_a.name, "queue_wait_minutes").split(">")[0]
    assert "35 分钟" in cell(body, center_b.name, "queue_wait_minutes")
    assert "flag-red" in body.split(center_b.name, 1)[1].split("</tr>")[0]
