"""A clerk mistypes the password five times and is locked out with a Chinese message saying when to try
again; the center head unlocks the account from Settings → 登录锁定 and the clerk signs in."""

import re

from playwright.sync_api import Page, expect

from tests.base import TEST_PASSWORD
from tests.browser.steps import admin_login
from tests.factories import make_user

HOST = "alpha.localhost"


def test_a_locked_out_clerk_is_unlocked_by_the_center_head(alpha, live, desktop: Page, browser):
    make_user("clerk_lock", "前台客服", "前台小冯")
    make_user("head_lock", "中心负责人", "张主任")
    for _attempt in range(5):
        admin_login(desktop, live.url(HOST, "/admin/login/"), "clerk_lock", "wrong-password")
    expect(desktop.locator("body")).to_contain_text("登录失败次数过多")
    expect(desktop.locator("body")).to_contain_text("中心负责人解锁")
    # Even the right password is refused while locked.
    admin_login(desktop, live.url(HOST, "/admin/login/"), "clerk_lock", TEST_PASSWORD)
    expect(desktop).to_have_url(re.compile(r"/admin/login/"))

    head = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    try:
        admin_login(head, live.url(HOST, "/admin/login/"), "head_lock", TEST_PASSWORD)
        head.get_by_role("button", name="设置").click()
        head.get_by_role("link", name="登录锁定").click()
        row = head.locator("tr.signin-lockout", has_text="clerk_lock")
        expect(row).to_be_visible()
        row.get_by_role("button", name="解锁").click()
        expect(head.locator("tr.signin-lockout", has_text="clerk_lock")).to_have_count(0)
    finally:
        head.context.close()

    admin_login(desktop, live.url(HOST, "/admin/login/"), "clerk_lock", TEST_PASSWORD)
    expect(desktop).to_have_url(re.compile(r"/admin/$"))
