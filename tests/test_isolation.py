"""Nothing of one center is seen, cached, stored or served under another center's host."""

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from wagtail.models import Page, Site

import pytest

from cms.models import HomePage
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_each_host_serves_only_its_own_pages(client_a, client_b, center_a, center_b):
    body_a = client_a.get("/").content.decode()
    body_b = client_b.get("/").content.decode()
    assert center_a.name in body_a and center_b.name not in body_a
    assert center_b.name in body_b and center_a.name not in body_b


def test_a_page_path_of_a_is_not_served_under_b(client_a, client_b, in_center, center_a):
    with in_center(center_a):
        home = HomePage.objects.get()
        # A page only A has: a plain Wagtail page below A's home (slug unknown to B).
        child = home.add_child(instance=Page(title="阿尔法专属通知", slug="alpha-only", live=True))
        assert child.url_path.endswith("/alpha-only/")
    response_b = client_b.get("/alpha-only/")
    assert response_b.status_code == 404
    assert "阿尔法专属通知" not in response_b.content.decode()


def test_site_root_paths_are_cached_per_center(client_a, client_b, in_center, center_a, center_b):
    """Wagtail caches site root paths under a fixed key: the tenant key function keeps them apart."""
    client_a.get("/")
    client_b.get("/")
    with in_center(center_a):
        paths_a = Site.get_site_root_paths()
    with in_center(center_b):
        paths_b = Site.get_site_root_paths()
    assert [p.root_url for p in paths_a] == ["http://alpha.localhost"]
    assert [p.root_url for p in paths_b] == ["http://beta.localhost"]


def test_every_cache_alias_has_the_tenant_key_function():
    for alias, config in settings.CACHES.items():
        assert config.get("KEY_FUNCTION") == "django_tenants.cache.make_key", alias


def test_same_cache_key_differs_per_center(in_center, center_a, center_b):
    with in_center(center_a):
        caches["default"].set("greeting", "alpha")
    with in_center(center_b):
        assert caches["default"].get("greeting") is None
        caches["default"].set("greeting", "beta")
    with in_center(center_a):
        assert caches["default"].get("greeting") == "alpha"


def test_admin_of_a_cannot_sign_in_at_b(client_b):
    response = client_b.post("/admin/login/", {"username": "admin", "password": f"alpha-{TEST_PASSWORD}"})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client_b.session


def test_admin_signs_in_at_own_center(client_a):
    response = client_a.post("/admin/login/", {"username": "admin", "password": f"alpha-{TEST_PASSWORD}"})
    assert response.status_code == 302
    assert client_a.get("/admin/").status_code == 200


def test_session_of_a_is_worthless_at_b(client_a, center_a, center_b, in_center):
    with in_center(center_a):
        assert client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
    assert client_a.get("/admin/").status_code == 200
    # The test client sends cookies to any host; a browser would not (host-only cookie).
    stolen = Client(HTTP_HOST="beta.localhost")
    stolen.cookies = client_a.cookies
    response = stolen.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_cookies_are_host_only():
    assert settings.SESSION_COOKIE_DOMAIN is None and settings.CSRF_COOKIE_DOMAIN is None


def test_head_office_account_cannot_sign_in_at_a_center(client_a, head_office_admin):
    response = client_a.post("/admin/login/", {"username": "hq", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client_a.session


def test_center_admin_cannot_sign_in_at_head_office(head_office_client):
    response = head_office_client.post("/login/", {"username": "admin", "password": f"alpha-{TEST_PASSWORD}"})
    assert response.status_code == 200
    assert "_auth_user_id" not in head_office_client.session


def test_media_is_stored_and_served_per_center(client_a, client_b, in_center, center_a, center_b):
    with in_center(center_a):
        name = default_storage.save("notices/alpha-secret.txt", ContentFile(b"alpha only"))
        path = default_storage.path(name)
        url = default_storage.url(name)
    assert f"/{center_a.schema_name}/" in path
    assert url.startswith(f"/media/{center_a.schema_name}/")
    served = client_a.get(url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == b"alpha only"
    assert client_b.get(url).status_code == 404
    assert client_b.get(url.replace("/alpha/", "/beta/")).status_code == 404
    with in_center(center_b):
        assert not default_storage.exists(name)
    assert Client(HTTP_HOST="localhost").get(url).status_code == 404


def test_document_files_are_not_served_as_media(client_a, in_center, center_a):
    """Documents go through /documents/<id>/ and their collection's privacy, never /media/."""
    with in_center(center_a):
        name = default_storage.save("documents/complaint-scan.pdf", ContentFile(b"%PDF-1.4 private"))
        url = default_storage.url(name)
    assert client_a.get(url).status_code == 404
