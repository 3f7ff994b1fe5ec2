"""Admin views of surveys (``SurveyViewSet``): the index, starting a survey, the survey's page (results,
invitations, history and its actions), and three custom screens: the printable invitation slips, the
paper entry of an answer, and the results of every survey answered in a period."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from wagtail.admin.views.generic import DeleteView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from operations.forms.base import DateRangeForm
from operations.forms.surveys import PAPER_SOURCES, answers_from_post, error_lists, question_rows
from operations.models import Survey, SurveyResponse, SurveyTemplate
from operations.permissions import can_see_contact
from operations.selectors.surveys import survey_invitations, survey_responses, survey_results, surveys_list
from operations.services.surveys import (
    DEFAULT_TEMPLATE_NAME,
    survey_create,
    survey_invite,
    survey_response_enter,
)
from operations.validators import mask_name, mask_phone
from operations.viewsets import AdminScreen, OperationsIndexView, RecordInspectView, ServiceCreateView


class SurveyIndexView(OperationsIndexView):
    add_item_label = gettext_lazy("Start a survey")

    def get_base_queryset(self):
        return surveys_list()


class SurveyCreateView(ServiceCreateView):
    """Start a survey through ``survey_create``, with as many invitation links as asked for."""

    template_name = "operations/surveys/create.html"
    page_title = gettext_lazy("Start a survey")

    def get_initial(self):
        today = timezone.localdate()
        return {
            "title": _("Satisfaction survey %(month)s") % {"month": f"{today:%Y-%m}"},
            "template": SurveyTemplate.objects.filter(name=DEFAULT_TEMPLATE_NAME, is_active=True).first(),
            "scope": Survey.Scope.CENTER,
            "period_start": today,
            "period_end": today + dt.timedelta(days=30),
            "invitations": 0,
        }

    def get_success_message(self, instance):
        return _("Survey “%(title)s” started.") % {"title": instance.title}

    def save_instance(self):
        data = self.form.cleaned_data
        with transaction.atomic():
            survey = survey_create(
                title=data["title"],
                template=data["template"],
                scope=data["scope"],
                work_order=data["work_order"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                acting_user=self.request.user,
            )
            if data.get("invitations"):
                survey_invite(survey=survey, count=data["invitations"], acting_user=self.request.user)
        return survey


class SurveyInspectView(RecordInspectView):
    """A survey's results, its invitations, the latest answers, its history and its actions."""

    template_name = "operations/surveys/inspect.html"
    page_title = gettext_lazy("survey")

    def get_record_queryset(self):
        return Survey.objects.select_related("template", "work_order")

    def get_fields_context(self):
        return []  # the record block is our own

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invitations = survey_invitations(survey=self.object)
        context.update(
            results=survey_results(survey=self.object),
            invitation_count=invitations.count(),
            unused_count=invitations.filter(used_at__isnull=True).count(),
            responses=survey_responses(survey=self.object)[:20],
            can_enter=self.request.user.has_perm("operations.add_surveyresponse"),
        )
        return context


class SurveyInvitationsView(PermissionCheckedMixin, TemplateView):
    """A printable sheet of the unused invitation links (cut into slips and handed out)."""

    model = Survey
    permission_required = "view"
    template_name = "operations/surveys/invitations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        survey = get_object_or_404(Survey, pk=kwargs["pk"])
        show_all = self.request.GET.get("all") == "1"
        full = can_see_contact(self.request.user)
        rows = [
            {
                "invitation": invitation,
                "url": self.request.build_absolute_uri(
                    reverse("public_survey_answer", args=[invitation.token])
                ),
                "name": invitation.recipient_name if full else mask_name(invitation.recipient_name),
                "phone": invitation.recipient_phone if full else mask_phone(invitation.recipient_phone),
            }
            for invitation in survey_invitations(survey=survey, unused_only=not show_all)
        ]
        context.update(survey=survey, rows=rows, show_all=show_all)
        return context


class SurveyPaperEntryView(PermissionCheckedMixin, AdminScreen, TemplateView):
    """Staff type in a questionnaire answered on paper (or over the phone): ``survey_response_enter``."""

    model = SurveyResponse
    permission_required = "add"
    template_name = "operations/surveys/paper.html"
    header_icon = "edit"
    page_title = gettext_lazy("Enter a paper answer")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.survey = get_object_or_404(Survey.objects.select_related("template"), pk=kwargs["pk"])
        self.questions = list(self.survey.template.questions.all())

    def get_page_subtitle(self):
        return self.survey.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("surveys:index"), "label": _("Surveys")},
            {"url": reverse("surveys:inspect", args=[self.survey.pk]), "label": self.survey.title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("rows", question_rows(self.questions))
        context.setdefault("source", SurveyResponse.Source.PAPER)
        context.update(survey=self.survey, sources=[(source, source.label) for source in PAPER_SOURCES])
        return context

    def post(self, request, *args, **kwargs):
        answers = answers_from_post(self.questions, request.POST)
        source = request.POST.get("source", SurveyResponse.Source.PAPER)
        try:
            survey_response_enter(
                survey=self.survey, answers=answers, source=source, acting_user=request.user
            )
        except ValidationError as error:
            by_field, general = error_lists(error)
            return self.render_to_response(
                self.get_context_data(
                    rows=question_rows(self.questions, answers, by_field),
                    general_errors=general,
                    source=source,
                )
            )
        messages.success(request, _("Answer recorded."))
        if request.POST.get("next") == "another":
            return redirect("surveys:paper", pk=self.survey.pk)
        return redirect("surveys:inspect", self.survey.pk)


class SurveyPeriodResultsView(PermissionCheckedMixin, AdminScreen, TemplateView):
    """Results of every survey answered in a period (a month, a quarter; at most a year)."""

    model = Survey
    permission_required = "view"
    template_name = "operations/surveys/period_results.html"
    header_icon = "table"
    page_title = gettext_lazy("Survey results by period")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "start" in self.request.GET or "end" in self.request.GET:
            form = DateRangeForm(self.request.GET)
        else:
            today = timezone.localdate()
            form = DateRangeForm({"start": today.replace(day=1).isoformat(), "end": today.isoformat()})
        results = None
        if form.is_valid():
            results = survey_results(start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        context.update(form=form, results=results)
        return context


class SurveyTemplateDeleteView(DeleteView):
    """Refuses (with a message, not an error page) to delete a template that surveys use."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("This template is used by surveys and cannot be deleted; deactivate it instead."),
            )
            return redirect(self.get_success_url())
