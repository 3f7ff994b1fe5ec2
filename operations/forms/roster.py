"""Forms of the duty roster (值班): a shift of the week, a slot of the weekly template, generating weeks."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminTimeInput

from operations.forms.base import DateField, StaffChoiceField
from operations.models import DutyPost, DutyShift, DutyTemplateSlot
from operations.services.roster import MAX_GENERATE_WEEKS

DEFAULT_START = datetime.time(8, 0)
DEFAULT_END = datetime.time(18, 0)


class DutyFields(forms.Form):
    """Who is on duty, when, and the phone residents call (the staff member's own when left empty)."""

    post = forms.ChoiceField(label=_("Post"), choices=DutyPost.choices)
    staff = StaffChoiceField(label=_("Staff on duty"))
    start_time = forms.TimeField(label=_("From"), widget=AdminTimeInput, initial=DEFAULT_START)
    end_time = forms.TimeField(label=_("Until"), widget=AdminTimeInput, initial=DEFAULT_END)
    phone = forms.CharField(
        label=_("Duty phone"),
        required=False,
        max_length=30,
        help_text=_("Leave empty to use the staff member's own phone."),
    )


class DutyShiftForm(DutyFields):
    """Put someone on duty at a post on a day (the week grid)."""

    date = DateField(label=_("Date"))
    note = forms.CharField(label=_("Note"), required=False, max_length=100)

    field_order = ["date", "post", "staff", "start_time", "end_time", "phone", "note"]


class DutySlotForm(DutyFields):
    """Who normally takes a post on a day of the week (the weekly template)."""

    weekday = forms.TypedChoiceField(
        label=_("Day of the week"), coerce=int, choices=DutyTemplateSlot._meta.get_field("weekday").choices
    )

    field_order = ["weekday", "post", "staff", "start_time", "end_time", "phone"]


class GenerateForm(forms.Form):
    start = DateField(
        label=_("From the week of"), help_text=_("Shifts are generated from the Monday of this week.")
    )
    weeks = forms.IntegerField(label=_("Number of weeks"), min_value=1, max_value=MAX_GENERATE_WEEKS)


class DutyShiftEditForm(WagtailAdminModelForm):
    """Editing a shift changes who and when; its date and post identify it."""

    staff = StaffChoiceField(label=_("Staff on duty"))

    class Meta:
        model = DutyShift
        fields = ["staff", "start_time", "end_time", "phone", "note"]


class DutyShiftCreateForm(DutyShiftEditForm):
    class Meta(DutyShiftEditForm.Meta):
        fields = ["date", "post", *DutyShiftEditForm.Meta.fields]
