"""The demo data of the consumables area is realistic and idempotent."""

from django.db.models import Sum

from demo.stock import stock_demo_data_install
from operations.models import (
    CandyDishCheck,
    Consumable,
    FirstAidUse,
    PurchaseRequest,
    PurchaseRequestStatus,
    StockMovement,
)


def test_demo_data_is_consistent_and_idempotent(alpha):
    stock_demo_data_install()
    counts = (
        StockMovement.objects.count(),
        CandyDishCheck.objects.count(),
        FirstAidUse.objects.count(),
        PurchaseRequest.objects.count(),
    )
    assert counts[0] > 10 and counts[1] == 30 and counts[2] == 1 and counts[3] == 2
    statuses = set(PurchaseRequest.objects.values_list("status", flat=True))
    assert statuses == {PurchaseRequestStatus.SUBMITTED, PurchaseRequestStatus.APPROVED}
    stock_demo_data_install()
    assert counts == (
        StockMovement.objects.count(),
        CandyDishCheck.objects.count(),
        FirstAidUse.objects.count(),
        PurchaseRequest.objects.count(),
    )
    for consumable in Consumable.objects.all():
        total = StockMovement.objects.filter(consumable=consumable).aggregate(s=Sum("quantity"))["s"] or 0
        assert consumable.stock == total >= 0
