"""Named reads of complaints: lists and overdue (masking is applied by the caller)."""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from operations.models import Complaint

OPEN_STATUSES = (Complaint.Status.RECEIVED, Complaint.Status.INVESTIGATING)


def _overdue_q(today: dt.date) -> Q:
    return Q(status__in=OPEN_STATUSES, reply_due__lt=today)


def complaints_list(*, today: dt.date | None = None) -> QuerySet[Complaint]:
    """All complaints with what a list shows joined in, and ``is_overdue`` computed in the database."""
    today = today or timezone.localdate()
    return Complaint.objects.select_related(
        "handler", "subject_staff", "subject_department", "subject_service_item", "unit__building"
    ).annotate(
        is_overdue=Case(
            When(_overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def complaints_open() -> QuerySet[Complaint]:
    return complaints_list().filter(status__in=OPEN_STATUSES)


def complaints_overdue(*, today: dt.date | None = None) -> QuerySet[Complaint]:
    """Open complaints past their reply due date (not yet answered)."""
    today = today or timezone.localdate()
    return complaints_list(today=today).filter(_overdue_q(today)).order_by("reply_due", "pk")


def complaints_for_handler(*, user) -> QuerySet[Complaint]:
    """Open complaints assigned to ``user``."""
    return complaints_open().filter(handler=user).order_by("reply_due", "pk")


def complaints_for_head_office() -> QuerySet[Complaint]:
    """Complaints flagged for reporting to head office."""
    return complaints_list().filter(report_to_head_office=True)


def complaint_is_overdue(complaint: Complaint, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(complaint.status in OPEN_STATUSES and complaint.reply_due and complaint.reply_due < today)
