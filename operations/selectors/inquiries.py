"""Named reads of the first-inquiry register: mine, open, overdue, export range, history."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from operations.models import AuditEntry, Inquiry, InquiryFollowUp


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


def inquiries_in_range(*, start: dt.date, end: dt.date, now: dt.datetime | None = None) -> QuerySet[Inquiry]:
    """Inquiries recorded between ``start`` and ``end`` (inclusive, local dates), oldest first."""
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return (
        inquiries_listing(now=now).filter(created__gte=start_at, created__lt=end_at).order_by("created", "pk")
    )


def inquiry_history(inquiry: Inquiry) -> list[dict]:
    """What happened to an inquiry, oldest first: record, handovers, follow-ups, completion (2 queries)."""
    events = [
        {"time": entry.created, "action": entry.action, "user": entry.acting_user, "changes": entry.changes}
        for entry in AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Inquiry),
            object_id=str(inquiry.pk),
        )
        .exclude(action="inquiry_follow_up")
        .select_related("acting_user")
    ]
    events += [
        {"time": f.created, "action": "inquiry_follow_up", "user": f.acting_user, "changes": {"note": f.note}}
        for f in InquiryFollowUp.objects.filter(inquiry=inquiry).select_related("acting_user")
    ]
    return sorted(events, key=lambda event: event["time"])


def staff_for_handover():
    """Active staff of the center who can be handed an inquiry."""
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
