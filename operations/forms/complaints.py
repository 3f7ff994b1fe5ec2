"""Forms of complaints and suggestions (投诉建议): intake at the desk and the record's actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from operations.forms.base import DateField, StaffChoiceField
from operations.models import Complaint, Department, ServiceItem, Unit


class ComplaintForm(forms.Form):
    """Intake of a complaint or suggestion at the desk (the template groups the fields)."""

    kind = forms.ChoiceField(
        label=_("kind"), choices=Complaint.Kind.choices, initial=Complaint.Kind.COMPLAINT
    )
    channel = forms.ChoiceField(label=_("channel"), choices=Complaint.Channel.choices)
    is_major = forms.BooleanField(
        label=_("major complaint"),
        required=False,
        help_text=_("A major complaint must be in writing; it is reported to head office."),
    )
    complainant_name = forms.CharField(label=_("complainant"), max_length=50, required=False)
    complainant_phone = forms.CharField(label=_("complainant phone"), max_length=20, required=False)
    unit = forms.ModelChoiceField(
        label=_("unit"), queryset=Unit.objects.select_related("building"), required=False
    )
    subject_kind = forms.ChoiceField(
        label=_("about"), choices=Complaint.SubjectKind.choices, initial=Complaint.SubjectKind.OTHER
    )
    subject_staff = StaffChoiceField(label=_("staff member concerned"), required=False)
    subject_department = forms.ModelChoiceField(
        label=_("department concerned"), queryset=Department.objects.all(), required=False
    )
    subject_service_item = forms.ModelChoiceField(
        label=_("service concerned"), queryset=ServiceItem.objects.all(), required=False
    )
    subject_text = forms.CharField(label=_("about (details)"), max_length=200, required=False)
    content = forms.CharField(
        label=_("complaint"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,  # the service refuses an empty complaint with its own message
    )
    written_scan = forms.FileField(label=_("written complaint (scan)"), required=False)
    reply_due = DateField(
        label=_("reply due"), required=False, help_text=_("Leave empty for three working days from today.")
    )
    handler = StaffChoiceField(label=_("handler"), required=False)


class AssignForm(forms.Form):
    handler = StaffChoiceField(label=_("handler"))


class InvestigateForm(forms.Form):
    investigation_notes = forms.CharField(
        label=_("investigation notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    finding = forms.CharField(label=_("finding"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    verdict = forms.ChoiceField(
        label=_("verdict"),
        choices=[("", _("Not decided yet"))] + list(Complaint.Verdict.choices),
        required=False,
        help_text=_("Counts in the appraisal of the staff member concerned."),
    )
    action_taken = forms.CharField(
        label=_("action taken"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReplyForm(forms.Form):
    reply_method = forms.ChoiceField(label=_("reply"), choices=Complaint.ReplyMethod.choices)
    reply_text = forms.CharField(
        label=_("reply text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("The reply letter, or for an oral reply a note of what the complainant was told."),
    )

    def __init__(self, *args, written_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if written_required:
            self.fields["reply_method"].help_text = _("A written complaint must be answered in writing.")


class HeadOfficeForm(forms.Form):
    head_office_report = forms.CharField(
        label=_("report to head office (text)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )


class CloseForm(forms.Form):
    """Closing asks nothing: the reply is already on the record."""
