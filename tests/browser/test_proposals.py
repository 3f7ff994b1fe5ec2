"""A service project in the browser: the center head drafts 代收快递 from the menu (a paid service
without a price is refused, nothing typed is lost), records the discussion meeting, writes the
feasibility report and submits it; head office approves it in the inbox; the center head puts it
into operation and residents find it in the service guide."""

import datetime as dt
import re

from django.utils import timezone

from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from operations.models import ServiceProposal
from portal.models import Submission
from tests.base import TEST_PASSWORD
from tests.browser.steps import act, admin_login
from tests.factories import make_user
from tests.operations.test_proposals_services import REPORT

HEAD_OFFICE = "localhost"
BETA = "beta.localhost"


def test_a_service_project_from_the_draft_to_the_residents_service_guide(
    center_b, head_office_admin, live, desktop: Page
):
    with schema_context(center_b.schema_name):
        head = make_user("head-beta", "中心负责人", "贝主任")
    start = timezone.localdate() + dt.timedelta(days=20)
    admin_login(desktop, live.url(BETA, "/admin/login/"), head.username, TEST_PASSWORD)
    desktop.get_by_role("button", name="便民服务项目", exact=True).click()
    desktop.get_by_role("link", name="起草便民服务项目").click()
    form = desktop.locator("main form")
    form.locator("[name=title]").fill("代收快递")
    form.locator("[name=need]").fill("住户白天不在家，快递无人签收。")
    form.locator("[name=households]").fill("120")
    form.locator("[name=description]").fill("前台代收快递并短信通知取件。")
    form.locator("[name=target_group]").fill("全体住户")
    form.locator("[name=start_date]").fill(start.isoformat())
    form.locator("[name=is_paid]").check()
    form.locator("button[type=submit]").last.click()
    expect(desktop.locator("main")).to_contain_text("有偿服务须填写价格")
    expect(form.locator("[name=description]")).to_have_value("前台代收快递并短信通知取件。")
    form.locator("[name=price]").fill("2")
    form.locator("button[type=submit]").last.click()
    expect(desktop).to_have_url(re.compile(r"/admin/operations/proposals/inspect/\d+/$"))

    act(desktop, "meeting", {"attendees": "贝主任、客服部刘经理", "minutes": "需求明确，可以试行。"})
    with schema_context(center_b.schema_name):
        proposal = ServiceProposal.objects.get()
        assert proposal.meetings.count() == 0  # the decision was not chosen: refused, nothing written
    desktop.locator("#action-meeting").get_by_label("继续推进").check()
    act(desktop, "meeting", {"attendees": "贝主任、客服部刘经理", "minutes": "需求明确，可以试行。"})
    expect(desktop.locator("main")).to_contain_text("已论证")
    act(desktop, "report", REPORT)
    expect(desktop.locator("main")).to_contain_text("可行性报告")
    act(desktop, "submit", {})
    expect(desktop.locator("main")).to_contain_text("已报送总部")

    hq = desktop.context.new_page()
    admin_login(hq, live.url(HEAD_OFFICE, "/login/"), "hq", TEST_PASSWORD)
    hq.goto(live.url(HEAD_OFFICE, "/inbox/?kind=service_project"))
    hq.get_by_role("link", name="便民服务项目：代收快递").click()
    expect(hq.locator("main")).to_contain_text("前台代收快递")
    hq.get_by_role("button", name="同意", exact=True).click()
    assert Submission.objects.get(kind="service_project").status == Submission.Status.APPROVED

    desktop.reload()
    expect(desktop.locator("main")).to_contain_text("已批准")
    desktop.locator("#action-launch select[name=owner]").select_option(label="贝主任")
    act(desktop, "launch", {"procedure": "前台登记\n短信通知取件", "time_limit_value": "1"})
    expect(desktop.locator("main")).to_contain_text("实施中")
    residents = desktop.context.new_page()
    residents.goto(live.url(BETA, "/guide/"))
    expect(residents.locator("main")).to_contain_text("代收快递")
    expect(residents.locator("main")).to_contain_text("前台登记")
