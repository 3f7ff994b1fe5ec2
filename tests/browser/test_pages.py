"""The center's website in Wagtail's page editor: the center head publishes a notice, and an
activity report goes through the 中心负责人审核 workflow (the officer submits, the head approves)."""

from playwright.sync_api import Page, expect

from cms.models import ActivityReportIndexPage, ActivityReportPage, NoticeIndexPage, NoticePage
from tests.base import TEST_PASSWORD
from tests.browser.steps import admin_login, footer_action, write_paragraph
from tests.factories import make_user

HOST = "alpha.localhost"


def test_center_head_publishes_a_notice_in_the_page_editor_and_residents_see_it(alpha, live, desktop: Page):
    make_user("zhuren", "中心负责人", "张主任")
    index = NoticeIndexPage.objects.get()

    admin_login(desktop, live.url(HOST, "/admin/login/"), "zhuren", TEST_PASSWORD)
    desktop.goto(live.url(HOST, f"/admin/pages/add/cms/noticepage/{index.pk}/"))
    desktop.locator("#id_title").fill("12月8日3号楼停水通知")
    write_paragraph(desktop, "因管道检修，12月8日9:00至15:00停水，请提前储水。")
    footer_action(desktop, "publish")

    expect(desktop.locator(".messages")).to_contain_text("12月8日3号楼停水通知")
    notice = NoticePage.objects.get(title="12月8日3号楼停水通知")
    assert notice.live

    desktop.goto(live.url(HOST, "/notices/"))
    desktop.get_by_role("link", name="12月8日3号楼停水通知").click()
    expect(desktop.locator("main")).to_contain_text("因管道检修，12月8日9:00至15:00停水，请提前储水。")


def test_an_activity_report_is_submitted_by_the_officer_and_approved_by_the_center_head(
    alpha, officer, live, desktop: Page
):
    make_user("zhuren", "中心负责人", "张主任")
    index = ActivityReportIndexPage.objects.get()

    admin_login(desktop, live.url(HOST, "/admin/login/"), "wen", TEST_PASSWORD)
    desktop.goto(live.url(HOST, f"/admin/pages/add/cms/activityreportpage/{index.pk}/"))
    desktop.locator("#id_title").fill("义工维修日活动报道")
    desktop.locator("#id_summary").fill("十位义工为住户修理小家电四十件。")
    expect(desktop.locator("footer [name=action-publish]")).to_have_count(0)  # the officer cannot publish
    footer_action(desktop, "submit")
    report = ActivityReportPage.objects.get(title="义工维修日活动报道")
    assert not report.live
    assert report.current_workflow_state.status == "in_progress"

    desktop.context.clear_cookies()
    admin_login(desktop, live.url(HOST, "/admin/login/"), "zhuren", TEST_PASSWORD)
    desktop.goto(live.url(HOST, f"/admin/pages/{report.pk}/edit/"))
    footer_action(desktop, "approve")
    report.refresh_from_db()
    assert report.live

    desktop.goto(live.url(HOST, report.url))
    expect(desktop.locator("main")).to_contain_text("十位义工为住户修理小家电四十件。")
