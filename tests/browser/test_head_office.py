"""Head office in the browser: decide a center's purchase request in the inbox, suspend the center
(its site shows the suspension notice) and reactivate it."""

import datetime as dt
import re

from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from operations.models import PurchaseRequest, PurchaseRequestStatus
from operations.services.purchasing import purchase_request_draft, purchase_request_submit
from portal.models import Submission
from tests.base import TEST_PASSWORD
from tests.browser.test_isolation import admin_login
from tests.factories import make_user

HEAD_OFFICE = "localhost"
BETA = "beta.localhost"


def test_head_office_decides_a_purchase_request_and_suspends_and_reactivates_a_center(
    center_b, head_office_admin, live, desktop: Page
):
    with schema_context(center_b.schema_name):
        head = make_user("head-beta", "中心负责人", "贝主任")
        request = purchase_request_draft(month=dt.date(2026, 11, 1))
        purchase_request_submit(request=request, acting_user=head)
    submission = Submission.objects.get(center=center_b, kind="purchase_request", reference=str(request.pk))

    admin_login(desktop, live.url(HEAD_OFFICE, "/login/"), "hq", TEST_PASSWORD)
    desktop.goto(live.url(HEAD_OFFICE, "/inbox/"))
    desktop.get_by_role("link", name=submission.title).click()
    expect(desktop.locator("body")).to_contain_text("贝塔服务中心")
    desktop.locator("[name=comment]").fill("同意，按标准采购。")
    desktop.get_by_role("button", name="同意", exact=True).click()
    expect(desktop.locator("body")).to_contain_text("已批准")
    with schema_context(center_b.schema_name):
        assert PurchaseRequest.objects.get(pk=request.pk).status == PurchaseRequestStatus.APPROVED

    desktop.on("dialog", lambda dialog: dialog.accept())  # "Suspend this center?"
    desktop.goto(live.url(HEAD_OFFICE, "/"))
    row = desktop.locator("tr", has_text="贝塔服务中心")
    row.get_by_role("button", name="暂停", exact=True).click()
    expect(desktop.locator("tr", has_text="贝塔服务中心")).to_contain_text("已暂停")
    response = desktop.goto(live.url(BETA, "/"))
    assert response.status == 503
    expect(desktop.locator("h1")).to_contain_text("服务暂停")

    desktop.goto(live.url(HEAD_OFFICE, "/"))
    desktop.locator("tr", has_text="贝塔服务中心").get_by_role("button", name="恢复", exact=True).click()
    response = desktop.goto(live.url(BETA, "/"))
    assert response.status == 200
    expect(desktop).to_have_url(re.compile(r"beta\.localhost"))
