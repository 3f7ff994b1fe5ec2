"""Two-factor sign-in in the browser: a head-office administrator's first sign-in sets up the
authenticator (QR code and key on the page, the app's code, ten recovery codes shown once), the next
sign-in asks for the code; a center head signs in with a recovery code when head office requires it."""

import base64
import re

from playwright.sync_api import Page, expect

from tenants.models import ServiceCenter
from tests.base import TEST_PASSWORD
from tests.browser.steps import phone_code
from tests.factories import make_user

HEAD_OFFICE = "localhost"


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(password)
    page.locator("form [type=submit]").first.click()
    page.wait_for_load_state()


def test_head_office_sets_up_its_authenticator_then_signs_in_with_a_code(
    head_office_admin, live, desktop: Page
):
    sign_in(desktop, live.url(HEAD_OFFICE, "/login/"), "hq", TEST_PASSWORD)
    expect(desktop).to_have_url(re.compile(r"/two-factor/setup/"))
    expect(desktop.locator("h1")).to_have_text("设置两步验证")
    qr = desktop.locator(".qr svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 150  # big enough to scan from the screen
    expect(desktop.get_by_role("link", name="中心数据")).to_have_count(0)  # no menu before the second step
    secret = desktop.locator("code.secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))

    desktop.locator("[name=code]").fill("123456" if phone_code(key) != "123456" else "654321")
    desktop.locator("form:has([name=code]) [type=submit]").click()
    expect(desktop.locator(".errorlist")).to_contain_text("验证码不正确")
    desktop.locator("[name=code]").fill(phone_code(key))
    desktop.locator("form:has([name=code]) [type=submit]").click()
    expect(desktop.locator("h1")).to_have_text("您的恢复码")
    expect(desktop.locator(".recovery-codes li")).to_have_count(10)
    desktop.get_by_role("link", name="我已保存，继续").click()
    expect(desktop.locator("h1")).to_contain_text("服务中心")

    desktop.get_by_role("button", name="退出").click()
    sign_in(desktop, live.url(HEAD_OFFICE, "/login/"), "hq", TEST_PASSWORD)
    expect(desktop).to_have_url(re.compile(r"/two-factor/verify/"))
    expect(desktop.locator("h1")).to_have_text("确认登录")
    desktop.locator("[name=code]").fill(phone_code(key, steps_later=1))
    desktop.locator("form:has([name=code]) [type=submit]").click()
    expect(desktop.locator("h1")).to_contain_text("服务中心")
    desktop.get_by_role("link", name="我的两步验证").click()
    expect(desktop.locator("body")).to_contain_text("还剩 10 个恢复码")


def test_a_center_head_required_by_head_office_sets_it_up_and_uses_a_recovery_code(
    alpha, live, desktop: Page, browser
):
    ServiceCenter.objects.filter(pk=alpha.pk).update(require_head_two_factor=True)
    make_user("head_2fa", "中心负责人", "周主任")
    host = "alpha.localhost"
    sign_in(desktop, live.url(host, "/admin/login/"), "head_2fa", TEST_PASSWORD)
    expect(desktop).to_have_url(re.compile(r"/admin/two-factor/setup/"))
    expect(desktop.locator("body")).to_contain_text("您的账号必须")
    secret = desktop.locator("code.secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    desktop.locator("[name=code]").fill(phone_code(key))
    desktop.locator("form:has([name=code]) [type=submit]").click()
    expect(desktop.locator(".recovery-codes code")).to_have_count(10)
    codes = desktop.locator(".recovery-codes code").all_inner_texts()
    desktop.get_by_role("link", name="我已保存，继续").click()
    expect(desktop).to_have_url(re.compile(r"/admin/"))

    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    try:
        sign_in(other, live.url(host, "/admin/login/"), "head_2fa", TEST_PASSWORD)
        expect(other).to_have_url(re.compile(r"/admin/two-factor/verify/"))
        other.locator("[name=code]").fill(codes[0])
        other.locator("form:has([name=code]) [type=submit]").click()
        expect(other).to_have_url(re.compile(r"/admin/$"))
    finally:
        other.context.close()
