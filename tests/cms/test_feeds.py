"""Feeds, sitemap and isolation of notices between centers."""

import datetime

from django.utils import timezone

import pytest

from cms.models import HomePage, NoticeIndexPage
from cms.setup import center_pages_install
from tests.cms.test_notices import add_notice


def _index() -> NoticeIndexPage:
    home = HomePage.objects.get()
    center_pages_install(home=home)
    return NoticeIndexPage.objects.child_of(home).get()


@pytest.fixture
def notices(center_a, center_b, in_center):
    now = timezone.now()
    with in_center(center_a):
        index = _index()
        add_notice(index, "阿尔法停水通知", category="utilities")
        add_notice(index, "阿尔法过期通知", expire_at=now - datetime.timedelta(hours=1))
        add_notice(index, "阿尔法预定通知", go_live_at=now + datetime.timedelta(days=1))
    with in_center(center_b):
        add_notice(_index(), "贝塔活动预告", category="event")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_lists_only_this_centers_live_notices(notices, client_a, client_b, kind):
    response = client_a.get(f"/feeds/notices/{kind}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "阿尔法停水通知" in body
    assert "http://alpha.localhost/" in body
    assert "阿尔法过期通知" not in body
    assert "阿尔法预定通知" not in body
    assert "贝塔" not in body
    assert "beta.localhost" not in body
    other = client_b.get(f"/feeds/notices/{kind}/").content.decode()
    assert "贝塔活动预告" in other and "阿尔法" not in other


@pytest.mark.django_db
def test_feed_content_types(notices, client_a):
    assert client_a.get("/feeds/notices/rss/")["Content-Type"].startswith("application/rss+xml")
    assert client_a.get("/feeds/notices/atom/")["Content-Type"].startswith("application/atom+xml")


@pytest.mark.django_db
def test_sitemap_lists_this_centers_pages_only(notices, client_a, client_b):
    response = client_a.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert "http://alpha.localhost/notices/" in body
    assert "beta.localhost" not in body
    assert body.count("<url>") == 5  # home, notice list, report list, guide, the one live notice
    other = client_b.get("/sitemap.xml").content.decode()
    assert "alpha.localhost" not in other and "http://beta.localhost/notices/" in other


@pytest.mark.django_db
def test_notice_lists_are_isolated(notices, client_a, client_b):
    alpha = client_a.get("/notices/").content.decode()
    beta = client_b.get("/notices/").content.decode()
    assert "阿尔法停水通知" in alpha and "贝塔活动预告" not in alpha
    assert "贝塔活动预告" in beta and "阿尔法停水通知" not in beta


@pytest.mark.django_db
def test_notice_list_query_count_is_flat(center_a, client_a, in_center, django_assert_max_num_queries):
    with in_center(center_a):
        index = _index()
        for number in range(30):
            add_notice(index, f"通知{number}", urgent=number % 4 == 0, pinned=number % 5 == 0)
    client_a.get("/notices/")
    with django_assert_max_num_queries(11):
        response = client_a.get("/notices/")
    assert response.status_code == 200
    assert len(response.context["notices"]) == 10


@pytest.mark.django_db
def test_feed_without_a_notice_list_is_404_not_500(center_a, client_a, in_center):
    with in_center(center_a):
        NoticeIndexPage.objects.all().delete()
    assert client_a.get("/feeds/notices/rss/").status_code == 404
    assert client_a.get("/feeds/notices/atom/").status_code == 404


@pytest.mark.django_db
def test_feed_items_link_to_the_notice_on_this_host(center_a, client_a, in_center):
    with in_center(center_a):
        url = add_notice(_index(), "阿尔法温馨提示", search_description="天冷注意保暖").url
    body = client_a.get("/feeds/notices/rss/").content.decode()
    assert f"<link>http://alpha.localhost{url}</link>" in body
    assert "天冷注意保暖" in body
