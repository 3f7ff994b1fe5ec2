"""Named reads of surveys: results computed by the database (aggregates, not Python loops)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from operations.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse

COMMENTS_SHOWN = 100


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int
    ratings: int
    average: float | None
    satisfied: int
    options: list[tuple[str, int]] = field(default_factory=list)

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of ratings 4–5 (0–100), None without ratings."""
        return round(100 * self.satisfied / self.ratings, 1) if self.ratings else None


@dataclass
class SurveyResults:
    response_count: int
    rating_count: int
    satisfied_count: int
    average: float | None
    questions: list[QuestionResult]
    comments: list[dict]

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of all ratings that are 4 or 5 (0–100), None without ratings."""
        return round(100 * self.satisfied_count / self.rating_count, 1) if self.rating_count else None


def _answer_scope(
    *, survey: Survey | None, start: dt.date | None, end: dt.date | None, prefix: str = ""
) -> Q:
    q = Q()
    if survey is not None:
        q &= Q(**{f"{prefix}response__survey": survey})
    if start is not None:
        q &= Q(**{f"{prefix}response__created__date__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}response__created__date__lte": end})
    return q


def survey_results(
    *,
    survey: Survey | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    comments_limit: int = COMMENTS_SHOWN,
) -> SurveyResults:
    """Results of one survey, or of all surveys answered in a period (or both filters).

    Three queries whatever the number of answers: the questions with their per-question
    aggregates, one aggregate for the response count, overall figures and option counts, and
    the latest free-text comments.
    """
    in_scope = _answer_scope(survey=survey, start=start, end=end, prefix="answers__")
    if survey is not None:
        questions = SurveyQuestion.objects.filter(template_id=survey.template_id)
    else:
        questions = SurveyQuestion.objects.filter(
            Exists(
                SurveyAnswer.objects.filter(
                    _answer_scope(survey=None, start=start, end=end), question=OuterRef("pk")
                )
            )
        )
    questions = list(
        questions.annotate(
            n_answered=Count("answers", filter=in_scope),
            n_ratings=Count("answers__rating", filter=in_scope),
            avg_rating=Avg("answers__rating", filter=in_scope),
            n_satisfied=Count("answers__rating", filter=in_scope & Q(answers__rating__gte=4)),
        ).order_by("template_id", "sort_order", "pk")
    )

    answers = SurveyAnswer.objects.filter(_answer_scope(survey=survey, start=start, end=end))
    aggregates = {
        "responses": Count("response_id", distinct=True),
        "ratings": Count("rating"),
        "satisfied": Count("rating", filter=Q(rating__gte=4)),
        "average": Avg("rating"),
    }
    choice_questions = [
        q for q in questions if q.kind in (SurveyQuestion.Kind.SINGLE, SurveyQuestion.Kind.MULTIPLE)
    ]
    for question in choice_questions:
        for i, option in enumerate(question.option_list):
            aggregates[f"q{question.pk}_{i}"] = Count(
                "id", filter=Q(question_id=question.pk, choices__contains=[option])
            )
    totals = answers.aggregate(**aggregates)

    comments = list(
        answers.filter(question__kind=SurveyQuestion.Kind.TEXT)
        .exclude(text="")
        .order_by("-response__created", "-pk")
        .values("text", "question__text", "response__created", "response__source")[:comments_limit]
    )

    results = []
    for question in questions:
        options = [(option, totals[f"q{question.pk}_{i}"]) for i, option in enumerate(question.option_list)]
        results.append(
            QuestionResult(
                question=question,
                answered=question.n_answered,
                ratings=question.n_ratings,
                average=round(question.avg_rating, 2) if question.avg_rating is not None else None,
                satisfied=question.n_satisfied,
                options=options if question in choice_questions else [],
            )
        )
    return SurveyResults(
        response_count=totals["responses"],
        rating_count=totals["ratings"],
        satisfied_count=totals["satisfied"],
        average=round(totals["average"], 2) if totals["average"] is not None else None,
        questions=results,
        comments=comments,
    )


def surveys_list() -> QuerySet[Survey]:
    """Survey runs with their template, work order and counts of invitations and responses."""
    return Survey.objects.select_related("template", "work_order").annotate(
        n_responses=_count_of(SurveyResponse.objects.filter(survey=OuterRef("pk"))),
        n_invitations=_count_of(SurveyInvitation.objects.filter(survey=OuterRef("pk"))),
    )


def _count_of(queryset: QuerySet) -> Subquery:
    counted = queryset.order_by().values("survey").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def survey_invitations(*, survey: Survey, unused_only: bool = False) -> QuerySet[SurveyInvitation]:
    invitations = survey.invitations.select_related("unit__building").order_by("pk")
    if unused_only:
        invitations = invitations.filter(used_at__isnull=True)
    return invitations


def survey_responses(*, survey: Survey) -> QuerySet[SurveyResponse]:
    return survey.responses.select_related("entered_by").order_by("-created")
