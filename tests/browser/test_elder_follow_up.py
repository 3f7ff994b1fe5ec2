"""Elders living alone in the browser, the follow-up: the center head sees a not-reached elder on the
admin home, calls the contacts and records how she was found; sends an elder's need to the
department as a special service and, once it is done, records the reply visit; prints the
visit form for a paper round."""

import datetime as dt
import re

from django.utils import timezone

from playwright.sync_api import Page, expect

from operations.models import Department, ElderContact, ElderEscalation, ElderNeed, WorkOrder
from operations.services import work_orders as wo_services
from operations.services.elders import elder_visit_record
from tests.base import TEST_PASSWORD
from tests.browser.steps import act, admin_login
from tests.factories import make_elder, make_manager, make_user

HOST = "alpha.localhost"


def test_center_head_resolves_a_missed_elder_and_turns_a_need_into_a_special_service(
    alpha, live, desktop: Page
):
    manager = make_manager()
    head = make_user("zhuren", "中心负责人", "张主任")
    missed = make_elder("王桂兰", manager=manager, card_given_on=timezone.localdate())
    ElderContact.objects.create(elder=missed, name="王小明", relation="儿子", phone="13900001111", order=1)
    ElderContact.objects.create(elder=missed, name="赵阿姨", relation="邻居", phone="13900002222", order=2)
    elder_visit_record(
        elder=missed, visited_at=timezone.now() - dt.timedelta(hours=1), reached=False, acting_user=manager
    )
    needy = make_elder("刘秀英", manager=manager, card_given_on=timezone.localdate())
    elder_visit_record(
        elder=needy,
        visited_at=timezone.now() - dt.timedelta(hours=2),
        needs=[{"kind": "utilities", "detail": "厨房灯不亮"}],
        acting_user=manager,
    )

    admin_login(desktop, live.url(HOST, "/admin/login/"), head.username, TEST_PASSWORD)
    panel = desktop.locator("section", has=desktop.get_by_role("heading", name="独居老人：未联系上"))
    expect(panel).to_contain_text("王桂兰")
    panel.get_by_role("link", name="王桂兰").click()
    expect(desktop).to_have_url(re.compile(r"/admin/operations/elders/escalations/inspect/\d+/$"))
    # The son does not answer; the neighbour, next in order, finds her at her daughter's.
    act(desktop, "call", {"note": ""})
    expect(desktop.locator(".messages")).to_contain_text("通话已登记")
    section = desktop.locator("#action-call")
    section.get_by_label("联系人已接听").check()
    act(desktop, "call", {"note": "在女儿家住几天"})
    desktop.locator("#action-resolve").get_by_label("在家属处").check()
    act(desktop, "resolve", {"note": "邻居确认，在女儿家"})
    escalation = ElderEscalation.objects.get(elder=missed)
    assert escalation.status == "resolved" and escalation.outcome == "with_family"
    assert [c.contact.name for c in escalation.calls.order_by("called_at", "pk")] == ["王小明", "赵阿姨"]
    desktop.goto(live.url(HOST, "/admin/"))
    expect(desktop.locator("main")).not_to_contain_text("王桂兰")

    desktop.get_by_role("button", name="独居老人关怀", exact=True).click()
    desktop.get_by_role("link", name="需求与特殊服务").click()
    desktop.get_by_role("link", name="排查水电：厨房灯不亮").click()
    order = desktop.locator("#action-order")
    engineering = Department.objects.get(code="engineering")
    expect(order.locator("select[name=department]")).to_have_value(str(engineering.pk))
    order.get_by_label("已告知家属").check()
    act(desktop, "order", {"family_told_how": "电话告知女儿"})
    expect(desktop.locator(".messages")).to_contain_text("工单已创建并派给部门")
    need = ElderNeed.objects.get()
    work_order = need.work_order
    assert work_order.department.code == "engineering" and "厨房灯不亮" in work_order.description

    # The engineering department does the job (its own flow is tested elsewhere) and closes it.
    worker = make_user("dian", "部门调度员", "电工李师傅")
    work_order = wo_services.work_order_dispatch(
        work_order=work_order, acting_user=head, department=work_order.department, assignee=worker
    )
    work_order = wo_services.work_order_start(work_order=work_order, acting_user=worker)
    work_order = wo_services.work_order_complete(
        work_order=work_order, acting_user=worker, result_note="换了灯管"
    )
    work_order = wo_services.work_order_callback(work_order=work_order, acting_user=head, satisfaction=5)
    wo_services.work_order_close(work_order=work_order, acting_user=head)
    desktop.reload()
    expect(desktop.locator("main")).to_contain_text("已处理")
    act(desktop, "reply", {"note": "灯管已换好，告知老人有事随时打电话"})
    need.refresh_from_db()
    assert need.replied_on == timezone.localdate()
    assert WorkOrder.objects.get(pk=work_order.pk).status == "closed"

    # The paper round: a visit form per elder still due, opened from the due list.
    desktop.goto(live.url(HOST, f"/admin/operations/elders/due/?manager={manager.pk}"))
    with desktop.expect_popup() as popup:
        desktop.get_by_role("link", name="打印纸质拜访表（本轮）").click()
    sheets = popup.value
    sheets.wait_for_load_state()
    expect(sheets.locator("h1").first).to_have_text("独居老人拜访表")
    assert sheets.locator(".elder-sheet").count() >= 1
    expect(sheets.locator("body")).to_contain_text("CZC-BG-GK20-02")
