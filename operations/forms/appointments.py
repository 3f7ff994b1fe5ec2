"""Forms of appointments and the queue: the residents' booking and its look-up, the desk's actions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operations.forms.public import ResidentContactMixin, TrackingForm
from operations.models import ServiceItem


def slot_value(start: dt.datetime) -> str:
    return timezone.localtime(start).strftime("%Y-%m-%dT%H:%M")


def parse_slot(value: str) -> dt.datetime | None:
    try:
        naive = dt.datetime.strptime((value or "").strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return timezone.make_aware(naive)


def parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


class SlotField(forms.CharField):
    """A slot's local start (``2026-12-08T09:30``) as an aware datetime."""

    default_error_messages = {
        "required": _("Please choose a time."),
        "invalid": _("Please choose one of the times offered."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        start = parse_slot(value)
        if start is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return start


class BookingForm(ResidentContactMixin):
    """A resident's booking: the chosen slot, name, phone and (optional) unit."""

    starts_at = SlotField(label=_("Time"), widget=forms.HiddenInput)

    field_order = ["starts_at", "name", "phone", "unit_text", "website"]


class BookingLookupForm(TrackingForm):
    """Booking code + the last four digits of the phone (cancel or move)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Booking code")
        self.fields["code"].error_messages["required"] = _("Please enter your booking code.")


class BookingMoveForm(BookingLookupForm):
    starts_at = SlotField(label=_("New time"), widget=forms.HiddenInput)


# --- The desk ---------------------------------------------------------------------------------


class EmptyForm(forms.Form):
    """An action without input (arrived, no-show, cancel)."""


class CallNextForm(forms.Form):
    counter = forms.CharField(label=_("Window"), max_length=20, initial="1号窗口")


class IssueTicketForm(forms.Form):
    service_item = forms.ModelChoiceField(
        label=_("Matter (optional)"),
        queryset=ServiceItem.objects.filter(is_published=True).order_by("sort_order", "name"),
        required=False,
        empty_label=_("— any —"),
    )
