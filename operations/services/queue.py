"""Queue numbers at the desk (排队叫号).

Walk-ins get ``A001``, ``A002``… and arrived bookings ``Y001``… from per-day counters. Calling the
next number finishes the resident the caller was serving, then takes — with ``SKIP LOCKED``, so two
windows never call the same number — an arrived booking whose slot has begun (bookings first within
their slot), otherwise whoever has waited longest. The wait (issue → call) is kept on the ticket.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.models import Booking, NumberCounter, QueueTicket
from operations.services.common import audit_record, user_or_none

COUNTER_PREFIX = {QueueTicket.Kind.WALK_IN: "QA", QueueTicket.Kind.BOOKING: "QY"}


def _next(prefix: str, day: dt.date) -> int:
    counter, _created = NumberCounter.objects.select_for_update().get_or_create(prefix=prefix, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def queue_ticket_issue(
    *, booking: Booking | None = None, service_item=None, acting_user=None, now: dt.datetime | None = None
) -> QueueTicket:
    """A number for a walk-in (optionally for an item) or for an arrived booking."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if booking is not None:
        if QueueTicket.objects.filter(booking=booking).exists():
            raise ValidationError(_("This booking already has a queue number."))
        kind, service_item = QueueTicket.Kind.BOOKING, booking.service_item
    else:
        kind = QueueTicket.Kind.WALK_IN
    ticket = QueueTicket.objects.create(
        day=day,
        kind=kind,
        number=_next(COUNTER_PREFIX[kind], day),
        service_item=service_item,
        booking=booking,
        issued_at=now,
        issued_by=user_or_none(acting_user),
    )
    audit_record(
        instance=ticket,
        action="queue_ticket_issue",
        acting_user=acting_user,
        changes={"kind": kind, "service_item": service_item.pk if service_item else None},
    )
    return ticket


def _finish_current(*, acting_user, counter: str, now: dt.datetime) -> None:
    current = QueueTicket.objects.select_for_update().filter(
        day=timezone.localdate(now), status=QueueTicket.Status.CALLED, called_by=acting_user, counter=counter
    )
    for ticket in current:
        ticket.status = QueueTicket.Status.DONE
        ticket.finished_at = now
        ticket.save(update_fields=["status", "finished_at"])


@transaction.atomic
def queue_call_next(*, acting_user, counter: str, now: dt.datetime | None = None) -> QueueTicket | None:
    """Finish the caller's current number and call the next one; None when nobody waits."""
    now = now or timezone.now()
    counter = (counter or "").strip()[:20]
    if not counter:
        raise ValidationError({"counter": _("Say which window calls (e.g. 1号窗口).")})
    _finish_current(acting_user=acting_user, counter=counter, now=now)
    waiting = QueueTicket.objects.select_for_update(skip_locked=True).filter(
        day=timezone.localdate(now), status=QueueTicket.Status.WAITING
    )
    ticket = (
        waiting.filter(kind=QueueTicket.Kind.BOOKING, booking__starts_at__lte=now)
        .order_by("booking__starts_at", "issued_at", "pk")
        .first()
    ) or waiting.order_by("issued_at", "pk").first()
    if ticket is None:
        return None
    ticket.status = QueueTicket.Status.CALLED
    ticket.called_at = now
    ticket.called_by = user_or_none(acting_user)
    ticket.counter = counter
    ticket.wait_seconds = max(int((now - ticket.issued_at).total_seconds()), 0)
    ticket.save(update_fields=["status", "called_at", "called_by", "counter", "wait_seconds"])
    audit_record(instance=ticket, action="queue_call", acting_user=acting_user, changes={"counter": counter})
    return ticket


def _change_called(ticket: QueueTicket, *, action: str, refusal: str, acting_user, **fields) -> QueueTicket:
    """Change a number being called (locked), or refuse with ``refusal`` when it is not called now."""
    ticket = QueueTicket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != QueueTicket.Status.CALLED:
        raise ValidationError(refusal)
    for field, value in fields.items():
        setattr(ticket, field, value)
    ticket.save(update_fields=list(fields))
    audit_record(instance=ticket, action=action, acting_user=acting_user, changes={})
    return ticket


@transaction.atomic
def queue_ticket_recall(*, ticket: QueueTicket, acting_user, now: dt.datetime | None = None) -> QueueTicket:
    """Call the same number again (the screen shows it on top once more); the wait stays the first call's."""
    return _change_called(
        ticket,
        action="queue_recall",
        refusal=_("Only a number being called can be called again."),
        acting_user=acting_user,
        called_at=now or timezone.now(),
    )


@transaction.atomic
def queue_ticket_skip(*, ticket: QueueTicket, acting_user, now: dt.datetime | None = None) -> QueueTicket:
    """过号: the called resident did not come to the window."""
    return _change_called(
        ticket,
        action="queue_skip",
        refusal=_("Only a number being called can be marked as missed."),
        acting_user=acting_user,
        status=QueueTicket.Status.SKIPPED,
        finished_at=now or timezone.now(),
    )


@transaction.atomic
def queue_ticket_finish(*, ticket: QueueTicket, acting_user, now: dt.datetime | None = None) -> QueueTicket:
    """已办结: the resident at the window is served."""
    return _change_called(
        ticket,
        action="queue_finish",
        refusal=_("Only a number being called can be finished."),
        acting_user=acting_user,
        status=QueueTicket.Status.DONE,
        finished_at=now or timezone.now(),
    )
