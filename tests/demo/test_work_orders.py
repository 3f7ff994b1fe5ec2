"""Demo work orders: every state, some breached, consistent transitions, idempotent."""

from django.utils import timezone

from demo.work_orders import DEMO_ORDERS, work_orders_demo_data_install
from operations.models import Notification, WorkOrder


def test_demo_work_orders_cover_every_state_and_are_idempotent(alpha):
    first = work_orders_demo_data_install()
    assert first["work_orders"] == len(DEMO_ORDERS)
    again = work_orders_demo_data_install()
    assert again["work_orders"] == 0
    assert WorkOrder.objects.count() == len(DEMO_ORDERS)

    assert set(WorkOrder.objects.values_list("status", flat=True)) == set(WorkOrder.Status.values)
    assert WorkOrder.objects.filter(is_breached=True, status__in=WorkOrder.OPEN_STATUSES).exists()
    assert WorkOrder.objects.filter(is_breached=True, status=WorkOrder.Status.CALLED_BACK).exists()
    assert WorkOrder.objects.filter(is_urgent=True).exists()
    assert WorkOrder.objects.filter(is_paid=True, price__gt=0).exists()
    assert WorkOrder.objects.filter(created__lt=timezone.now() - timezone.timedelta(days=6)).exists()
    assert Notification.objects.filter(kind="work_order.breached").exists()

    now = timezone.now()
    for work_order in WorkOrder.objects.prefetch_related("transitions"):
        chain = list(work_order.transitions.all())
        assert chain[0].from_status == "" and chain[-1].to_status == work_order.status
        for before, after in zip(chain, chain[1:], strict=False):
            assert before.to_status == after.from_status
            assert before.created <= after.created <= now
        assert chain[0].created == work_order.created
