"""Forms of elders' needs (特殊服务), the compliance month and the center's care rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operations.forms.base import DateField
from operations.models import Department, ElderNeed, NeedKind
from operations.services.elder_needs import need_department_code, need_description


def _departments():
    return Department.objects.filter(is_active=True).order_by("sort_order", "name")


class NeedOrderForm(forms.Form):
    """One click: the description and department are pre-filled from the need."""

    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    is_paid = forms.BooleanField(label=_("Paid service"), required=False)
    price = forms.DecimalField(
        label=_("Price (yuan)"), max_digits=8, decimal_places=2, min_value=0, required=False
    )
    family_told = forms.BooleanField(label=_("The family was told"), required=False)
    family_told_how = forms.CharField(label=_("How the family was told"), max_length=100, required=False)

    def __init__(self, *args, need: ElderNeed, settings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()
        code = need_department_code(need.kind, settings)
        self.fields["department"].initial = next((d.pk for d in _departments() if d.code == code), None)
        self.fields["description"].initial = need_description(need)


class NeedHandleForm(forms.Form):
    note = forms.CharField(label=_("How it was handled"), max_length=300)


class NeedDeclineForm(forms.Form):
    note = forms.CharField(label=_("Why (optional)"), max_length=300, required=False)


class NeedReplyForm(forms.Form):
    replied_on = DateField(label=_("Reply visit on"), initial=timezone.localdate)
    note = forms.CharField(label=_("What the elder was told"), max_length=300)


class ComplianceMonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month > timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("Compliance cannot be shown for a month still to come."))
        if month < dt.date(2000, 1, 1):
            raise forms.ValidationError(_("Enter a month since 2000."))
        return month


RULES = ("home_visits_per_month", "high_risk_contacts_per_week", "first_visit_by_day", "escalation_hours")


class CareSettingsForm(forms.Form):
    """The center's rules: tighter than the company's only (the service refuses looser ones)."""

    home_visits_per_month = forms.IntegerField(label=_("Home visits per month"), min_value=0)
    high_risk_contacts_per_week = forms.IntegerField(
        label=_("Contacts per week with high-risk elders"), min_value=0
    )
    first_visit_by_day = forms.IntegerField(label=_("First visit of the month by day"), min_value=0)
    escalation_hours = forms.IntegerField(
        label=_("Hours before a not-reached elder is escalated"), min_value=0
    )

    def __init__(self, *args, settings, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RULES:
            self.fields[name].initial = getattr(settings, name)
        choices = [(d.code, d.name) for d in _departments()]
        for kind, label in NeedKind.choices:
            self.fields[f"need_{kind}"] = forms.ChoiceField(
                label=label, choices=choices, initial=need_department_code(kind, settings)
            )

    def need_fields(self):
        return [self[f"need_{kind}"] for kind in NeedKind.values]

    def rule_fields(self):
        return [self[name] for name in RULES]

    def need_departments(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"need_{kind}"] for kind in NeedKind.values}
