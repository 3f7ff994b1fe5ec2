"""Reads of the duty roster and of the center's admin home: who is on duty, gaps, my open items, breaches.

Everything here returns plain data (dicts, dataclasses, lists) so that the public site and
the admin can show it without knowing the models.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from wagtail.admin.utils import get_user_display_name

from operations.models import Complaint, DutyPost, DutyShift, DutyTemplateSlot, Inquiry, WorkOrder

WEEK = 7
INQUIRY_CLOSED_STATUSES = (Inquiry.Status.ANSWERED, Inquiry.Status.COMPLETED)
COMPLAINT_AWAITING_REPLY = (Complaint.Status.RECEIVED, Complaint.Status.INVESTIGATING)


def duty_shifts_between(*, start: datetime.date, end: datetime.date):
    """Shifts from ``start`` to ``end`` inclusive, with the staff member loaded."""
    return DutyShift.objects.filter(date__range=(start, end)).select_related("staff").order_by("date", "post")


@dataclass(frozen=True)
class DutyGap:
    """A day and post with nobody on duty."""

    date: datetime.date
    post: str

    @property
    def post_label(self) -> str:
        return DutyPost(self.post).label


def _gaps(days: list[datetime.date], covered: set[tuple[datetime.date, str]]) -> list[DutyGap]:
    return [
        DutyGap(date=day, post=post) for day in days for post in DutyPost.values if (day, post) not in covered
    ]


def duty_coverage_gaps(*, start: datetime.date, end: datetime.date) -> list[DutyGap]:
    """Every day from ``start`` to ``end`` (Monday to Sunday alike) whose post A or B is empty, by date."""
    if end < start:
        return []
    days = [start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1)]
    covered = set(DutyShift.objects.filter(date__range=(start, end)).values_list("date", "post"))
    return _gaps(days, covered)


def duty_week(*, start: datetime.date) -> dict:
    """The week from the Monday of ``start``: days, one row per post with a cell per day, and gaps."""
    monday = start - datetime.timedelta(days=start.weekday())
    days = [monday + datetime.timedelta(days=offset) for offset in range(WEEK)]
    shifts = {(shift.date, shift.post): shift for shift in duty_shifts_between(start=days[0], end=days[-1])}
    rows = [
        {
            "post": post,
            "label": label,
            "cells": [{"date": day, "post": post, "shift": shifts.get((day, post))} for day in days],
        }
        for post, label in DutyPost.choices
    ]
    return {
        "start": monday,
        "end": days[-1],
        "days": days,
        "rows": rows,
        "gaps": _gaps(days, set(shifts)),
        "previous": monday - datetime.timedelta(days=WEEK),
        "next": monday + datetime.timedelta(days=WEEK),
    }


def duty_template() -> list[dict]:
    """The weekly template as rows per weekday, with the slot of each post (or None)."""
    slots = {(slot.weekday, slot.post): slot for slot in DutyTemplateSlot.objects.select_related("staff")}
    weekdays = DutyTemplateSlot._meta.get_field("weekday").choices
    return [
        {
            "weekday": weekday,
            "label": label,
            "cells": [{"post": post, "slot": slots.get((weekday, post))} for post in DutyPost.values],
        }
        for weekday, label in weekdays
    ]


def duty_today(*, on: datetime.date | None = None) -> list[dict]:
    """Who is on duty on ``on`` (default today): one dict per post that is covered, A before B.

    Keys: ``post``, ``post_label``, ``staff_name``, ``phone``, ``start_time``, ``end_time``.
    The public site shows this, so it carries only what a resident may see.
    """
    day = on or timezone.localdate()
    return [
        {
            "post": shift.post,
            "post_label": str(DutyPost(shift.post).label),
            "staff_name": get_user_display_name(shift.staff),
            "phone": shift.phone,
            "start_time": shift.start_time,
            "end_time": shift.end_time,
        }
        for shift in duty_shifts_between(start=day, end=day)
    ]


# --- admin home --------------------------------------------------------------------------------


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
