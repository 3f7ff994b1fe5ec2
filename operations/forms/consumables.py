"""Forms of the consumables (耗材): a stock movement, a first-aid use, the candy standard, and the lines
of the monthly purchase request."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from operations.forms.base import DateTimeField
from operations.models import Consumable, FirstAidPatient, LineReason, MovementKind

FIRST_AID_ROWS = 4


def active_consumables():
    return Consumable.objects.filter(active=True).order_by("category", "sort_order", "name")


class ConsumableChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(active_consumables(), *args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.unit}）"


class MovementForm(forms.Form):
    consumable = ConsumableChoiceField(label=gettext_lazy("Consumable"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Movement"), choices=MovementKind.choices, initial=MovementKind.RECEIVED
    )
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"),
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("For an adjustment, a negative number lowers the stock."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=200)


class FirstAidForm(forms.Form):
    used_at = DateTimeField(label=gettext_lazy("Used at"))
    patient_kind = forms.ChoiceField(label=gettext_lazy("For whom"), choices=FirstAidPatient.choices)
    patient_name = forms.CharField(label=gettext_lazy("Name (optional)"), required=False, max_length=50)
    what_happened = forms.CharField(
        label=gettext_lazy("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )
    called_120 = forms.BooleanField(label=gettext_lazy("120 was called"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(FIRST_AID_ROWS):
            self.fields[f"item_{index}"] = ConsumableChoiceField(
                label=gettext_lazy("Item used"), required=False
            )
            self.fields[f"quantity_{index}"] = forms.DecimalField(
                label=gettext_lazy("Quantity"), required=False, max_digits=10, decimal_places=2, min_value=0
            )

    def clean(self):
        """``items``: the (consumable, quantity) rows filled in; an item needs its quantity."""
        data = super().clean()
        data["items"] = []
        for index in range(FIRST_AID_ROWS):
            item, quantity = data.get(f"item_{index}"), data.get(f"quantity_{index}")
            if item and not quantity:
                self.add_error(f"quantity_{index}", _("Enter the quantity used."))
            elif item:
                data["items"].append((item, quantity))
        return data


class CandyStandardForm(forms.Form):
    candy_monthly_standard = forms.DecimalField(
        label=gettext_lazy("Monthly candy standard (斤)"), min_value=4, max_value=6, decimal_places=1
    )


class LineForm(forms.Form):
    """A line of the purchase request: a consumable, or an item described with its unit."""

    consumable = ConsumableChoiceField(label=gettext_lazy("Consumable"), required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Empty: the consumable's name."),
    )
    item_code = forms.CharField(label=gettext_lazy("Item code"), max_length=40, required=False)
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"), max_digits=10, decimal_places=2, min_value=0.01
    )
    unit = forms.CharField(label=pgettext_lazy("measure", "unit"), max_length=10, required=False)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=LineReason.choices, initial=LineReason.OTHER
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("consumable") and not data.get("description"):
            self.add_error("description", _("Choose a consumable or describe the item."))
        if not data.get("consumable") and not data.get("unit"):
            self.add_error("unit", _("Give the unit."))
        return data
