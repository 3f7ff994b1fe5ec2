"""The center head in the browser: register a work order, dispatch, start, complete, record the callback."""

import re

from playwright.sync_api import Page, expect

from operations.models import Department, Resident, StaffProfile, WorkOrder
from tenants.services import center_roles_sync
from tests.base import TEST_PASSWORD
from tests.browser.steps import act, admin_login
from tests.factories import make_unit, make_user

HOST = "alpha.localhost"


def test_center_head_takes_a_work_order_from_registration_to_the_callback(alpha, live, desktop: Page):
    center_roles_sync()  # test centers may predate the roles' newest permissions
    Resident.objects.create(unit=make_unit("3号楼", "2单元", "1201"), name="张三", phone="13812341234")
    make_user("zhuren", "中心负责人", "张主任", password=TEST_PASSWORD)
    worker = make_user("laowang", "部门调度员", "工程师老王")
    StaffProfile.objects.create(user=worker, department=Department.objects.get(code="engineering"))

    admin_login(desktop, live.url(HOST, "/admin/login/"), "zhuren", TEST_PASSWORD)
    desktop.goto(live.url(HOST, "/admin/operations/work-orders/new/"))
    desktop.locator("input[name=unit]").fill("3号楼-2单元-1201")
    desktop.locator("textarea[name=description]").fill("卫生间下水道堵塞")
    desktop.locator("main form button[type=submit]").last.click()
    expect(desktop).to_have_url(re.compile(r"/admin/operations/work-orders/\d+/$"))
    work_order = WorkOrder.objects.get(description="卫生间下水道堵塞")
    assert work_order.status == WorkOrder.Status.PENDING

    act(desktop, "dispatch", {"note": "请尽快处理"}, {"department": "工程部", "assignee": "工程师老王"})
    expect(desktop.locator("#action-start")).to_be_visible()
    act(desktop, "start", {"note": "已到现场"})
    expect(desktop.locator("#action-complete")).to_be_visible()
    act(desktop, "complete", {"result_note": "疏通了下水道"})
    expect(desktop.locator("#action-callback")).to_be_visible()
    act(desktop, "callback", {"comment": "住户很满意"}, {"satisfaction": "5"})
    expect(desktop.locator("main")).to_contain_text("住户很满意")

    work_order.refresh_from_db()
    assert work_order.assignee == worker and work_order.department.code == "engineering"
    assert work_order.result_note == "疏通了下水道"
    assert work_order.satisfaction == 5 and work_order.callback_comment == "住户很满意"
