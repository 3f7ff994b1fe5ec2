"""Reads of the queue (排队叫号) and of the desk's bookings: the waiting room's screen, the desk's screen."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Q
from django.utils import timezone

from operations.models import Booking, QueueTicket

SCREEN_CALLED = 5


def queue_today(now: dt.datetime):
    return QueueTicket.objects.filter(day=timezone.localdate(now))


def queue_figures(*, now: dt.datetime) -> dict:
    """Today's counts in one query: issued, waiting, served, missed and the average wait (minutes)."""
    figures = queue_today(now).aggregate(
        issued=Count("pk"),
        waiting=Count("pk", filter=Q(status=QueueTicket.Status.WAITING)),
        served=Count("pk", filter=Q(status=QueueTicket.Status.DONE)),
        skipped=Count("pk", filter=Q(status=QueueTicket.Status.SKIPPED)),
        average_wait=Avg("wait_seconds"),
    )
    wait = figures.pop("average_wait")
    figures["average_wait_minutes"] = round(wait / 60, 1) if wait is not None else None
    return figures


def queue_screen_state(*, now: dt.datetime) -> dict:
    """What the waiting room's screen shows: the numbers called last (newest first), how many wait.

    Numbers only — no name, phone or matter of anyone.
    """
    called = list(
        queue_today(now)
        .filter(called_at__isnull=False)
        .order_by("-called_at", "-pk")
        .values("kind", "number", "counter", "called_at")[:SCREEN_CALLED]
    )
    figures = queue_figures(now=now)
    return {
        "called": [
            {
                "number": f"{QueueTicket.PREFIXES[row['kind']]}{row['number']:03d}",
                "counter": row["counter"],
                "at": timezone.localtime(row["called_at"]).strftime("%H:%M"),
            }
            for row in called
        ],
        "waiting": figures["waiting"],
        "average_wait_minutes": figures["average_wait_minutes"],
        "updated": timezone.localtime(now).strftime("%H:%M:%S"),
    }


def queue_waiting(*, now: dt.datetime):
    return (
        queue_today(now)
        .filter(status=QueueTicket.Status.WAITING)
        .select_related("service_item", "booking")
        .order_by("issued_at", "pk")
    )


def queue_current(*, now: dt.datetime, user) -> QueueTicket | None:
    """The number this user is serving now (called and not finished)."""
    return (
        queue_today(now)
        .filter(status=QueueTicket.Status.CALLED, called_by=user)
        .select_related("service_item", "booking")
        .order_by("-called_at")
        .first()
    )


def bookings_of_day(*, day: dt.date):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return (
        Booking.objects.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
        .select_related("service_item", "ticket")
        .order_by("starts_at", "pk")
    )


def bookings_day_figures(*, now: dt.datetime) -> dict:
    """Today's bookings by status, and those whose time is over but nobody marked (one query)."""
    return bookings_of_day(day=timezone.localdate(now)).aggregate(
        booked=Count("pk", filter=Q(status=Booking.Status.BOOKED)),
        arrived=Count("pk", filter=Q(status=Booking.Status.ARRIVED)),
        served=Count("pk", filter=Q(status=Booking.Status.SERVED)),
        no_show=Count("pk", filter=Q(status=Booking.Status.NO_SHOW)),
        to_mark=Count("pk", filter=Q(status=Booking.Status.BOOKED, ends_at__lt=now)),
    )
