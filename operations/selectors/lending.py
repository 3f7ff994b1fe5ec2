"""Named reads of the lending register: the desk screen, the register index and its A4 print."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from operations.models import ConvenienceItem, Loan, LoanItem, ReadingGlassesUse, Resident
from operations.models.lending import ItemKind
from operations.selectors.guide import unit_find


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _with_items(qs: QuerySet) -> QuerySet:
    """Loans with unit, staff and ``item_names`` (“电钻、梯子”) in the same query: no prefetch."""
    names = (
        LoanItem.objects.filter(loan=OuterRef("pk"))
        .values("loan")
        .annotate(names=StringAgg("item__name", delimiter="、", order_by="pk"))
        .values("names")
    )
    return qs.select_related("unit__building", "lent_by", "received_by").annotate(item_names=Subquery(names))


def loans_listing() -> QuerySet:
    """Every loan with its unit, staff and ``item_names`` (the register's index and a loan's page)."""
    return _with_items(Loan.objects.all())


def loans_for_desk(*, now: dt.datetime | None = None) -> QuerySet:
    """Today's loans and every loan still out (overdue first, by due time), newest first otherwise."""
    now = now or timezone.now()
    start, end = _day_bounds(timezone.localdate(now))
    qs = Loan.objects.filter(Q(lent_at__gte=start, lent_at__lt=end) | Q(returned_at__isnull=True))
    return _with_items(qs).order_by("-lent_at")


def loans_in_range(*, start: dt.date, end: dt.date) -> QuerySet:
    """Loans lent between two dates (inclusive), for the register export and the printable form."""
    first, _ = _day_bounds(start)
    _, last = _day_bounds(end)
    return _with_items(Loan.objects.filter(lent_at__gte=first, lent_at__lt=last)).order_by("lent_at", "pk")


def items_for_desk(*, now: dt.datetime | None = None) -> list[ConvenienceItem]:
    """Items in service for the desk screen (one query): the lendable ones and the reading glasses,
    these with the number of uses recorded today (counted on the ``used_at`` index)."""
    start, end = _day_bounds(timezone.localdate(now or timezone.now()))
    uses = (
        ReadingGlassesUse.objects.filter(item=OuterRef("pk"), used_at__gte=start, used_at__lt=end)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        ConvenienceItem.objects.exclude(
            status__in=[ConvenienceItem.Status.RETIRED, ConvenienceItem.Status.LOST]
        )
        .filter(Q(kind=ItemKind.READING_GLASSES) | Q(status=ConvenienceItem.Status.AVAILABLE))
        .annotate(uses_today=Coalesce(Subquery(uses), 0))
        .order_by("kind", "code")
    )


def unit_residents_find(label: str) -> tuple[object | None, list[Resident]]:
    """The unit typed at the desk and its active residents: one query when the unit has residents."""
    parts = [
        part.strip() for part in (label or "").replace("—", "-").replace("－", "-").split("-") if part.strip()
    ]
    if len(parts) == 2:
        building, entrance, room = parts[0], "", parts[1]
    elif len(parts) == 3:
        building, entrance, room = parts
    else:
        return None, []
    residents = list(
        Resident.objects.filter(
            is_active=True, unit__building__name=building, unit__entrance=entrance, unit__room=room
        )
        .select_related("unit__building")
        .order_by("name")
    )
    if residents:
        return residents[0].unit, residents
    return unit_find(label), []


def residents_of_unit(unit_id: int) -> QuerySet:
    return Resident.objects.filter(unit_id=unit_id, is_active=True).order_by("name")
