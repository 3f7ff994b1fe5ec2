"""Appointments (预约办理) and queue numbers (排队叫号): the services."""

from __future__ import annotations

import datetime as dt
import threading

from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone, translation

import pytest
from django_tenants.utils import schema_context

from operations.calendar import is_working_day
from operations.models import AuditEntry, BookableService, Booking, DeskClosure, QueueTicket, ServiceItem
from operations.services.appointments import (
    booking_cancel,
    booking_create,
    booking_find,
    booking_mark_arrived,
    booking_mark_no_show,
    booking_move,
    booking_slots,
    bookings_send_reminders,
    opening_periods,
)
from operations.services.guide import service_application_record
from operations.services.queue import (
    queue_call_next,
    queue_ticket_issue,
    queue_ticket_skip,
)
from operations.sms import LocmemSmsBackend
from tests.factories import make_user

LOCAL = timezone.get_fixed_timezone(8 * 60)


def working_day_ahead(days: int = 3) -> dt.date:
    """A working day at least ``days`` days from today (the official calendar)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def rest_day_ahead() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=2)
    while is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def certificate(alpha) -> ServiceItem:
    """证明开具: bookable by default, 15-minute slots, 3 residents each."""
    return ServiceItem.objects.get(name="证明开具")


@pytest.fixture
def move_in(alpha) -> ServiceItem:
    return ServiceItem.objects.get(name="入住手续")


@pytest.fixture
def clerk(alpha):
    return make_user("desk_appt", "前台客服", "前台小周")


@pytest.fixture(autouse=True)
def _sms_outbox():
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


def book(item, starts_at, phone="13912345678", name="刘芳", now=None):
    return booking_create(service_item=item, starts_at=starts_at, name=name, phone=phone, now=now)


class TestSlots:
    def test_defaults_give_working_day_and_rest_day_hours(self, alpha, certificate):
        day = working_day_ahead()
        assert opening_periods(day) == [(dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30))]
        assert opening_periods(rest_day_ahead()) == [(dt.time(9, 0), dt.time(12, 0))]
        slots = booking_slots(bookable=certificate.booking_settings, day=day, now=at(day, 7))
        # 08:30–12:00 and 13:30–17:30 in 15-minute slots.
        assert len(slots) == 14 + 16
        assert timezone.localtime(slots[0].starts_at).time() == dt.time(8, 30)
        assert all(slot.free == 3 for slot in slots)

    def test_a_closure_day_has_no_slots_and_past_slots_are_not_offered(self, alpha, certificate):
        day = working_day_ahead()
        DeskClosure.objects.create(start_date=day, end_date=day, reason=DeskClosure.Reason.TRAINING)
        assert booking_slots(bookable=certificate.booking_settings, day=day, now=at(day, 7)) == []
        other = working_day_ahead(day.toordinal() - timezone.localdate().toordinal() + 1)
        later = booking_slots(bookable=certificate.booking_settings, day=other, now=at(other, 16, 50))
        assert [timezone.localtime(s.starts_at).time() for s in later] == [dt.time(17, 0), dt.time(17, 15)]

    def test_taken_places_are_counted(self, alpha, certificate):
        day = working_day_ahead()
        book(certificate, at(day, 9), phone="13900000001", now=at(day, 7))
        book(certificate, at(day, 9), phone="13900000002", now=at(day, 7))
        slots = {
            s.key: s for s in booking_slots(bookable=certificate.booking_settings, day=day, now=at(day, 7))
        }
        assert slots[f"{day}T09:00"].free == 1


class TestBooking:
    def test_booking_gets_a_code_is_audited_and_the_sms_lists_every_material(self, alpha, move_in):
        day = working_day_ahead()
        booking = book(move_in, at(day, 9), now=at(day, 7))
        assert len(booking.code) == 8 and booking.status == Booking.Status.BOOKED
        assert booking.ends_at - booking.starts_at == dt.timedelta(minutes=30)
        entry = AuditEntry.objects.get(action="booking_create", object_id=str(booking.pk))
        assert "13912345678" not in str(entry.changes)  # the phone is masked in the log
        # The SMS goes out on commit, with the code and all of the item's materials.
        assert booking_find(code=booking.code.lower(), phone_last_four="5678") == booking
        assert booking_find(code=booking.code, phone_last_four="0000") is None

    def test_sms_sent_on_commit_with_materials(self, alpha, move_in, django_capture_on_commit_callbacks):
        day = working_day_ahead()
        with django_capture_on_commit_callbacks(execute=True):
            booking = book(move_in, at(day, 9), now=at(day, 7))
        phone, message = LocmemSmsBackend.outbox[-1]
        assert phone == "13912345678" and booking.code in message
        for material in move_in.materials.all():
            assert material.name in message

    @pytest.mark.parametrize(
        ("when", "field", "words"),
        [
            (lambda day: at(day, 6, 0), "starts_at", "营业时间"),
            (lambda day: at(day, 12, 15), "starts_at", "营业时间"),
            (lambda day: at(day, 9, 7), "starts_at", "营业时间"),
        ],
    )
    def test_outside_opening_hours_is_refused_in_chinese(self, alpha, certificate, when, field, words):
        day = working_day_ahead()
        with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
            book(certificate, when(day), now=at(day, 5))
        assert field in error.value.message_dict
        assert not Booking.objects.exists()

    def test_past_closure_and_too_far_are_refused(self, alpha, certificate):
        day = working_day_ahead()
        with translation.override("zh-hans"):
            with pytest.raises(ValidationError) as past:
                book(certificate, at(day, 9), now=at(day, 10))
            assert "已经过去" in str(past.value)
            DeskClosure.objects.create(
                start_date=day, end_date=day, reason=DeskClosure.Reason.HOLIDAY, note="元旦"
            )
            with pytest.raises(ValidationError) as closed:
                book(certificate, at(day, 9), now=at(day, 7))
            assert "元旦" in str(closed.value)
            far = day + dt.timedelta(days=30)
            with pytest.raises(ValidationError) as too_far:
                book(certificate, at(far, 9), now=at(day, 7))
            assert "14" in str(too_far.value)
        assert not Booking.objects.exists()

    def test_second_booking_same_item_phone_and_day_is_refused(self, alpha, certificate):
        day = working_day_ahead()
        book(certificate, at(day, 9), now=at(day, 7))
        with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
            book(certificate, at(day, 14), now=at(day, 7))
        assert "phone" in error.value.message_dict and "已有" in str(error.value)
        assert Booking.objects.count() == 1

    def test_a_full_slot_is_refused(self, alpha, certificate):
        day = working_day_ahead()
        for n in range(3):
            book(certificate, at(day, 9), phone=f"1390000000{n}", now=at(day, 7))
        with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
            book(certificate, at(day, 9), phone="13900000009", now=at(day, 7))
        assert "约满" in str(error.value)
        assert Booking.objects.count() == 3

    def test_bad_name_phone_and_unbookable_item(self, alpha, certificate):
        day = working_day_ahead()
        with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
            booking_create(
                service_item=certificate, starts_at=at(day, 9), name=" ", phone="12345", now=at(day, 7)
            )
        assert {"name", "phone"} <= set(error.value.message_dict)
        repair = ServiceItem.objects.get(name="报修")
        with pytest.raises(ValidationError):
            book(repair, at(day, 9), now=at(day, 7))
        BookableService.objects.filter(service_item=certificate).update(is_open=False)
        with pytest.raises(ValidationError):
            book(certificate, at(day, 9), now=at(day, 7))
        assert not Booking.objects.exists()


class TestChanges:
    def test_cancel_frees_the_place_and_move_keeps_the_rules(self, alpha, certificate):
        day = working_day_ahead()
        booking = book(certificate, at(day, 9), now=at(day, 7))
        moved = booking_move(booking=booking, starts_at=at(day, 10), now=at(day, 7))
        assert timezone.localtime(moved.starts_at).time() == dt.time(10)
        with pytest.raises(ValidationError):
            booking_move(booking=moved, starts_at=at(day, 12, 30), now=at(day, 7))  # lunch break
        booking_cancel(booking=moved, now=at(day, 7))
        moved.refresh_from_db()
        assert moved.status == Booking.Status.CANCELLED
        with pytest.raises(ValidationError):
            booking_cancel(booking=moved, now=at(day, 7))
        # Cancelled: the same phone may book that day again.
        book(certificate, at(day, 11), now=at(day, 7))

    def test_no_change_once_the_slot_has_begun(self, alpha, certificate):
        day = working_day_ahead()
        booking = book(certificate, at(day, 9), now=at(day, 7))
        with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
            booking_cancel(booking=booking, now=at(day, 9, 5))
        assert "已开始" in str(error.value)

    def test_reminder_the_day_before_once(self, alpha, move_in, django_capture_on_commit_callbacks):
        day = working_day_ahead()
        booking = book(move_in, at(day, 9), now=at(day, 7) - dt.timedelta(days=2))
        LocmemSmsBackend.outbox.clear()
        evening_before = at(day - dt.timedelta(days=1), 18)
        with django_capture_on_commit_callbacks(execute=True):
            assert bookings_send_reminders(now=evening_before) == 1
            assert bookings_send_reminders(now=evening_before) == 0
        assert len(LocmemSmsBackend.outbox) == 1
        assert booking.code in LocmemSmsBackend.outbox[0][1]
        assert move_in.materials.first().name in LocmemSmsBackend.outbox[0][1]


class TestDesk:
    def test_arrival_gives_a_y_number_and_the_application_starts_from_the_booking(
        self, alpha, move_in, clerk
    ):
        today = timezone.localdate()
        booking = Booking.objects.create(
            code="TESTCODE",
            service_item=move_in,
            starts_at=at(timezone.localdate(), 0),  # today's, whatever the hour
            ends_at=at(timezone.localdate(), 0, 30),
            name="刘芳",
            phone="13912345678",
        )
        booking, ticket = booking_mark_arrived(booking=booking, acting_user=clerk)
        assert (
            booking.status == Booking.Status.ARRIVED
            and ticket.display.startswith("Y")
            and ticket.day == today
        )
        with pytest.raises(ValidationError):
            booking_mark_arrived(booking=booking, acting_user=clerk)
        materials = [m.pk for m in move_in.materials.all()]
        application = service_application_record(
            service_item=move_in,
            applicant_name=booking.name,
            applicant_phone=booking.phone,
            materials_brought=materials,
            booking=booking,
            acting_user=clerk,
        )
        booking.refresh_from_db()
        assert booking.status == Booking.Status.SERVED and booking.application == application
        assert booking.served_by == clerk
        # Served without a call: the number is done and its wait counts for the clerk.
        ticket.refresh_from_db()
        assert ticket.status == QueueTicket.Status.DONE and ticket.called_by == clerk
        assert ticket.wait_seconds is not None
        # The committed limit (入住手续: working days) runs from acceptance.
        assert application.due_at is not None and application.due_at > application.created

    def test_no_show_only_once_the_slot_has_begun(self, alpha, certificate, clerk):
        day = working_day_ahead()
        booking = book(certificate, at(day, 9), now=at(day, 7))
        with pytest.raises(ValidationError):
            booking_mark_no_show(booking=booking, acting_user=clerk, now=at(day, 8))
        booking_mark_no_show(booking=booking, acting_user=clerk, now=at(day, 9, 30))
        booking.refresh_from_db()
        assert booking.status == Booking.Status.NO_SHOW


class TestQueue:
    def test_bookings_first_within_their_slot_then_by_arrival(self, alpha, move_in, clerk):
        now = at(timezone.localdate(), 12)  # the queue of one day, whatever the hour the suite runs
        walk_in = queue_ticket_issue(acting_user=clerk, now=now - dt.timedelta(minutes=20))
        booking = Booking.objects.create(
            code="QUEUE001",
            service_item=move_in,
            starts_at=now - dt.timedelta(minutes=1),
            ends_at=now + dt.timedelta(minutes=29),
            name="王建国",
            phone="13800000001",
        )
        booked = queue_ticket_issue(booking=booking, acting_user=clerk, now=now - dt.timedelta(minutes=2))
        second_walk_in = queue_ticket_issue(acting_user=clerk, now=now - dt.timedelta(minutes=1))
        assert (walk_in.display, second_walk_in.display) == ("A001", "A002") and booked.display == "Y001"
        first = queue_call_next(acting_user=clerk, counter="1号窗口", now=now)
        assert first == booked and first.wait_seconds == 120
        second = queue_call_next(acting_user=clerk, counter="1号窗口", now=now + dt.timedelta(minutes=3))
        assert second == walk_in
        first.refresh_from_db()
        assert first.status == QueueTicket.Status.DONE  # calling the next finished the previous one
        queue_ticket_skip(ticket=second, acting_user=clerk)
        third = queue_call_next(acting_user=clerk, counter="1号窗口", now=now + dt.timedelta(minutes=4))
        assert third == second_walk_in
        assert (
            queue_call_next(acting_user=clerk, counter="1号窗口", now=now + dt.timedelta(minutes=5)) is None
        )

    def test_an_early_booking_waits_like_a_walk_in(self, alpha, move_in, clerk):
        now = at(timezone.localdate(), 12)
        booking = Booking.objects.create(
            code="QUEUE002",
            service_item=move_in,
            starts_at=now + dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=1, minutes=30),
            name="王建国",
            phone="13800000001",
        )
        early = queue_ticket_issue(booking=booking, acting_user=clerk, now=now - dt.timedelta(minutes=10))
        walk_in = queue_ticket_issue(acting_user=clerk, now=now - dt.timedelta(minutes=5))
        assert queue_call_next(acting_user=clerk, counter="2号窗口", now=now) == early
        assert queue_call_next(acting_user=clerk, counter="2号窗口", now=now) == walk_in

    def test_a_window_is_required(self, alpha, clerk):
        with pytest.raises(ValidationError):
            queue_call_next(acting_user=clerk, counter=" ")


@pytest.mark.django_db(transaction=False)
def test_two_residents_taking_the_last_place_at_once_one_wins(django_db_blocker, center_a):
    """Each resident's request in its own committed transaction, released together."""
    with schema_context(center_a.schema_name):
        day = working_day_ahead()
    now = at(day, 7)
    results: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def setup():
        try:
            with schema_context(center_a.schema_name):
                BookableService.objects.filter(service_item__name="证明开具").update(capacity=1)
        finally:
            connections.close_all()

    def attempt(phone):
        try:
            with schema_context(center_a.schema_name):
                item = ServiceItem.objects.get(name="证明开具")
                barrier.wait(timeout=10)
                results[phone] = book(item, at(day, 9), phone=phone, now=now)
        except ValidationError as exc:
            results[phone] = exc
        finally:
            connections.close_all()

    from operations.models import OutgoingSms
    from portal.models import CenterDay, CenterKpi, CenterMonth

    rollups = (CenterDay, CenterMonth, CenterKpi)
    # The committed bookings refresh the center's rollups on commit: remove what they wrote.
    kept = {model: set(model.objects.values_list("pk", flat=True)) for model in rollups}

    def cleanup():
        try:
            for model in rollups:
                model.objects.exclude(pk__in=kept[model]).delete()
            with schema_context(center_a.schema_name):
                ids = [str(pk) for pk in Booking.objects.values_list("pk", flat=True)]
                AuditEntry.objects.filter(action="booking_create", object_id__in=ids).delete()
                Booking.objects.all().delete()
                OutgoingSms.objects.filter(kind="booking").delete()  # the committed bookings' SMS
                BookableService.objects.filter(service_item__name="证明开具").update(capacity=3)
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        run = threading.Thread(target=setup)
        run.start()
        run.join()
        threads = [
            threading.Thread(target=attempt, args=(phone,)) for phone in ("13900000011", "13900000012")
        ]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            winners = [r for r in results.values() if isinstance(r, Booking)]
            losers = [r for r in results.values() if isinstance(r, ValidationError)]
            assert len(winners) == 1 and len(losers) == 1, results
            assert "starts_at" in losers[0].message_dict
        finally:
            t = threading.Thread(target=cleanup)
            t.start()
            t.join()


def test_head_office_gets_the_centers_bookings_and_waits_only(
    alpha, move_in, clerk, django_capture_on_commit_callbacks
):
    """The rollup counts the day's bookings, no-shows and the desk's waits — no name, no staff member."""
    from portal.models import CenterDay

    now = at(timezone.localdate(), 12)
    with django_capture_on_commit_callbacks(execute=True):
        booking = Booking.objects.create(
            code="KPI00001",
            service_item=move_in,
            starts_at=now - dt.timedelta(seconds=1),
            ends_at=now + dt.timedelta(minutes=30),
            name="李桂英",
            phone="13800000099",
        )
        booking_mark_no_show(booking=booking, acting_user=clerk, now=now)
        queue_ticket_issue(acting_user=clerk, now=now - dt.timedelta(minutes=12))
        queue_call_next(acting_user=clerk, counter="1号窗口", now=now)
    row = CenterDay.objects.get(center=alpha, day=timezone.localdate(now))
    assert (row.bookings, row.bookings_no_show, row.queue_called) == (1, 1, 1)
    assert row.average_wait_minutes == 12
    stored = str(CenterDay.objects.filter(pk=row.pk).values().get())
    assert "李桂英" not in stored and "前台小周" not in stored


def test_recall_skip_and_finish_only_a_number_being_called(alpha, clerk):
    from operations.services.queue import queue_ticket_finish, queue_ticket_recall

    now = at(timezone.localdate(), 12)
    waiting = queue_ticket_issue(acting_user=clerk, now=now)
    for change in (queue_ticket_recall, queue_ticket_skip, queue_ticket_finish):
        with pytest.raises(ValidationError):
            change(ticket=waiting, acting_user=clerk, now=now)
    called = queue_call_next(acting_user=clerk, counter="1号窗口", now=now)
    recalled = queue_ticket_recall(ticket=called, acting_user=clerk, now=now + dt.timedelta(minutes=1))
    assert recalled.called_at == now + dt.timedelta(minutes=1) and recalled.wait_seconds == 0
    done = queue_ticket_finish(ticket=called, acting_user=clerk, now=now + dt.timedelta(minutes=2))
    assert done.status == QueueTicket.Status.DONE
    assert AuditEntry.objects.filter(action__in=["queue_recall", "queue_finish"]).count() == 2
