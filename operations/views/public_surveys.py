"""The public survey page on a center's host: residents answer by a one-time token, no account.

A token belongs to one center's schema, so another center's host does not know it (404).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from operations.models import SurveyInvitation
from operations.services.surveys import survey_answer_by_token
from operations.views.surveys import answers_from_post, error_lists, question_rows


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
    context = {"center": getattr(request, "tenant", None), **context}
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
