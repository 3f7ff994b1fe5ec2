"""Named reads of work orders: queues, "mine", overdue, due soon, and the export rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet
from django.utils import timezone

from operations.models import Notification, WorkOrder

DUE_SOON_WINDOW = dt.timedelta(hours=2)

LIST_RELATED = ("unit__building", "department", "assignee", "service_item")


def work_orders_for_list() -> QuerySet[WorkOrder]:
    """Work orders with what a list row shows, in one query (no per-row lookups)."""
    return WorkOrder.objects.select_related(*LIST_RELATED)


def work_orders_open() -> QuerySet[WorkOrder]:
    return work_orders_for_list().filter(status__in=WorkOrder.OPEN_STATUSES)


def work_orders_department_queue(*, department_id: int, include_closed: bool = False) -> QuerySet[WorkOrder]:
    """A department's queue: its open work orders, urgent first, then by deadline (no deadline last)."""
    queryset = work_orders_for_list().filter(department_id=department_id)
    if not include_closed:
        queryset = queryset.filter(status__in=WorkOrder.OPEN_STATUSES)
    return queryset.order_by("-is_urgent", F("deadline").asc(nulls_last=True), "-id")


def work_orders_assigned_to(*, user, include_closed: bool = False) -> QuerySet[WorkOrder]:
    """ "My work orders": those assigned to ``user``, open ones by deadline."""
    queryset = work_orders_for_list().filter(assignee=user)
    if not include_closed:
        queryset = queryset.filter(status__in=WorkOrder.OPEN_STATUSES)
    return queryset.order_by("-is_urgent", F("deadline").asc(nulls_last=True), "-id")


def work_orders_overdue(*, now: dt.datetime | None = None) -> QuerySet[WorkOrder]:
    """Open work orders whose committed deadline has passed, the longest overdue first."""
    now = now or timezone.now()
    return work_orders_open().filter(deadline__lt=now).order_by("deadline", "id")


def work_orders_due_soon(*, now: dt.datetime | None = None, window: dt.timedelta = DUE_SOON_WINDOW):
    """Open work orders due within ``window`` (2 hours) from now, the soonest first."""
    now = now or timezone.now()
    return work_orders_open().filter(deadline__gte=now, deadline__lte=now + window).order_by("deadline", "id")


def work_orders_created_between(*, start: dt.date, end: dt.date) -> QuerySet[WorkOrder]:
    """Work orders created on local dates ``start``..``end`` (inclusive), for the export."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return (
        work_orders_for_list()
        .select_related("resident", "created_by")
        .filter(created__gte=since, created__lt=until)
        .order_by("created", "id")
    )


def work_order_timeline(work_order: WorkOrder) -> list:
    """Transitions and deadline extensions of a work order, in time order."""
    labels = dict(WorkOrder.Status.choices)
    transitions = list(work_order.transitions.select_related("acting_user"))
    for transition in transitions:
        transition.from_label = labels.get(transition.from_status, transition.from_status)
        transition.to_label = labels.get(transition.to_status, transition.to_status)
    extensions = list(work_order.extensions.select_related("acting_user"))
    events = [("transition", t.created, t) for t in transitions] + [
        ("extension", e.created, e) for e in extensions
    ]
    events.sort(key=lambda event: event[1])
    return events


def notifications_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created", "-id")
