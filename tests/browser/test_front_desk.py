"""The front desk in the browser: lend a toolbox by unit (the unit → residents lookup), return it damaged;
record a first inquiry and hand it over."""

import re

from playwright.sync_api import Page, expect

from operations.models import Inquiry, Loan, Resident
from operations.services.lending import lending_install_defaults
from tests.base import TEST_PASSWORD
from tests.browser.steps import admin_login
from tests.factories import make_unit, make_user

HOST = "alpha.localhost"


def test_front_desk_lends_a_toolbox_by_unit_and_takes_it_back_damaged(alpha, live, desktop: Page):
    lending_install_defaults()
    Resident.objects.create(unit=make_unit("3号楼", "2单元", "1201"), name="王建国", phone="13812345678")
    desk_user = make_user("qiantai", "前台客服", "李前台")
    desk_user.set_password(TEST_PASSWORD)
    desk_user.save()

    admin_login(desktop, live.url(HOST, "/admin/login/"), "qiantai", TEST_PASSWORD)
    desktop.get_by_role("button", name="前台借用", exact=True).click()
    desktop.get_by_role("link", name="前台借用登记").click()
    expect(desktop).to_have_url(re.compile(r"/admin/operations/lending/$"))

    desktop.locator("input[name=unit][type=text]").fill("3号楼-2单元-1201")
    desktop.get_by_role("button", name="查找住户").click()
    resident = desktop.get_by_role("radio", name=re.compile("王建国"))
    expect(resident).to_be_checked()
    desktop.get_by_role("checkbox", name=re.compile("工具箱")).check()
    desktop.get_by_role("button", name="借出", exact=True).click()

    row = desktop.locator("tr.loan", has_text="王建国")
    expect(row).to_contain_text("工具箱")
    row.locator("select[name=condition]").select_option(label="损坏")
    row.locator("[name=note]").fill("把手断了")
    row.get_by_role("button", name="归还").click()
    expect(desktop.locator("tr.loan", has_text="王建国")).to_contain_text("损坏")

    loan = Loan.objects.get(borrower_name="王建国")
    assert loan.returned_at is not None and loan.return_condition == Loan.Condition.DAMAGED
    desktop.locator("tr.loan", has_text="王建国").get_by_role("link", name="王建国").click()
    expect(desktop).to_have_url(re.compile(rf"/admin/operations/lending/loans/\w+/{loan.pk}/$"))
    expect(desktop.locator("main")).to_contain_text("损坏")
    expect(desktop.locator("main")).to_contain_text("把手断了")


def test_front_desk_records_a_first_inquiry_and_hands_it_over(guide, live, desktop: Page):
    make_user("qiantai", "前台客服", "李前台", password=TEST_PASSWORD)
    chen = make_user("chen", "客户服务部负责人", "陈主管")

    admin_login(desktop, live.url(HOST, "/admin/login/"), "qiantai", TEST_PASSWORD)
    desktop.goto(live.url(HOST, "/admin/operations/inquiries/new/"))
    desktop.locator("input[name=visitor_name]").fill("王女士")
    desktop.locator("input[name=visitor_phone]").fill("13912345678")
    desktop.locator("textarea[name=matter]").fill("问楼道堆物怎么处理")
    desktop.get_by_role("radio", name="本人办理").check()
    desktop.locator("main form button[type=submit]").last.click()
    expect(desktop).to_have_url(re.compile(r"/admin/operations/inquiries/"))
    inquiry = Inquiry.objects.get(matter="问楼道堆物怎么处理")
    assert inquiry.status == Inquiry.Status.HANDLING

    desktop.goto(live.url(HOST, f"/admin/operations/inquiries/inspect/{inquiry.pk}/"))
    section = desktop.locator("#action-hand-over")
    colleague = section.locator("select[name=to_user] option", has_text="陈主管").get_attribute("value")
    section.locator("select[name=to_user]").select_option(colleague)
    section.locator("[name=contact]").fill("明天上午电话联系王女士")
    section.locator("button[type=submit]").click()
    expect(desktop.locator("main")).to_contain_text("明天上午电话联系王女士")

    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.HANDED_OVER and inquiry.handed_to_user == chen
