"""The public survey page (token, no account) and the survey admin: results, invitations, paper answers."""

import datetime as dt
import re

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from operations.models import Survey, SurveyQuestion, SurveyResponse
from operations.services import surveys as services
from tenants.services import center_roles_sync
from tests.factories import answer_post, bulk_responses, make_user


@pytest.fixture
def env(center_a, client_a):
    connection.set_tenant(center_a)
    center_roles_sync()
    template = services.surveys_install_defaults()
    today = timezone.localdate()
    survey = services.survey_create(
        title="第四季度满意度调查",
        template=template,
        period_start=today,
        period_end=today + dt.timedelta(days=30),
    )
    [invitation] = services.survey_invite(survey=survey, count=1)
    questions = list(template.questions.all())
    return {
        "client": client_a,
        "survey": survey,
        "invitation": invitation,
        "questions": questions,
        "center": center_a,
    }


def url(invitation):
    return f"/survey/{invitation.token}/"


class TestPublicPage:
    def test_answer_end_to_end(self, env):
        client = env["client"]
        form = client.get(url(env["invitation"]))
        html = form.content.decode()
        assert form.status_code == 200
        assert "第四季度满意度调查" in html and "您对服务中心的总体服务是否满意？" in html
        assert "csrfmiddlewaretoken" in html
        assert "非常满意" in html
        # every input has a label pointing at it
        ids = set(re.findall(r'<input[^>]+id="([^"]+)"', html)) | set(
            re.findall(r'<textarea[^>]+id="([^"]+)"', html)
        )
        labelled = set(re.findall(r'<label[^>]+for="([^"]+)"', html))
        assert ids and ids <= labelled

        done = client.post(url(env["invitation"]), answer_post(env["questions"]))
        assert done.status_code == 302 and done["Location"] == f"{url(env['invitation'])}thanks/"
        assert "感谢您的参与" in client.get(done["Location"]).content.decode()
        env["invitation"].refresh_from_db()
        assert env["invitation"].used_at is not None
        response = SurveyResponse.objects.get(invitation=env["invitation"])
        assert response.source == SurveyResponse.Source.WEB
        assert response.answers.count() == len(env["questions"])

        again = client.get(url(env["invitation"]))
        assert again.status_code == 410 and "该调查链接已被使用" in again.content.decode()
        reposted = client.post(url(env["invitation"]), answer_post(env["questions"]))
        assert reposted.status_code == 410 and "该调查链接已被使用" in reposted.content.decode()
        assert SurveyResponse.objects.count() == 1

    @pytest.mark.parametrize("rating", ["0", "6", "abc"])
    def test_out_of_range_rating_shows_the_form_again(self, env, rating):
        response = env["client"].post(url(env["invitation"]), answer_post(env["questions"], rating=rating))
        html = response.content.decode()
        assert response.status_code == 200
        assert "评分必须是 1 到 5 之间的整数" in html
        assert "服务很好，谢谢！" in html  # what was typed is kept
        env["invitation"].refresh_from_db()
        assert env["invitation"].used_at is None and not SurveyResponse.objects.exists()

    def test_missing_required_answer(self, env):
        data = answer_post(env["questions"])
        del data[f"q{env['questions'][0].pk}"]
        response = env["client"].post(url(env["invitation"]), data)
        assert response.status_code == 200 and "请回答此题" in response.content.decode()
        assert not SurveyResponse.objects.exists()

    def test_unknown_token_is_404(self, env):
        assert env["client"].get("/survey/not-a-real-token-at-all/").status_code == 404

    def test_token_of_center_a_is_unknown_on_center_b(self, env, client_b):
        assert client_b.get(url(env["invitation"])).status_code == 404
        assert client_b.post(url(env["invitation"]), answer_post(env["questions"])).status_code == 404
        connection.set_tenant(env["center"])
        env["invitation"].refresh_from_db()
        assert env["invitation"].used_at is None

    def test_csrf_is_enforced(self, env):
        strict = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
        assert strict.post(url(env["invitation"]), answer_post(env["questions"])).status_code == 403
        assert not SurveyResponse.objects.exists()

    def test_closed_survey(self, env):
        services.survey_set_open(survey=env["survey"], is_open=False)
        response = env["client"].get(url(env["invitation"]))
        assert response.status_code == 410 and "该调查已结束" in response.content.decode()


@pytest.fixture
def staff(env):
    return {
        "service_head": make_user("svc_head", group="客户服务部负责人"),
        "desk": make_user("desk_s", group="前台客服"),
    }


class TestAdmin:
    def test_results_page_in_few_queries(self, env, staff, django_assert_max_num_queries):
        by_kind = {}
        for question in env["questions"]:
            by_kind.setdefault(question.kind, []).append(question)
        bulk_responses(env["survey"], by_kind, [5] * 100 + [4] * 50 + [2] * 50)
        client = env["client"]
        client.force_login(staff["service_head"])
        with django_assert_max_num_queries(20):
            response = client.get(reverse("surveys:inspect", args=[env["survey"].pk]))
        html = response.content.decode()
        assert response.status_code == 200
        assert "75.0%" in html and "200" in html
        listing = client.get(reverse("surveys:index"))
        assert listing.status_code == 200 and "第四季度满意度调查" in listing.content.decode()

    def test_start_a_survey_and_print_links(self, env, staff):
        client = env["client"]
        client.force_login(staff["service_head"])
        today = timezone.localdate()
        response = client.post(
            reverse("surveys:add"),
            {
                "title": "十二月调查",
                "template": env["survey"].template_id,
                "scope": "center",
                "period_start": today.isoformat(),
                "period_end": (today + dt.timedelta(days=10)).isoformat(),
                "invitations": "5",
            },
        )
        survey = Survey.objects.get(title="十二月调查")
        assert response.status_code == 302
        assert survey.invitations.count() == 5
        sheet = client.get(reverse("surveys:invitations", args=[survey.pk])).content.decode()
        for invitation in survey.invitations.all():
            assert f"http://alpha.localhost/survey/{invitation.token}/" in sheet

    def test_start_a_survey_without_period_shows_an_error(self, env, staff):
        env["client"].force_login(staff["service_head"])
        response = env["client"].post(
            reverse("surveys:add"),
            {"title": "无期间", "template": env["survey"].template_id, "scope": "center"},
        )
        assert response.status_code == 200 and "请填写全中心调查的起止日期" in response.content.decode()
        assert not Survey.objects.filter(title="无期间").exists()

    def test_callback_survey_needs_a_known_work_order(self, env, staff):
        env["client"].force_login(staff["service_head"])
        response = env["client"].post(
            reverse("surveys:add"),
            {
                "title": "回访",
                "template": env["survey"].template_id,
                "scope": "work_order",
                "work_order_number": "X1",
            },
        )
        assert response.status_code == 200 and "没有这个编号的工单" in response.content.decode()
        assert not Survey.objects.filter(title="回访").exists()

    def test_invite_more_links(self, env, staff):
        env["client"].force_login(staff["service_head"])
        response = env["client"].post(
            reverse("surveys:action", args=[env["survey"].pk, "invite"]), {"count": "3"}
        )
        assert response.status_code == 302
        assert env["survey"].invitations.count() == 4

    def test_close_and_reopen_with_the_history_in_words(self, env, staff):
        client = env["client"]
        client.force_login(staff["service_head"])
        survey = env["survey"]
        assert client.post(reverse("surveys:action", args=[survey.pk, "close"])).status_code == 302
        survey.refresh_from_db()
        assert not survey.is_open
        html = client.get(reverse("surveys:inspect", args=[survey.pk])).content.decode()
        assert "开放或结束作答：结束作答" in html and "survey_set_open" not in html
        assert 'id="action-reopen"' in html and 'id="action-invite"' not in html
        assert client.post(reverse("surveys:action", args=[survey.pk, "reopen"])).status_code == 302
        survey.refresh_from_db()
        assert survey.is_open
        client.force_login(staff["desk"])  # may view surveys, not change them
        assert client.post(reverse("surveys:action", args=[survey.pk, "close"])).status_code in (302, 403)
        survey.refresh_from_db()
        assert survey.is_open

    def test_front_desk_enters_a_paper_answer(self, env, staff):
        client = env["client"]
        client.force_login(staff["desk"])
        paper_url = reverse("surveys:paper", args=[env["survey"].pk])
        assert client.get(paper_url).status_code == 200
        bad = client.post(paper_url, {"source": "paper", **answer_post(env["questions"], rating="9")})
        assert bad.status_code == 200 and "评分必须是 1 到 5 之间的整数" in bad.content.decode()
        assert not SurveyResponse.objects.exists()
        good = client.post(paper_url, {"source": "paper", **answer_post(env["questions"])})
        assert good.status_code == 302
        response = SurveyResponse.objects.get()
        assert response.source == SurveyResponse.Source.PAPER and response.entered_by == staff["desk"]

    def test_period_results(self, env, staff):
        by_kind = {}
        for question in env["questions"]:
            by_kind.setdefault(question.kind, []).append(question)
        bulk_responses(env["survey"], by_kind, [5, 1])
        env["client"].force_login(staff["service_head"])
        today = timezone.localdate()
        html = (
            env["client"]
            .get(reverse("surveys:period_results"), {"start": today, "end": today})
            .content.decode()
        )
        assert "50.0%" in html

    def test_template_admin_lists_the_default(self, env, staff):
        env["client"].force_login(staff["service_head"])
        response = env["client"].get("/admin/operations/survey-templates/")
        assert response.status_code == 200 and "服务满意度调查" in response.content.decode()
        edit = env["client"].get(f"/admin/operations/survey-templates/edit/{env['survey'].template_id}/")
        assert edit.status_code == 200


class TestTemplateAdmin:
    def edit(self, env, staff, questions_data):
        from wagtail.test.utils.form_data import inline_formset, nested_form_data

        template = env["survey"].template
        data = nested_form_data(
            {
                "name": template.name,
                "description": template.description,
                "is_active": True,
                "questions": inline_formset(questions_data, initial=len(env["questions"])),
            }
        )
        env["client"].force_login(staff["service_head"])
        return env["client"].post(f"/admin/operations/survey-templates/edit/{template.pk}/", data)

    def rows(self, env, delete_first=False):
        rows = []
        for i, q in enumerate(env["questions"]):
            row = {
                "id": q.pk,
                "text": q.text,
                "kind": q.kind,
                "options": q.options,
                "required": q.required,
                "ORDER": i,
            }
            if delete_first and i == 0:
                row["DELETE"] = "1"
            rows.append(row)
        return rows

    def test_a_question_with_answers_cannot_be_deleted(self, env, staff):
        services.survey_answer_by_token(
            token=env["invitation"].token,
            answers={q.pk: 5 for q in env["questions"] if q.kind == SurveyQuestion.Kind.RATING},
        )
        response = self.edit(env, staff, self.rows(env, delete_first=True))
        assert response.status_code == 200
        assert "已有答卷，不能删除" in response.content.decode()
        assert env["survey"].template.questions.count() == len(env["questions"])

    def test_unanswered_question_can_be_deleted_and_choice_needs_options(self, env, staff):
        rows = self.rows(env)
        single = next(r for r in rows if r["kind"] == "single")
        single["options"] = "只有一个"
        response = self.edit(env, staff, rows)
        assert response.status_code == 200 and "至少需要两个选项" in response.content.decode()
        response = self.edit(env, staff, self.rows(env, delete_first=True))
        assert response.status_code == 302
        assert env["survey"].template.questions.count() == len(env["questions"]) - 1

    def test_a_template_in_use_cannot_be_deleted(self, env, staff):
        from django.contrib.auth import get_user_model

        boss = get_user_model().objects.create_superuser(username="boss_s", password="x-Pass-2026")
        env["client"].force_login(boss)
        template = env["survey"].template
        response = env["client"].post(f"/admin/operations/survey-templates/delete/{template.pk}/")
        assert response.status_code in (200, 302)
        assert type(template).objects.filter(pk=template.pk).exists()
