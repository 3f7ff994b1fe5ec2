"""The residents' notice of an activity: created and published when publicising, or linked instead."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Site

import pytest

from cms.models import HomePage, NoticeCategory, NoticeIndexPage, NoticePage
from cms.services.notices import center_notice_index, notice_for_activity
from operations.models import Activity, AuditEntry
from operations.services.activities import (
    activity_cancel,
    activity_create,
    activity_notice_link,
    activity_publicise,
    activity_publicity_tick,
)
from tests.base import TEST_PASSWORD


def make(title="社区义诊", kind=Activity.Kind.FREE_CLINIC, starts_at=None, **extra):
    starts_at = starts_at or timezone.now() + dt.timedelta(days=10)
    return activity_create(
        acting_user=None,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=3),
        place="中心广场",
        **extra,
    )


def test_notice_created_published_escaped_and_linked(alpha):
    activity = make(
        title="<b>义诊</b>&体检",
        partner_name="社区<医院>",
        starts_at=timezone.make_aware(dt.datetime(2036, 12, 5, 9, 0)),
    )
    notice = notice_for_activity(acting_user=None, activity=activity)
    assert isinstance(notice, NoticePage)
    assert notice.live and notice.category == NoticeCategory.EVENT
    assert notice.get_parent().specific == center_notice_index()
    assert notice.get_parent().get_parent().pk == Site.objects.get(is_default_site=True).root_page_id
    assert "<b>义诊</b>&体检" in notice.title
    html = notice.body[0].value.source
    assert "&lt;医院&gt;" in html and "<医院>" not in html
    assert "2036-12-05 09:00" in html and "12:00" in html and "中心广场" in html
    assert notice.get_latest_revision() is not None and not notice.has_unpublished_changes
    assert notice.expire_at == activity.ends_at  # of no use once the activity is over
    activity.refresh_from_db()
    assert activity.notice_page_id == notice.pk
    assert AuditEntry.objects.filter(action="activity_notice_create", object_id=str(activity.pk)).exists()
    # twice = once
    assert notice_for_activity(acting_user=None, activity=activity).pk == notice.pk
    assert NoticePage.objects.count() == 1


def test_notice_slugs_do_not_collide_and_page_renders(alpha, client_a):
    first = notice_for_activity(acting_user=None, activity=make(title="义诊一"))
    second = notice_for_activity(acting_user=None, activity=make(title="义诊二"))
    assert first.slug != second.slug
    page = client_a.get(first.url)
    assert page.status_code == 200 and "义诊一" in page.content.decode()
    assert client_a.get(first.url + "poster/").status_code == 200


def test_no_notice_for_a_cancelled_activity(alpha):
    activity = make()
    activity = activity_cancel(acting_user=None, activity=activity, reason="天气原因")
    with pytest.raises(ValidationError):
        notice_for_activity(acting_user=None, activity=activity)
    assert NoticePage.objects.count() == 0


def test_ticking_the_notice_channel_creates_the_notice(alpha):
    activity = make()
    activity_publicity_tick(acting_user=None, activity=activity, channel="banner")
    activity.refresh_from_db()
    assert activity.notice_page_id is None
    activity_publicity_tick(acting_user=None, activity=activity, channel="notice")
    activity.refresh_from_db()
    assert activity.notice_page_id is not None
    activity_publicise(acting_user=None, activity=activity)
    assert NoticePage.objects.count() == 1


def test_publicising_creates_the_notice_when_missing(alpha):
    activity = make()
    activity_publicity_tick(acting_user=None, activity=activity, channel="sms")
    activity = activity_publicise(acting_user=None, activity=activity)
    assert activity.status == Activity.Status.PUBLICISED
    assert activity.notice_page.specific.live


def test_publicising_without_a_notice_list_still_works(alpha):
    NoticeIndexPage.objects.all().delete()
    activity = make()
    activity_publicity_tick(acting_user=None, activity=activity, channel="notice")
    activity = activity_publicise(acting_user=None, activity=activity)
    assert activity.status == Activity.Status.PUBLICISED and activity.notice_page_id is None
    with pytest.raises(ValidationError):
        notice_for_activity(acting_user=None, activity=activity)


def _existing_notice(title="中秋活动预告") -> NoticePage:
    index = NoticeIndexPage.objects.child_of(HomePage.objects.get()).get()
    notice = NoticePage(title=title, category=NoticeCategory.EVENT, body=[("paragraph_block", "<p>x</p>")])
    index.add_child(instance=notice)
    notice.save_revision().publish()
    return notice


def test_link_an_existing_notice_instead(alpha):
    existing = _existing_notice()
    activity = make()
    activity_notice_link(acting_user=None, activity=activity, notice=existing)
    activity_publicity_tick(acting_user=None, activity=activity, channel="notice")
    activity_publicise(acting_user=None, activity=activity)
    activity.refresh_from_db()
    assert activity.notice_page_id == existing.pk
    assert NoticePage.objects.count() == 1
    assert notice_for_activity(acting_user=None, activity=activity).pk == existing.pk
    with pytest.raises(ValidationError):
        activity_notice_link(acting_user=None, activity=activity, notice=HomePage.objects.get())
    with pytest.raises(ValidationError):
        activity_notice_link(acting_user=None, activity=activity, notice=None)


def test_detail_shows_notice_links_and_forms(admin_client):
    activity = make()
    url = reverse("activities:inspect", args=[activity.pk])
    page = admin_client.get(url).content.decode()
    assert reverse("activities:action", args=[activity.pk, "notice_create"]) in page
    response = admin_client.post(reverse("activities:action", args=[activity.pk, "notice_create"]))
    assert response.status_code == 302
    activity.refresh_from_db()
    notice = activity.notice_page.specific
    page = admin_client.get(url).content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[notice.pk]) in page
    assert f"{notice.url}poster/" in page
    assert notice.title in page


def test_link_view_and_bad_input(admin_client):
    existing = _existing_notice("国庆游园活动预告")
    activity = make()
    url = reverse("activities:action", args=[activity.pk, "notice_link"])
    assert (
        "国庆游园活动预告"
        in admin_client.get(reverse("activities:inspect", args=[activity.pk])).content.decode()
    )
    assert admin_client.post(url, {"notice": ""}).status_code == 400
    assert admin_client.post(url, {"notice": "abc"}).status_code == 400
    assert admin_client.post(url, {"notice": "999999"}).status_code == 400
    activity.refresh_from_db()
    assert activity.notice_page_id is None
    assert admin_client.post(url, {"notice": str(existing.pk)}).status_code == 302
    activity.refresh_from_db()
    assert activity.notice_page_id == existing.pk


def test_other_centers_notice_cannot_be_linked(center_a, center_b, client_a, in_center):
    with in_center(center_b):
        beta_notice = _existing_notice("贝塔的活动预告")
        beta_pk = beta_notice.pk
    connection.set_tenant(center_a)
    assert client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
    activity = make()
    page = client_a.get(reverse("activities:inspect", args=[activity.pk])).content.decode()
    assert "贝塔的活动预告" not in page
    # alpha has no event notice at all: beta's page id is not among the choices
    assert not NoticePage.objects.filter(category=NoticeCategory.EVENT).exists()
    response = client_a.post(
        reverse("activities:action", args=[activity.pk, "notice_link"]), {"notice": str(beta_pk)}
    )
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.notice_page_id is None


def test_notice_of_a_past_activity_is_not_listed(alpha):
    from cms.models import live_notices

    starts_at = timezone.now() - dt.timedelta(days=3)
    past = activity_create(
        acting_user=None,
        kind=Activity.Kind.BIRTHDAY_PARTY,
        title="已结束的生日会",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place="活动室",
    )
    coming = make(title="即将举办的义诊")
    old = notice_for_activity(acting_user=None, activity=past, date=starts_at.date())
    new = notice_for_activity(acting_user=None, activity=coming)
    listed = set(live_notices().values_list("pk", flat=True))
    assert new.pk in listed and old.pk not in listed
    assert old.date == starts_at.date()
