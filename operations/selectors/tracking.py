"""The residents' status page: what a tracking number plus the phone's last four digits may show.

Only public facts leave this module (kind, received, status, committed date, milestones), in
a plain object with no reference to the record, so a template cannot reach a name, a phone, a
description or a staff member. A wrong number, wrong digits or a number of another center
(another schema) all give ``None``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from operations.models import Complaint, WorkOrder
from operations.services.common import TRACKING_ALPHABET

_CODE_RE = re.compile(f"^[{TRACKING_ALPHABET}]{{6,12}}$")
_SEPARATORS = re.compile(r"[\s\-_.·]+")


@dataclass(frozen=True)
class Milestone:
    label: str
    reached: bool
    at: dt.datetime | dt.date | None = None


@dataclass(frozen=True)
class TrackingStatus:
    """The public facts of one request; nothing here identifies a person."""

    kind: str
    received: dt.datetime
    status: str
    is_closed: bool
    due_label: str
    due: dt.datetime | dt.date | None
    due_has_time: bool
    milestones: list[Milestone] = field(default_factory=list)


def normalize_tracking_code(value: str) -> str:
    """Upper case without spaces or dashes; ``""`` when it cannot be a tracking code."""
    code = _SEPARATORS.sub("", (value or "").strip()).upper()
    return code if _CODE_RE.match(code) else ""


def _last_four(phone: str) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isascii() and ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def _digits_match(phone: str, last_four: str) -> bool:
    expected = _last_four(phone)
    return bool(expected) and hmac.compare_digest(expected, last_four)


WORK_ORDER_LABELS = {
    WorkOrder.Status.PENDING: _("Received"),
    WorkOrder.Status.DISPATCHED: _("Dispatched"),
    WorkOrder.Status.IN_PROGRESS: _("In progress"),
    WorkOrder.Status.COMPLETED: _("Completed"),
    WorkOrder.Status.CALLED_BACK: _("Completed"),
    WorkOrder.Status.CLOSED: _("Completed"),
    WorkOrder.Status.CANCELLED: _("Cancelled"),
}
COMPLAINT_LABELS = {
    Complaint.Status.RECEIVED: _("Received"),
    Complaint.Status.INVESTIGATING: _("In progress"),
    Complaint.Status.REPLIED: _("Replied"),
    Complaint.Status.CLOSED: _("Replied"),
}


def _work_order_status(work_order: WorkOrder) -> TrackingStatus:
    Status = WorkOrder.Status
    received = work_order.accepted_at or work_order.created
    done = work_order.status in (Status.COMPLETED, Status.CALLED_BACK, Status.CLOSED)
    started = done or work_order.status == Status.IN_PROGRESS
    dispatched = started or work_order.status == Status.DISPATCHED
    milestones = [
        Milestone(_("Received"), True, received),
        Milestone(_("Dispatched"), dispatched, work_order.dispatched_at if dispatched else None),
        Milestone(_("In progress"), started, work_order.started_at if started else None),
        Milestone(_("Completed"), done, work_order.completed_at if done else None),
    ]
    if work_order.status == Status.CANCELLED:
        milestones = [m for m in milestones if m.reached] + [Milestone(_("Cancelled"), True, None)]
    return TrackingStatus(
        kind=str(work_order.get_kind_display()),
        received=received,
        status=str(WORK_ORDER_LABELS.get(work_order.status, _("Received"))),
        is_closed=done or work_order.status == Status.CANCELLED,
        due_label=str(_("Committed completion by")),
        due=work_order.deadline if not done else None,
        due_has_time=True,
        milestones=milestones,
    )


def _complaint_status(complaint: Complaint) -> TrackingStatus:
    Status = Complaint.Status
    replied = complaint.status in (Status.REPLIED, Status.CLOSED)
    investigating = replied or complaint.status == Status.INVESTIGATING
    return TrackingStatus(
        kind=str(complaint.get_kind_display()),
        received=complaint.created,
        status=str(COMPLAINT_LABELS.get(complaint.status, _("Received"))),
        is_closed=replied,
        due_label=str(_("Reply due by")),
        due=complaint.reply_due if not replied else None,
        due_has_time=False,
        milestones=[
            Milestone(_("Received"), True, complaint.created),
            Milestone(_("In progress"), investigating, None),
            Milestone(_("Replied"), replied, complaint.replied_at if replied else None),
        ],
    )


WORK_ORDER_FIELDS = (
    "kind",
    "status",
    "contact_phone",
    "created",
    "accepted_at",
    "dispatched_at",
    "started_at",
    "completed_at",
    "deadline",
)
COMPLAINT_FIELDS = ("kind", "status", "complainant_phone", "created", "replied_at", "reply_due")


def tracking_status(*, code: str, phone_last_four: str) -> TrackingStatus | None:
    """The public status of the work order or complaint with this tracking number, in this center.

    ``None`` unless the number exists here and the last four digits of its phone match.
    At most two queries.
    """
    code = normalize_tracking_code(code)
    last_four = (phone_last_four or "").strip()
    if not code or len(last_four) != 4 or not (last_four.isascii() and last_four.isdigit()):
        return None
    work_order = WorkOrder.objects.only(*WORK_ORDER_FIELDS).filter(tracking_code=code).first()
    if work_order is not None and _digits_match(work_order.contact_phone, last_four):
        return _work_order_status(work_order)
    complaint = Complaint.objects.only(*COMPLAINT_FIELDS).filter(tracking_code=code).first()
    if complaint is not None and _digits_match(complaint.complainant_phone, last_four):
        return _complaint_status(complaint)
    return None
