"""Isolation in the browser: a session of center alpha opened at center beta's host is not logged in."""

import re

from playwright.sync_api import Page, expect

from tests.base import TEST_PASSWORD
from tests.browser.steps import admin_login


def test_an_alpha_admin_session_is_not_logged_in_at_beta(center_a, center_b, live, desktop: Page):
    admin_login(desktop, live.url("alpha.localhost", "/admin/login/"), "admin", f"alpha-{TEST_PASSWORD}")
    expect(desktop).to_have_url(re.compile(r"alpha\.localhost:\d+/admin/$"))
    expect(desktop.locator("body")).to_contain_text("阿尔法服务中心")

    desktop.goto(live.url("beta.localhost", "/admin/"))
    expect(desktop).to_have_url(re.compile(r"beta\.localhost:\d+/admin/login/"))
    expect(desktop.locator("[name=password]")).to_be_visible()
    expect(desktop.locator("body")).not_to_contain_text("阿尔法服务中心")

    # alpha's own session is still there
    desktop.goto(live.url("alpha.localhost", "/admin/"))
    expect(desktop).to_have_url(re.compile(r"alpha\.localhost:\d+/admin/$"))
