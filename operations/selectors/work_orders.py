"""Named reads of work orders: the list variants (a department's queue, mine, overdue, due soon),
the center's default repair item, and the staff member's notifications.

The variants take the index's queryset (``queryset``) so the admin's filters compose with them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet
from django.utils import timezone

from operations.models import Notification, ServiceItem, WorkOrder

DUE_SOON_WINDOW = dt.timedelta(hours=2)

LIST_RELATED = ("unit__building", "department", "assignee", "service_item")

#: Queues show urgent work first, then by deadline (none last).
QUEUE_ORDER = ("-is_urgent", F("deadline").asc(nulls_last=True), "-id")


def work_orders_for_list() -> QuerySet[WorkOrder]:
    """Work orders with what a list row shows, in one query (no per-row lookups)."""
    return WorkOrder.objects.select_related(*LIST_RELATED)


def work_orders_open(queryset: QuerySet[WorkOrder] | None = None) -> QuerySet[WorkOrder]:
    queryset = work_orders_for_list() if queryset is None else queryset
    return queryset.filter(status__in=WorkOrder.OPEN_STATUSES)


def work_orders_queue(queryset: QuerySet[WorkOrder] | None = None) -> QuerySet[WorkOrder]:
    """Open work orders in queue order (a department's queue is this, filtered to the department)."""
    return work_orders_open(queryset).order_by(*QUEUE_ORDER)


def work_orders_department_queue(*, department_id: int, queryset=None) -> QuerySet[WorkOrder]:
    """A department's queue: its open work orders, urgent first, then by deadline (no deadline last)."""
    return work_orders_queue(queryset).filter(department_id=department_id)


def work_orders_assigned_to(*, user, queryset=None) -> QuerySet[WorkOrder]:
    """ "My work orders": the open ones assigned to ``user``, in queue order."""
    return work_orders_queue(queryset).filter(assignee=user)


def work_orders_overdue(*, now: dt.datetime | None = None, queryset=None) -> QuerySet[WorkOrder]:
    """Open work orders whose committed deadline has passed, the longest overdue first."""
    now = now or timezone.now()
    return work_orders_open(queryset).filter(deadline__lt=now).order_by("deadline", "id")


def work_orders_due_soon(
    *, now: dt.datetime | None = None, window: dt.timedelta = DUE_SOON_WINDOW, queryset=None
) -> QuerySet[WorkOrder]:
    """Open work orders due within ``window`` (2 hours) from now, the soonest first."""
    now = now or timezone.now()
    return (
        work_orders_open(queryset)
        .filter(deadline__gte=now, deadline__lte=now + window)
        .order_by("deadline", "id")
    )


def repair_service_item_default() -> ServiceItem | None:
    """The service item a repair gets when none was chosen: the guide's first published repair item
    (报修 in the default guide)."""
    return (
        ServiceItem.objects.filter(category=ServiceItem.Category.REPAIR, is_published=True)
        .order_by("sort_order", "name", "pk")
        .first()
    )


def notifications_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created", "-id")
