"""The demo's year of history: generated records in each center's manner, a rollup recomputed
from them that tells the centers apart, one center in red this month; twice = once."""

import datetime as dt

from django.db import connection
from django.utils import timezone

import pytest

from demo.history import HISTORY_MONTHS, MANNERS, OWN_STORY_MONTHS, history_demo_data_install
from operations.models import Activity, Complaint, WorkOrder
from operations.services.kpis import kpis_publish_months
from portal.kpis import KPI_BY_CODE, activity_compliance, months_ending, thresholds
from portal.models import CenterMonth

pytestmark = pytest.mark.usefixtures("alpha")


def test_a_year_of_history_in_the_centers_manner_and_twice_is_once():
    counts = history_demo_data_install(center_code="jinxiu")
    manner = MANNERS["jinxiu"]
    history = HISTORY_MONTHS - OWN_STORY_MONTHS
    assert counts["work_orders"] == history * manner.orders_per_month + manner.late_this_month
    assert (
        history_demo_data_install(center_code="yangguang")["work_orders"] == 0
    )  # this center has its history
    assert counts["complaints"] == history * manner.complaints_per_month
    assert history_demo_data_install(center_code="jinxiu") == {
        "work_orders": 0,
        "complaints": 0,
        "activities": 0,
    }
    assert WorkOrder.objects.filter(completed_at__gt=timezone.now()).count() == 0
    assert Complaint.objects.filter(created__gt=timezone.now()).count() == 0

    today = timezone.localdate()
    kpis_publish_months(months=months_ending(today, HISTORY_MONTHS))
    rows = {row.month: row for row in CenterMonth.objects.filter(center__schema_name=connection.schema_name)}
    past = [rows[m] for m in months_ending(today, HISTORY_MONTHS)[: HISTORY_MONTHS - OWN_STORY_MONTHS]]
    in_time = sum(r.work_orders_in_time for r in past) / sum(r.work_orders_completed for r in past)
    assert 0.75 < in_time < 0.95  # 锦绣华庭's manner: 86%
    this_month = rows[today.replace(day=1)]
    assert KPI_BY_CODE["work_orders_breached"].flag(this_month.work_orders_breached, thresholds()) == "red"

    held = {
        month: {
            "birthday_parties_held": r.birthday_parties_held,
            "repair_days_held": r.repair_days_held,
            "clinics_held": r.clinics_held,
        }
        for month, r in rows.items()
    }
    june = dt.date(today.year if today.month > 6 else today.year - 1, 6, 1)
    if june in held:
        assert activity_compliance(held, june, today=today)["state"] == "missed"  # no party in Q2
    assert Activity.objects.filter(status=Activity.Status.REPORTED).exists()
