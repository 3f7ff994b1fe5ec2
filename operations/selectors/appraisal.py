"""The desk's appraisal (窗口工作人员考评): each staff member's month, computed from the records that exist.

"首问责任制的执行情况，列入窗口工作人员考评和年度考核." ``desk_appraisal(month=...)`` gives one
``StaffAppraisal`` per staff member of the center for a month (local dates, Asia/Shanghai), in one
grouped aggregate query per source table whatever the number of staff; ``appraisal_records`` gives
the records behind one figure, for the person's page. Nothing here reads a complainant.

The figures (DESIGN "Desk appraisal"):

- first inquiries owned (``Inquiry.first_responder``, recorded in the month): within the limit
  (answered on the spot, or completed with no limit or by ``due_at``), late (completed after
  ``due_at``, or still open past it), still open and not yet due (counted neither way);
- handovers of those inquiries (``handed_over_at`` set) and how many are completed;
- applications handled at the desk (``ServiceApplication.handled_by``): accepted, told once what
  is missing, refused in writing;
- work orders accepted (``WorkOrder.created_by``): completed, and completed within the committed
  limit (no deadline, or completed by it);
- complaints about them (``Complaint.subject_staff``) by verdict;
- satisfaction with the work they closed: work orders whose completion they recorded in the month
  (``WorkOrderTransition`` to ``completed``) that carry a rating 1–5;
- bookings served (``Booking.served_by``, ``served_at`` in the month) and the mean wait of the
  queue numbers they called (``QueueTicket.called_by``, ``called_at`` in the month).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from operations.models import (
    Booking,
    Complaint,
    Inquiry,
    QueueTicket,
    ServiceApplication,
    WorkOrder,
    WorkOrderTransition,
)
from operations.selectors.elders import local_midnight

#: A rating of 4 or 5 counts as satisfied.
SATISFIED_FROM = 4

#: The figures whose records the person's page lists (``appraisal_records(figure=...)``).
FIGURES = (
    "inquiries",
    "handovers",
    "applications",
    "work_orders",
    "complaints",
    "rated_work",
    "bookings",
    "queue_calls",
)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    month = month_start(month)
    return (month + dt.timedelta(days=32)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month_start(month) - dt.timedelta(days=1)).replace(day=1)


def _in_month(field_name: str, month: dt.date) -> Q:
    """``field_name`` (a date-time) within the local month of ``month``."""
    start = month_start(month)
    return Q(
        **{
            f"{field_name}__gte": local_midnight(start),
            f"{field_name}__lt": local_midnight(next_month(start)),
        }
    )


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- Inquiry conditions (shared by the figures and the records behind them) ---------------------


def inquiry_in_time_q() -> Q:
    """Handled within the limit: answered on the spot, or completed with no limit or by ``due_at``."""
    completed = Q(completed_at__isnull=False)
    return (
        Q(status=Inquiry.Status.ANSWERED)
        | (completed & Q(due_at__isnull=True))
        | (completed & Q(completed_at__lte=F("due_at")))
    )


def inquiry_late_q(now: dt.datetime) -> Q:
    """Not within the limit: completed after ``due_at``, or still open past it at ``now``."""
    return ~Q(status=Inquiry.Status.ANSWERED) & (
        Q(completed_at__isnull=False, completed_at__gt=F("due_at"))
        | Q(completed_at__isnull=True, due_at__lt=now)
    )


def inquiry_still_open_q(now: dt.datetime) -> Q:
    """Open and not yet due (or with no limit): not counted against anyone."""
    return Q(completed_at__isnull=True) & (Q(due_at__isnull=True) | Q(due_at__gte=now))


def work_order_in_time_q() -> Q:
    """Completed within the committed limit: no deadline, or completed by it."""
    return Q(completed_at__isnull=False) & (Q(deadline__isnull=True) | Q(completed_at__lte=F("deadline")))


def inquiry_outcome(inquiry: Inquiry, now: dt.datetime) -> str:
    """One inquiry as the figures count it: ``in_time``, ``late`` or ``open`` (not yet due)."""
    if inquiry.status == Inquiry.Status.ANSWERED or (
        inquiry.completed_at is not None
        and (inquiry.due_at is None or inquiry.completed_at <= inquiry.due_at)
    ):
        return "in_time"
    if inquiry.due_at is not None and (inquiry.completed_at or now) > inquiry.due_at:
        return "late"
    return "open"


def work_order_in_time(work_order: WorkOrder) -> bool:
    """One work order as ``work_order_in_time_q`` counts it."""
    return work_order.completed_at is not None and (
        work_order.deadline is None or work_order.completed_at <= work_order.deadline
    )


# --- One staff member's month -------------------------------------------------------------------


@dataclass
class StaffAppraisal:
    """One staff member's figures for a month; the rates are None when there is nothing to rate."""

    user: object
    month: dt.date
    inquiries: int = 0
    inquiries_in_time: int = 0
    inquiries_late: int = 0
    inquiries_open: int = 0
    handovers: int = 0
    handovers_completed: int = 0
    applications: int = 0
    applications_accepted: int = 0
    applications_incomplete: int = 0
    applications_refused: int = 0
    work_orders: int = 0
    work_orders_completed: int = 0
    work_orders_in_time: int = 0
    complaints: int = 0
    complaints_justified: int = 0
    complaints_partly: int = 0
    complaints_unfounded: int = 0
    complaints_undecided: int = 0
    rated: int = 0
    satisfaction_average: float | None = None
    satisfied: int = 0
    bookings_served: int = 0
    queue_calls: int = 0
    wait_seconds_average: float | None = None
    notes: list = field(default_factory=list)

    @property
    def inquiries_in_time_rate(self) -> float | None:
        """Of the first inquiries decided (in time or late), the share handled in time."""
        return _rate(self.inquiries_in_time, self.inquiries_in_time + self.inquiries_late)

    @property
    def handovers_completed_rate(self) -> float | None:
        return _rate(self.handovers_completed, self.handovers)

    @property
    def work_orders_in_time_rate(self) -> float | None:
        """Of the work orders accepted in the month and completed, the share completed in time."""
        return _rate(self.work_orders_in_time, self.work_orders_completed)

    @property
    def satisfied_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)

    @property
    def wait_minutes_average(self) -> float | None:
        return None if self.wait_seconds_average is None else self.wait_seconds_average / 60

    @property
    def has_records(self) -> bool:
        return bool(
            self.inquiries
            or self.applications
            or self.work_orders
            or self.complaints
            or self.rated
            or self.bookings_served
            or self.queue_calls
        )


def _grouped(queryset: QuerySet, by: str, **aggregates) -> dict[int, dict]:
    """One query: ``aggregates`` of ``queryset`` per value of the user field ``by``."""
    rows = queryset.filter(**{f"{by}__isnull": False}).order_by().values(by).annotate(**aggregates)
    return {row.pop(by): row for row in rows}


def _figures(month: dt.date, *, user_ids=None, now: dt.datetime) -> dict[int, dict]:
    """Every figure of the month per user id: one grouped aggregate query per source table."""

    def scope(queryset, by):
        return queryset if user_ids is None else queryset.filter(**{f"{by}__in": user_ids})

    sources = [
        _grouped(
            scope(Inquiry.objects.filter(_in_month("created", month)), "first_responder"),
            "first_responder",
            inquiries=Count("pk"),
            inquiries_in_time=Count("pk", filter=inquiry_in_time_q()),
            inquiries_late=Count("pk", filter=inquiry_late_q(now)),
            inquiries_open=Count("pk", filter=inquiry_still_open_q(now)),
            handovers=Count("pk", filter=Q(handed_over_at__isnull=False)),
            handovers_completed=Count(
                "pk", filter=Q(handed_over_at__isnull=False, completed_at__isnull=False)
            ),
        ),
        _grouped(
            scope(ServiceApplication.objects.filter(_in_month("created", month)), "handled_by"),
            "handled_by",
            applications=Count("pk"),
            applications_accepted=Count("pk", filter=Q(status=ServiceApplication.Status.COMPLETE)),
            applications_incomplete=Count("pk", filter=Q(status=ServiceApplication.Status.INCOMPLETE)),
            applications_refused=Count("pk", filter=Q(status=ServiceApplication.Status.REFUSED)),
        ),
        _grouped(
            scope(WorkOrder.objects.filter(_in_month("created", month)), "created_by"),
            "created_by",
            work_orders=Count("pk"),
            work_orders_completed=Count("pk", filter=Q(completed_at__isnull=False)),
            work_orders_in_time=Count("pk", filter=work_order_in_time_q()),
        ),
        _grouped(
            scope(Complaint.objects.filter(_in_month("created", month)), "subject_staff"),
            "subject_staff",
            complaints=Count("pk"),
            complaints_justified=Count("pk", filter=Q(verdict=Complaint.Verdict.JUSTIFIED)),
            complaints_partly=Count("pk", filter=Q(verdict=Complaint.Verdict.PARTLY)),
            complaints_unfounded=Count("pk", filter=Q(verdict=Complaint.Verdict.UNFOUNDED)),
            complaints_undecided=Count("pk", filter=Q(verdict="")),
        ),
        # A work order is completed once (only from "in progress", which it never returns to), so
        # its completing transition is one row; distinct counts keep a double entry from counting twice.
        _grouped(
            scope(_completions(month), "acting_user"),
            "acting_user",
            rated=Count("work_order", distinct=True),
            satisfaction_average=Avg("work_order__satisfaction"),
            satisfied=Count(
                "work_order", distinct=True, filter=Q(work_order__satisfaction__gte=SATISFIED_FROM)
            ),
        ),
        _grouped(
            scope(Booking.objects.filter(_in_month("served_at", month)), "served_by"),
            "served_by",
            bookings_served=Count("pk"),
        ),
        _grouped(
            scope(QueueTicket.objects.filter(_in_month("called_at", month)), "called_by"),
            "called_by",
            queue_calls=Count("pk"),
            wait_seconds_average=Avg("wait_seconds"),
        ),
    ]
    figures: dict[int, dict] = {}
    for source in sources:
        for user_id, row in source.items():
            figures.setdefault(user_id, {}).update(row)
    return figures


def _completions(month: dt.date) -> QuerySet[WorkOrderTransition]:
    """Completions recorded in the month of work orders that carry a satisfaction rating."""
    return WorkOrderTransition.objects.filter(
        _in_month("created", month),
        to_status=WorkOrder.Status.COMPLETED,
        work_order__satisfaction__isnull=False,
    )


def _appraisal(user, month: dt.date, row: dict | None) -> StaffAppraisal:
    appraisal = StaffAppraisal(user=user, month=month_start(month))
    for name, value in (row or {}).items():
        setattr(appraisal, name, float(value) if value is not None and "average" in name else value)
    return appraisal


def appraisal_staff(user_ids) -> QuerySet:
    """Who appears: active users in any staff group (superusers only with records) or with records."""
    staff_group = Q(groups__isnull=False, is_superuser=False)
    return (
        get_user_model()
        .objects.filter(Q(is_active=True) & (staff_group | Q(pk__in=list(user_ids))))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def desk_appraisal(*, month: dt.date, now: dt.datetime | None = None) -> list[StaffAppraisal]:
    """Every staff member's appraisal for ``month`` (any day of it), by name."""
    now = now or timezone.now()
    figures = _figures(month, now=now)
    return [_appraisal(user, month, figures.get(user.pk)) for user in appraisal_staff(figures.keys())]


def staff_appraisal(*, user, month: dt.date, now: dt.datetime | None = None) -> StaffAppraisal:
    """One staff member's appraisal for ``month`` (the same figures, the same queries scoped to them)."""
    figures = _figures(month, user_ids=[user.pk], now=now or timezone.now())
    return _appraisal(user, month, figures.get(user.pk))


def appraisal_records(*, user, month: dt.date, figure: str) -> QuerySet:
    """The records behind one figure of ``user``'s month (a queryset, oldest first)."""
    if figure == "inquiries":
        return (
            Inquiry.objects.filter(_in_month("created", month), first_responder=user)
            .select_related("handed_to_user", "handed_to_department", "service_item")
            .order_by("created", "pk")
        )
    if figure == "handovers":
        return appraisal_records(user=user, month=month, figure="inquiries").filter(
            handed_over_at__isnull=False
        )
    if figure == "applications":
        return (
            ServiceApplication.objects.filter(_in_month("created", month), handled_by=user)
            .select_related("service_item")
            .order_by("created", "pk")
        )
    if figure == "work_orders":
        return (
            WorkOrder.objects.filter(_in_month("created", month), created_by=user)
            .select_related("department", "service_item")
            .order_by("created", "pk")
        )
    if figure == "complaints":
        # Only what the appraisal needs: never the complainant's name, phone or unit.
        return (
            Complaint.objects.filter(_in_month("created", month), subject_staff=user)
            .only("pk", "number", "created", "channel", "kind", "is_major", "status", "verdict")
            .order_by("created", "pk")
        )
    if figure == "rated_work":
        completed = _completions(month).filter(acting_user=user).values("work_order")
        return (
            WorkOrder.objects.filter(pk__in=completed)
            .select_related("department", "service_item")
            .order_by("completed_at", "pk")
        )
    if figure == "bookings":
        return (
            Booking.objects.filter(_in_month("served_at", month), served_by=user)
            .select_related("service_item")
            .order_by("served_at", "pk")
        )
    if figure == "queue_calls":
        return (
            QueueTicket.objects.filter(_in_month("called_at", month), called_by=user)
            .select_related("service_item")
            .order_by("called_at", "pk")
        )
    raise ValueError(f"unknown figure: {figure}")
