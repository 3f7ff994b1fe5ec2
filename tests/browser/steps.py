"""Steps the browser tests share: sign in, run a record page's action, write in the page editor.

A new admin area's browser test signs in with ``admin_login``, runs its record actions with ``act``
(the ``#action-<name>`` forms of ``RecordInspectView``) and, for pages, uses ``write_paragraph``
and ``footer_action`` in Wagtail's editor.
"""

import base64
import re
import time

from django_otp.oath import TOTP
from playwright.sync_api import Page

#: The authenticator keys the tests' "phone" holds, by host and username (read off the set-up page).
AUTHENTICATOR_KEYS: dict[tuple[str, str], bytes] = {}


def admin_login(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(password)
    page.locator("form [type=submit]").first.click()
    page.wait_for_load_state()
    second_step(page, username)


def phone_code(key: bytes, *, steps_later: int = 0) -> str:
    """The six digits an authenticator app holding ``key`` shows now."""
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_later
    return f"{totp.token():06d}"


def second_step(page: Page, username: str) -> None:
    """Two-factor sign-in as a person does it: on the set-up page, type the key shown into the "phone",
    give its code and keep the recovery codes; on the code page, give the phone's code."""
    host = re.sub(r"^https?://([^/]+)/.*$", r"\1", page.url)
    if "/two-factor/setup/" in page.url:
        secret = page.locator("code.secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        AUTHENTICATOR_KEYS[(host, username)] = key
        page.locator("[name=code]").fill(phone_code(key))
        page.locator("form:has([name=code]) [type=submit]").click()
        page.wait_for_load_state()
        page.get_by_role("link", name=re.compile("我已保存|I have kept them")).click()
        page.wait_for_load_state()
    elif "/two-factor/verify/" in page.url and (host, username) in AUTHENTICATOR_KEYS:
        # The code of the next period: the one of this period may have been used at set-up.
        page.locator("[name=code]").fill(phone_code(AUTHENTICATOR_KEYS[(host, username)], steps_later=1))
        page.locator("form:has([name=code]) [type=submit]").click()
        page.wait_for_load_state()


def act(page: Page, name: str, fields: dict[str, str], selects: dict[str, str] | None = None) -> None:
    """Fill and send the record page's action form ``name`` (#action-<name>)."""
    section = page.locator(f"#action-{name}")
    for field, label in (selects or {}).items():
        section.locator(f"select[name={field}]").select_option(label=label)
    for field, value in fields.items():
        section.locator(f"[name={field}]").fill(value)
    section.locator("button[type=submit]").click()
    page.wait_for_load_state()


def write_paragraph(page: Page, text: str) -> None:
    """Add a paragraph block to the page's body StreamField and type ``text`` into its editor."""
    body = page.locator("[data-contentpath=body]")
    body.get_by_role("button", name=re.compile("插入块|Insert a block")).first.click()
    page.get_by_role("option", name=re.compile("段落|paragraph", re.I)).first.click()
    editor = body.locator("[contenteditable=true]").first
    editor.click()
    page.keyboard.type(text)
    # Draftail saves its state into the block's hidden input a moment after the last keystroke.
    page.wait_for_function(
        "text => [...document.querySelectorAll('[data-contentpath=body] input[type=hidden]')]"
        ".some(input => input.value.includes(text))",
        arg=text,
    )


def footer_action(page: Page, name: str) -> None:
    """Run one of the editor footer's actions (``publish``, ``submit``; a workflow task's
    ``approve``, without a comment), opening the footer's "more actions" menu when the action is
    not its primary button."""
    button = page.locator(
        f"footer [name='action-{name}'], "
        f"footer [data-workflow-action-name='{name}']:not([data-workflow-action-modal-url])"
    ).first
    if not button.is_visible():
        page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    with page.expect_navigation():
        button.click()


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways at 390 px ({width} px wide)"
