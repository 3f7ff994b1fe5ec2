"""Builders of test records, in the current schema (the test sets the tenant first).

Fixtures live in ``tests/conftest.py``; these are plain functions so that fixtures, tests and
helpers all build the same records the same way.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from operations.models import (
    Activity,
    Building,
    Elder,
    ElderConsent,
    Resident,
    RiskTier,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    Unit,
)
from operations.services.activities import activity_create
from tests.base import TEST_PASSWORD


def make_user(
    username: str,
    group: str | None = None,
    first_name: str = "",
    *,
    groups: tuple[str, ...] = (),
    perms: tuple[str, ...] = (),
    password: str = TEST_PASSWORD,
    **fields,
):
    """A staff user in ``group`` (and ``groups``, by their Chinese names) with extra ``perms``
    ("app_label.codename"); signs in with ``password``."""
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first_name, **fields
    )
    names = ((group,) if group else ()) + tuple(groups)
    if names:
        user.groups.add(*(Group.objects.get(name=name) for name in names))
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def make_activity(
    title: str = "社区义诊", *, kind=Activity.Kind.FREE_CLINIC, started_hours_ago: int = 2
) -> Activity:
    """An activity that began ``started_hours_ago`` hours ago and lasted an hour (planned: not yet held)."""
    starts_at = timezone.now() - dt.timedelta(hours=started_hours_ago)
    return activity_create(
        acting_user=None,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        place="中心广场",
    )


def make_unit(building: str = "3号楼", entrance: str = "2单元", room: str = "1201") -> Unit:
    """The unit (and its building), created when missing."""
    block, _ = Building.objects.get_or_create(name=building)
    unit, _ = Unit.objects.get_or_create(building=block, entrance=entrance, room=room)
    return unit


def bulk_responses(survey, questions, ratings: list[int], *, created=None) -> None:
    """Responses straight into the tables (fast), one per rating; every rating question gets that rating."""
    rating_questions = questions[SurveyQuestion.Kind.RATING]
    single = questions[SurveyQuestion.Kind.SINGLE][0]
    text = questions[SurveyQuestion.Kind.TEXT][0]
    responses = SurveyResponse.objects.bulk_create(
        SurveyResponse(survey=survey, source=SurveyResponse.Source.PAPER) for _ in ratings
    )
    if created:
        SurveyResponse.objects.filter(pk__in=[r.pk for r in responses]).update(created=created)
    answers = []
    for i, (response, rating) in enumerate(zip(responses, ratings, strict=True)):
        answers += [SurveyAnswer(response=response, question=q, rating=rating) for q in rating_questions]
        answers.append(
            SurveyAnswer(response=response, question=single, choices=["电话" if i % 2 else "到前台"])
        )
        if i % 10 == 0:
            answers.append(SurveyAnswer(response=response, question=text, text=f"意见{i}"))
    SurveyAnswer.objects.bulk_create(answers)


def answer_post(questions, rating="5"):
    """The form data of a public survey page answering every question."""
    data = {}
    for question in questions:
        key = f"q{question.pk}"
        if question.kind == SurveyQuestion.Kind.RATING:
            data[key] = rating
        elif question.kind == SurveyQuestion.Kind.SINGLE:
            data[key] = question.option_list[0]
        elif question.kind == SurveyQuestion.Kind.MULTIPLE:
            data[key] = question.option_list[:2]
        else:
            data[key] = "服务很好，谢谢！"
    return data


def make_manager(username: str = "kehu", first_name: str = "陈主任"):
    """A customer manager (客户主任) of the current center, created once per test."""
    user = get_user_model().objects.filter(username=username).first()
    return user or make_user(username, "客户主任", first_name)


def make_elder(
    name: str = "李秀英",
    *,
    unit: Unit | None = None,
    manager=None,
    risk_tier: str = RiskTier.GENERAL,
    birth_date: dt.date = dt.date(1942, 3, 5),
    health_consent: bool = False,
    registered_on: dt.date | None = None,
    **fields,
) -> Elder:
    """An active elder on the registry with the registry consent, built directly.

    Registered a month ago unless told otherwise, so that a visit "a few hours ago" is never before
    the registration, whatever the time of day the suite runs (CI ran once just after midnight)."""
    today = timezone.localdate()
    registered_on = registered_on or today - dt.timedelta(days=30)
    unit = unit or make_unit(room=str(1000 + Elder.objects.count() + 1))
    resident = Resident.objects.create(unit=unit, name=name, phone=fields.pop("resident_phone", ""))
    elder = Elder.objects.create(
        resident=resident,
        birth_date=birth_date,
        gender=fields.pop("gender", Elder.Gender.FEMALE),
        manager=manager or make_manager(),
        risk_tier=risk_tier,
        status_since=registered_on,
        registered_on=registered_on,
        registry_consent=True,
        health_consent=health_consent,
        **fields,
    )
    kinds = [ElderConsent.Kind.REGISTRY] + ([ElderConsent.Kind.HEALTH] if health_consent else [])
    for kind in kinds:
        ElderConsent.objects.create(elder=elder, kind=kind, given_on=elder.registered_on, method="signed")
    return elder
