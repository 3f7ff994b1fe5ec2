"""Needs → special services (operations.services.elder_needs): the one-click work order to the
right department, the need following its work order, the reply visit, refusals."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from operations.models import AuditEntry, Department, Elder, ElderNeed, NeedKind, WorkOrder
from operations.services import work_orders as wo_services
from operations.services.elder_needs import (
    elder_need_decline,
    elder_need_handle,
    elder_need_order,
    elder_need_reply,
)
from operations.services.elders import elder_care_settings, elder_status_change, elder_visit_record
from tests.factories import make_elder, make_manager, make_user

pytestmark = pytest.mark.usefixtures("alpha")


def visit_with_need(kind=NeedKind.SHOPPING, detail="买米和食用油", **elder_fields):
    manager = make_manager()
    elder = make_elder(manager=manager, card_given_on=timezone.localdate(), **elder_fields)
    visit = elder_visit_record(
        elder=elder,
        visited_at=timezone.now() - dt.timedelta(hours=2),
        needs=[{"kind": kind, "detail": detail}],
        acting_user=manager,
    )
    return manager, visit.needs.get()


def close(work_order, desk, worker):
    wo = wo_services.work_order_dispatch(
        work_order=work_order, acting_user=desk, department=work_order.department, assignee=worker
    )
    wo = wo_services.work_order_start(work_order=wo, acting_user=worker)
    wo = wo_services.work_order_complete(work_order=wo, acting_user=worker, result_note="已办好")
    wo = wo_services.work_order_callback(work_order=wo, acting_user=desk, satisfaction=5, comment="满意")
    return wo_services.work_order_close(work_order=wo, acting_user=desk)


@pytest.mark.parametrize(
    "kind, department",
    [
        (NeedKind.SHOPPING, "service"),
        (NeedKind.BILLS, "service"),
        (NeedKind.UTILITIES, "engineering"),
        (NeedKind.CLEANING, "cleaning"),
        (NeedKind.CARRYING, "security"),
    ],
)
def test_a_need_becomes_a_prefilled_special_service_for_its_department(kind, department):
    manager, need = visit_with_need(kind=kind)
    work_order = elder_need_order(need=need, acting_user=manager)
    assert work_order.kind == WorkOrder.Kind.SPECIAL_SERVICE
    assert work_order.source == WorkOrder.Source.ELDER_VISIT
    assert work_order.department.code == department
    assert work_order.resident == need.elder.resident
    assert "买米和食用油" in work_order.description
    need.refresh_from_db()
    assert need.status == ElderNeed.Status.ORDERED and need.work_order == work_order
    assert AuditEntry.objects.filter(action="elder_need_order", object_id=str(need.elder.pk)).exists()


def test_the_center_can_change_the_mapping():
    settings = elder_care_settings()
    settings.need_departments = {NeedKind.SHOPPING: "security"}
    settings.save()
    manager, need = visit_with_need()
    assert elder_need_order(need=need, acting_user=manager).department.code == "security"


def test_paid_service_with_price_and_family_told():
    manager, need = visit_with_need(kind=NeedKind.CLEANING, detail="厨房深度保洁")
    work_order = elder_need_order(
        need=need,
        acting_user=manager,
        is_paid=True,
        price="80",
        family_told=True,
        family_told_how="电话告知女儿",
    )
    assert work_order.is_paid and work_order.price == Decimal("80")
    need.refresh_from_db()
    assert need.family_told and need.family_told_how == "电话告知女儿"


def test_family_told_needs_how_and_nothing_is_written():
    manager, need = visit_with_need()
    with pytest.raises(ValidationError) as error:
        elder_need_order(need=need, acting_user=manager, family_told=True)
    assert "family_told_how" in error.value.message_dict
    assert not WorkOrder.objects.exists()
    need.refresh_from_db()
    assert need.status == ElderNeed.Status.OPEN


def test_a_need_is_sent_once():
    manager, need = visit_with_need()
    elder_need_order(need=need, acting_user=manager)
    with pytest.raises(ValidationError):
        elder_need_order(need=need, acting_user=manager)
    assert WorkOrder.objects.count() == 1


def test_no_service_for_a_deceased_elder():
    manager, need = visit_with_need()
    elder_status_change(
        elder=need.elder, status=Elder.Status.DECEASED, on=timezone.localdate(), acting_user=manager
    )
    with pytest.raises(ValidationError):
        elder_need_order(need=need, acting_user=manager)


def test_closing_the_work_order_handles_the_need_and_the_reply_follows():
    manager, need = visit_with_need()
    desk = make_user("desk", "前台客服", "前台小李")
    worker = make_user("worker", "部门调度员", "老王")
    work_order = elder_need_order(need=need, acting_user=manager)
    close(work_order, desk, worker)
    need.refresh_from_db()
    assert need.status == ElderNeed.Status.HANDLED and need.handled_at is not None
    assert work_order.number in need.handled_note
    elder_need_reply(
        need=need, replied_on=timezone.localdate(), note="米和油已送到，老人满意", acting_user=manager
    )
    need.refresh_from_db()
    assert need.replied_on == timezone.localdate() and need.replied_by == manager


def test_a_cancelled_work_order_puts_the_need_back_to_open():
    manager, need = visit_with_need()
    work_order = elder_need_order(need=need, acting_user=manager)
    wo_services.work_order_cancel(work_order=work_order, acting_user=manager, reason="老人女儿已代买")
    need.refresh_from_db()
    assert need.status == ElderNeed.Status.OPEN and need.work_order is None


def test_work_orders_of_other_sources_are_left_alone():
    desk = make_user("desk", "前台客服", "前台小李")
    manager, need = visit_with_need()
    other = wo_services.work_order_create(
        acting_user=desk,
        description="楼道灯不亮",
        resident=need.elder.resident,
        department=Department.objects.get(code="engineering"),
    )
    wo_services.work_order_cancel(work_order=other, acting_user=desk, reason="重复")
    need.refresh_from_db()
    assert need.status == ElderNeed.Status.OPEN


def test_handled_on_the_spot_or_declined():
    manager, need = visit_with_need(kind=NeedKind.ENQUIRY, detail="问养老金认证")
    with pytest.raises(ValidationError):
        elder_need_handle(need=need, note=" ", acting_user=manager)
    elder_need_handle(need=need, note="当场告知在手机上认证的步骤", acting_user=manager)
    need.refresh_from_db()
    assert need.status == ElderNeed.Status.HANDLED
    _manager, other = visit_with_need(name="王桂兰")
    elder_need_decline(need=other, note="儿子周末来办", acting_user=manager)
    other.refresh_from_db()
    assert other.status == ElderNeed.Status.DECLINED


def test_a_reply_before_its_visit_or_in_the_future_is_refused():
    manager, need = visit_with_need(kind=NeedKind.ENQUIRY)
    elder_need_handle(need=need, note="已答复", acting_user=manager)
    for day in (timezone.localdate() - dt.timedelta(days=3), timezone.localdate() + dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            elder_need_reply(need=need, replied_on=day, note="已上门说明", acting_user=manager)
        assert "replied_on" in error.value.message_dict
    need.refresh_from_db()
    assert need.replied_on is None


def test_no_reply_before_the_need_is_handled():
    manager, need = visit_with_need()
    with pytest.raises(ValidationError):
        elder_need_reply(need=need, replied_on=timezone.localdate(), note="x", acting_user=manager)
