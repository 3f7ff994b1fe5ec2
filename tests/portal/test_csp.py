"""Content-Security-Policy: residents' pages and the portal run no inline script; the admin's
policy allows only what Wagtail writes inline; nothing loads from another host anywhere."""

from __future__ import annotations

import re

from django.urls import reverse

import pytest

from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path",
    ["/", "/notices/", "/guide/", "/booking/", "/repair/", "/track/", "/queue/screen/", "/search/?q=停水"],
)
def test_residents_pages_allow_no_inline_script_and_have_none(client_a, alpha, path):
    response = client_a.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"] and policy["form-action"] == ["'self'"]
    body = response.content.decode()
    assert not INLINE_SCRIPT.search(body), INLINE_SCRIPT.search(body)
    assert not INLINE_HANDLER.search(body), INLINE_HANDLER.search(body)


def test_a_cached_residents_page_keeps_its_policy(client_a, alpha):
    client_a.get("/notices/")
    again = client_a.get("/notices/")
    assert directives(again)["script-src"] == ["'self'"]


def test_the_portal_allows_no_inline_script(head_office_client):
    response = head_office_client.get(reverse("portal:login", urlconf="portal.urls"))
    assert directives(response)["script-src"] == ["'self'"]
    assert not INLINE_SCRIPT.search(response.content.decode())


def test_the_admin_allows_wagtails_inline_scripts_and_nothing_from_elsewhere(client_a, alpha):
    assert client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
    response = client_a.get("/admin/")
    policy = directives(response)
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    for sources in policy.values():
        assert not any(source.startswith("http") or source == "*" for source in sources)
