"""Reads of the duty roster: who is on duty, the week, the template, gaps.

Everything here returns plain data (dicts, dataclasses, lists) so that the public site and
the admin can show it without knowing the models.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from wagtail.admin.utils import get_user_display_name

from operations.models import DutyPost, DutyShift, DutyTemplateSlot

WEEK = 7


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
