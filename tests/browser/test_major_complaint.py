"""A major complaint between a center and head office in the browser: it is in the inbox under
重大投诉, head office asks for more, the center head reads the request on the complaint at the
center's own host and sends a revised report, and head office acknowledges it."""

from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from operations.models import Complaint
from operations.services.complaints import complaint_create
from portal.models import Submission
from tests.base import TEST_PASSWORD
from tests.browser.steps import act, admin_login
from tests.factories import make_user

HEAD_OFFICE = "localhost"
BETA = "beta.localhost"


def test_head_office_asks_for_more_on_a_major_complaint_and_the_center_answers(
    center_b, head_office_admin, live, desktop: Page
):
    with schema_context(center_b.schema_name):
        head = make_user("head-beta", "中心负责人", "贝主任")
        complaint = complaint_create(
            content="地下车库积水，电梯停运两天，多户老人无法出门。",
            channel=Complaint.Channel.WRITTEN,
            is_major=True,
            complainant_name="李秀英",
            complainant_phone="13812345678",
            subject_text="地下车库",
            acting_user=head,
        )
    report = Submission.objects.get(kind="major_complaint", reference=str(complaint.pk))

    admin_login(desktop, live.url(HEAD_OFFICE, "/login/"), "hq", TEST_PASSWORD)
    desktop.goto(live.url(HEAD_OFFICE, "/inbox/?kind=major_complaint"))
    desktop.get_by_role("link", name=report.title).click()
    expect(desktop.locator("main")).to_contain_text("积水")
    expect(desktop.locator("main")).not_to_contain_text("李秀英")
    desktop.locator("[name=comment]").fill("请补充受影响住户数量和抽水进度。")
    desktop.get_by_role("button", name="要求中心补充").click()
    report.refresh_from_db()
    assert report.status == Submission.Status.RETURNED

    # The center head, at the center's own host, reads head office's request on the complaint.
    center = desktop.context.new_page()
    admin_login(center, live.url(BETA, "/admin/login/"), head.username, TEST_PASSWORD)
    center.goto(live.url(BETA, f"/admin/operations/complaints/inspect/{complaint.pk}/"))
    expect(center.locator("table.complaint-head-office")).to_contain_text("请补充受影响住户数量和抽水进度。")
    act(
        center, "head-office", {"head_office_report": "受影响住户 36 户，其中独居老人 5 户；抽水已完成八成。"}
    )
    report.refresh_from_db()
    assert report.status == Submission.Status.PENDING
    assert "36 户" in report.snapshot["report"]

    desktop.goto(live.url(HEAD_OFFICE, "/inbox/?kind=major_complaint"))  # waiting again
    desktop.get_by_role("link", name=report.title).click()
    expect(desktop.locator("main")).to_contain_text("36 户")
    desktop.get_by_role("button", name="已知悉").click()
    report.refresh_from_db()
    assert report.status == Submission.Status.ACKNOWLEDGED
