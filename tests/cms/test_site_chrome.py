"""What every page of a center's site carries: feed links, the home page's search box, a navigation
that fits a phone."""

import re

from django.conf import settings

import pytest

from tests.base import CenterTestCase

pytestmark = pytest.mark.django_db


class FeedLinkTests(CenterTestCase):
    def test_home_page_advertises_rss_and_atom_feeds_of_notices_and_reports(self):
        body = self.client.get("/").content.decode()
        for kind, path in (
            ("application/rss+xml", "/feeds/notices/rss/"),
            ("application/atom+xml", "/feeds/notices/atom/"),
            ("application/rss+xml", "/feeds/reports/rss/"),
            ("application/atom+xml", "/feeds/reports/atom/"),
        ):
            assert re.search(
                rf'<link rel="alternate" type="{re.escape(kind)}" title="[^"]+" href="{path}">', body
            )
            assert self.client.get(path).status_code == 200

    def test_resident_forms_carry_the_feed_links_too(self):
        body = self.client.get("/repair/").content.decode()
        assert 'href="/feeds/notices/rss/"' in body


class HomeSearchTests(CenterTestCase):
    def test_home_page_has_a_search_box_sending_q_to_the_search_page(self):
        body = self.client.get("/").content.decode()
        form = re.search(
            r'<form class="search-form[^"]*" action="(?P<action>[^"]+)" method="get" role="search">', body
        )
        assert form and form["action"] == "/search/"
        assert 'type="search" name="q"' in body
        assert "搜索通知公告和活动报道" in body


def _css_rule(selector: str) -> str:
    css = (settings.BASE_DIR / "static_src" / "cms" / "site.css").read_text()
    match = re.search(rf"^{re.escape(selector)} \{{(?P<body>[^}}]*)\}}", css, re.MULTILINE)
    assert match, selector
    return match["body"]


def test_site_navigation_wraps_on_a_narrow_phone_instead_of_scrolling():
    # On a 390 px phone the six items (408 px) scrolled inside the bar and 搜索 was cut off.
    nav = _css_rule(".site-nav ul")
    assert "flex-wrap: wrap" in nav
    assert "overflow-x" not in nav
    for selector in (".site-nav ul", ".site-nav a"):
        assert not re.search(r"(^|[ ;])(min-)?width:", _css_rule(selector))


def test_pages_name_their_icon_so_browsers_do_not_ask_for_favicon_ico(alpha, client_a, head_office_client):
    """Found on a walk-through: /favicon.ico answered 404 on every host."""
    for client in (client_a, head_office_client):
        body = client.get("/", follow=True).content.decode()
        assert 'rel="icon" href="/static/portal/favicon.svg"' in body
    assert client_a.get("/static/portal/favicon.svg").status_code == 200
