"""Head office's rollup of a center: the figures counted from the records, kept current by the
services on commit, equal to a rebuild after any sequence of operations, safe to recompute, and
free of personal data."""

import datetime as dt
import io
import random

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

import pytest

from operations.models import Activity, ConvenienceItem, Department, WorkOrder
from operations.selectors.kpis import kpi_figures, kpi_snapshot
from operations.services import activities as activity_services
from operations.services import complaints as complaint_services
from operations.services import lending as lending_services
from operations.services import work_orders as wo_services
from operations.services.kpis import kpis_publish
from portal.models import CenterDay, CenterKpi, CenterMonth
from tests.factories import make_activity, make_unit, make_user

pytestmark = pytest.mark.usefixtures("alpha")

FIGURES = [
    "work_orders_opened",
    "work_orders_completed",
    "work_orders_in_time",
    "work_orders_breached",
    "completion_minutes_median",
    "complaints_received",
    "complaints_major",
    "complaints_replied",
    "complaints_replied_in_time",
    "responses",
    "ratings",
    "ratings_satisfied",
    "clinics_held",
    "birthday_parties_held",
    "repair_days_held",
    "activities_held",
]
OPEN = [
    "work_orders_open",
    "work_orders_overdue",
    "inquiries_overdue",
    "complaints_open",
    "complaints_overdue",
    "loans_out",
    "overdue_loans",
    "escalations_open",
    "escalations_over_day",
    "work_orders_late_over_day",
]


@pytest.fixture
def staff(alpha):
    return {
        "desk": make_user("desk", "前台客服", "前台小李"),
        "worker": make_user("worker", "部门调度员", "工程师老王"),
        "head": make_user("zhuren", "中心负责人", "张主任"),
        "engineering": Department.objects.get(code="engineering"),
        "unit": make_unit(),
    }


def stored() -> dict:
    """The rollup as head office reads it: today's day row, this month's row, the open counts."""
    today = timezone.localdate()
    center = connection.tenant
    day = CenterDay.objects.filter(center__schema_name=center.schema_name, day=today).first()
    month = CenterMonth.objects.filter(
        center__schema_name=center.schema_name, month=today.replace(day=1)
    ).first()
    kpi = CenterKpi.objects.filter(center__schema_name=center.schema_name).first()
    return {
        "day": {f: getattr(day, f) for f in FIGURES} if day else None,
        "month": {f: getattr(month, f) for f in FIGURES} if month else None,
        "open": {f: getattr(kpi, f) for f in OPEN} if kpi else None,
    }


def new_order(staff, **kwargs):
    return wo_services.work_order_create(
        acting_user=staff["desk"], description="厨房水龙头漏水", unit=staff["unit"], **kwargs
    )


def finish(staff, order, *, late=False, rating=None):
    order = wo_services.work_order_dispatch(
        work_order=order, acting_user=staff["desk"], department=staff["engineering"], assignee=staff["worker"]
    )
    order = wo_services.work_order_start(work_order=order, acting_user=staff["worker"])
    completed_at = order.deadline + dt.timedelta(minutes=1) if late and order.deadline else None
    order = wo_services.work_order_complete(
        work_order=order, acting_user=staff["worker"], result_note="已修好", completed_at=completed_at
    )
    if rating is not None:
        order = wo_services.work_order_callback(
            work_order=order, acting_user=staff["desk"], satisfaction=rating
        )
    return order


def hold(activity, user):
    activity_services.activity_publicity_tick(acting_user=user, activity=activity, channel="banner")
    activity_services.activity_publicise(acting_user=user, activity=activity)
    return activity_services.activity_hold(acting_user=user, activity=activity)


def test_the_days_figures_count_what_happened(staff, django_capture_on_commit_callbacks):
    soon = timezone.now() + dt.timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        on_time = new_order(staff, deadline=soon)
        late = new_order(staff, deadline=soon)
        new_order(staff)  # still pending, no deadline
        finish(staff, on_time, rating=5)
        finish(staff, late, late=True, rating=2)
        complaint = complaint_services.complaint_create(
            content="夜间施工噪音", channel="written", is_major=True, acting_user=staff["head"]
        )
        complaint_services.complaint_reply(
            complaint=complaint,
            method="written",
            text="经调查已责令施工方夜间停工。",
            acting_user=staff["head"],
        )
        complaint_services.complaint_create(content="电梯故障频繁", channel="oral", acting_user=staff["head"])
        clinic = make_activity("社区义诊", started_hours_ago=0)
        hold(clinic, staff["head"])
        item = ConvenienceItem.objects.create(code="T-1", name="工具箱", kind="toolbox")
        lending_services.loan_lend(
            items=[item], acting_user=staff["desk"], unit_id=staff["unit"].pk, borrower_name="王师傅"
        )
    figures = stored()
    assert figures["day"] is not None and figures["month"] is not None  # refreshed on commit
    # Counted from today to tomorrow: a late completion 30 minutes on may fall after midnight.
    today = timezone.localdate()
    day = kpi_figures(start=today, end=today + dt.timedelta(days=2))
    assert day["work_orders_opened"] == 3
    assert day["work_orders_completed"] == 2 and day["work_orders_in_time"] == 1
    assert day["completion_minutes_median"] is not None
    assert (day["responses"], day["ratings"], day["ratings_satisfied"]) == (2, 2, 1)
    assert (day["complaints_received"], day["complaints_major"]) == (2, 1)
    assert (day["complaints_replied"], day["complaints_replied_in_time"]) == (1, 1)
    assert (day["clinics_held"], day["activities_held"]) == (1, 1)
    assert figures["open"]["work_orders_open"] == 1
    assert figures["open"]["complaints_open"] == 1
    assert figures["open"]["loans_out"] == 1 and figures["open"]["overdue_loans"] == 0


def test_a_breach_flagged_by_the_job_reaches_the_rollup(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = new_order(staff, deadline=timezone.now() + dt.timedelta(minutes=1))
    assert stored()["open"]["work_orders_overdue"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        wo_services.work_orders_check_deadlines(now=timezone.now() + dt.timedelta(minutes=2))
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.is_breached
    # Counted on the deadline's day, even when the job's "now" is past midnight.
    row = CenterDay.objects.get(
        center__schema_name=connection.schema_name, day=timezone.localdate(order.deadline)
    )
    assert row.work_orders_breached == 1


def test_one_recompute_per_transaction(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        for _n in range(5):
            new_order(staff)
    assert len([c for c in callbacks if hasattr(c, "kpis_days")]) == 1


OPERATIONS = ("order", "finish", "finish_late", "cancel", "complaint", "reply", "lend", "return", "activity")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_kept_by_the_services_equals_one_rebuilt_from_the_records(
    staff, django_capture_on_commit_callbacks, seed
):
    rng = random.Random(seed)
    orders, complaints, loans = [], [], []
    items = [ConvenienceItem.objects.create(code=f"K-{n}", name="工具箱", kind="toolbox") for n in range(6)]
    for step in range(40):
        operation = rng.choice(OPERATIONS)
        with django_capture_on_commit_callbacks(execute=True):
            pending = [o for o in orders if o.status == WorkOrder.Status.PENDING]
            if operation == "order" or not orders:
                deadline = timezone.now() + dt.timedelta(hours=rng.choice([1, 4, 48]))
                orders.append(new_order(staff, deadline=deadline if rng.random() < 0.7 else None))
            elif operation in ("finish", "finish_late") and pending:
                order = rng.choice(pending)
                orders[orders.index(order)] = finish(
                    staff, order, late=operation == "finish_late", rating=rng.choice([None, 1, 3, 4, 5])
                )
            elif operation == "cancel" and pending:
                order = rng.choice(pending)
                orders[orders.index(order)] = wo_services.work_order_cancel(
                    work_order=order, acting_user=staff["desk"], reason="住户自行处理"
                )
            elif operation == "complaint":
                complaints.append(
                    complaint_services.complaint_create(
                        content=f"投诉 {step}",
                        channel="written",
                        is_major=rng.random() < 0.3,
                        acting_user=staff["head"],
                    )
                )
            elif operation == "reply" and complaints:
                complaint = rng.choice(complaints)
                if complaint.replied_at is None:
                    complaints[complaints.index(complaint)] = complaint_services.complaint_reply(
                        complaint=complaint, method="written", text="已书面答复", acting_user=staff["head"]
                    )
            elif operation == "lend":
                free = [
                    i for i in items if not any(i.pk in [x.pk for x in loan.items.all()] for loan in loans)
                ]
                if free:
                    loans.append(
                        lending_services.loan_lend(
                            items=[rng.choice(free)],
                            acting_user=staff["desk"],
                            unit_id=staff["unit"].pk,
                            borrower_name="王师傅",
                        )
                    )
            elif operation == "return" and loans:
                loan = loans.pop(rng.randrange(len(loans)))
                lending_services.loan_return(loan=loan, condition="good", acting_user=staff["desk"])
            elif operation == "activity":
                kind = rng.choice([Activity.Kind.FREE_CLINIC, Activity.Kind.REPAIR_DAY, Activity.Kind.OTHER])
                activity = make_activity(f"活动 {step}", kind=kind, started_hours_ago=0)
                if rng.random() < 0.7:
                    hold(activity, staff["head"])
    kept = stored()
    assert kept["day"]["work_orders_opened"] > 0
    kpis_publish(days=[timezone.localdate()])  # the nightly rebuild, from the records
    assert stored() == kept


def test_the_nightly_command_is_safe_to_run_twice(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        finish(staff, new_order(staff, deadline=timezone.now() + dt.timedelta(hours=2)), rating=4)
    call_command("publish_center_kpis", "--days", "3", "--center", "alpha", verbosity=0)
    first = stored()
    call_command("publish_center_kpis", "--days", "3", "--center", "alpha", verbosity=0)
    assert stored() == first
    center = connection.tenant
    assert CenterDay.objects.filter(center__schema_name=center.schema_name).count() == 3


def test_a_day_and_its_month_add_up_and_nothing_personal_is_stored(staff):
    today = timezone.localdate()
    new_order(staff, contact_name="王桂兰", contact_phone="13812345678")
    month = kpi_figures(start=today.replace(day=1), end=today + dt.timedelta(days=1))
    day = kpi_figures(start=today, end=today + dt.timedelta(days=1))
    assert month["work_orders_opened"] >= day["work_orders_opened"] == 1
    assert set(kpi_snapshot()) == set(OPEN)
    kpis_publish(days=[today])
    rows = [*CenterDay.objects.values(), *CenterMonth.objects.values(), *CenterKpi.objects.values()]
    assert "王桂兰" not in str(rows) and "13812345678" not in str(rows)


def test_the_periodic_jobs_refresh_what_grows_late_without_a_change(
    staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = new_order(staff, deadline=timezone.now() + dt.timedelta(minutes=5))
    WorkOrder.objects.filter(pk=order.pk).update(deadline=timezone.now() - dt.timedelta(days=2))
    assert stored()["open"]["work_orders_late_over_day"] == 0
    call_command("run_center_jobs", "--center", "alpha", stdout=io.StringIO())
    assert stored()["open"]["work_orders_late_over_day"] == 1
