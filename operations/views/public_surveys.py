"""The public survey pages on a center's host, no account: answers by a one-time token, and
surveys open to every resident (``Survey.is_public``) listed at /surveys/.

A token or a survey belongs to one center's schema, so another center's host does not know it (404).
Answers to public surveys are rate-limited per client and have the honeypot field of the other
resident forms.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from operations import ratelimit
from operations.forms.public import HONEYPOT_FIELD
from operations.forms.surveys import answers_from_post, error_lists, question_rows
from operations.models import Survey, SurveyInvitation
from operations.services.surveys import survey_answer_by_token, survey_answer_public
from operations.views.public_forms import render_public


def _invitation(token: str) -> SurveyInvitation:
    invitation = (
        SurveyInvitation.objects.select_related("survey__template").filter(token=token).first()
        if 8 <= len(token) <= 32
        else None
    )
    if invitation is None:
        raise Http404
    return invitation


def _page(request, template: str, context: dict, status: int = 200):
    return render(request, f"operations/surveys/{template}", context, status=status)


@never_cache
@csrf_protect
def survey_answer(request, token: str):
    invitation = _invitation(token)
    survey = invitation.survey
    if invitation.used_at is not None:
        return _page(request, "public_used.html", {"survey": survey}, status=410)
    if not survey.is_open:
        return _page(request, "public_closed.html", {"survey": survey}, status=410)
    questions = list(survey.template.questions.all())
    if request.method == "POST":
        answers = answers_from_post(questions, request.POST)
        try:
            survey_answer_by_token(token=token, answers=answers)
        except ValidationError as error:
            if getattr(error, "code", None) == "used":
                return _page(request, "public_used.html", {"survey": survey}, status=410)
            if getattr(error, "code", None) == "closed":
                return _page(request, "public_closed.html", {"survey": survey}, status=410)
            by_field, general = error_lists(error)
            return _page(
                request,
                "public_answer.html",
                {
                    "survey": survey,
                    "rows": question_rows(questions, answers, by_field),
                    "general_errors": general,
                },
            )
        return redirect("public_survey_thanks", token=token)
    return _page(request, "public_answer.html", {"survey": survey, "rows": question_rows(questions)})


@never_cache
def survey_thanks(request, token: str):
    invitation = _invitation(token)
    if invitation.used_at is None:
        return redirect("public_survey_answer", token=token)
    return _page(request, "public_thanks.html", {"survey": invitation.survey})


# --- Surveys open to every resident ---------------------------------------------------------------


def _public_survey(pk: int) -> Survey:
    survey = Survey.objects.select_related("template").filter(pk=pk, is_public=True).first()
    if survey is None:
        raise Http404
    return survey


@never_cache
def public_survey_list(request):
    today = timezone.localdate()
    surveys = (
        Survey.objects.filter(is_public=True, is_open=True)
        .filter(Q(period_start__isnull=True) | Q(period_start__lte=today))
        .filter(Q(period_end__isnull=True) | Q(period_end__gte=today))
        .select_related("template")
        .order_by("-created")
    )
    return render_public(request, "survey_list.html", {"surveys": surveys})


@never_cache
@csrf_protect
def public_survey_answer(request, pk: int):
    survey = _public_survey(pk)
    if not survey.accepts_answers():
        return _page(request, "public_closed.html", {"survey": survey}, status=410)
    questions = list(survey.template.questions.all())
    if request.method != "POST":
        return render_public(
            request, "survey_answer.html", {"survey": survey, "rows": question_rows(questions)}
        )
    answers = answers_from_post(questions, request.POST)
    form_name = f"survey-{survey.pk}"
    if ratelimit.submissions(form_name).exceeded(request) or ratelimit.attempts(form_name).hit_exceeds(
        request
    ):
        context = {"survey": survey, "rows": question_rows(questions, answers), "rate_limited": True}
        return render_public(request, "survey_answer.html", context, status=429)
    if (request.POST.get(HONEYPOT_FIELD) or "").strip():
        ratelimit.submissions(form_name).hit(request)
        return redirect("public_survey_public_thanks", pk=survey.pk)
    try:
        survey_answer_public(survey=survey, answers=answers)
    except ValidationError as error:
        if getattr(error, "code", None) in ("closed", "not_public"):
            return _page(request, "public_closed.html", {"survey": survey}, status=410)
        by_field, general = error_lists(error)
        context = {
            "survey": survey,
            "rows": question_rows(questions, answers, by_field),
            "general_errors": general,
        }
        return render_public(request, "survey_answer.html", context)
    ratelimit.submissions(form_name).hit(request)
    return redirect("public_survey_public_thanks", pk=survey.pk)


@never_cache
def public_survey_thanks(request, pk: int):
    return render_public(request, "survey_thanks.html", {"survey": _public_survey(pk)})
