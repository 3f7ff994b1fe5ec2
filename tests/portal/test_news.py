"""The company website's news: published reports of every active center, kept by publish signals."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from cms.models import ActivityReportPage
from portal.models import PublishedReport
from portal.news import published_report_record, published_report_remove
from tenants.models import ServiceCenter
from tests.cms.test_reports import add_report, photo_collection, report_index


def _publish(center, in_center, title: str, **fields) -> ActivityReportPage:
    with in_center(center):
        report = add_report(report_index(), title, **fields)
        report.site_path = report.url  # read in the center's schema
    return report


@pytest.fixture
def alpha_report(center_a, in_center):
    from wagtail.images import get_image_model

    with in_center(center_a):
        cover = get_image_model().objects.get(collection=photo_collection("阿尔法封面", 1))
        report = add_report(report_index(), "阿尔法中秋义诊", summary="居民踊跃参加义诊。", cover_image=cover)
        report.site_path = report.url
    return report


@pytest.mark.django_db
def test_publishing_lists_the_report_on_the_news_page(alpha_report, center_a, head_office_client):
    entry = PublishedReport.objects.get(center=center_a, page_id=alpha_report.pk)
    assert entry.title == "阿尔法中秋义诊"
    assert entry.url == f"http://alpha.localhost{alpha_report.site_path}"
    assert entry.cover_url.startswith("http://alpha.localhost/media/alpha/images/")
    assert entry.summary == "居民踊跃参加义诊。"
    assert entry.date == alpha_report.date

    response = head_office_client.get("/news/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "阿尔法中秋义诊" in html and "阿尔法服务中心" in html
    assert f'href="{entry.url}"' in html
    assert f'src="{entry.cover_url}"' in html
    assert f'<time datetime="{entry.date:%Y-%m-%d}">' in html


@pytest.mark.django_db
def test_republishing_updates_the_entry(alpha_report, center_a, in_center):
    with in_center(center_a):
        page = ActivityReportPage.objects.get(pk=alpha_report.pk)
        page.title = "阿尔法中秋义诊圆满结束"
        page.save_revision().publish()
    assert PublishedReport.objects.get(center=center_a).title == "阿尔法中秋义诊圆满结束"
    assert PublishedReport.objects.count() == 1


@pytest.mark.django_db
def test_unpublishing_takes_it_off(alpha_report, center_a, in_center, head_office_client):
    with in_center(center_a):
        ActivityReportPage.objects.get(pk=alpha_report.pk).unpublish()
    assert not PublishedReport.objects.exists()
    assert "阿尔法中秋义诊" not in head_office_client.get("/news/").content.decode()


@pytest.mark.django_db
def test_expiry_takes_it_off(center_a, in_center):
    from django.core.management import call_command

    report = _publish(center_a, in_center, "过期报道")
    assert PublishedReport.objects.filter(page_id=report.pk).exists()
    with in_center(center_a):
        ActivityReportPage.objects.filter(pk=report.pk).update(
            expire_at=timezone.now() - dt.timedelta(hours=1)
        )
        call_command("publish_scheduled")
    assert not PublishedReport.objects.filter(page_id=report.pk).exists()


@pytest.mark.django_db
def test_deleting_takes_it_off(alpha_report, center_a, in_center, head_office_client):
    with in_center(center_a):
        ActivityReportPage.objects.get(pk=alpha_report.pk).delete()
    assert not PublishedReport.objects.exists()
    assert "阿尔法中秋义诊" not in head_office_client.get("/news/").content.decode()


@pytest.mark.django_db
def test_deleting_the_whole_list_takes_them_off(center_a, in_center):
    first = _publish(center_a, in_center, "报道一")
    _publish(center_a, in_center, "报道二")
    assert PublishedReport.objects.count() == 2
    with in_center(center_a):
        first.get_parent().delete()
    assert not PublishedReport.objects.exists()


@pytest.mark.django_db
def test_drafts_and_scheduled_reports_are_not_listed(center_a, in_center):
    with in_center(center_a):
        index = report_index()
        index.add_child(instance=ActivityReportPage(title="草稿", live=False))
        scheduled = ActivityReportPage(
            title="预定", live=False, go_live_at=timezone.now() + dt.timedelta(days=1)
        )
        index.add_child(instance=scheduled)
        scheduled.save_revision().publish()
    assert not PublishedReport.objects.exists()


@pytest.mark.django_db
def test_centers_stay_apart(
    alpha_report, center_a, center_b, in_center, client_a, client_b, head_office_client
):
    beta = _publish(center_b, in_center, "贝塔集体生日会")
    entry = PublishedReport.objects.get(center=center_b)
    assert entry.url == f"http://beta.localhost{beta.site_path}" and entry.page_id == beta.pk
    news = head_office_client.get("/news/").content.decode()
    assert "阿尔法中秋义诊" in news and "贝塔集体生日会" in news and "贝塔服务中心" in news
    for url in ("/", "/reports/", alpha_report.site_path, "/feeds/reports/rss/", "/feeds/reports/atom/"):
        body = client_a.get(url).content.decode()
        assert "贝塔" not in body and "beta.localhost" not in body, url
    assert "阿尔法" not in client_b.get("/reports/").content.decode()


@pytest.mark.django_db
def test_suspended_center_is_hidden(alpha_report, center_a, center_b, in_center, head_office_client):
    _publish(center_b, in_center, "贝塔集体生日会")
    ServiceCenter.objects.filter(pk=center_a.pk).update(status=ServiceCenter.Status.SUSPENDED)
    news = head_office_client.get("/news/").content.decode()
    assert "阿尔法中秋义诊" not in news and "贝塔集体生日会" in news


@pytest.mark.django_db
def test_news_page_is_public_paginated_and_flat(
    center_a, center_b, head_office_client, django_assert_max_num_queries
):
    def add_entries(center, start, count):
        for number in range(start, start + count):
            PublishedReport.objects.create(
                center=center,
                page_id=number,
                title=f"{center.code}报道{number}",
                url=f"http://{center.code}.localhost/reports/{number}/",
                date=timezone.localdate() - dt.timedelta(days=number),
                published_at=timezone.now(),
            )

    add_entries(center_a, 1, 2)
    add_entries(center_b, 1, 1)
    with django_assert_max_num_queries(3) as few:
        assert head_office_client.get("/news/").status_code == 200
    add_entries(center_a, 3, 20)
    add_entries(center_b, 2, 20)
    with django_assert_max_num_queries(len(few)) as many:
        first = head_office_client.get("/news/")
    assert len(many) == len(few)
    assert len(first.context["reports"]) == 20
    assert 'rel="next"' in first.content.decode()
    # Newest first: the two reports of yesterday lead the list.
    assert {r.title for r in first.context["reports"][:2]} == {"alpha报道1", "beta报道1"}
    assert len(head_office_client.get("/news/", {"page": 3}).context["reports"]) == 3
    assert head_office_client.get("/news/", {"page": "x"}).status_code == 200


@pytest.mark.django_db
def test_empty_news_page_and_login_link(head_office_client):
    response = head_office_client.get("/news/")
    assert response.status_code == 200
    assert response.context["reports"] is not None and not response.context["reports"]
    assert 'href="/news/"' in head_office_client.get("/login/").content.decode()


@pytest.mark.django_db
def test_a_center_lists_only_its_own_reports(center_a, center_b, in_center):
    with in_center(center_a), pytest.raises(ValidationError):
        published_report_record(
            center=center_b,
            page_id=1,
            title="冒充",
            url="http://beta.localhost/reports/x/",
            date=timezone.localdate(),
            summary="",
            cover_url="",
            published_at=timezone.now(),
        )
    with in_center(center_a), pytest.raises(ValidationError):
        published_report_remove(center=center_b, page_id=1)
    assert not PublishedReport.objects.exists()


@pytest.mark.django_db
def test_rebuild_command_restores_missing_entries_and_drops_stale_ones(
    alpha_report, center_a, center_b, in_center, capsys
):
    from django.core.management import call_command

    PublishedReport.objects.all().delete()
    PublishedReport.objects.create(
        center=center_a,
        page_id=999999,
        title="已删除的报道",
        url="http://alpha.localhost/reports/gone/",
        date=dt.date(2026, 1, 1),
        published_at=timezone.now(),
    )
    _publish(center_b, in_center, "贝塔重阳维修日")
    PublishedReport.objects.filter(center=center_b).delete()

    call_command("rebuild_news_index", "--center", "alpha")
    assert "alpha: 1 reports listed, 1 stale entries removed" in capsys.readouterr().out
    assert list(PublishedReport.objects.values_list("center__code", "title")) == [("alpha", "阿尔法中秋义诊")]

    call_command("rebuild_news_index")
    assert set(PublishedReport.objects.values_list("center__code", "title")) == {
        ("alpha", "阿尔法中秋义诊"),
        ("beta", "贝塔重阳维修日"),
    }
