"""RSS and Atom feeds of a center's activity reports."""

import datetime as dt

from django.utils import timezone

import pytest

from cms.models import ActivityReportIndexPage, ActivityReportPage
from tests.cms.test_reports import add_report, report_index


@pytest.fixture
def reports(center_a, center_b, in_center):
    now = timezone.now()
    with in_center(center_a):
        index = report_index()
        add_report(index, "阿尔法中秋义诊", summary="社区医院专家为居民义诊。")
        add_report(index, "阿尔法过期报道", expire_at=now + dt.timedelta(seconds=1))
        ActivityReportPage.objects.filter(title="阿尔法过期报道").update(
            expire_at=now - dt.timedelta(hours=1)
        )
        index.add_child(instance=ActivityReportPage(title="阿尔法草稿报道", live=False))
        url = ActivityReportPage.objects.get(title="阿尔法中秋义诊").url
    with in_center(center_b):
        add_report(report_index(), "贝塔集体生日会")
    return url


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_lists_only_this_centers_live_reports(reports, client_a, client_b, kind):
    response = client_a.get(f"/feeds/reports/{kind}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "阿尔法中秋义诊" in body and "社区医院专家为居民义诊。" in body
    assert f"http://alpha.localhost{reports}" in body
    assert "阿尔法服务中心" in body
    assert "过期报道" not in body and "草稿报道" not in body
    assert "贝塔" not in body and "beta.localhost" not in body
    other = client_b.get(f"/feeds/reports/{kind}/").content.decode()
    assert "贝塔集体生日会" in other and "阿尔法" not in other


@pytest.mark.django_db
def test_feed_content_types(reports, client_a):
    assert client_a.get("/feeds/reports/rss/")["Content-Type"].startswith("application/rss+xml")
    assert client_a.get("/feeds/reports/atom/")["Content-Type"].startswith("application/atom+xml")


@pytest.mark.django_db
def test_feed_escapes_text(center_a, client_a, in_center):
    with in_center(center_a):
        add_report(report_index(), "<script>alert(1)</script>", summary="<b>粗体</b>")
    body = client_a.get("/feeds/reports/rss/").content.decode()
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "<b>" not in body


@pytest.mark.django_db
def test_feed_without_a_report_list_is_404(center_a, client_a, in_center):
    with in_center(center_a):
        ActivityReportIndexPage.objects.all().delete()
    assert client_a.get("/feeds/reports/rss/").status_code == 404
    assert client_a.get("/feeds/reports/atom/").status_code == 404


@pytest.mark.django_db
def test_feed_query_count_is_flat(center_a, client_a, in_center, django_assert_max_num_queries):
    with in_center(center_a):
        index = report_index()
        for number in range(3):
            add_report(index, f"报道{number}")
    client_a.get("/feeds/reports/rss/")
    with django_assert_max_num_queries(20) as few:
        client_a.get("/feeds/reports/rss/")
    with in_center(center_a):
        for number in range(3, 20):
            add_report(index, f"报道{number}")
    with django_assert_max_num_queries(len(few)):
        assert client_a.get("/feeds/reports/rss/").status_code == 200
