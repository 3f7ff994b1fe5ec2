"""The desk's appraisal in the browser: the center head opens 窗口考评 from the menu, sees every staff
member's month, opens one person's month with the records behind it and prints the monthly sheet."""

import re

from playwright.sync_api import Page, expect

from operations.models import Complaint
from operations.services.inquiries import inquiry_record
from tenants.services import center_roles_sync
from tests.base import TEST_PASSWORD
from tests.browser.steps import admin_login
from tests.factories import make_user

HOST = "alpha.localhost"
# The menu group's label, translated or not yet (the English msgid).
MENU = re.compile(r"^(窗口考评|Desk appraisal)$")


def test_center_head_opens_a_staff_members_month_and_prints_the_sheet(alpha, live, desktop: Page):
    center_roles_sync()  # test centers may predate the roles' newest permissions
    make_user("zhuren", "中心负责人", "张主任", password=TEST_PASSWORD)
    li = make_user("qiantai", "前台客服", "李前台")
    inquiry = inquiry_record(
        visitor_name="王女士",
        matter="问装修押金怎么退",
        answered_on_spot=True,
        resolution="已答复",
        acting_user=li,
    )
    Complaint.objects.create(
        number="TS202611300001",
        tracking_code="SECRET001",
        channel=Complaint.Channel.PHONE,
        complainant_name="王秘密",
        subject_kind=Complaint.SubjectKind.STAFF,
        subject_staff=li,
        content="态度不好",
        verdict=Complaint.Verdict.UNFOUNDED,
    )

    admin_login(desktop, live.url(HOST, "/admin/login/"), "zhuren", TEST_PASSWORD)
    desktop.get_by_role("button", name=MENU).click()
    desktop.locator('nav a[href="/admin/appraisal/"]').click()
    expect(desktop).to_have_url(re.compile(r"/admin/appraisal/$"))
    row = desktop.locator("tr.appraisal-row", has_text="李前台")
    expect(row).to_be_visible()

    row.get_by_role("link", name="李前台").click()
    expect(desktop).to_have_url(re.compile(rf"/admin/appraisal/staff/{li.pk}/\?month=\d{{4}}-\d{{2}}$"))
    main = desktop.locator("main")
    expect(main.locator("tr.appraisal-inquiry")).to_contain_text(inquiry.number)
    expect(main.locator("tr.appraisal-complaint")).to_contain_text("TS202611300001")
    expect(main).not_to_contain_text("王秘密")

    with desktop.expect_popup() as popup:
        main.locator("a[href*='/print/']").click()
    sheet = popup.value
    sheet.wait_for_load_state()
    expect(sheet.locator(".appraisal-sheet")).to_contain_text("李前台")
    expect(sheet.locator(".signatures").first).to_be_visible()
    expect(sheet.locator(".appraisal-sheet")).not_to_contain_text("王秘密")
