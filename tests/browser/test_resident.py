"""A resident on a phone at alpha's site: notices, a report, the guide, search, the repair form, tracking."""

import re

from playwright.sync_api import Page, expect

from cms.models import HomePage, NoticeIndexPage
from cms.setup import center_pages_install
from operations.models import WorkOrder
from tests.browser.steps import assert_no_horizontal_scroll
from tests.cms.test_home_page import add_report
from tests.cms.test_notices import add_notice

HOST = "alpha.localhost"


def test_resident_reads_notices_and_a_report_finds_the_guide_searches_asks_for_a_repair_and_tracks_it(
    guide, live, phone: Page
):
    home = HomePage.objects.get()
    center_pages_install(home=home)
    index = NoticeIndexPage.objects.child_of(home).get()
    add_notice(index, "明日停水通知", urgent=True)
    add_notice(index, "三号楼电梯检修通知")
    add_report("重阳节书法活动", live=True)

    phone.goto(live.url(HOST))
    expect(phone.locator("body")).to_contain_text("阿尔法服务中心")
    assert_no_horizontal_scroll(phone)

    phone.get_by_role("link", name="明日停水通知").first.click()
    expect(phone.locator("h1")).to_contain_text("明日停水通知")
    assert_no_horizontal_scroll(phone)

    phone.goto(live.url(HOST))

    phone.get_by_role("link", name="三号楼电梯检修通知").first.click()
    expect(phone.locator("h1")).to_contain_text("三号楼电梯检修通知")
    expect(phone.locator("body")).to_contain_text("三号楼电梯检修通知的正文")
    assert_no_horizontal_scroll(phone)

    phone.goto(live.url(HOST))
    phone.get_by_role("link", name="重阳节书法活动").first.click()
    expect(phone.locator("h1")).to_contain_text("重阳节书法活动")
    assert_no_horizontal_scroll(phone)

    phone.goto(live.url(HOST, "/guide/"))
    expect(phone.locator("h1")).to_contain_text("办事指南")
    assert_no_horizontal_scroll(phone)

    phone.goto(live.url(HOST, "/search/?q=停水"))
    expect(phone.locator("main")).to_contain_text("停水")
    assert_no_horizontal_scroll(phone)

    phone.goto(live.url(HOST, "/repair/"))
    assert_no_horizontal_scroll(phone)
    phone.locator("[name=name]").fill("王小明")
    phone.locator("[name=phone]").fill("12345")
    phone.locator("[name=description]").fill("厨房水龙头一直滴水")
    phone.locator("form [type=submit]").last.click()
    expect(phone.locator("body")).to_contain_text("不是有效的电话号码")
    expect(phone.locator("[name=description]")).to_have_value("厨房水龙头一直滴水")
    expect(phone.locator("[name=name]")).to_have_value("王小明")
    assert_no_horizontal_scroll(phone)

    phone.locator("[name=phone]").fill("138 1234 5678")
    phone.locator("form [type=submit]").last.click()
    expect(phone).to_have_url(re.compile(r"/repair/done/"))
    expect(phone.locator("body")).to_contain_text("请妥善保存")
    code = WorkOrder.objects.get(description="厨房水龙头一直滴水").tracking_code
    expect(phone.locator("main")).to_contain_text(code)
    assert_no_horizontal_scroll(phone)

    phone.goto(live.url(HOST, "/track/"))
    phone.locator("[name=code]").fill(code)
    phone.locator("[name=phone_last_four]").fill("5678")
    phone.locator("form [type=submit]").last.click()
    expect(phone.locator("main")).to_contain_text("办理进度")
    expect(phone.locator("main")).to_contain_text("报修 · 已受理")
    assert_no_horizontal_scroll(phone)
