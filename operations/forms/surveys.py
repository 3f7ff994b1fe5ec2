"""Forms of satisfaction surveys (满意度调查): start a survey, invite, the template's questions, and the
questionnaire itself (filled in by residents on the public page and by staff from paper)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations.forms.base import DateField
from operations.models import Survey, SurveyQuestion, SurveyResponse, SurveyTemplate, WorkOrder
from operations.services.surveys import MAX_INVITATIONS_AT_ONCE


class SurveyForm(forms.Form):
    """Start a survey run: center-wide for a period or the callback of one completed work order."""

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
    period_start = DateField(label=gettext_lazy("from"), required=False)
    period_end = DateField(label=gettext_lazy("until"), required=False)
    invitations = forms.IntegerField(
        label=gettext_lazy("invitation links to create"),
        min_value=0,
        max_value=MAX_INVITATIONS_AT_ONCE,
        required=False,
        initial=0,
    )

    def clean(self):
        data = super().clean()
        data["work_order"] = None
        if data.get("scope") == Survey.Scope.WORK_ORDER:
            number = (data.get("work_order_number") or "").strip()
            data["work_order"] = WorkOrder.objects.filter(number=number).first() if number else None
            if data["work_order"] is None:
                self.add_error("work_order_number", _("No work order with this number."))
        return data


class InviteForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("number of invitation links"),
        min_value=1,
        max_value=MAX_INVITATIONS_AT_ONCE,
        initial=10,
    )


class NoFieldsForm(forms.Form):
    """Opening or closing a survey asks nothing."""


# --- The questionnaire (fields ``q<question id>``) -------------------------------------------


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


PAPER_SOURCES = (SurveyResponse.Source.PAPER, SurveyResponse.Source.CALLBACK)


# --- The template's questions ----------------------------------------------------------------


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
