"""Demo appointments: bookable items and closures, this week's bookings (one no-show), today's queue
with people waiting, two months of desk work that differs between staff; twice = once."""

import datetime as dt

from django.db.models import Count
from django.utils import timezone

import pytest

from demo.appointments import DESK, FRONT_DESK, appointments_demo_data_install
from demo.history import history_demo_data_install
from demo.residents import residents_demo_data_install
from operations.models import (
    BookableService,
    Booking,
    Complaint,
    DeskClosure,
    Inquiry,
    QueueTicket,
    ServiceApplication,
    WorkOrder,
    WorkOrderTransition,
)
from operations.selectors.elders import local_midnight

MODELS = (Booking, QueueTicket, Inquiry, ServiceApplication, Complaint, WorkOrderTransition, DeskClosure)


def _counts():
    return tuple(model.objects.count() for model in MODELS) + (
        WorkOrder.objects.filter(created_by__isnull=False).count(),
    )


def _appraisal(username: str, first: dt.date, end: dt.date) -> tuple[int, ...]:
    start, stop = local_midnight(first), local_midnight(end)
    return (
        Inquiry.objects.filter(
            first_responder__username=username, created__gte=start, created__lt=stop
        ).count(),
        ServiceApplication.objects.filter(
            handled_by__username=username, created__gte=start, created__lt=stop
        ).count(),
        WorkOrder.objects.filter(
            created_by__username=username, accepted_at__gte=start, accepted_at__lt=stop
        ).count(),
        QueueTicket.objects.filter(called_by__username=username, day__gte=first, day__lt=end).count(),
        Booking.objects.filter(
            served_by__username=username, served_at__gte=start, served_at__lt=stop
        ).count(),
    )


def _check_week_and_queue(now: dt.datetime) -> None:
    today = timezone.localdate(now)
    monday = today - dt.timedelta(days=today.weekday())
    assert BookableService.objects.filter(service_item__name="独居老人特殊服务").exists()
    assert BookableService.objects.count() >= 4
    assert DeskClosure.objects.filter(
        reason="training", start_date__gt=monday + dt.timedelta(days=6)
    ).exists()
    assert DeskClosure.objects.filter(reason="holiday", start_date__month=1, start_date__day=1).exists()

    # This week's bookings (on a Sunday night the coming days' too: nothing is left of the week).
    week = Booking.objects.filter(starts_at__gte=local_midnight(monday))
    statuses = dict(week.values_list("status").annotate(n=Count("pk")))
    assert 10 <= week.count() <= 20, statuses
    assert statuses.get(Booking.Status.NO_SHOW) == 1
    assert statuses.get(Booking.Status.CANCELLED) == 1
    assert statuses.get(Booking.Status.ARRIVED, 0) >= 1
    assert statuses.get(Booking.Status.SERVED, 0) >= statuses.get(Booking.Status.ARRIVED, 0)
    assert statuses.get(Booking.Status.BOOKED, 0) >= 3
    served = week.filter(status=Booking.Status.SERVED)
    assert set(served.values_list("served_by__username", flat=True)) <= set(FRONT_DESK)
    assert all(b.application.handled_by_id == b.served_by_id for b in served.select_related("application"))
    for booking in week.exclude(status=Booking.Status.CANCELLED):
        assert booking.name and len(booking.phone) == 11 and booking.unit_id is not None
    per_slot = (
        week.filter(status__in=Booking.ACTIVE_STATUSES)
        .values("service_item", "starts_at")
        .annotate(n=Count("pk"))
    )
    capacity = dict(BookableService.objects.values_list("service_item", "capacity"))
    assert all(row["n"] <= capacity[row["service_item"]] for row in per_slot)

    queue = QueueTicket.objects.filter(day=today)
    waiting = queue.filter(status=QueueTicket.Status.WAITING)
    assert 3 <= waiting.count() <= 6
    assert waiting.filter(kind=QueueTicket.Kind.WALK_IN).exists()
    called = queue.get(status=QueueTicket.Status.CALLED)
    assert called.counter == "1号窗口"
    done = queue.filter(status=QueueTicket.Status.DONE)
    assert done.count() >= 2 and done.values("called_by").distinct().count() >= 2
    assert all(3 * 60 <= t.wait_seconds <= 40 * 60 for t in done)


@pytest.mark.django_db
def test_a_week_of_bookings_a_queue_and_two_months_of_desk_work_twice_is_once(guide):
    residents_demo_data_install()
    history_demo_data_install(center_code="yangguang")
    now = timezone.now()
    first = appointments_demo_data_install(center_code="yangguang", now=now)
    assert first["bookings"] >= 10 and first["inquiries"] > 20

    _check_week_and_queue(now)
    assert QueueTicket.objects.filter(
        day=timezone.localdate(now), status=QueueTicket.Status.WAITING, kind=QueueTicket.Kind.BOOKING
    ).exists()

    today = timezone.localdate(now)
    this_month = today.replace(day=1)
    previous = (this_month - dt.timedelta(days=1)).replace(day=1)
    figures = {username: _appraisal(username, previous, this_month) for username in DESK}
    assert figures["zhangmin"] != figures["lijing"]
    assert len(set(figures.values())) == len(DESK)  # every desk member's month is their own
    assert all(sum(row) > 0 for row in figures.values())
    assert Inquiry.objects.filter(created__lt=local_midnight(today), completed_at__isnull=True).count() == 0
    assert Inquiry.objects.filter(status=Inquiry.Status.COMPLETED, handed_over_at__isnull=False).exists()
    assert WorkOrderTransition.objects.filter(to_status="completed", acting_user__username__in=DESK).exists()
    verdicts = set(
        Complaint.objects.filter(subject_kind="staff", subject_staff__isnull=False).values_list(
            "verdict", flat=True
        )
    )
    assert {Complaint.Verdict.JUSTIFIED, Complaint.Verdict.UNFOUNDED} <= verdicts
    assert not Complaint.objects.filter(created__gt=now).exists()

    counts = _counts()
    again = appointments_demo_data_install(center_code="yangguang", now=now)
    assert again == {"closures": 0, "bookings": 0, "tickets": 0, "inquiries": 0, "applications": 0}
    assert _counts() == counts


@pytest.mark.django_db
@pytest.mark.parametrize("moment", ["2026-11-30 07:10", "2026-12-02 12:40", "2026-12-06 21:30"])
def test_the_story_holds_at_any_hour_of_the_week(guide, moment):
    """Monday before opening, a weekday's lunch break, a Sunday night: the same shape."""
    residents_demo_data_install()
    now = timezone.make_aware(dt.datetime.fromisoformat(moment))
    appointments_demo_data_install(center_code="jinxiu", now=now)
    _check_week_and_queue(now)
