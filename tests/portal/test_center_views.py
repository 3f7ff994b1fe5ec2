"""The head-office portal: sign in, list, create, suspend, reactivate."""

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

import pytest
from django_tenants.utils import schema_exists

from tenants.models import ServiceCenter
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PORTAL_URLCONF = "portal.urls"


def url(name, *args):
    return reverse(f"portal:{name}", args=args, urlconf=PORTAL_URLCONF)


@pytest.fixture
def hq(head_office_client, head_office_admin):
    head_office_client.login(username="hq", password=TEST_PASSWORD)
    return head_office_client


def test_login_page_is_chinese_and_signs_in(head_office_client, head_office_admin):
    page = head_office_client.get(url("login"))
    assert page.status_code == 200
    assert "总部登录" in page.content.decode()
    response = head_office_client.post(url("login"), {"username": "hq", "password": TEST_PASSWORD})
    assert response.status_code == 302
    # The password is the first step: a head-office account then sets up its authenticator
    # (tests/portal/test_two_factor.py goes on from here).
    response = head_office_client.get(url("center_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("two_factor_setup"))


def test_wrong_password_gets_a_chinese_message(head_office_client, head_office_admin):
    response = head_office_client.post(url("login"), {"username": "hq", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_list_shows_centers_with_status_domain_and_links(
    hq, center_a, center_b, django_assert_max_num_queries
):
    # session, user, perms x2, count, page + domains
    with django_assert_max_num_queries(6):
        response = hq.get(url("center_list"))
    body = response.content.decode()
    for center, domain in ((center_a, "alpha.localhost"), (center_b, "beta.localhost")):
        assert center.name in body
        assert f"http://{domain}/" in body and f"http://{domain}/admin/" in body
    assert "运营中" in body
    assert "新建服务中心" in body


def test_list_needs_a_head_office_account(head_office_client):
    response = head_office_client.get(url("center_list"))
    assert response.status_code == 302


def test_user_without_permission_is_refused(head_office_client):
    get_user_model().objects.create_user(username="clerk", password=TEST_PASSWORD)
    head_office_client.login(username="clerk", password=TEST_PASSWORD)
    assert head_office_client.get(url("center_list")).status_code == 403
    assert head_office_client.post(url("center_create"), {}).status_code == 403


FORM = {
    "name": "新苑服务中心",
    "code": "xinyuan",
    "domain": "xinyuan.localhost",
    "address": "北京市朝阳区新苑路 1 号",
    "phone": "010-1234 5678",
    "service_hours": "每日 8:00–18:00",
    "admin_name": "赵敏",
    "admin_phone": "13800001111",
    "admin_email": "zhao@example.com",
}


def test_create_form_creates_a_center_and_shows_its_login(hq):
    page = hq.get(url("center_create"))
    assert "新建服务中心" in page.content.decode()
    response = hq.post(url("center_create"), FORM)
    assert response.status_code == 200
    body = response.content.decode()
    assert "http://xinyuan.localhost/admin/" in body
    result = response.context["result"]
    assert result.admin_password in body
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert schema_exists("xinyuan")
    center = ServiceCenter.objects.get(code="xinyuan")
    assert center.audit_log.get(action="create").acting_username == "hq"
    site = Client(HTTP_HOST="xinyuan.localhost").get("/")
    assert site.status_code == 200 and "新苑服务中心" in site.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "alpha"}, "简码"),
        ({"domain": "alpha.localhost"}, "已被使用"),
        ({"domain": "xin_yuan"}, "下划线"),
        ({"code": "public"}, "保留"),
        ({"name": ""}, "必需字段"),
    ],
)
def test_create_form_bad_input_keeps_what_was_typed(hq, changes, message):
    data = {**FORM, **changes}
    response = hq.post(url("center_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'value="北京市朝阳区新苑路 1 号"' in body
    assert not schema_exists("xinyuan")


def test_suspend_and_reactivate_from_the_list(hq, center_a):
    response = hq.post(url("center_suspend", center_a.pk), {"reason": "欠费"}, follow=True)
    assert "已暂停" in response.content.decode()
    center_a.refresh_from_db()
    assert center_a.status == ServiceCenter.Status.SUSPENDED
    assert Client(HTTP_HOST="alpha.localhost").get("/").status_code == 503
    hq.post(url("center_reactivate", center_a.pk))
    center_a.refresh_from_db()
    assert center_a.status == ServiceCenter.Status.ACTIVE
    assert Client(HTTP_HOST="alpha.localhost").get("/").status_code == 200
    assert list(center_a.audit_log.values_list("action", flat=True)[:2]) == ["reactivate", "suspend"]


def test_suspend_needs_post(hq, center_a):
    assert hq.get(url("center_suspend", center_a.pk)).status_code == 405


def test_list_filters_by_search_and_status(hq, center_a, center_b):
    from tenants import services

    services.center_suspend(center=center_b, acting_username="hq")
    body = hq.get(url("center_list"), {"q": "阿尔法"}).content.decode()
    assert center_a.name in body and center_b.name not in body
    body = hq.get(url("center_list"), {"q": "beta.local"}).content.decode()
    assert center_b.name in body and center_a.name not in body
    body = hq.get(url("center_list"), {"status": "suspended"}).content.decode()
    assert center_b.name in body and center_a.name not in body


def test_list_is_paginated(hq, center_a, monkeypatch):
    from portal import views

    monkeypatch.setattr(views, "CENTERS_PER_PAGE", 1)
    first = hq.get(url("center_list")).content.decode()
    assert "第 1 页，共" in first
    second = hq.get(url("center_list"), {"page": 2}).content.decode()
    assert "第 2 页" in second


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "alpha"}, "简码“alpha”已被其他服务中心使用"),
        ({"domain": "alpha.localhost"}, "域名“alpha.localhost”已被使用"),
        # The same center again (the form sent twice): one message saying it exists, not one per field.
        ({"code": "alpha", "domain": "alpha.localhost"}, "“阿尔法服务中心”已存在"),
    ],
)
def test_create_form_shows_a_duplicate_code_or_domain_once(hq, changes, message):
    response = hq.post(url("center_create"), {**FORM, **changes})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count(message) == 1
    assert body.count('class="errorlist') == 1
