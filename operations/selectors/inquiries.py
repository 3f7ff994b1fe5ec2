"""Named reads of the first-inquiry register: mine, open, overdue, export range, history."""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from operations.history import HistoryEvent, history_for, merged
from operations.models import Inquiry, InquiryFollowUp


def _with_overdue(qs: QuerySet[Inquiry], now: dt.datetime) -> QuerySet[Inquiry]:
    """``is_overdue``: past the committed due time and not completed."""
    return qs.annotate(
        is_overdue=Case(
            When(Q(completed_at__isnull=True, due_at__lt=now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def inquiries_listing(*, now: dt.datetime | None = None) -> QuerySet[Inquiry]:
    """Every inquiry with what a list shows (one query) and an ``is_overdue`` flag."""
    now = now or timezone.now()
    qs = Inquiry.objects.select_related(
        "first_responder", "handed_to_user", "handed_to_department", "service_item", "unit__building"
    )
    return _with_overdue(qs, now).order_by("-created", "-pk")


def inquiries_open(*, now: dt.datetime | None = None) -> QuerySet[Inquiry]:
    """Not completed yet (answered-on-the-spot inquiries are completed when recorded)."""
    return inquiries_listing(now=now).filter(completed_at__isnull=True)


def inquiries_mine(*, user, now: dt.datetime | None = None) -> QuerySet[Inquiry]:
    """Open inquiries the user is first responder of, including those handed over, until completed."""
    return inquiries_open(now=now).filter(first_responder=user)


def inquiries_overdue(*, now: dt.datetime | None = None) -> QuerySet[Inquiry]:
    now = now or timezone.now()
    return inquiries_open(now=now).filter(due_at__lt=now).order_by("due_at", "pk")


def inquiry_follow_ups(inquiry: Inquiry) -> list[HistoryEvent]:
    """The follow-ups of an inquiry as history events (one query)."""
    return [
        HistoryEvent(f.created, "inquiry_follow_up", f.acting_user, {"note": f.note})
        for f in InquiryFollowUp.objects.filter(inquiry=inquiry).select_related("acting_user")
    ]


def inquiry_history(inquiry: Inquiry) -> list[HistoryEvent]:
    """What happened to an inquiry, oldest first: record, handovers, follow-ups, completion (2 queries)."""
    return merged(history_for(inquiry, exclude=["inquiry_follow_up"]), inquiry_follow_ups(inquiry))
