"""Named reads of the consumables area and the monthly purchase request."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, F, Prefetch, QuerySet, Value, When

from operations.models import (
    CandyDishCheck,
    Consumable,
    FirstAidUse,
    PurchaseRequest,
    PurchaseRequestEvent,
    PurchaseRequestLine,
    StockMovement,
)


def consumables_overview() -> QuerySet[Consumable]:
    """Active consumables with ``is_low`` (stock below the minimum)."""
    return Consumable.objects.filter(active=True).annotate(
        is_low=Case(
            When(stock__lt=F("minimum_level"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def consumables_below_minimum() -> QuerySet[Consumable]:
    return consumables_overview().filter(is_low=True)


def stock_movements_recent(*, consumable: Consumable | None = None, limit: int = 50) -> list[StockMovement]:
    qs = StockMovement.objects.select_related("consumable", "by")
    if consumable is not None:
        qs = qs.filter(consumable=consumable)
    return list(qs.order_by("-at", "-pk")[:limit])


def candy_checks_between(start: datetime.date, end: datetime.date) -> list[CandyDishCheck]:
    return list(
        CandyDishCheck.objects.filter(date__gte=start, date__lte=end)
        .select_related("filled_by", "locked_by")
        .order_by("-date")
    )


def first_aid_uses_recent(*, limit: int = 50) -> list[FirstAidUse]:
    return list(
        FirstAidUse.objects.select_related("by")
        .prefetch_related(Prefetch("movements", queryset=StockMovement.objects.select_related("consumable")))
        .order_by("-used_at")[:limit]
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
