"""Elders living alone in the browser: a customer manager registers an elder with the consents,
finds her on the due list, records the first home visit with a need, and a call that does not
reach her starts the escalation."""

import re

from playwright.sync_api import Page, expect

from operations.models import Elder, ElderEscalation, ElderNeed
from tests.base import TEST_PASSWORD
from tests.browser.steps import admin_login
from tests.factories import make_manager, make_unit

HOST = "alpha.localhost"


def test_customer_manager_registers_an_elder_visits_her_and_a_missed_call_escalates(
    alpha, live, desktop: Page
):
    make_unit("5号楼", "1单元", "0302")
    manager = make_manager()
    admin_login(desktop, live.url(HOST, "/admin/login/"), manager.username, TEST_PASSWORD)

    desktop.get_by_role("button", name="独居老人关怀", exact=True).click()
    desktop.get_by_role("link", name="独居老人档案").click()
    desktop.get_by_role("link", name="添加 老人").first.click()
    form = desktop.locator("main form")
    form.locator("[name=unit]").fill("5号楼-1单元-0302")
    form.locator("[name=name]").fill("周桂英")
    form.locator("[name=birth_date]").fill("1941-05-20")
    form.locator("[name=gender]").select_option(label="女")
    form.locator("[name=manager]").select_option(label="陈主任")
    form.locator("[name=risk_tier]").select_option(label="高风险")
    form.get_by_label("认知障碍（失智）").check()
    form.locator("[name=registry_consent_method]").select_option(label="书面签字")
    form.locator("[name=contact_name]").fill("周强")
    form.locator("[name=contact_relation]").fill("儿子")
    form.locator("[name=contact_phone]").fill("13911112222")
    form.locator("[name=health_notes]").fill("轻度失智，需提醒服药")
    form.locator("button[type=submit]").last.click()
    # Health notes without the health consent: refused, the text kept.
    expect(desktop.locator("main")).to_contain_text("须经老人同意记录健康信息")
    expect(form.locator("[name=health_notes]")).to_have_value("轻度失智，需提醒服药")
    form.locator("[name=health_consent_method]").select_option(label="口头（有见证人）")
    form.locator("[name=health_consent_witness]").fill("楼长王阿姨")
    form.locator("button[type=submit]").last.click()
    expect(desktop).to_have_url(re.compile(r"/admin/operations/elders/inspect/\d+/$"))
    expect(desktop.locator("main")).to_contain_text("轻度失智，需提醒服药")
    elder = Elder.objects.get(resident__name="周桂英")
    assert elder.health_consent and elder.risk_tier == "high"

    desktop.goto(live.url(HOST, "/admin/operations/elders/due/"))
    row = desktop.locator("tr", has_text="周桂英")
    expect(row).to_contain_text("本月首次上门拜访")
    expect(row).to_contain_text("每周联系（高风险）")
    row.get_by_role("link", name="记录拜访").click()
    visit = desktop.locator("main form")
    visit.get_by_label("已交联系卡").check()
    visit.get_by_label("燃气").check()
    visit.locator("[name=observations]").fill("燃气灶打火困难")
    visit.locator("[name=need_1_kind]").select_option(label="排查水电")
    visit.locator("[name=need_1_detail]").fill("检查燃气灶")
    visit.locator("button[type=submit]").last.click()
    expect(desktop.locator("main")).to_contain_text("排查水电")
    assert ElderNeed.objects.get(elder=elder).kind == "utilities"
    elder.refresh_from_db()
    assert elder.card_given_on is not None

    desktop.goto(live.url(HOST, f"/admin/operations/elders/visits/new/?elder={elder.pk}"))
    visit = desktop.locator("main form")
    visit.locator("[name=kind]").select_option(label="电话联系老人")
    visit.get_by_label("否，未联系上").check()
    visit.locator("button[type=submit]").last.click()
    expect(desktop.locator(".messages")).to_contain_text("已启动升级处理")
    assert ElderEscalation.objects.get(elder=elder).status == "open"
