"""Residents book the desk without an account (预约办理), and the waiting room's screen (排队叫号).

The booking page tells everything about the matter before a time is chosen (materials, procedure,
fee, committed limit: 一次性告知); the thanks page and the SMS repeat the materials. Cancel and move
take the booking code with the last four digits of the phone, by POST, answering one generic "not
found" for any miss; all of it is rate-limited per client like the other residents' forms.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from operations import ratelimit
from operations.forms.appointments import BookingForm, BookingLookupForm, BookingMoveForm, parse_day
from operations.models import Booking
from operations.selectors.queue import queue_screen_state
from operations.services.appointments import (
    bookable_services,
    booking_cancel,
    booking_create,
    booking_days,
    booking_days_slots,
    booking_find,
    booking_move,
)
from operations.services.guide import item_terms
from operations.views.public_forms import _unit_and_note, apply_service_errors, rate_limited, render_public

FORM_NAME = "booking"
RECEIPT_MAX_AGE = 2 * 60 * 60
SCREEN_STATE_SECONDS = 2


def _slot_context(bookable, requested_day: dt.date | None, now) -> dict:
    """The days to choose from (with their free places) and the chosen day's times, in four queries."""
    days = booking_days_slots(
        bookable=bookable, days=booking_days(bookable=bookable, today=timezone.localdate(now)), now=now
    )
    for entry in days:
        entry["free"] = sum(slot.free for slot in entry["slots"])
    by_day = {entry["day"]: entry for entry in days}
    chosen = requested_day if requested_day in by_day else None
    if chosen is None:
        chosen = next((entry["day"] for entry in days if entry["free"]), days[0]["day"])
    return {"days": days, "day": by_day[chosen], "slots": by_day[chosen]["slots"]}


@never_cache
def booking_list(request):
    services = list(bookable_services())
    for bookable in services:
        item_terms(bookable.service_item)
    return render_public(request, "booking_list.html", {"services": services})


def _receipt_salt() -> str:
    return f"operations.public.booking:{connection.schema_name}"


@never_cache
@csrf_protect
def booking_new(request, pk: int):
    bookable = get_object_or_404(bookable_services(), service_item_id=pk)
    item = bookable.service_item
    item_terms(item)
    now = timezone.now()
    choosing_day = request.method == "POST" and "book" not in request.POST  # a day button, not "book"
    if choosing_day:  # keep what the resident typed, validate nothing yet
        form = BookingForm(initial={f: request.POST.get(f, "") for f in ("name", "phone", "unit_text")})
    else:
        form = BookingForm(request.POST or None)
    context = {"bookable": bookable, "item": item, "form": form}
    if choosing_day:
        day = parse_day(request.POST.get("day"))
    elif request.method == "POST":
        if rate_limited(request, FORM_NAME):
            context["rate_limited"] = True
            context.update(_slot_context(bookable, parse_day(request.POST.get("day")), now))
            return render_public(request, "booking_new.html", context, status=429)
        if form.is_bot:
            ratelimit.submissions(FORM_NAME).hit(request)
            return redirect("public_booking_list")
        if form.is_valid():
            data = form.cleaned_data
            unit, note = _unit_and_note(data["unit_text"])
            try:
                with transaction.atomic():
                    booking = booking_create(
                        service_item=item,
                        starts_at=data["starts_at"],
                        name=data["name"],
                        phone=data["phone"],
                        unit=unit,
                        unit_text=data["unit_text"],
                        now=now,
                    )
            except ValidationError as error:
                apply_service_errors(form, error, {"service_item": "starts_at"})
            else:
                ratelimit.submissions(FORM_NAME).hit(request)
                token = signing.dumps({"code": booking.code}, salt=_receipt_salt())
                return redirect(f"{reverse('public_booking_done')}?r={token}")
        day = parse_day(request.POST.get("day")) or (
            timezone.localtime(form.cleaned_data["starts_at"]).date()
            if form.cleaned_data.get("starts_at")
            else None
        )
    else:
        day = parse_day(request.GET.get("day"))
    context.update(_slot_context(bookable, day, now))
    context["chosen_slot"] = request.POST.get("starts_at", "")
    return render_public(request, "booking_new.html", context, status=400 if form.errors else 200)


@never_cache
def booking_done(request):
    try:
        data = signing.loads(request.GET.get("r", ""), salt=_receipt_salt(), max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        return redirect("public_booking_list")
    booking = Booking.objects.select_related("service_item").filter(code=data.get("code")).first()
    if booking is None:
        return redirect("public_booking_list")
    item_terms(booking.service_item)
    return render_public(request, "booking_done.html", {"booking": booking, "item": booking.service_item})


@never_cache
@csrf_protect
def booking_manage(request):
    """Look a booking up (code + last four digits), then cancel it or move it to another time."""
    if request.method != "POST":
        return render_public(request, "booking_manage.html", {"form": BookingLookupForm()})
    action = request.POST.get("action", "lookup")
    if action == "move" and "day" in request.POST:  # a day button of the move form: show its times
        action = "lookup"
    form = (BookingMoveForm if action == "move" else BookingLookupForm)(request.POST)
    context: dict = {"form": form}
    if ratelimit.lookups().hit_exceeds(request):
        context["rate_limited"] = True
        return render_public(request, "booking_manage.html", context, status=429)
    if not form.is_valid():
        return render_public(request, "booking_manage.html", context, status=400)
    booking = booking_find(
        code=form.cleaned_data["code"], phone_last_four=form.cleaned_data["phone_last_four"]
    )
    if booking is None:
        context["not_found"] = True
        return render_public(request, "booking_manage.html", context)
    now = timezone.now()
    status = 200
    try:
        if action == "cancel":
            booking = booking_cancel(booking=booking, now=now)
            context["done"] = _("Your booking has been cancelled.")
        elif action == "move":
            booking = booking_move(booking=booking, starts_at=form.cleaned_data["starts_at"], now=now)
            context["done"] = _("Your booking has been moved. The new time has been sent to your phone.")
    except ValidationError as error:
        context["action_errors"] = error.messages
        status = 400
    booking.refresh_from_db()
    item_terms(booking.service_item)
    context.update({"booking": booking, "item": booking.service_item, "lookup": form.cleaned_data})
    bookable = (
        booking.service_item.booking_settings if hasattr(booking.service_item, "booking_settings") else None
    )
    if booking.status == Booking.Status.BOOKED and bookable is not None and bookable.is_open:
        day = parse_day(request.POST.get("day")) or timezone.localtime(booking.starts_at).date()
        context.update(_slot_context(bookable, day, now))
    return render_public(request, "booking_manage.html", context, status=status)


# --- The waiting room's screen --------------------------------------------------------------------


@never_cache
def queue_screen(request):
    """A page for the waiting room's TV: large print, refreshed by a small script (no page reloads)."""
    return render_public(request, "queue_screen.html", {"state": _screen_state()})


def _screen_state() -> dict:
    # Every screen of the center polls: the state is computed at most once per 2 s per center
    # (the cache key function carries the schema), whatever the number of screens.
    key = "queue:screen"
    state = cache.get(key)
    if state is None:
        state = queue_screen_state(now=timezone.now())
        cache.set(key, state, SCREEN_STATE_SECONDS)
    return state


@never_cache
def queue_screen_state_json(request):
    if request.method != "GET":
        raise Http404
    return JsonResponse(_screen_state())
