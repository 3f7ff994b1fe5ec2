"""Named reads of the consumables area and the monthly purchase request."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, F, Prefetch, QuerySet, Value, When

from operations.models import (
    CandyDishCheck,
    Consumable,
    PurchaseRequest,
    PurchaseRequestEvent,
    PurchaseRequestLine,
)


def consumables_overview(*, active_only: bool = True) -> QuerySet[Consumable]:
    """Consumables (the active ones unless told otherwise) with ``is_low`` (stock below the minimum)."""
    consumables = Consumable.objects.filter(active=True) if active_only else Consumable.objects.all()
    return consumables.annotate(
        is_low=Case(
            When(stock__lt=F("minimum_level"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def candy_checks_between(start: datetime.date, end: datetime.date) -> list[CandyDishCheck]:
    return list(
        CandyDishCheck.objects.filter(date__gte=start, date__lte=end)
        .select_related("filled_by", "locked_by")
        .order_by("-date")
    )


def purchase_request_for_month(month: datetime.date) -> PurchaseRequest | None:
    return (
        PurchaseRequest.objects.filter(month=month)
        .select_related("submitted_by", "received_by")
        .prefetch_related(
            Prefetch(
                "lines", queryset=PurchaseRequestLine.objects.select_related("consumable").order_by("pk")
            ),
            Prefetch("events", queryset=PurchaseRequestEvent.objects.order_by("created", "pk")),
        )
        .first()
    )


def purchase_requests_recent(*, limit: int = 12) -> list[PurchaseRequest]:
    return list(PurchaseRequest.objects.order_by("-month")[:limit])
