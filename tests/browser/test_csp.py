"""The admin still works under its Content-Security-Policy: the page editor (Draftail, the
StreamField, the date picker) and the image chooser raise no policy violation."""

import re

from playwright.sync_api import Page, expect

from cms.models import NoticeIndexPage
from tests.base import TEST_PASSWORD
from tests.browser.steps import admin_login, footer_action, write_paragraph
from tests.factories import make_user

HOST = "alpha.localhost"
WATCH = """() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
}"""


def test_the_page_editor_and_image_chooser_work_under_the_policy(alpha, live, desktop: Page):
    make_user("zhuren_csp", "中心负责人", "张主任")
    index = NoticeIndexPage.objects.get()
    messages: list[str] = []
    desktop.on("console", lambda message: messages.append(message.text))
    desktop.add_init_script(f"({WATCH})()")

    admin_login(desktop, live.url(HOST, "/admin/login/"), "zhuren_csp", TEST_PASSWORD)
    response = desktop.goto(live.url(HOST, f"/admin/pages/add/cms/noticepage/{index.pk}/"))
    assert "script-src" in response.headers["content-security-policy"]
    desktop.locator("#id_title").fill("供暖检修通知")
    write_paragraph(desktop, "本周四暖气管道检修。")
    # The image chooser: a StreamField image block opens Wagtail's chooser modal.
    body = desktop.locator("[data-contentpath=body]")
    body.get_by_role("button", name=re.compile("插入块|Insert a block")).last.click()
    desktop.get_by_role("option", name=re.compile("图片|image", re.I)).first.click()
    desktop.get_by_role("button", name=re.compile("选择一个图片|Choose an image")).first.click()
    modal = desktop.locator(".modal-content")
    expect(modal).to_be_visible()
    expect(modal.locator("#id_q, input[name=q]").first).to_be_visible()  # the chooser's search loaded
    modal.locator("[data-dismiss=modal], .close").first.click()
    # The empty image block would stop publishing: remove it again.
    body.get_by_role("button", name=re.compile("删除|Delete")).last.click()
    footer_action(desktop, "publish")
    expect(desktop.locator(".messages")).to_contain_text("供暖检修通知")

    assert desktop.evaluate("window.__violations") == []
    assert not [m for m in messages if "Content Security Policy" in m]
