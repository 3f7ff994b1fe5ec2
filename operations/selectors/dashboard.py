"""Reads of the center's admin home: what a colleague still has to finish, and deadline breaches."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from operations.models import Complaint, Inquiry, WorkOrder

INQUIRY_CLOSED_STATUSES = (Inquiry.Status.ANSWERED, Inquiry.Status.COMPLETED)
COMPLAINT_AWAITING_REPLY = (Complaint.Status.RECEIVED, Complaint.Status.INVESTIGATING)


def my_open_work_orders(*, user):
    return WorkOrder.objects.filter(assignee=user, status__in=WorkOrder.OPEN_STATUSES).order_by(
        "deadline", "created"
    )


def my_open_inquiries(*, user):
    """Open inquiries ``user`` is first responder of, or that a colleague handed over to them."""
    return (
        Inquiry.objects.filter(
            Q(first_responder=user) | Q(handed_to_user=user, status=Inquiry.Status.HANDED_OVER)
        )
        .exclude(status__in=INQUIRY_CLOSED_STATUSES)
        .order_by("due_at", "created")
    )


def my_open_complaints(*, user):
    return (
        Complaint.objects.filter(handler=user)
        .exclude(status=Complaint.Status.CLOSED)
        .order_by("reply_due", "created")
    )


def staff_open_items(*, user, limit: int = 10) -> dict:
    """What ``user`` still has to finish: work orders assigned to them, inquiries they own or were
    handed, complaints they handle.

    Each entry holds ``count`` and the first ``limit`` records: six queries however many rows.
    """
    sections = {
        "work_orders": my_open_work_orders(user=user),
        "inquiries": my_open_inquiries(user=user),
        "complaints": my_open_complaints(user=user),
    }
    return {name: {"count": qs.count(), "items": list(qs[:limit])} for name, qs in sections.items()}


def breached_work_orders(*, now: datetime.datetime | None = None):
    """Open work orders whose committed deadline has passed, most overdue first."""
    now = now or timezone.now()
    return WorkOrder.objects.filter(status__in=WorkOrder.OPEN_STATUSES, deadline__lt=now).order_by("deadline")


def overdue_inquiries(*, now: datetime.datetime | None = None):
    """Open inquiries past their due time, most overdue first."""
    now = now or timezone.now()
    return (
        Inquiry.objects.filter(due_at__lt=now).exclude(status__in=INQUIRY_CLOSED_STATUSES).order_by("due_at")
    )


def overdue_complaints(*, today: datetime.date | None = None):
    """Complaints not yet replied to whose reply date has passed, most overdue first."""
    today = today or timezone.localdate()
    return Complaint.objects.filter(status__in=COMPLAINT_AWAITING_REPLY, reply_due__lt=today).order_by(
        "reply_due"
    )


BREACH_SECTIONS = ("work_orders", "inquiries", "complaints")


def breaches_overview(
    *, now: datetime.datetime | None = None, limit: int = 5, include: tuple | list = BREACH_SECTIONS
) -> dict:
    """Counts and the ``limit`` most overdue work orders, inquiries and complaints of the center.

    ``include`` names the sections to read (the caller leaves out what the user may not see);
    two queries per section however many rows.
    """
    now = now or timezone.now()
    querysets = {
        "work_orders": lambda: breached_work_orders(now=now),
        "inquiries": lambda: overdue_inquiries(now=now),
        "complaints": lambda: overdue_complaints(today=timezone.localdate(now)),
    }
    result = {}
    for name in BREACH_SECTIONS:
        if name in include:
            qs = querysets[name]()
            result[name] = {"count": qs.count(), "items": list(qs[:limit])}
    return result
