"""Survey services and results: defaults, runs, one-time tokens, bad answers, aggregates in the database."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from operations.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
    WorkOrder,
)
from operations.selectors.surveys import survey_results, surveys_list
from operations.services import surveys as services
from operations.services.common import new_tracking_code
from tests.factories import bulk_responses, make_user


@pytest.fixture
def template(alpha):
    return services.surveys_install_defaults()


@pytest.fixture
def questions(template):
    by_kind = {}
    for question in template.questions.all():
        by_kind.setdefault(question.kind, []).append(question)
    return by_kind


@pytest.fixture
def survey(template):
    today = timezone.localdate()
    return services.survey_create(
        title="测试满意度调查",
        template=template,
        period_start=today,
        period_end=today + dt.timedelta(days=30),
    )


def full_answers(questions, *, rating=5, comment="很好"):
    """Answers to every question of the default template."""
    answers = {}
    for question in questions[SurveyQuestion.Kind.RATING]:
        answers[question.pk] = rating
    answers[questions[SurveyQuestion.Kind.SINGLE][0].pk] = "电话"
    answers[questions[SurveyQuestion.Kind.MULTIPLE][0].pk] = ["工具借用", "社区活动"]
    answers[questions[SurveyQuestion.Kind.TEXT][0].pk] = comment
    return answers


def required_only(questions, rating=4):
    return {q.pk: rating for q in questions[SurveyQuestion.Kind.RATING] if q.required}


class TestDefaults:
    def test_default_template_has_every_kind_and_is_installed_once(self, template):
        services.surveys_install_defaults()
        assert SurveyTemplate.objects.filter(name="服务满意度调查").count() == 1
        kinds = set(template.questions.values_list("kind", flat=True))
        assert kinds == {"rating", "single", "multiple", "text"}
        assert template.questions.count() == len(services.DEFAULT_QUESTIONS)

    def test_new_centers_get_the_default_template(self, alpha):
        from operations.services.defaults import center_defaults_install

        SurveyTemplate.objects.all().delete()
        center_defaults_install()
        assert SurveyTemplate.objects.filter(name="服务满意度调查").exists()


class TestSurveyCreate:
    def test_center_wide_survey_needs_a_period(self, template):
        with pytest.raises(ValidationError):
            services.survey_create(title="无期间", template=template)
        with pytest.raises(ValidationError):
            today = timezone.localdate()
            services.survey_create(
                title="倒序", template=template, period_start=today, period_end=today - dt.timedelta(days=1)
            )
        assert not Survey.objects.exists()

    def test_callback_survey_only_for_a_completed_work_order(self, template):
        order = WorkOrder.objects.create(
            number="GD202611270001",
            tracking_code=new_tracking_code(),
            description="水龙头漏水",
            status="in_progress",
            contact_name="王先生",
            contact_phone="13800001111",
        )
        with pytest.raises(ValidationError) as error:
            services.survey_create_for_work_order(work_order=order)
        assert "已完成" in error.value.messages[0]
        WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.COMPLETED)
        order.refresh_from_db()
        survey, invitation = services.survey_create_for_work_order(work_order=order)
        assert survey.scope == Survey.Scope.WORK_ORDER and survey.work_order == order
        assert invitation.recipient_phone == "13800001111" and invitation.used_at is None


class TestInvitationsAndAnswers:
    def test_invite_creates_unique_one_time_tokens(self, survey):
        invitations = services.survey_invite(survey=survey, count=20)
        tokens = {i.token for i in invitations}
        assert len(tokens) == 20 and all(len(t) >= 20 for t in tokens)
        with pytest.raises(ValidationError):
            services.survey_invite(survey=survey, count=0)
        with pytest.raises(ValidationError):
            services.survey_invite(survey=survey, recipients=[{"name": "李", "phone": "555"}])
        assert SurveyInvitation.objects.count() == 20

    def test_answer_by_token_once(self, survey, questions):
        [invitation] = services.survey_invite(survey=survey, count=1)
        response = services.survey_answer_by_token(token=invitation.token, answers=full_answers(questions))
        invitation.refresh_from_db()
        assert invitation.used_at is not None
        assert response.source == SurveyResponse.Source.WEB and response.invitation == invitation
        assert response.answers.count() == len(services.DEFAULT_QUESTIONS)
        multiple = response.answers.get(question__kind="multiple")
        assert multiple.choices == ["工具借用", "社区活动"]

        with pytest.raises(ValidationError) as error:
            services.survey_answer_by_token(token=invitation.token, answers=full_answers(questions))
        assert error.value.code == "used"
        assert "已被使用" in error.value.messages[0]
        assert SurveyResponse.objects.count() == 1 and SurveyAnswer.objects.count() == len(
            services.DEFAULT_QUESTIONS
        )

    @pytest.mark.parametrize("rating", [0, 6, -1, "6", "abc", "3.5", True])
    def test_out_of_range_rating_is_refused_and_nothing_written(self, survey, questions, rating):
        [invitation] = services.survey_invite(survey=survey, count=1)
        answers = full_answers(questions)
        first = questions[SurveyQuestion.Kind.RATING][0]
        answers[first.pk] = rating
        with pytest.raises(ValidationError) as error:
            services.survey_answer_by_token(token=invitation.token, answers=answers)
        assert "1 到 5" in error.value.message_dict[f"q{first.pk}"][0]
        invitation.refresh_from_db()
        assert invitation.used_at is None  # the resident may try again
        assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()

    def test_missing_required_answer_is_refused(self, survey, questions):
        [invitation] = services.survey_invite(survey=survey, count=1)
        answers = full_answers(questions)
        required = next(q for q in questions[SurveyQuestion.Kind.RATING] if q.required)
        del answers[required.pk]
        with pytest.raises(ValidationError) as error:
            services.survey_answer_by_token(token=invitation.token, answers=answers)
        assert error.value.message_dict[f"q{required.pk}"] == ["请回答此题。"]
        assert not SurveyResponse.objects.exists()
        # optional questions may be left out
        services.survey_answer_by_token(token=invitation.token, answers=required_only(questions))

    def test_choices_must_be_among_the_options(self, survey, questions):
        [invitation] = services.survey_invite(survey=survey, count=1)
        single = questions[SurveyQuestion.Kind.SINGLE][0]
        for bad in ("传真", ["电话", "网上"]):
            answers = full_answers(questions)
            answers[single.pk] = bad
            with pytest.raises(ValidationError) as error:
                services.survey_answer_by_token(token=invitation.token, answers=answers)
            assert f"q{single.pk}" in error.value.message_dict
        assert not SurveyResponse.objects.exists()

    def test_unknown_token_and_closed_survey(self, survey, questions):
        with pytest.raises(ValidationError) as error:
            services.survey_answer_by_token(token="nope-nope-nope", answers=full_answers(questions))
        assert error.value.code == "unknown_token"
        [invitation] = services.survey_invite(survey=survey, count=1)
        services.survey_set_open(survey=survey, is_open=False)
        with pytest.raises(ValidationError) as error:
            services.survey_answer_by_token(token=invitation.token, answers=full_answers(questions))
        assert error.value.code == "closed"
        with pytest.raises(ValidationError):
            services.survey_invite(survey=survey, count=1)

    def test_staff_enter_paper_answers(self, survey, questions, alpha):
        clerk = make_user("clerk_s", group="前台客服")
        response = services.survey_response_enter(
            survey=survey, answers=full_answers(questions), acting_user=clerk
        )
        assert response.source == SurveyResponse.Source.PAPER and response.entered_by == clerk
        assert response.invitation is None
        with pytest.raises(ValidationError):
            services.survey_response_enter(survey=survey, answers={}, acting_user=clerk)
        with pytest.raises(ValidationError):
            services.survey_response_enter(
                survey=survey, answers=full_answers(questions), source="web", acting_user=clerk
            )
        assert SurveyResponse.objects.count() == 1


class TestResults:
    def test_aggregates_are_correct(self, survey, questions):
        for rating in (5, 4, 2):
            [invitation] = services.survey_invite(survey=survey, count=1)
            services.survey_answer_by_token(
                token=invitation.token,
                answers=full_answers(questions, rating=rating, comment=f"评分{rating}"),
            )
        results = survey_results(survey=survey)
        assert results.response_count == 3
        assert results.satisfaction_rate == pytest.approx(66.7)
        assert results.average == pytest.approx(3.67)
        first = results.questions[0]
        assert first.question.kind == "rating"
        assert (first.answered, first.ratings, first.satisfied) == (3, 3, 2)
        assert first.average == pytest.approx(3.67)
        single = next(r for r in results.questions if r.question.kind == "single")
        assert dict(single.options)["电话"] == 3 and dict(single.options)["到前台"] == 0
        multiple = next(r for r in results.questions if r.question.kind == "multiple")
        assert dict(multiple.options) == {
            "工具借用": 3,
            "代购代缴": 0,
            "老人上门服务": 0,
            "社区活动": 3,
            "家政服务": 0,
        }
        assert sorted(c["text"] for c in results.comments) == ["评分2", "评分4", "评分5"]

    def test_two_hundred_answers_in_three_queries(self, survey, questions, django_assert_max_num_queries):
        ratings = [5] * 80 + [4] * 60 + [3] * 30 + [2] * 20 + [1] * 10
        bulk_responses(survey, questions, ratings)
        with django_assert_max_num_queries(3):
            results = survey_results(survey=survey)
        assert results.response_count == 200
        rating_count = len(questions[SurveyQuestion.Kind.RATING])
        assert results.rating_count == 200 * rating_count
        assert results.satisfaction_rate == 70.0
        assert results.average == pytest.approx((5 * 80 + 4 * 60 + 3 * 30 + 2 * 20 + 10) / 200, abs=0.01)
        single = next(r for r in results.questions if r.question.kind == "single")
        assert dict(single.options)["电话"] == 100 and dict(single.options)["到前台"] == 100
        assert len(results.comments) == 20

    def test_results_for_a_period_across_surveys(self, survey, questions, template):
        other = services.survey_create(
            title="另一次调查",
            template=template,
            period_start=timezone.localdate(),
            period_end=timezone.localdate(),
        )
        bulk_responses(survey, questions, [5, 5, 1])
        bulk_responses(other, questions, [4])
        last_year = timezone.now() - dt.timedelta(days=400)
        bulk_responses(other, questions, [1, 1, 1, 1], created=last_year)
        today = timezone.localdate()
        results = survey_results(start=today - dt.timedelta(days=7), end=today)
        assert results.response_count == 4
        assert results.satisfaction_rate == 75.0
        only_other = survey_results(survey=other, start=today - dt.timedelta(days=7), end=today)
        assert only_other.response_count == 1
        assert survey_results(survey=other).response_count == 5

    def test_surveys_list_counts(self, survey, questions):
        services.survey_invite(survey=survey, count=3)
        bulk_responses(survey, questions, [5, 4])
        row = surveys_list().get(pk=survey.pk)
        assert (row.n_invitations, row.n_responses) == (3, 2)
