"""Pieces every admin form shares: a service's errors on the form, staff choices, date-time inputs."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail.admin.utils import get_user_display_name
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

from operations.selectors.guide import unit_find


def add_service_errors(form: forms.Form, error: ValidationError, mapping: dict | None = None) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one (``mapping``
    renames a service's field to the form's), else as a non-field error."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    mapping = mapping or {}
    for field, messages in error.message_dict.items():
        field = mapping.get(field, field)
        form.add_error(field if field in form.fields else None, messages)


def active_staff():
    """The center's active staff, by name: the choices wherever a colleague is picked."""
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    """A colleague, shown by name (Wagtail's display name), never by login."""

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(queryset if queryset is not None else active_staff(), *args, **kwargs)

    def label_from_instance(self, obj):
        return get_user_display_name(obj)


class UnitField(forms.CharField):
    """A unit written as 楼栋-单元-房号 (or 楼栋-房号): cleans to the ``Unit``, or None when left blank;
    an unknown unit is refused (``error_messages={"unknown": ...}`` may name it with ``%(unit)s``)."""

    default_error_messages = {"unknown": _("Unknown unit: choose an existing building, entrance and room.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Unit"))
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", _("Building-entrance-room, e.g. 3号楼-2单元-1201; leave blank if none.")
        )
        super().__init__(**kwargs)

    def clean(self, value):
        label = (super().clean(value) or "").strip()
        if not label:
            return None
        unit = unit_find(label)
        if unit is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown", params={"unit": label})
        return unit


DATETIME_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeField(forms.DateTimeField):
    """Wagtail's date-time picker; also takes the ISO forms browsers and tests send."""

    widget = AdminDateTimeInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_FORMATS)
        super().__init__(*args, **kwargs)


class DateField(forms.DateField):
    widget = AdminDateInput


class DateRangeForm(forms.Form):
    """A period of at most a year (prints and period reports)."""

    start = DateField(label=_("From"))
    end = DateField(label=_("To"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise ValidationError(_("The start date must not be after the end date."))
            if (end - start).days > 366:
                raise ValidationError(_("Export at most one year at a time."))
        return data
