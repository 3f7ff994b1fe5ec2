"""Forms of the first-inquiry register (首问登记): record, hand over, follow up, complete."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from operations.forms.base import StaffChoiceField, UnitField
from operations.models import Department, Inquiry, ServiceItem

OUTCOME_ANSWERED = "answered"
OUTCOME_HANDLING = "handling"
OUTCOME_HAND_OVER = "hand_over"


class HandOverFields(forms.Form):
    to_user = StaffChoiceField(label=gettext_lazy("Colleague"), required=False)
    to_department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.filter(is_active=True), required=False
    )
    contact = forms.CharField(
        label=gettext_lazy("Contact"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "How the visitor and the colleague reach each other, and when it will be handled."
        ),
    )


class InquiryForm(HandOverFields):
    """首问登记: the visitor, the matter, and how the first responder dealt with it."""

    visitor_name = forms.CharField(label=gettext_lazy("Visitor"), max_length=50)
    visitor_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    unit = UnitField()
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=Inquiry.Channel.choices, initial=Inquiry.Channel.WALK_IN
    )
    matter = forms.CharField(label=gettext_lazy("Matter"), widget=forms.Textarea(attrs={"rows": 3}))
    service_item = forms.ModelChoiceField(
        label=gettext_lazy("Service item"),
        queryset=ServiceItem.objects.filter(is_published=True).order_by("sort_order", "name"),
        required=False,
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[
            (OUTCOME_ANSWERED, gettext_lazy("Answered on the spot")),
            (OUTCOME_HANDLING, gettext_lazy("I handle it myself")),
            (OUTCOME_HAND_OVER, gettext_lazy("Hand over to a colleague or department")),
        ],
        initial=OUTCOME_ANSWERED,
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label=gettext_lazy("Answer given"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = [
        "visitor_name",
        "visitor_phone",
        "unit",
        "channel",
        "matter",
        "service_item",
        "outcome",
        "resolution",
        "to_user",
        "to_department",
        "contact",
    ]


class FollowUpForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Follow-up"), widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    resolution = forms.CharField(label=gettext_lazy("Resolution"), widget=forms.Textarea(attrs={"rows": 2}))


class HandOverForm(HandOverFields):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)
