"""Head office's trends, league table, heat maps and a center's page: read from the rollups, in a
fixed number of queries, without personal data."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from portal.kpis import activity_compliance, months_ending
from portal.models import CenterMonth, Submission
from tenants.models import ServiceCenter
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db

MONTH = timezone.localdate().replace(day=1)
PREVIOUS = (MONTH - dt.timedelta(days=1)).replace(day=1)


def url(name, *args):
    return reverse(f"portal:{name}", args=args, urlconf="portal.urls")


@pytest.fixture
def hq(head_office_client, head_office_admin):
    head_office_client.login(username="hq", password=TEST_PASSWORD)
    return head_office_client


def month_row(center, month, **values):
    CenterMonth.objects.update_or_create(center=center, month=month, defaults=values)


def test_the_company_trend_sums_every_centers_counts(hq, center_a, center_b):
    month_row(
        center_a, MONTH, work_orders_completed=20, work_orders_in_time=19, ratings=10, ratings_satisfied=9
    )
    month_row(center_b, MONTH, work_orders_completed=20, work_orders_in_time=10)
    month_row(center_a, PREVIOUS, work_orders_completed=10, work_orders_in_time=10)
    body = hq.get(url("trends")).content.decode()
    this_row = body.split(f'<th scope="row">{MONTH:%Y-%m}</th>', 1)[1].split("</tr>", 1)[0]
    assert "72.5%" in this_row and "90.0%" in this_row  # (19+10)/(20+20); 9/10
    previous_row = body.split(f'<th scope="row">{PREVIOUS:%Y-%m}</th>', 1)[1].split("</tr>", 1)[0]
    assert "100.0%" in previous_row
    assert body.count("<svg") == 4 and "<polyline" in body
    assert body.count('<th scope="row">') == 12


def test_the_league_table_ranks_with_the_change_from_last_month(hq, center_a, center_b):
    month_row(center_a, MONTH, ratings=10, ratings_satisfied=8)
    month_row(center_a, PREVIOUS, ratings=10, ratings_satisfied=9)
    month_row(center_b, MONTH, ratings=10, ratings_satisfied=10)
    body = hq.get(url("league"), {"by": "satisfaction"}).content.decode()
    assert body.index(center_b.name) < body.index(center_a.name)
    row_a = body.split(center_a.name, 1)[1].split("</tr>", 1)[0]
    assert "80.0%" in row_a and "90.0%" in row_a and "−10.0" in row_a
    visits = hq.get(url("league"), {"by": "visits"}).content.decode()
    assert "—" in visits.split(center_a.name, 1)[1].split("</tr>", 1)[0]


def test_activity_compliance_by_quarter_and_year():
    year = 2026
    rows = {
        dt.date(year, 1, 1): {"birthday_parties_held": 1},
        dt.date(year, 2, 1): {"repair_days_held": 1},
        dt.date(year, 5, 1): {"birthday_parties_held": 1, "clinics_held": 1},
    }
    today = dt.date(year + 1, 1, 5)
    assert activity_compliance(rows, dt.date(year, 3, 1), today=today)["state"] == "met"
    assert activity_compliance(rows, dt.date(year, 4, 1), today=today)["state"] == "pending"
    # Q2 ended without a repair day.
    assert activity_compliance(rows, dt.date(year, 6, 1), today=today)["state"] == "missed"
    # A running quarter-end month misses nothing yet.
    assert activity_compliance(rows, dt.date(year, 6, 1), today=dt.date(year, 6, 20))["state"] == "pending"
    # One clinic by June, two by December.
    december = {**rows, dt.date(year, 10, 1): {"birthday_parties_held": 1, "repair_days_held": 1}}
    result = activity_compliance(december, dt.date(year, 12, 1), today=today)
    assert result["clinics"] == 1 and result["state"] == "missed"


def test_the_heat_maps_colour_each_month(hq, center_a):
    month_row(center_a, MONTH, elder_visits_done=60, elder_visits_required=60)
    month_row(center_a, PREVIOUS, elder_visits_done=50, elder_visits_required=60)
    body = hq.get(url("heat_map")).content.decode()
    row = body.split(center_a.name, 1)[1].split("</tr>", 1)[0]
    assert 'heat-met">100%' in row and 'heat-missed">83%' in row
    activities = hq.get(url("heat_map"), {"kind": "activities"}).content.decode()
    assert activities.split(center_a.name, 1)[1].split("</tr>", 1)[0].count("/3") == 12


def test_a_centers_page_shows_its_month_trend_and_submissions(hq, center_a):
    month_row(center_a, MONTH, work_orders_completed=10, work_orders_in_time=8)
    Submission.objects.create(
        center=center_a, kind=Submission.Kind.PURCHASE_REQUEST, reference="7", title="2026年12月申购"
    )
    body = hq.get(url("center_summary", center_a.pk)).content.decode()
    assert center_a.name in body and "80.0%" in body and "2026年12月申购" in body
    assert "alpha.localhost" in body  # links to its site and admin
    assert hq.get(url("center_summary", 999999)).status_code == 404


def test_league_and_heat_map_cost_the_same_for_10_and_1000_centers(hq):
    def add(n, start):
        centers = ServiceCenter.objects.bulk_create(
            [
                ServiceCenter(schema_name=f"many{i}", name=f"中心{i}", code=f"many{i}")
                for i in range(start, start + n)
            ]
        )
        CenterMonth.objects.bulk_create(
            [
                CenterMonth(center=c, month=m, ratings=10, ratings_satisfied=9)
                for c in centers
                for m in months_ending(MONTH, 3)
            ]
        )

    def queries(name, **params):
        hq.get(url(name), params)
        with CaptureQueriesContext(connection) as captured:
            assert hq.get(url(name), params).status_code == 200
        return len(captured.captured_queries)

    add(10, 0)
    few = [queries("league"), queries("heat_map"), queries("trends")]
    add(990, 10)
    assert [queries("league"), queries("heat_map"), queries("trends")] == few


def test_a_centers_monthly_report_exports_to_excel(hq, center_a):
    import io

    from openpyxl import load_workbook

    month_row(center_a, MONTH, work_orders_completed=10, work_orders_in_time=8)
    response = hq.get(url("center_summary", center_a.pk), {"export": "xlsx"})
    assert response["Content-Disposition"].endswith(f'{center_a.code}-{MONTH:%Y-%m}.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    figures = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=4, values_only=True)}
    assert figures["按时完成工单"] == 80.0
    months = [row[0] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert len(months) == 12 and months[-1] == f"{MONTH:%Y-%m}"


@pytest.mark.parametrize("name", ["trends", "league", "heat_map", "dashboard"])
def test_a_month_before_any_center_is_explained_not_a_server_error(hq, center_a, name):
    response = hq.get(url(name), {"month": "0001-01"}, follow=True)
    assert response.status_code == 200 and "2026-11" in response.content.decode()


def test_a_suspended_centers_frozen_alerts_are_not_shown(hq, center_a, center_b):
    from portal.models import CenterKpi

    CenterKpi.objects.create(center=center_b, work_orders_late_over_day=2)
    center_b.status = ServiceCenter.Status.SUSPENDED
    center_b.save(update_fields=["status"])
    body = hq.get(url("dashboard")).content.decode()
    assert 'class="alerts"' not in body
