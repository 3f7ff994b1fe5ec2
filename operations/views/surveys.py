"""Admin views of surveys: start a survey, its results and invitations, paper answers, period results."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from wagtail.admin.views.generic import DeleteView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput

from operations.models import Survey, SurveyQuestion, SurveyResponse, SurveyTemplate, WorkOrder
from operations.permissions import can_see_contact
from operations.selectors.surveys import survey_invitations, survey_responses, survey_results
from operations.services import surveys as services
from operations.validators import mask_name, mask_phone
from operations.views.complaints import apply_errors

VIEW = "operations.view_survey"
ADD = "operations.add_survey"
CHANGE = "operations.change_survey"
ADD_RESPONSE = "operations.add_surveyresponse"


def answers_from_post(questions, data) -> dict[int, object]:
    """The answers of a filled-in questionnaire (fields ``q<id>``), as the services expect them."""
    answers: dict[int, object] = {}
    for question in questions:
        key = f"q{question.pk}"
        if question.kind == SurveyQuestion.Kind.MULTIPLE:
            answers[question.pk] = data.getlist(key)
        else:
            answers[question.pk] = data.get(key, "")
    return answers


def rating_labels() -> list[tuple[int, str]]:
    return [
        (1, _("Very dissatisfied")),
        (2, _("Dissatisfied")),
        (3, _("Neutral")),
        (4, _("Satisfied")),
        (5, _("Very satisfied")),
    ]


def question_rows(questions, answers: dict | None = None, errors: dict | None = None) -> list[dict]:
    """What the questionnaire template needs per question: the question, its current value, its errors."""
    answers = answers or {}
    errors = errors or {}
    rows = []
    for question in questions:
        value = answers.get(question.pk)
        selected = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
        if question.kind == SurveyQuestion.Kind.RATING:
            choices = [(str(n), f"{n} · {label}") for n, label in rating_labels()]
        else:
            choices = [(option, option) for option in question.option_list]
        rows.append(
            {
                "question": question,
                "choices": choices,
                "input_type": "checkbox" if question.kind == SurveyQuestion.Kind.MULTIPLE else "radio",
                "field": f"q{question.pk}",
                "value": value if isinstance(value, str) else "",
                "selected": [str(v) for v in selected],
                "errors": errors.get(f"q{question.pk}", []),
            }
        )
    return rows


def error_lists(error: ValidationError) -> tuple[dict, list]:
    """Split a service's ValidationError into per-question messages and general ones."""
    if hasattr(error, "error_dict"):
        by_field = {field: [m for e in errs for m in e.messages] for field, errs in error.error_dict.items()}
        general = [m for field, msgs in by_field.items() if not field.startswith("q") for m in msgs]
        return by_field, general
    return {}, list(error.messages)


def template_form_class(base):
    """The template form, refusing to delete or change the kind of questions that already have answers."""

    class SurveyTemplateForm(base):
        def clean(self):
            cleaned = super().clean()
            formset = self.formsets.get("questions") if hasattr(self, "formsets") else None
            if formset is None:
                return cleaned
            for form in formset.forms:
                if form in formset.deleted_forms or not hasattr(form, "cleaned_data"):
                    pass
                elif form.cleaned_data.get("kind") in (
                    SurveyQuestion.Kind.SINGLE,
                    SurveyQuestion.Kind.MULTIPLE,
                ):
                    options = [o for o in (form.cleaned_data.get("options") or "").splitlines() if o.strip()]
                    if len(options) < 2:
                        form.add_error(
                            "options", _("A choice question needs at least two options, one per line.")
                        )
                instance = form.instance
                if not instance.pk or not instance.answers.exists():
                    continue
                if form in formset.deleted_forms:
                    raise ValidationError(
                        _(
                            "The question “%(text)s” already has answers and cannot be deleted; deactivate the template and create a new one instead."
                        )
                        % {"text": instance.text}
                    )
                if "kind" in form.changed_data:
                    raise ValidationError(
                        _("The question “%(text)s” already has answers: its kind cannot be changed.")
                        % {"text": instance.text}
                    )
            return cleaned

    return SurveyTemplateForm


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


class _PermissionMixin:
    permission_required = VIEW

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("surveys:index"), "label": _("Satisfaction surveys")},
        *items,
    ]


class SurveyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=100)
    template = forms.ModelChoiceField(
        label=gettext_lazy("template"), queryset=SurveyTemplate.objects.filter(is_active=True)
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("scope"),
        choices=[
            (Survey.Scope.CENTER, Survey.Scope.CENTER.label),
            (Survey.Scope.WORK_ORDER, Survey.Scope.WORK_ORDER.label),
        ],
    )
    work_order_number = forms.CharField(
        label=gettext_lazy("work order number"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("For a callback survey: the number of the completed work order."),
    )
    period_start = forms.DateField(label=gettext_lazy("from"), required=False, widget=AdminDateInput)
    period_end = forms.DateField(label=gettext_lazy("until"), required=False, widget=AdminDateInput)
    invitations = forms.IntegerField(
        label=gettext_lazy("invitation links to create"),
        min_value=0,
        max_value=services.MAX_INVITATIONS_AT_ONCE,
        required=False,
        initial=0,
    )


class SurveyCreateView(_PermissionMixin, WagtailAdminTemplateMixin, FormView):
    permission_required = ADD
    template_name = "operations/surveys/form.html"
    form_class = SurveyForm
    header_icon = "list-ul"

    def get_page_title(self):
        return _("Start a survey")

    def get_breadcrumbs_items(self):
        return _breadcrumbs({"url": "", "label": self.get_page_title()})

    def get_initial(self):
        today = timezone.localdate()
        template = SurveyTemplate.objects.filter(name=services.DEFAULT_TEMPLATE_NAME, is_active=True).first()
        return {
            "title": _("Satisfaction survey %(month)s") % {"month": f"{today:%Y-%m}"},
            "template": template,
            "scope": Survey.Scope.CENTER,
            "period_start": today,
            "period_end": today + dt.timedelta(days=30),
            "invitations": 0,
        }

    def form_valid(self, form):
        data = form.cleaned_data
        work_order = None
        if data["scope"] == Survey.Scope.WORK_ORDER:
            number = data["work_order_number"].strip()
            work_order = WorkOrder.objects.filter(number=number).first() if number else None
            if work_order is None:
                form.add_error("work_order_number", _("No work order with this number."))
                return self.form_invalid(form)
        try:
            survey = services.survey_create(
                title=data["title"],
                template=data["template"],
                scope=data["scope"],
                work_order=work_order,
                period_start=data["period_start"],
                period_end=data["period_end"],
                acting_user=self.request.user,
            )
            if data.get("invitations"):
                services.survey_invite(
                    survey=survey, count=data["invitations"], acting_user=self.request.user
                )
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Survey “%(title)s” started.") % {"title": survey.title})
        return redirect("operations_surveys:detail", pk=survey.pk)


class InviteForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("number of invitation links"),
        min_value=1,
        max_value=services.MAX_INVITATIONS_AT_ONCE,
    )


class SurveyDetailView(_PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Results of one survey, its invitations and the actions on it."""

    template_name = "operations/surveys/detail.html"
    header_icon = "list-ul"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.survey = get_object_or_404(
            Survey.objects.select_related("template", "work_order"), pk=kwargs["pk"]
        )

    def get_page_title(self):
        return self.survey.title

    def get_breadcrumbs_items(self):
        return _breadcrumbs({"url": "", "label": self.survey.title})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invitations = survey_invitations(survey=self.survey)
        user = self.request.user
        context.update(
            survey=self.survey,
            results=survey_results(survey=self.survey),
            invitation_count=invitations.count(),
            unused_count=invitations.filter(used_at__isnull=True).count(),
            responses=survey_responses(survey=self.survey)[:20],
            invite_form=kwargs.get("invite_form") or InviteForm(initial={"count": 10}),
            can_change=user.has_perm(CHANGE),
            can_enter=user.has_perm(ADD_RESPONSE),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        action = request.POST.get("action")
        if action in ("open", "close"):
            services.survey_set_open(survey=self.survey, is_open=action == "open", acting_user=request.user)
            messages.success(request, _("Survey updated."))
            return redirect("operations_surveys:detail", pk=self.survey.pk)
        if action == "invite":
            form = InviteForm(request.POST)
            if form.is_valid():
                try:
                    created = services.survey_invite(
                        survey=self.survey, count=form.cleaned_data["count"], acting_user=request.user
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    messages.success(
                        request, _("%(count)d invitation links created.") % {"count": len(created)}
                    )
                    return redirect("operations_surveys:invitations", pk=self.survey.pk)
            return self.render_to_response(self.get_context_data(invite_form=form))
        raise PermissionDenied


class SurveyInvitationsView(_PermissionMixin, TemplateView):
    """A printable list of the unused invitation links (cut into slips and handed out)."""

    template_name = "operations/surveys/invitations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        survey = get_object_or_404(Survey, pk=kwargs["pk"])
        show_all = self.request.GET.get("all") == "1"
        full = can_see_contact(self.request.user)
        rows = []
        for invitation in survey_invitations(survey=survey, unused_only=not show_all):
            rows.append(
                {
                    "invitation": invitation,
                    "url": self.request.build_absolute_uri(
                        reverse("public_survey_answer", args=[invitation.token])
                    ),
                    "name": invitation.recipient_name if full else mask_name(invitation.recipient_name),
                    "phone": invitation.recipient_phone if full else mask_phone(invitation.recipient_phone),
                }
            )
        context.update(
            survey=survey, rows=rows, show_all=show_all, center=getattr(self.request, "tenant", None)
        )
        return context


class SurveyPaperEntryView(_PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Staff type in a questionnaire answered on paper (or over the phone)."""

    permission_required = ADD_RESPONSE
    template_name = "operations/surveys/paper.html"
    header_icon = "edit"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.survey = get_object_or_404(Survey.objects.select_related("template"), pk=kwargs["pk"])
        self.questions = list(self.survey.template.questions.all())

    def get_page_title(self):
        return _("Enter a paper answer")

    def get_page_subtitle(self):
        return self.survey.title

    def get_breadcrumbs_items(self):
        return _breadcrumbs(
            {"url": reverse("operations_surveys:detail", args=[self.survey.pk]), "label": self.survey.title},
            {"url": "", "label": self.get_page_title()},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            survey=self.survey,
            rows=kwargs.get("rows") or question_rows(self.questions),
            general_errors=kwargs.get("general_errors", []),
            source=kwargs.get("source", SurveyResponse.Source.PAPER),
            sources=[
                (SurveyResponse.Source.PAPER, SurveyResponse.Source.PAPER.label),
                (SurveyResponse.Source.CALLBACK, SurveyResponse.Source.CALLBACK.label),
            ],
        )
        return context

    def post(self, request, *args, **kwargs):
        answers = answers_from_post(self.questions, request.POST)
        source = request.POST.get("source", SurveyResponse.Source.PAPER)
        try:
            services.survey_response_enter(
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
            return redirect("operations_surveys:paper", pk=self.survey.pk)
        return redirect("operations_surveys:detail", pk=self.survey.pk)


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("from"), widget=AdminDateInput)
    end = forms.DateField(label=gettext_lazy("until"), widget=AdminDateInput)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("The end of the period is before its start."))
        return data


class SurveyPeriodResultsView(_PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Results of every survey answered in a period (e.g. a month or a quarter)."""

    template_name = "operations/surveys/period_results.html"
    header_icon = "table"

    def get_page_title(self):
        return _("Survey results by period")

    def get_breadcrumbs_items(self):
        return _breadcrumbs({"url": "", "label": self.get_page_title()})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        if "start" in self.request.GET or "end" in self.request.GET:
            form = PeriodForm(self.request.GET)
        else:
            form = PeriodForm({"start": today.replace(day=1).isoformat(), "end": today.isoformat()})
        results = None
        if form.is_valid():
            results = survey_results(start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        context.update(form=form, results=results)
        return context
