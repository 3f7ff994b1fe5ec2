"""The satisfaction survey after an activity: started from the activity, invitations, results on it."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

import pytest

from operations.models import AuditEntry, Survey, SurveyQuestion
from operations.selectors.activities import activity_figures
from operations.services.activities import (
    activity_attendance_set,
    activity_hold,
    activity_participant_add,
    activity_publicise,
    activity_publicity_tick,
    activity_survey_start,
)
from operations.services.surveys import survey_answer_by_token, survey_create, survey_response_enter
from operations.sms import LocmemSmsBackend
from tests.factories import make_activity, make_user

make = make_activity


def held(title="社区义诊", guests=()):
    activity = make(title)
    for name, phone, attended in guests:
        participant = activity_participant_add(acting_user=None, activity=activity, name=name, phone=phone)
        if attended:
            activity_attendance_set(acting_user=None, participant=participant, attended=True)
    activity_publicity_tick(acting_user=None, activity=activity, channel="banner")
    activity_publicise(acting_user=None, activity=activity)
    return activity_hold(acting_user=None, activity=activity)


GUESTS = [
    ("张阿姨", "13900001111", True),
    ("李叔叔", "13900002222", True),
    ("王奶奶", "", True),  # no phone: not invited
    ("赵先生", "13900003333", False),  # did not come: not invited
    ("张阿姨的女儿", "13900001111", True),  # same phone: one invitation
]


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    LocmemSmsBackend.outbox.clear()


def _rating_answers(survey, rating):
    return {q.pk: rating for q in survey.template.questions.all() if q.kind == SurveyQuestion.Kind.RATING}


def test_survey_started_public_open_and_participants_invited(alpha, django_capture_on_commit_callbacks):
    activity = held(guests=GUESTS)
    with django_capture_on_commit_callbacks(execute=True):
        survey = activity_survey_start(acting_user=None, activity=activity)
    assert survey.scope == Survey.Scope.ACTIVITY
    assert survey.activity == activity and survey.is_public and survey.is_open
    assert survey.template.questions.exists()
    phones = sorted(survey.invitations.values_list("recipient_phone", flat=True))
    assert phones == ["13900001111", "13900002222"]
    assert len(LocmemSmsBackend.outbox) == 2
    phone, message = LocmemSmsBackend.outbox[0]
    token = survey.invitations.get(recipient_phone=phone).token
    assert f"http://alpha.localhost/survey/{token}/" in message
    assert AuditEntry.objects.filter(action="activity_survey_start", object_id=str(activity.pk)).exists()
    # one survey per activity
    with pytest.raises(ValidationError):
        activity_survey_start(acting_user=None, activity=activity)


def test_without_attendance_everyone_with_a_phone_is_invited(alpha, django_capture_on_commit_callbacks):
    activity = held(guests=[("甲", "13900004444", False), ("乙", "13900005555", False), ("丙", "", False)])
    with django_capture_on_commit_callbacks(execute=True):
        survey = activity_survey_start(acting_user=None, activity=activity, send_sms=False)
    assert survey.invitations.count() == 2
    assert LocmemSmsBackend.outbox == []  # demo data: invitations without messages


def test_survey_without_participants_has_no_invitations(alpha):
    survey = activity_survey_start(acting_user=None, activity=held())
    assert survey.invitations.count() == 0 and survey.is_public


def test_only_after_the_activity_is_held(alpha):
    with pytest.raises(ValidationError):
        activity_survey_start(acting_user=None, activity=make())
    assert not Survey.objects.exists()


def test_survey_create_accepts_an_activity(alpha):
    from operations.services.surveys import surveys_install_defaults

    template = surveys_install_defaults()
    activity = held()
    survey = survey_create(
        title="活动调查", template=template, scope=Survey.Scope.ACTIVITY, activity=activity
    )
    assert survey.activity == activity and not survey.is_public
    with pytest.raises(ValidationError):
        survey_create(title="活动调查", template=template, scope=Survey.Scope.ACTIVITY)
    # the activity is kept only for an activity survey
    other = survey_create(
        title="全中心",
        template=template,
        activity=activity,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
    )
    assert other.activity is None


def test_results_and_figures(alpha):
    activity = held(guests=GUESTS)
    survey = activity_survey_start(acting_user=None, activity=activity)
    token = survey.invitations.first().token
    survey_answer_by_token(token=token, answers=_rating_answers(survey, 5))
    survey_response_enter(survey=survey, answers=_rating_answers(survey, 2))
    text = next(q for q in survey.template.questions.all() if q.kind == SurveyQuestion.Kind.TEXT)
    survey_response_enter(survey=survey, answers={**_rating_answers(survey, 4), text.pk: "很好"})
    figures = activity_figures(activity)
    assert figures["responses"] == 3
    assert figures["satisfaction_rate"] == 66.7
    assert figures["participants"] == 4  # those who came


def test_detail_starts_survey_and_shows_results(admin_client, django_assert_max_num_queries):
    activity = held(guests=GUESTS)
    detail = reverse("activities:inspect", args=[activity.pk])
    page = admin_client.get(detail).content.decode()
    assert reverse("activities:action", args=[activity.pk, "survey_start"]) in page
    response = admin_client.post(reverse("activities:action", args=[activity.pk, "survey_start"]))
    assert response.status_code == 302
    survey = Survey.objects.get(activity=activity)
    survey_response_enter(survey=survey, answers=_rating_answers(survey, 4))
    with django_assert_max_num_queries(40) as first:
        page = admin_client.get(detail).content.decode()
    baseline = len(first)
    assert reverse("activities:action", args=[activity.pk, "survey_start"]) not in page
    assert reverse("surveys:inspect", args=[survey.pk]) in page
    assert reverse("surveys:invitations", args=[survey.pk]) in page
    public_link = f"http://alpha.localhost{reverse('public_survey_public_answer', args=[survey.pk])}"
    assert public_link in page
    resident = Client(HTTP_HOST="alpha.localhost")
    assert resident.get(public_link).status_code == 200
    assert "100.0%" in page  # satisfaction rate, overall and per question
    assert "4.0" in page or ">4<" in page  # per-question averages
    for _i in range(5):
        survey_response_enter(survey=survey, answers=_rating_answers(survey, 5))
    with django_assert_max_num_queries(baseline):
        admin_client.get(detail)
    # again: a message, no second survey, no 500
    response = admin_client.post(
        reverse("activities:action", args=[activity.pk, "survey_start"]), follow=True
    )
    assert response.status_code == 200
    assert Survey.objects.filter(activity=activity).count() == 1


def test_start_on_a_planned_activity_is_a_message(admin_client):
    activity = make()
    response = admin_client.post(
        reverse("activities:action", args=[activity.pk, "survey_start"]), follow=True
    )
    assert response.status_code == 200
    assert not Survey.objects.exists()


def test_survey_start_needs_survey_permission(alpha, client_a):
    activity = held()
    user = make_user(
        "planner",
        perms=("operations.change_activity", "operations.view_activity", "wagtailadmin.access_admin"),
    )
    client_a.force_login(user)
    client_a.post(reverse("activities:action", args=[activity.pk, "survey_start"]))
    assert not Survey.objects.exists()
    officer = make_user("wen", "社区文化活动专员")
    client_a.force_login(officer)
    client_a.post(reverse("activities:action", args=[activity.pk, "survey_start"]))
    assert Survey.objects.filter(activity=activity).exists()
