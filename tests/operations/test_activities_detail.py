"""The activity page with everything on it (notice, photos, survey, report): flat queries, isolation."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from PIL import Image as PILImage

from cms.services.reports import activity_report_draft
from operations.models import Activity, SurveyQuestion
from operations.services.activities import (
    activity_attendance_set,
    activity_create,
    activity_hold,
    activity_participant_add,
    activity_photo_add,
    activity_publicise,
    activity_publicity_tick,
    activity_survey_start,
)
from operations.services.surveys import survey_response_enter
from tests.base import TEST_PASSWORD

DETAIL_MAX_QUERIES = 40


def jpeg(i: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    PILImage.new("RGB", (80, 60), (i * 30 % 255, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile(f"p{i}.jpg", out.getvalue(), content_type="image/jpeg")


def full_activity(title="中秋社区义诊") -> Activity:
    starts_at = timezone.now() - dt.timedelta(hours=3)
    activity = activity_create(
        acting_user=None,
        kind=Activity.Kind.REPAIR_DAY,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place="中心广场",
        partner_name="社区医院",
    )
    activity_publicity_tick(acting_user=None, activity=activity, channel="notice")
    activity_publicise(acting_user=None, activity=activity)
    participant = activity_participant_add(
        acting_user=None, activity=activity, name="张阿姨", phone="13900001111"
    )
    activity_attendance_set(acting_user=None, participant=participant, attended=True)
    activity = activity_hold(acting_user=None, activity=activity)
    activity_photo_add(acting_user=None, activity=activity, file=jpeg(0))
    survey = activity_survey_start(acting_user=None, activity=activity)
    answer(survey, 5)
    activity_report_draft(acting_user=None, activity=activity)
    return activity


def answer(survey, rating):
    ratings = {q.pk: rating for q in survey.template.questions.all() if q.kind == SurveyQuestion.Kind.RATING}
    survey_response_enter(survey=survey, answers=ratings)


def test_detail_page_queries_do_not_grow(admin_client, django_assert_max_num_queries):
    activity = full_activity()
    url = reverse("activities:inspect", args=[activity.pk])
    admin_client.get(url)  # thumbnails are rendered once
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES) as first:
        page = admin_client.get(url).content.decode()
    baseline = len(first)
    for section in ("notice_create", "survey_start", "report_draft"):
        assert f'action="{reverse("activities:action", args=[activity.pk, section])}"' not in page
    activity.refresh_from_db()
    assert reverse("wagtailadmin_pages:edit", args=[activity.notice_page_id]) in page
    assert reverse("wagtailadmin_pages:edit", args=[activity.report_pages.get().pk]) in page
    survey = activity.surveys.get()
    for i in range(1, 8):
        activity_participant_add(
            acting_user=None, activity=activity, name=f"居民{i}", phone=f"1390000{i:04d}"
        )
        activity_photo_add(acting_user=None, activity=activity, file=jpeg(i))
        answer(survey, 4)
    admin_client.get(url)
    with django_assert_max_num_queries(baseline):
        page = admin_client.get(url).content.decode()
    assert "居民7" in page and page.count("<img") >= 8


def test_center_b_activity_page_not_reachable_from_center_a(center_a, center_b, client_a, in_center):
    with in_center(center_b):
        secret = full_activity("贝塔中秋维修日")
        pk = secret.pk
    connection.set_tenant(center_a)
    assert client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
    assert not Activity.objects.filter(pk=pk).exists()
    assert client_a.get(reverse("activities:inspect", args=[pk])).status_code == 404
    for name in ("photos", "notice_create", "notice_link", "survey_start", "report_draft"):
        assert client_a.post(reverse("activities:action", args=[pk, name])).status_code == 404
    listing = client_a.get(reverse("activities:index")).content.decode()
    assert "贝塔中秋维修日" not in listing
