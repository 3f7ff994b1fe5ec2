"""Host routing: head office, center, suspended center, unknown host."""

from django.test import Client

import pytest

from tenants import services

pytestmark = pytest.mark.django_db


def test_head_office_host_serves_the_portal(head_office_client):
    response = head_office_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_center_host_serves_its_home_page(client_a, center_a):
    response = client_a.get("/")
    assert response.status_code == 200
    assert center_a.name in response.content.decode()
    assert "021-1111 0001" in response.content.decode()


@pytest.mark.parametrize("host", ["nowhere.localhost", "gamma.localhost", "127.0.0.1"])
def test_unknown_host_is_a_plain_404_naming_no_center(host, center_a, center_b):
    response = Client(HTTP_HOST=host).get("/")
    assert response.status_code == 404
    body = response.content.decode()
    assert center_a.name not in body and center_b.name not in body
    assert "alpha" not in body and "beta" not in body and host not in body


def test_disallowed_host_is_a_plain_404():
    response = Client(HTTP_HOST="evil.example.com").get("/")
    assert response.status_code == 404


def test_suspended_center_answers_503_then_comes_back(client_a, center_a, zh):
    services.center_suspend(center=center_a, acting_username="hq", reason="合同到期")
    for path in ("/", "/admin/", "/admin/login/"):
        response = client_a.get(path)
        assert response.status_code == 503
        body = response.content.decode()
        assert "服务暂停" in body
        assert center_a.name in body
    services.center_reactivate(center=center_a, acting_username="hq")
    assert client_a.get("/").status_code == 200


def test_suspension_page_is_english_when_asked(client_a, center_a):
    services.center_suspend(center=center_a, acting_username="hq")
    response = client_a.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "Service suspended" in response.content.decode()


def test_suspending_twice_is_refused_with_a_message(center_a, zh):
    from django.core.exceptions import ValidationError

    services.center_suspend(center=center_a, acting_username="hq")
    with pytest.raises(ValidationError, match="已处于暂停状态"):
        services.center_suspend(center=center_a, acting_username="hq")
    assert center_a.audit_log.filter(action="suspend").count() == 1


def test_host_lookup_is_cached_and_forgotten_on_suspension(client_a, center_a, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client_a.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client_a.get("/").status_code == 200
    assert not any("tenants_domain" in q["sql"] for q in ctx.captured_queries)
    services.center_suspend(center=center_a, acting_username="hq")
    assert client_a.get("/").status_code == 503
    services.center_reactivate(center=center_a, acting_username="hq")
    assert client_a.get("/").status_code == 200


def test_a_cached_lookup_never_serves_another_host(client_a, client_b, center_a, center_b):
    client_a.get("/")
    client_b.get("/")
    assert center_b.name in client_b.get("/").content.decode()
    assert center_a.name in client_a.get("/").content.decode()
    assert center_a.name not in client_b.get("/").content.decode()
