"""The deadline job: ``manage.py check_work_order_deadlines`` across centers, safe to run twice."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

import pytest

from operations.models import Notification, WorkOrder
from operations.services import work_orders as services
from tenants.models import ServiceCenter
from tests.factories import make_user


def run() -> str:
    out = StringIO()
    call_command("check_work_order_deadlines", stdout=out)
    return out.getvalue()


def seed(center, *, username: str):
    connection.set_tenant(center)
    worker = make_user(username)
    now = timezone.now()
    overdue = services.work_order_create(
        acting_user=None,
        description="电梯异响",
        contact_name="王五",
        contact_phone="13900001111",
        assignee=worker,
        deadline=now - dt.timedelta(minutes=1),
    )
    due_soon = services.work_order_create(
        acting_user=None,
        description="楼道灯不亮",
        contact_name="王五",
        contact_phone="13900001111",
        assignee=worker,
        deadline=now + dt.timedelta(minutes=60),
    )
    connection.set_schema_to_public()
    return worker, overdue, due_soon


@pytest.mark.django_db
def test_command_marks_breaches_and_reminds_once_per_center(center_a, center_b):
    worker_a, overdue_a, due_soon_a = seed(center_a, username="worker_a")
    worker_b, overdue_b, _due_soon_b = seed(center_b, username="worker_b")

    first = run()
    assert "alpha: 1 newly breached, 1 due-soon reminders, 1 breach reminders" in first
    assert "beta: 1 newly breached, 1 due-soon reminders, 1 breach reminders" in first
    second = run()
    assert "alpha: 0 newly breached, 0 due-soon reminders, 0 breach reminders" in second
    assert "beta: 0 newly breached, 0 due-soon reminders, 0 breach reminders" in second

    for center, worker, overdue in ((center_a, worker_a, overdue_a), (center_b, worker_b, overdue_b)):
        connection.set_tenant(center)
        kinds = sorted(
            Notification.objects.filter(recipient=worker)
            .exclude(kind="work_order.assigned")
            .values_list("kind", flat=True)
        )
        assert kinds == ["work_order.breached", "work_order.due_soon"]
        assert WorkOrder.objects.get(pk=overdue.pk).is_breached
        connection.set_schema_to_public()
    connection.set_tenant(center_a)
    assert not WorkOrder.objects.get(pk=due_soon_a.pk).is_breached


@pytest.mark.django_db
def test_command_skips_suspended_centers(center_a, center_b):
    seed(center_b, username="worker_b")
    ServiceCenter.objects.filter(pk=center_b.pk).update(status=ServiceCenter.Status.SUSPENDED)
    output = run()
    assert "beta" not in output
    assert "alpha: 0 newly breached" in output
