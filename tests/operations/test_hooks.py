"""The activity area and the website through ``operations.hooks`` (DESIGN.md "Layers")."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

import pytest

from cms.models import NoticePage
from cms.services.notices import notice_for_activity
from cms.services.reports import activity_report_draft
from operations import hooks
from operations.selectors.activities import activity_notice_choices, activity_report_page
from operations.services.activities import (
    activity_create,
    activity_notice_link,
    activity_publicise,
    activity_publicity_tick,
)


@pytest.fixture
def alpha(center_a):
    connection.set_tenant(center_a)
    return center_a


def make():
    starts_at = timezone.now() + dt.timedelta(days=10)
    return activity_create(
        acting_user=None,
        kind="free_clinic",
        title="社区义诊",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=3),
        place="中心广场",
    )


def test_cms_registers_the_website_of_activities():
    website = hooks.activity_website()
    assert website.notice_publish is notice_for_activity
    assert website.report_draft is activity_report_draft


def test_without_a_website_activities_still_work(alpha, monkeypatch, zh):
    monkeypatch.setattr(hooks, "_activity_website", hooks.NO_WEBSITE)
    activity = make()
    activity_publicity_tick(acting_user=None, activity=activity, channel="notice")
    activity = activity_publicise(acting_user=None, activity=activity)
    assert activity.status == "publicised" and activity.notice_page_id is None
    assert not NoticePage.objects.exists()
    assert list(activity_notice_choices()) == []
    assert activity_report_page(activity=activity) is None
    with pytest.raises(ValidationError, match="网站"):
        hooks.activity_website().notice_publish(acting_user=None, activity=activity)
    with pytest.raises(ValidationError) as err:
        activity_notice_link(acting_user=None, activity=activity, notice=NoticePage(pk=1))
    assert "notice" in err.value.message_dict
