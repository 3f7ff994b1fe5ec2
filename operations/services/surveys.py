"""Satisfaction surveys (满意度调查): templates, survey runs, one-time invitations and answers.

Residents answer through a link (or its QR code) without an account, once per invitation
token; staff enter answers from paper forms. Results are computed in the database
(``operations.selectors.surveys``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.data.surveys import DEFAULT_QUESTIONS, DEFAULT_TEMPLATE_DESCRIPTION, DEFAULT_TEMPLATE_NAME
from operations.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
    Unit,
    WorkOrder,
)
from operations.services.common import audit_record, user_or_none
from operations.validators import normalize_phone, validate_phone

#: Statuses of a work order that may be followed by a satisfaction callback survey.
SURVEYABLE_WORK_ORDER_STATUSES = (
    WorkOrder.Status.COMPLETED,
    WorkOrder.Status.CALLED_BACK,
    WorkOrder.Status.CLOSED,
)
MAX_INVITATIONS_AT_ONCE = 500


def surveys_install_defaults() -> SurveyTemplate:
    """The default template 服务满意度调查 (idempotent: an existing template is left as the center edited it)."""
    template, created = SurveyTemplate.objects.get_or_create(
        name=DEFAULT_TEMPLATE_NAME, defaults={"description": DEFAULT_TEMPLATE_DESCRIPTION}
    )
    if created:
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(
                template=template, text=text, kind=kind, options=options, required=required, sort_order=i
            )
            for i, (text, kind, options, required) in enumerate(DEFAULT_QUESTIONS)
        )
    return template


@transaction.atomic
def survey_create(
    *,
    title: str,
    template: SurveyTemplate,
    acting_user=None,
    scope: str = Survey.Scope.CENTER,
    work_order: WorkOrder | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    activity=None,
    is_public: bool = False,
) -> Survey:
    """Start a survey run: center-wide for a period, the callback of a completed work order, or
    the survey of a held activity. ``is_public``: residents may answer without an invitation."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the survey a title.")})
    if template is None or not template.is_active:
        raise ValidationError({"template": _("Choose an active survey template.")})
    if not template.questions.exists():
        raise ValidationError({"template": _("This survey template has no questions.")})
    if scope == Survey.Scope.WORK_ORDER:
        if work_order is None:
            raise ValidationError({"work_order": _("Choose the work order this callback survey is about.")})
        if work_order.status not in SURVEYABLE_WORK_ORDER_STATUSES:
            raise ValidationError(
                {"work_order": _("A callback survey can only be sent for a completed work order.")}
            )
    elif scope == Survey.Scope.ACTIVITY:
        work_order = None
        if activity is None:
            raise ValidationError({"activity": _("Choose the activity this survey is about.")})
    elif scope == Survey.Scope.CENTER:
        work_order = None
        if not period_start or not period_end:
            raise ValidationError({"period_start": _("Give the period of a center-wide survey.")})
    elif scope not in Survey.Scope.values:
        raise ValidationError({"scope": _("Choose what the survey is about.")})
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": _("The end of the period is before its start.")})
    if scope != Survey.Scope.ACTIVITY:
        activity = None
    survey = Survey(
        title=title,
        template=template,
        scope=scope,
        work_order=work_order,
        activity=activity,
        is_public=bool(is_public),
        period_start=period_start,
        period_end=period_end,
        created_by=user_or_none(acting_user),
    )
    survey.full_clean()
    survey.save()
    audit_record(
        instance=survey,
        action="survey_create",
        acting_user=acting_user,
        changes={
            "template": template.pk,
            "scope": scope,
            "work_order": work_order.pk if work_order else None,
            "activity": activity.pk if activity else None,
        },
    )
    return survey


@transaction.atomic
def survey_create_for_work_order(
    *, work_order: WorkOrder, acting_user=None
) -> tuple[Survey, SurveyInvitation]:
    """The callback survey of a completed work order, with one invitation for its contact."""
    template = SurveyTemplate.objects.filter(name=DEFAULT_TEMPLATE_NAME, is_active=True).first()
    if template is None:
        template = surveys_install_defaults()
    survey = survey_create(
        title=_("Callback for work order %(number)s") % {"number": work_order.number},
        template=template,
        scope=Survey.Scope.WORK_ORDER,
        work_order=work_order,
        acting_user=acting_user,
    )
    phone = work_order.contact_phone or (work_order.resident.phone if work_order.resident_id else "")
    [invitation] = survey_invite(
        survey=survey,
        recipients=[{"name": work_order.contact_name, "phone": phone, "unit": work_order.unit}],
        acting_user=acting_user,
    )
    return survey, invitation


@transaction.atomic
def survey_set_open(*, survey: Survey, is_open: bool, acting_user=None) -> Survey:
    """Open or close a survey for answers."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.is_open == is_open:
        return survey
    survey.is_open = is_open
    survey.save(update_fields=["is_open", "updated"])
    audit_record(
        instance=survey,
        action="survey_set_open",
        acting_user=acting_user,
        changes={"is_open": [not is_open, is_open]},
    )
    return survey


def _new_token() -> str:
    return secrets.token_urlsafe(16)[:22]


@transaction.atomic
def survey_invite(
    *,
    survey: Survey,
    acting_user=None,
    count: int = 0,
    recipients: Iterable[Mapping] = (),
) -> list[SurveyInvitation]:
    """Create one-time invitation tokens: ``count`` anonymous ones and/or one per recipient.

    A recipient is a mapping with optional ``name``, ``phone`` and ``unit``.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.is_open:
        raise ValidationError(_("This survey is closed for answers."))
    recipients = list(recipients)
    try:
        count = int(count or 0)
    except (TypeError, ValueError):
        raise ValidationError({"count": _("Enter how many invitations to create.")}) from None
    if count < 0 or count + len(recipients) < 1:
        raise ValidationError({"count": _("Enter how many invitations to create.")})
    if count + len(recipients) > MAX_INVITATIONS_AT_ONCE:
        raise ValidationError(
            {
                "count": _("At most %(max)d invitations can be created at once.")
                % {"max": MAX_INVITATIONS_AT_ONCE}
            }
        )
    invitations = []
    for recipient in recipients:
        phone = (recipient.get("phone") or "").strip()
        if phone:
            try:
                validate_phone(phone)
            except ValidationError as error:
                raise ValidationError({"recipients": error.messages}) from None
            phone = normalize_phone(phone)
        unit = recipient.get("unit")
        invitations.append(
            SurveyInvitation(
                survey=survey,
                token=_new_token(),
                recipient_name=(recipient.get("name") or "").strip()[:50],
                recipient_phone=phone,
                unit=unit if isinstance(unit, Unit) else None,
            )
        )
    invitations += [SurveyInvitation(survey=survey, token=_new_token()) for _i in range(count)]
    created = SurveyInvitation.objects.bulk_create(invitations)
    audit_record(
        instance=survey,
        action="survey_invite",
        acting_user=acting_user,
        changes={"invitations": len(created)},
    )
    return created


def _as_rating(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        rating = value
    else:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit():
            return None
        rating = int(text)
    return rating if 1 <= rating <= 5 else None


def _clean_answers(*, survey: Survey, answers: Mapping) -> list[SurveyAnswer]:
    """Validate ``answers`` ({question id or question: value}) against the survey's questions.

    A rating is an integer 1–5; a single choice one of the options; a multiple choice a list
    of options; free text a string. Raises one ValidationError naming every problem.
    """
    by_id = {}
    for key, value in answers.items():
        qid = key.pk if isinstance(key, SurveyQuestion) else key
        try:
            by_id[int(qid)] = value
        except (TypeError, ValueError):
            continue
    errors: dict[str, list[str]] = {}
    cleaned = []
    for question in survey.template.questions.all():
        field = f"q{question.pk}"
        value = by_id.get(question.pk)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", [], ()):
            if question.required:
                errors[field] = [_("Please answer this question.")]
            continue
        answer = SurveyAnswer(question=question)
        if question.kind == SurveyQuestion.Kind.RATING:
            rating = _as_rating(value)
            if rating is None:
                errors[field] = [_("A rating must be a whole number from 1 to 5.")]
                continue
            answer.rating = rating
        elif question.kind in (SurveyQuestion.Kind.SINGLE, SurveyQuestion.Kind.MULTIPLE):
            values = [value] if isinstance(value, str) else [str(v).strip() for v in value]
            values = [v for v in values if v]
            options = question.option_list
            if any(v not in options for v in values):
                errors[field] = [_("Choose from the options given.")]
                continue
            if question.kind == SurveyQuestion.Kind.SINGLE and len(values) > 1:
                errors[field] = [_("Choose one option only.")]
                continue
            answer.choices = list(dict.fromkeys(values))
        else:
            answer.text = str(value)[:2000]
        cleaned.append(answer)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save_response(*, survey: Survey, answers: list[SurveyAnswer], **fields) -> SurveyResponse:
    response = SurveyResponse(survey=survey, **fields)
    response.full_clean()
    response.save()
    for answer in answers:
        answer.response = response
    SurveyAnswer.objects.bulk_create(answers)
    return response


@transaction.atomic
def survey_answer_by_token(*, token: str, answers: Mapping) -> SurveyResponse:
    """A resident's answer through a one-time link; a token answers once."""
    invitation = (
        SurveyInvitation.objects.select_for_update()
        .select_related("survey__template")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise ValidationError(_("This survey link is not valid."), code="unknown_token")
    if invitation.used_at is not None:
        raise ValidationError(
            _("This survey link has already been used: each link can be answered once."), code="used"
        )
    survey = invitation.survey
    if not survey.is_open:
        raise ValidationError(_("This survey is closed for answers."), code="closed")
    cleaned = _clean_answers(survey=survey, answers=answers)
    if not cleaned:
        raise ValidationError(_("Please answer at least one question."), code="empty")
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    response = _save_response(
        survey=survey, answers=cleaned, invitation=invitation, source=SurveyResponse.Source.WEB
    )
    audit_record(instance=response, action="survey_answer_by_token", changes={"answers": len(cleaned)})
    return response


@transaction.atomic
def survey_response_enter(
    *,
    survey: Survey,
    answers: Mapping,
    acting_user=None,
    source: str = SurveyResponse.Source.PAPER,
) -> SurveyResponse:
    """Staff enter an answer from a paper form (or a phone callback)."""
    if source not in (SurveyResponse.Source.PAPER, SurveyResponse.Source.CALLBACK):
        raise ValidationError({"source": _("Choose where the answer comes from.")})
    survey = Survey.objects.select_related("template").get(pk=survey.pk)
    cleaned = _clean_answers(survey=survey, answers=answers)
    if not cleaned:
        raise ValidationError(_("Please answer at least one question."), code="empty")
    response = _save_response(
        survey=survey,
        answers=cleaned,
        source=source,
        entered_by=user_or_none(acting_user),
    )
    audit_record(
        instance=response,
        action="survey_response_enter",
        acting_user=acting_user,
        changes={"source": source, "answers": len(cleaned)},
    )
    return response


@transaction.atomic
def survey_answer_public(*, survey: Survey, answers: Mapping) -> SurveyResponse:
    """A resident's answer from the center's website to a survey open to everyone (no invitation)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.is_public:
        raise ValidationError(_("This survey is not open to the public."), code="not_public")
    if not survey.accepts_answers():
        raise ValidationError(_("This survey is closed for answers."), code="closed")
    cleaned = _clean_answers(survey=survey, answers=answers)
    if not cleaned:
        raise ValidationError(_("Please answer at least one question."), code="empty")
    response = _save_response(survey=survey, answers=cleaned, source=SurveyResponse.Source.WEB)
    audit_record(instance=response, action="survey_answer_public", changes={"answers": len(cleaned)})
    return response
