"""Our own error pages: a center's in its site's style, the head office's in the portal's, an unknown
host's naming no center; zh-hans by default, English when asked; NUL bytes are a 400, never a 500."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

import pytest

from cms import urls as cms_urls
from portal import urls as portal_urls
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    raise PermissionDenied


# The real URL configurations plus one failing view, to see the 500 page of each site.
center_urls_with_bug = type(
    "urls",
    (),
    {
        **vars(cms_urls),
        "urlpatterns": [path("boom/", _boom), path("forbidden/", _forbidden), *cms_urls.urlpatterns],
    },
)
portal_urls_with_bug = type(
    "urls", (), {**vars(portal_urls), "urlpatterns": [path("boom/", _boom), *portal_urls.urlpatterns]}
)


def body_of(response) -> str:
    return response.content.decode()


def post_urlencoded(client, path: str, data: dict):
    """A POST as browsers send forms without files."""
    return client.post(path, urlencode(data), content_type="application/x-www-form-urlencoded")


# --- a center's site ------------------------------------------------------------------------------


def test_center_404_is_ours_in_the_sites_style_naming_only_this_center(client_a, center_a, center_b):
    response = client_a.get("/no-such-page/")
    assert response.status_code == 404
    body = body_of(response)
    assert "页面不存在" in body
    assert "cms/site.css" in body
    assert center_a.name in body and center_b.name not in body
    assert "URLconf" not in body and "Page not found at" not in body  # not Django's debug page
    assert response["Cache-Control"] == "no-store"


def test_center_404_in_english_when_asked(client_a):
    response = client_a.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in body_of(response)


def test_the_demo_settings_keep_debug_off():
    from portal.settings import demo

    assert demo.DEBUG is False
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in demo.MIDDLEWARE
    assert "localhost" in demo.ALLOWED_HOSTS and ".localhost" in demo.ALLOWED_HOSTS


def test_center_500_is_ours(client_a, center_a, settings):
    settings.ROOT_URLCONF = center_urls_with_bug
    client_a.raise_request_exception = False
    response = client_a.get("/boom/")
    assert response.status_code == 500
    body = body_of(response)
    assert "服务器出错" in body and center_a.name in body and "cms/site.css" in body


def test_center_admin_404_keeps_wagtails_look_in_chinese(client_a, center_a, in_center):
    with in_center(center_a):  # Client.login bypasses the host routing
        assert client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
    response = client_a.get("/admin/pages/999999/edit/")
    assert response.status_code == 404
    body = body_of(response)
    assert "转到管理界面" in body and 'href="/admin/"' in body  # Wagtail's own admin 404, translated


def test_center_403_is_ours(client_a, center_a, settings):
    settings.ROOT_URLCONF = center_urls_with_bug
    response = client_a.get("/forbidden/")
    assert response.status_code == 403
    body = body_of(response)
    assert "无权访问" in body and center_a.name in body and "403 Forbidden" not in body


# --- head office ------------------------------------------------------------------------------------


def test_head_office_404_is_ours_in_the_portals_style(head_office_client, center_a):
    response = head_office_client.get("/no-such-page/")
    assert response.status_code == 404
    body = body_of(response)
    assert "页面不存在" in body and "portal/portal.css" in body
    assert center_a.name not in body


def test_head_office_auditor_gets_our_403(head_office_client):
    get_user_model().objects.create_user(username="auditor", password=TEST_PASSWORD)
    head_office_client.login(username="auditor", password=TEST_PASSWORD)
    response = head_office_client.get("/centers/new/")
    assert response.status_code == 403
    body = body_of(response)
    assert "无权访问" in body and "portal/portal.css" in body
    assert "403 Forbidden" not in body


def test_head_office_500_is_ours(head_office_client, settings):
    settings.PUBLIC_SCHEMA_URLCONF = portal_urls_with_bug
    head_office_client.raise_request_exception = False
    response = head_office_client.get("/boom/")
    assert response.status_code == 500
    assert "服务器出错" in body_of(response)


# --- unknown host --------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["nowhere.localhost", "evil.example.com"])
def test_unknown_host_gets_our_404_in_chinese_naming_no_center(host, center_a, center_b):
    response = Client(HTTP_HOST=host).get("/")
    assert response.status_code == 404
    body = body_of(response)
    assert "页面不存在" in body and '<html lang="zh-hans">' in body
    assert center_a.name not in body and center_b.name not in body and host not in body


def test_unknown_host_404_in_english_when_asked():
    response = Client(HTTP_HOST="nowhere.localhost").get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in body_of(response)


# --- NUL bytes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/survey/%00%00%00%00/", None),
        ("/survey/abc%00def/thanks/", None),
        ("/search/", {"q": "停水\x00"}),
        ("/notices/", {"page": "\x00"}),
        ("/%00/", None),
    ],
)
def test_nul_in_a_centers_path_or_query_is_our_400(client_a, center_a, path, params):
    response = client_a.get(path, params)
    assert response.status_code == 400
    body = body_of(response)
    assert "请求有误" in body and center_a.name in body


def test_nul_in_a_resident_form_field_is_a_400(client_a):
    response = post_urlencoded(
        client_a, "/feedback/", {"name": "王\x00", "phone": "13800001111", "content": "x"}
    )
    assert response.status_code == 400
    assert "请求有误" in body_of(response)


def test_nul_in_a_multipart_resident_form_is_a_form_error(client_a):
    # Multipart forms (the repair form has a photo) reach the view; its fields refuse NUL bytes.
    response = client_a.post(
        "/repair/", {"name": "王\x00", "phone": "13800001111", "description": "漏水\x00"}
    )
    assert response.status_code == 200
    assert "空字符" in body_of(response) or "Null characters" in body_of(response)


def test_nul_in_the_admin_login_is_a_400(client_a):
    response = post_urlencoded(client_a, "/admin/login/", {"username": "admin\x00", "password": "x"})
    assert response.status_code == 400
    # Sent as multipart, the login form refuses it with a form error.
    response = client_a.post("/admin/login/", {"username": "admin\x00", "password": "x"})
    assert response.status_code == 200


def test_nul_in_a_cookie_is_a_400(client_a):
    client_a.cookies["sessionid"] = "abcdefgh\x00ijk"
    assert client_a.get("/").status_code == 400


def test_nul_at_the_head_office_is_the_portals_400(head_office_client):
    response = post_urlencoded(head_office_client, "/login/", {"username": "hq\x00", "password": "x"})
    assert response.status_code == 400
    body = body_of(response)
    assert "请求有误" in body and "portal/portal.css" in body
    assert head_office_client.get("/news/", {"page": "1\x00"}).status_code == 400
