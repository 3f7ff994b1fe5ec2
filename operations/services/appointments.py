"""Appointments at the service desk (预约办理): opening hours, slots, bookings and their reminders.

Slots tile each opening period of a day (``DeskHours`` of working days or of rest days on the
official calendar, none on a ``DeskClosure`` day) by the item's slot length; a slot takes
``capacity`` residents. ``booking_create`` and ``booking_move`` take a transaction-scoped advisory
lock on the item and day before they count, so two residents taking the last place at once end
with one booking and one clear "full" message, and one phone cannot book the same item twice a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.calendar import is_working_day
from operations.models import (
    BookableService,
    Booking,
    DeskClosure,
    DeskHours,
    QueueTicket,
    ServiceItem,
    WorkdayOverride,
)
from operations.services.common import audit_record, new_tracking_code, user_or_none
from operations.sms import sms_queue
from operations.validators import mask_phone, normalize_phone, validate_phone

#: What a new center opens with (the desk of the regulations: every day, shorter at weekends).
DEFAULT_HOURS = (
    (DeskHours.DayType.WORKING, dt.time(8, 30), dt.time(12, 0)),
    (DeskHours.DayType.WORKING, dt.time(13, 30), dt.time(17, 30)),
    (DeskHours.DayType.REST, dt.time(9, 0), dt.time(12, 0)),
)
#: Items of the default guide residents may book, with (slot minutes, residents per slot).
DEFAULT_BOOKABLE = {"入住手续": (30, 2), "装修申请": (30, 2), "证明开具": (15, 3)}


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def key(self) -> str:
        return timezone.localtime(self.starts_at).strftime("%Y-%m-%dT%H:%M")


def appointments_install_defaults() -> None:
    """Opening hours and the bookable items of the default guide (idempotent)."""
    if not DeskHours.objects.exists():
        DeskHours.objects.bulk_create(
            DeskHours(day_type=kind, opens=opens, closes=closes) for kind, opens, closes in DEFAULT_HOURS
        )
    for item in ServiceItem.objects.filter(name__in=DEFAULT_BOOKABLE):
        minutes, capacity = DEFAULT_BOOKABLE[item.name]
        BookableService.objects.get_or_create(
            service_item=item, defaults={"slot_minutes": minutes, "capacity": capacity}
        )


# --- Days and slots ---------------------------------------------------------------------------


@dataclass
class DeskCalendar:
    """The desk's hours, closures and working-day corrections for a range of days, read once
    (three queries), so a page offering two weeks of days costs the same as one day."""

    hours: dict[str, list[tuple[dt.time, dt.time]]]
    closures: list[DeskClosure]
    overrides: dict[dt.date, bool]

    def closure(self, day: dt.date) -> DeskClosure | None:
        return next((c for c in self.closures if c.start_date <= day <= c.end_date), None)

    def periods(self, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        """The desk's opening periods on ``day``: none on a closure day."""
        if self.closure(day) is not None:
            return []
        kind = DeskHours.DayType.WORKING if is_working_day(day, self.overrides) else DeskHours.DayType.REST
        return self.hours.get(kind, [])


def desk_calendar(start: dt.date, end: dt.date) -> DeskCalendar:
    """The calendar of the local days ``start`` … ``end`` (both included)."""
    hours: dict[str, list[tuple[dt.time, dt.time]]] = {}
    for kind, opens, closes in DeskHours.objects.order_by("opens").values_list("day_type", "opens", "closes"):
        hours.setdefault(kind, []).append((opens, closes))
    closures = list(DeskClosure.objects.filter(start_date__lte=end, end_date__gte=start))
    overrides = dict(
        WorkdayOverride.objects.filter(date__range=(start, end)).values_list("date", "is_working_day")
    )
    return DeskCalendar(hours=hours, closures=closures, overrides=overrides)


def opening_periods(day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """The desk's opening periods on ``day``: none on a closure day."""
    return desk_calendar(day, day).periods(day)


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def slot_starts(
    bookable: BookableService, day: dt.date, calendar: DeskCalendar | None = None
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every slot of the day, (start, end), each inside one opening period."""
    calendar = calendar or desk_calendar(day, day)
    length = dt.timedelta(minutes=bookable.slot_minutes)
    slots = []
    for opens, closes in calendar.periods(day):
        start, end = _aware(day, opens), _aware(day, closes)
        while start + length <= end:
            slots.append((start, start + length))
            start += length
    return slots


def _taken(item_id: int, first: dt.datetime, last: dt.datetime) -> dict[dt.datetime, int]:
    """Places taken per slot start between two starts (one grouped query)."""
    rows = (
        Booking.objects.filter(
            service_item_id=item_id,
            starts_at__gte=first,
            starts_at__lte=last,
            status__in=Booking.ACTIVE_STATUSES,
        )
        .values("starts_at")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["starts_at"]: row["n"] for row in rows}


def booking_slots(*, bookable: BookableService, day: dt.date, now: dt.datetime | None = None) -> list[Slot]:
    """The day's slots still ahead of ``now`` with their places taken."""
    return booking_days_slots(bookable=bookable, days=[day], now=now)[0]["slots"]


def booking_days_slots(
    *, bookable: BookableService, days: list[dt.date], now: dt.datetime | None = None
) -> list[dict]:
    """For each day: its closure (or None), whether the desk opens, and its slots still ahead of
    ``now`` with the places taken — four queries for any number of days."""
    now = now or timezone.now()
    calendar = desk_calendar(min(days), max(days))
    starts = {day: [(s, e) for s, e in slot_starts(bookable, day, calendar) if s > now] for day in days}
    every = [s for day_starts in starts.values() for s, _e in day_starts]
    taken = _taken(bookable.service_item_id, min(every), max(every)) if every else {}
    return [
        {
            "day": day,
            "closure": calendar.closure(day),
            "open": bool(calendar.periods(day)),
            "slots": [Slot(s, e, bookable.capacity, taken.get(s, 0)) for s, e in starts[day]],
        }
        for day in days
    ]


def booking_days(*, bookable: BookableService, today: dt.date | None = None) -> list[dt.date]:
    """The days a resident may choose from: today and the next ``days_ahead`` days."""
    today = today or timezone.localdate()
    return [today + dt.timedelta(days=n) for n in range(bookable.days_ahead + 1)]


def bookable_services():
    return BookableService.objects.filter(is_open=True, service_item__is_published=True).select_related(
        "service_item__department"
    )


# --- Bookings ---------------------------------------------------------------------------------


def _lock_item_day(item_id: int, day: dt.date) -> None:
    """Serialise bookings of one item on one day (across processes) until the transaction ends."""
    digest = hashlib.blake2b(f"{connection.schema_name}:booking:{item_id}".encode(), digest_size=4).digest()
    key = int.from_bytes(digest, "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [key, day.toordinal()])


def _check_slot(
    *, bookable: BookableService, starts_at: dt.datetime, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """The slot starting at ``starts_at``, or a ValidationError naming why it cannot be booked."""
    local = timezone.localtime(starts_at)
    day = local.date()
    if starts_at <= now:
        raise ValidationError({"starts_at": _("This time has already passed: choose a later time.")})
    if day > timezone.localdate(now) + dt.timedelta(days=bookable.days_ahead):
        raise ValidationError(
            {
                "starts_at": _("Bookings open %(days)s days ahead: choose a day until %(last)s.")
                % {
                    "days": bookable.days_ahead,
                    "last": timezone.localdate(now) + dt.timedelta(days=bookable.days_ahead),
                }
            }
        )
    calendar = desk_calendar(day, day)
    closure = calendar.closure(day)
    if closure is not None:
        reason = closure.note or closure.get_reason_display()
        raise ValidationError(
            {
                "starts_at": _("The desk is closed on %(day)s (%(reason)s): choose another day.")
                % {"day": day, "reason": reason}
            }
        )
    for start, end in slot_starts(bookable, day, calendar):
        if start == starts_at:
            return start, end
    raise ValidationError(
        {
            "starts_at": _(
                "%(time)s is not a bookable time of the desk's opening hours: choose one of the times offered."
            )
            % {"time": local.strftime("%Y-%m-%d %H:%M")}
        }
    )


def _clean_person(name: str, phone: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    phone = (phone or "").strip()
    if not name:
        errors["name"] = [_("Please enter your name.")]
    if not phone:
        errors["phone"] = [_("Please enter a phone number we can reach you on.")]
    else:
        try:
            validate_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if errors:
        raise ValidationError(errors)
    return name, normalize_phone(phone)


def _bookable_for(service_item: ServiceItem) -> BookableService:
    bookable = (
        BookableService.objects.filter(service_item=service_item).select_related("service_item").first()
    )
    if bookable is None or not bookable.is_open or not service_item.is_published:
        raise ValidationError(
            {"service_item": _("This matter cannot be booked online: please call the desk.")}
        )
    return bookable


def _take_place(*, bookable, starts_at, phone, now, moving: Booking | None = None):
    """Check the slot and the resident's other bookings under the item-day lock; return the slot."""
    start, end = _check_slot(bookable=bookable, starts_at=starts_at, now=now)
    _lock_item_day(bookable.service_item_id, timezone.localtime(start).date())
    day_start = _aware(timezone.localtime(start).date(), dt.time.min)
    active = Booking.objects.filter(
        service_item_id=bookable.service_item_id, status__in=Booking.ACTIVE_STATUSES
    )
    if moving is not None:
        active = active.exclude(pk=moving.pk)
    if active.filter(
        phone=phone, starts_at__gte=day_start, starts_at__lt=day_start + dt.timedelta(days=1)
    ).exists():
        raise ValidationError(
            {"phone": _("This phone number already has a booking for this matter on that day.")}
        )
    if active.filter(starts_at=start).count() >= bookable.capacity:
        raise ValidationError({"starts_at": _("This time is fully booked: choose another time.")})
    return start, end


def booking_message(booking: Booking, *, reminder: bool = False) -> str:
    """The SMS a resident gets: the code, the time and every material to bring (一次性告知)."""
    item = booking.service_item
    materials = "、".join(
        f"{m.name}（{m.get_form_display()}{m.copies}份）" for m in item.materials.all()
    ) or _("none")
    values = {
        "item": item.name,
        "time": timezone.localtime(booking.starts_at).strftime("%m-%d %H:%M"),
        "code": booking.code,
        "materials": materials,
    }
    if reminder:
        return (
            _(
                "Reminder: your appointment for %(item)s is tomorrow at %(time)s (code %(code)s). Please bring: %(materials)s."
            )
            % values
        )
    return _("Booked: %(item)s at %(time)s, code %(code)s. Please bring: %(materials)s.") % values


def _send_sms(phone: str, message: str, kind: str = "booking") -> None:
    sms_queue(phone=phone, message=message, kind=kind)


@transaction.atomic
def booking_create(
    *,
    service_item: ServiceItem,
    starts_at: dt.datetime,
    name: str,
    phone: str,
    unit_text: str = "",
    unit=None,
    acting_user=None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book one place of a slot for a resident (their own form, or the desk on the phone)."""
    now = now or timezone.now()
    bookable = _bookable_for(service_item)
    name, phone = _clean_person(name, phone)
    start, end = _take_place(bookable=bookable, starts_at=starts_at, phone=phone, now=now)
    booking = Booking(
        code=_unique_code(),
        service_item=service_item,
        starts_at=start,
        ends_at=end,
        name=name[:50],
        phone=phone,
        unit=unit,
        unit_text=(unit_text or "").strip()[:50],
    )
    booking.full_clean()
    booking.save()
    audit_record(
        instance=booking,
        action="booking_create",
        acting_user=acting_user,
        changes={
            "service_item": service_item.pk,
            "starts_at": start.isoformat(),
            "phone": [mask_phone(phone)],
        },
    )
    _send_sms(phone, booking_message(booking))
    return booking


def _unique_code() -> str:
    while True:
        code = new_tracking_code()
        if not Booking.objects.filter(code=code).exists():
            return code


def booking_find(*, code: str, phone_last_four: str) -> Booking | None:
    """The booking with this code whose phone ends with these four digits (None for any miss)."""
    code = (code or "").strip().upper()
    digits = (phone_last_four or "").strip()
    if not code or len(digits) != 4 or not digits.isdigit():
        return None
    booking = Booking.objects.select_related("service_item").filter(code=code).first()
    if booking is None or not booking.phone.endswith(digits):
        return None
    return booking


def _lock(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("service_item").get(pk=booking.pk)


def _refuse_unless_booked(booking: Booking, now: dt.datetime) -> None:
    if booking.status != Booking.Status.BOOKED:
        raise ValidationError(
            _("This booking is %(status)s and can no longer be changed.")
            % {"status": booking.get_status_display()}
        )
    if booking.starts_at <= now:
        raise ValidationError(_("The booked time has begun: please come to the desk or call it."))


@transaction.atomic
def booking_cancel(*, booking: Booking, acting_user=None, now: dt.datetime | None = None) -> Booking:
    now = now or timezone.now()
    booking = _lock(booking)
    _refuse_unless_booked(booking, now)
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at", "updated"])
    audit_record(instance=booking, action="booking_cancel", acting_user=acting_user, changes={})
    return booking


@transaction.atomic
def booking_move(
    *, booking: Booking, starts_at: dt.datetime, acting_user=None, now: dt.datetime | None = None
) -> Booking:
    """Move a booking to another slot of the same item (its place in the old slot is freed)."""
    now = now or timezone.now()
    booking = _lock(booking)
    _refuse_unless_booked(booking, now)
    if starts_at == booking.starts_at:
        raise ValidationError({"starts_at": _("That is the time already booked: choose another time.")})
    bookable = _bookable_for(booking.service_item)
    start, end = _take_place(
        bookable=bookable, starts_at=starts_at, phone=booking.phone, now=now, moving=booking
    )
    previous = booking.starts_at
    booking.starts_at, booking.ends_at, booking.reminded_at = start, end, None
    booking.save(update_fields=["starts_at", "ends_at", "reminded_at", "updated"])
    audit_record(
        instance=booking,
        action="booking_move",
        acting_user=acting_user,
        changes={"starts_at": [previous.isoformat(), start.isoformat()]},
    )
    _send_sms(booking.phone, booking_message(booking))
    return booking


@transaction.atomic
def booking_mark_arrived(*, booking: Booking, acting_user, now: dt.datetime | None = None):
    """The resident is at the desk: the booking is arrived and gets a queue number (Y…)."""
    from operations.services.queue import queue_ticket_issue

    now = now or timezone.now()
    booking = _lock(booking)
    if booking.status != Booking.Status.BOOKED:
        raise ValidationError(
            _("This booking is %(status)s: only a booked appointment can arrive.")
            % {"status": booking.get_status_display()}
        )
    if timezone.localtime(booking.starts_at).date() != timezone.localdate(now):
        raise ValidationError(
            _("This booking is for %(day)s, not today.")
            % {"day": timezone.localtime(booking.starts_at).date()}
        )
    booking.status = Booking.Status.ARRIVED
    booking.arrived_at = now
    booking.save(update_fields=["status", "arrived_at", "updated"])
    audit_record(instance=booking, action="booking_mark_arrived", acting_user=acting_user, changes={})
    ticket = queue_ticket_issue(booking=booking, acting_user=acting_user, now=now)
    return booking, ticket


@transaction.atomic
def booking_mark_no_show(*, booking: Booking, acting_user, now: dt.datetime | None = None) -> Booking:
    now = now or timezone.now()
    booking = _lock(booking)
    if booking.status != Booking.Status.BOOKED:
        raise ValidationError(
            _("This booking is %(status)s: only a booked appointment can be marked as not come.")
            % {"status": booking.get_status_display()}
        )
    if booking.starts_at > now:
        raise ValidationError(_("The booked time has not begun yet: wait until it starts."))
    booking.status = Booking.Status.NO_SHOW
    booking.save(update_fields=["status", "updated"])
    audit_record(instance=booking, action="booking_mark_no_show", acting_user=acting_user, changes={})
    return booking


def booking_mark_served(
    *, booking: Booking, application, acting_user, now: dt.datetime | None = None
) -> Booking:
    """Called by ``service_application_record`` inside its transaction: the application is the booking's."""
    now = now or timezone.now()
    booking = _lock(booking)
    if booking.status not in (Booking.Status.BOOKED, Booking.Status.ARRIVED):
        raise ValidationError(
            _("This booking is %(status)s: an application cannot be started from it.")
            % {"status": booking.get_status_display()}
        )
    if booking.service_item_id != application.service_item_id:
        raise ValidationError(_("The booking is for another service item."))
    booking.status = Booking.Status.SERVED
    booking.served_at = now
    booking.served_by = user_or_none(acting_user)
    booking.arrived_at = booking.arrived_at or now
    booking.application = application
    booking.save(update_fields=["status", "served_at", "served_by", "arrived_at", "application", "updated"])
    _finish_ticket(booking, acting_user=acting_user, now=now)
    audit_record(
        instance=booking,
        action="booking_mark_served",
        acting_user=acting_user,
        changes={"application": application.number},
    )
    return booking


def _finish_ticket(booking: Booking, *, acting_user, now: dt.datetime) -> None:
    """The resident is served: their queue number (if any) is done; taken without a call, the wait
    ends now and counts for the person serving."""
    ticket = QueueTicket.objects.select_for_update().filter(booking=booking).first()
    if ticket is None or ticket.status not in (QueueTicket.Status.WAITING, QueueTicket.Status.CALLED):
        return
    if ticket.status == QueueTicket.Status.WAITING:
        ticket.called_at = now
        ticket.called_by = user_or_none(acting_user)
        ticket.wait_seconds = max(int((now - ticket.issued_at).total_seconds()), 0)
    ticket.status = QueueTicket.Status.DONE
    ticket.finished_at = now
    ticket.save(update_fields=["status", "called_at", "called_by", "wait_seconds", "finished_at"])


def bookings_send_reminders(*, now: dt.datetime | None = None) -> int:
    """SMS the day before: every booking of tomorrow not yet reminded (safe to run twice)."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    start = _aware(tomorrow, dt.time.min)
    sent = 0
    pending = Booking.objects.filter(
        status=Booking.Status.BOOKED,
        reminded_at__isnull=True,
        starts_at__gte=start,
        starts_at__lt=start + dt.timedelta(days=1),
    ).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, reminded_at__isnull=True)
                .first()
            )
            if booking is None:
                continue
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at"])
            _send_sms(booking.phone, booking_message(booking, reminder=True), "booking_reminder")
            sent += 1
    return sent
