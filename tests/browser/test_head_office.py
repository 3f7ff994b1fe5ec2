"""Head office in the browser: open a center through the form and sign in to its admin at its
own host, suspend it (its site shows the suspension notice) and reactivate it; decide a center's
purchase request in the inbox."""

import datetime as dt
import re

from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from operations.models import PurchaseRequest, PurchaseRequestStatus
from operations.services.purchasing import purchase_request_draft, purchase_request_submit
from portal.models import Submission
from tenants.models import ServiceCenter
from tests.base import TEST_PASSWORD
from tests.browser.steps import admin_login
from tests.factories import make_user

HEAD_OFFICE = "localhost"
GAMMA = "gamma.localhost"


def test_head_office_opens_a_center_signs_in_at_its_host_suspends_and_reactivates_it(
    head_office_admin, live, desktop: Page
):
    admin_login(desktop, live.url(HEAD_OFFICE, "/login/"), "hq", TEST_PASSWORD)
    desktop.goto(live.url(HEAD_OFFICE, "/"))
    desktop.get_by_role("link", name="新建服务中心").click()
    form = desktop.locator("main form")
    form.locator("[name=name]").fill("伽马花园服务中心")
    form.locator("[name=code]").fill("gamma")
    form.locator("[name=domain]").fill(GAMMA)
    form.locator("[name=address]").fill("伽马路 8 号")
    form.locator("[name=phone]").fill("021-3333 0003")
    form.locator("[name=admin_name]").fill("顾主任")
    form.locator("[type=submit]").click()
    expect(desktop.locator("h1")).to_contain_text("伽马花园服务中心")
    username = desktop.locator("code").nth(0).inner_text()
    password = desktop.locator("code").nth(1).inner_text()
    admin_url = desktop.locator(".card a", has_text="/admin/").inner_text()
    assert admin_url == live.url(GAMMA, "/admin/")
    assert ServiceCenter.objects.get(code="gamma").status == ServiceCenter.Status.ACTIVE

    # The first admin signs in at the center's own host with the password shown once.
    desktop.goto(admin_url)
    expect(desktop).to_have_url(re.compile(r"gamma\.localhost:\d+/admin/login/"))
    admin_login(desktop, live.url(GAMMA, "/admin/login/"), username, password)
    expect(desktop).to_have_url(re.compile(r"gamma\.localhost:\d+/admin/$"))
    expect(desktop.locator("body")).to_contain_text("伽马花园服务中心")
    desktop.goto(live.url(GAMMA, "/"))
    expect(desktop.locator("body")).to_contain_text("伽马花园服务中心")

    desktop.on("dialog", lambda dialog: dialog.accept())  # "Suspend this center?"
    desktop.goto(live.url(HEAD_OFFICE, "/"))
    row = desktop.locator("tr", has_text="伽马花园服务中心")
    row.get_by_role("button", name="暂停", exact=True).click()
    expect(desktop.locator("tr", has_text="伽马花园服务中心")).to_contain_text("已暂停")
    response = desktop.goto(live.url(GAMMA, "/"))
    assert response.status == 503
    expect(desktop.locator("h1")).to_contain_text("服务暂停")
    response = desktop.goto(live.url(GAMMA, "/admin/"))
    assert response.status == 503

    desktop.goto(live.url(HEAD_OFFICE, "/"))
    desktop.locator("tr", has_text="伽马花园服务中心").get_by_role("button", name="恢复", exact=True).click()
    response = desktop.goto(live.url(GAMMA, "/admin/"))
    assert response.status == 200
    expect(desktop).to_have_url(re.compile(r"gamma\.localhost:\d+/admin/$"))  # still signed in


def test_head_office_decides_a_purchase_request_in_the_inbox(
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
