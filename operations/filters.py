"""Filters shared by the admin indexes: a period of at most a year, and named list variants."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

import django_filters


class PeriodField(django_filters.fields.DateRangeField):
    """From–to dates, not the wrong way round and at most a year (exports stay a sensible size)."""

    def clean(self, value):
        period = super().clean(value)
        if period and period.start and period.stop:
            start, stop = period.start.date(), period.stop.date()
            if start > stop:
                raise ValidationError(_("The start date must not be after the end date."))
            if (stop - start).days > 366:
                raise ValidationError(_("Export at most one year at a time."))
        return period


class PeriodFilter(django_filters.DateFromToRangeFilter):
    """``<name>_after`` / ``<name>_before`` on a date-time field, in local dates, both ends included."""

    field_class = PeriodField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DateRangePickerWidget)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        tz = timezone.get_current_timezone()
        if value.start:
            qs = qs.filter(
                **{f"{self.field_name}__gte": dt.datetime.combine(value.start.date(), dt.time.min, tzinfo=tz)}
            )
        if value.stop:
            until = dt.datetime.combine(value.stop.date() + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            qs = qs.filter(**{f"{self.field_name}__lt": until})
        return qs


class ScopeFilter(django_filters.ChoiceFilter):
    """A named list variant (mine, open, overdue…): ``scopes`` maps each choice to
    ``(label, function(queryset, request) -> queryset)``."""

    def __init__(self, *args, scopes: dict, **kwargs):
        self.scopes = scopes
        kwargs.setdefault("choices", [(key, label) for key, (label, _fn) in scopes.items()])
        kwargs.setdefault("empty_label", _("All"))
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return self.scopes[value][1](qs, self.parent.request)


__all__ = ["PeriodFilter", "ScopeFilter", "WagtailFilterSet"]
