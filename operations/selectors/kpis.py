"""Head office's figures of the current center, computed from its records (DESIGN §12).

``kpi_figures(start, end)`` counts what happened between two local dates (a day, a month): every
figure by when its event happened, so a day's and a month's figures add up. ``kpi_snapshot(now)``
counts what is open now. Both are a handful of aggregate queries whatever the number of records,
and neither reads a name, a phone or a text.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, FloatField, Func, Q, Sum
from django.utils import timezone

from operations.models import (
    Activity,
    Booking,
    Complaint,
    ElderEscalation,
    Inquiry,
    Loan,
    QueueTicket,
    SurveyAnswer,
    SurveyResponse,
    WorkOrder,
)
from operations.selectors.elders import local_midnight

WO = WorkOrder.Status
WORK_ORDER_DONE = (WO.COMPLETED, WO.CALLED_BACK, WO.CLOSED)
WORK_ORDER_OPEN = (WO.PENDING, WO.DISPATCHED, WO.IN_PROGRESS)
HELD = (Activity.Status.HELD, Activity.Status.REPORTED)


class Median(Func):
    """PostgreSQL's ``percentile_cont(0.5)`` of an expression (an aggregate)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    contains_aggregate = True
    output_field = FloatField()


class EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _between(field: str, start: dt.date, end: dt.date) -> Q:
    """``field`` (a date-time) within the local dates ``start`` ≤ day < ``end``."""
    return Q(**{f"{field}__gte": local_midnight(start), f"{field}__lt": local_midnight(end)})


def kpi_figures(*, start: dt.date, end: dt.date) -> dict:
    """The center's figures for the local dates ``start`` ≤ day < ``end`` (``KpiFigures`` fields)."""
    completed = _between("completed_at", start, end)
    work_orders = WorkOrder.objects.exclude(status=WO.CANCELLED).aggregate(
        opened=Count("pk", filter=_between("accepted_at", start, end)),
        completed=Count("pk", filter=completed),
        in_time=Count(
            "pk", filter=completed & (Q(deadline__isnull=True) | Q(completed_at__lte=F("deadline")))
        ),
        breached=Count("pk", filter=_between("deadline", start, end) & Q(is_breached=True)),
    )
    # An ordered-set aggregate takes no FILTER clause here: the median is its own query.
    median = (
        WorkOrder.objects.exclude(status=WO.CANCELLED)
        .filter(completed)
        .aggregate(m=Median(EpochSeconds(F("completed_at") - F("accepted_at"))))["m"]
    )
    replied = _between("replied_at", start, end)
    complaints = Complaint.objects.filter(kind=Complaint.Kind.COMPLAINT).aggregate(
        received=Count("pk", filter=_between("created", start, end)),
        major=Count("pk", filter=_between("created", start, end) & Q(is_major=True)),
        replied=Count("pk", filter=replied),
        replied_in_time=Count(
            "pk", filter=replied & (Q(reply_due__isnull=True) | Q(replied_at__date__lte=F("reply_due")))
        ),
    )
    answers = SurveyAnswer.objects.filter(
        _between("response__created", start, end), rating__isnull=False
    ).aggregate(ratings=Count("pk"), satisfied=Count("pk", filter=Q(rating__gte=4)))
    survey_responses = SurveyResponse.objects.filter(_between("created", start, end)).count()
    callbacks = WorkOrder.objects.filter(
        _between("called_back_at", start, end), satisfaction__isnull=False
    ).aggregate(n=Count("pk"), satisfied=Count("pk", filter=Q(satisfaction__gte=4)))
    activities = Activity.objects.filter(_between("starts_at", start, end), status__in=HELD).aggregate(
        all=Count("pk"),
        clinics=Count("pk", filter=Q(kind=Activity.Kind.FREE_CLINIC)),
        birthdays=Count("pk", filter=Q(kind=Activity.Kind.BIRTHDAY_PARTY)),
        repair_days=Count("pk", filter=Q(kind=Activity.Kind.REPAIR_DAY)),
    )
    bookings = (
        Booking.objects.filter(_between("starts_at", start, end))
        .exclude(status=Booking.Status.CANCELLED)
        .aggregate(all=Count("pk"), no_show=Count("pk", filter=Q(status=Booking.Status.NO_SHOW)))
    )
    queue = QueueTicket.objects.filter(_between("called_at", start, end)).aggregate(
        called=Count("pk"), wait=Sum("wait_seconds")
    )
    return {
        "bookings": bookings["all"],
        "bookings_no_show": bookings["no_show"],
        "queue_called": queue["called"],
        "queue_wait_seconds": queue["wait"] or 0,
        "work_orders_opened": work_orders["opened"],
        "work_orders_completed": work_orders["completed"],
        "work_orders_in_time": work_orders["in_time"],
        "work_orders_breached": work_orders["breached"],
        "completion_minutes_median": round(median / 60) if median is not None else None,
        "complaints_received": complaints["received"],
        "complaints_major": complaints["major"],
        "complaints_replied": complaints["replied"],
        "complaints_replied_in_time": complaints["replied_in_time"],
        "responses": survey_responses + callbacks["n"],
        "ratings": answers["ratings"] + callbacks["n"],
        "ratings_satisfied": answers["satisfied"] + callbacks["satisfied"],
        "clinics_held": activities["clinics"],
        "birthday_parties_held": activities["birthdays"],
        "repair_days_held": activities["repair_days"],
        "activities_held": activities["all"],
    }


def kpi_snapshot(*, now: dt.datetime | None = None) -> dict:
    """What is open at the center now (``CenterKpi`` fields)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    day_ago = now - dt.timedelta(days=1)
    work_orders = WorkOrder.objects.filter(status__in=WORK_ORDER_OPEN).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=now)),
        late_over_day=Count("pk", filter=Q(deadline__lt=day_ago)),
    )
    complaints = Complaint.objects.filter(
        kind=Complaint.Kind.COMPLAINT,
        status__in=(Complaint.Status.RECEIVED, Complaint.Status.INVESTIGATING),
    ).aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(reply_due__lt=today)))
    loans = Loan.objects.out().aggregate(out=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    return {
        "work_orders_open": work_orders["open"],
        "work_orders_overdue": work_orders["overdue"],
        "inquiries_overdue": Inquiry.objects.filter(completed_at__isnull=True, due_at__lt=now).count(),
        "complaints_open": complaints["open"],
        "complaints_overdue": complaints["overdue"],
        "loans_out": loans["out"],
        "overdue_loans": loans["overdue"],
        **ElderEscalation.objects.filter(
            status__in=(ElderEscalation.Status.OPEN, ElderEscalation.Status.ESCALATED)
        ).aggregate(
            escalations_open=Count("pk"), escalations_over_day=Count("pk", filter=Q(created__lt=day_ago))
        ),
        "work_orders_late_over_day": work_orders["late_over_day"],
    }
