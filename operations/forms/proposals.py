"""Forms of service-project proposals (便民服务项目, 5.1)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.forms import WagtailAdminModelForm

from operations.forms.base import DateField, StaffChoiceField
from operations.models import (
    Complaint,
    Inquiry,
    ProposalMeeting,
    ServiceItem,
    ServiceProposal,
    Survey,
    WorkOrder,
)
from operations.services.proposals import DETAIL_FIELDS

EVIDENCE_FIELDS = ("evidence_inquiries", "evidence_complaints", "evidence_work_orders", "evidence_surveys")


class ProposalForm(WagtailAdminModelForm):
    """The need with its evidence from the center's records, and the proposed service."""

    start_date = DateField(label=_("Proposed start"))

    class Meta:
        model = ServiceProposal
        fields = [*DETAIL_FIELDS, *EVIDENCE_FIELDS]
        widgets = {
            "need": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        recent = {
            "evidence_inquiries": Inquiry.objects.order_by("-created")[:200],
            "evidence_complaints": Complaint.objects.order_by("-created")[:200],
            "evidence_work_orders": WorkOrder.objects.order_by("-created")[:200],
            "evidence_surveys": Survey.objects.order_by("-created")[:100],
        }
        for name, records in recent.items():
            field = self.fields[name]
            field.required = False
            field.queryset = field.queryset.model.objects.filter(pk__in=[r.pk for r in records])
            field.widget = forms.SelectMultiple(attrs={"size": 6})
            field.help_text = _("The center's own records that show the need (hold Ctrl to pick several).")
        if not self.instance.pk:
            self.fields["start_date"].initial = timezone.localdate() + timezone.timedelta(days=30)

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in DETAIL_FIELDS}

    def evidence(self) -> dict:
        return {name: list(self.cleaned_data.get(name) or []) for name in EVIDENCE_FIELDS}

    def _post_clean(self):
        # The service validates (in Chinese, all at once); the model form only collects the values.
        pass


class MeetingForm(forms.Form):
    held_on = DateField(label=_("Held on"), initial=timezone.localdate)
    attendees = forms.CharField(label=_("Attendees"), max_length=300)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ProposalMeeting.Decision.choices, widget=forms.RadioSelect
    )


class SurveyAttachForm(forms.Form):
    survey = forms.ModelChoiceField(label=_("Resident survey"), queryset=Survey.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.order_by("-created")
        self.fields["survey"].help_text = _(
            "Make the survey under 满意度调查 first (it may be public on the site); its results come with it."
        )


class SurveySummaryForm(forms.Form):
    summary = forms.CharField(label=_("What the survey showed"), widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    report_need = forms.CharField(label=_("Need"), widget=forms.Textarea(attrs={"rows": 2}))
    report_plan = forms.CharField(
        label=pgettext_lazy("service plan", "Plan"), widget=forms.Textarea(attrs={"rows": 2})
    )
    report_resources = forms.CharField(label=_("Resources"), widget=forms.Textarea(attrs={"rows": 2}))
    report_cost = forms.CharField(label=_("Cost and price"), widget=forms.Textarea(attrs={"rows": 2}))
    report_risks = forms.CharField(label=_("Risks"), widget=forms.Textarea(attrs={"rows": 2}))
    report_measures = forms.CharField(
        label=_("How success is measured"), widget=forms.Textarea(attrs={"rows": 2})
    )
    document_file = forms.FileField(
        label=_("Report document (optional)"),
        required=False,
        help_text=_("A signed scan or a cost sheet; kept where only staff can open it."),
    )

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal is not None:
            for name in ServiceProposal.REPORT_SECTIONS:
                self.fields[name].initial = getattr(proposal, name) or (
                    proposal.need if name == "report_need" else ""
                )


class ButtonForm(forms.Form):
    """An action that is one button."""


class LaunchForm(forms.Form):
    """The approved project goes into service: who owns it, from when, how it is done."""

    owner = StaffChoiceField(label=_("Owner"))
    start_date = DateField(label=_("In service from"), initial=timezone.localdate)
    procedure = forms.CharField(
        label=_("Procedure"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One step per line; shown to residents in the service guide."),
    )
    materials = forms.CharField(
        label=_("Materials to bring"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, told to residents at once (一次性告知)."),
    )
    time_limit_value = forms.IntegerField(label=_("Committed time limit"), required=False, min_value=1)
    time_limit_unit = forms.ChoiceField(
        label=_("Time limit unit"),
        choices=ServiceItem.LimitUnit.choices,
        initial=ServiceItem.LimitUnit.WORKING_DAYS,
    )


class ReviewForm(forms.Form):
    """The review after the period: the conclusion, what was found, and a closed survey if any."""

    conclusion = forms.ChoiceField(
        label=_("Conclusion"),
        choices=[("continue", _("Continue")), ("adjust", _("Adjust")), ("stop", _("Stop"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("What the review found"), widget=forms.Textarea(attrs={"rows": 3}))
    survey = forms.ModelChoiceField(
        label=_("Satisfaction survey"), queryset=Survey.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.order_by("-created")
