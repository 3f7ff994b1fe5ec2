"""Forms of the lending desk (前台借用): lend, return with inspection, follow up, items."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations.forms.base import DateTimeField, UnitField
from operations.models import ConvenienceItem, Loan, LoanFollowUp
from operations.selectors.lending import residents_of_unit


class ItemIdsField(forms.TypedMultipleChoiceField):
    """Item ids as ticked on the desk; availability is the lending service's business (its message)."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=[], **kwargs)

    def valid_value(self, value):
        return str(value).isdigit()


class LendForm(forms.Form):
    unit = UnitField(help_text=gettext_lazy("Building-entrance-room, e.g. 3号楼-2单元-1201."))
    resident = forms.IntegerField(label=gettext_lazy("Resident"), required=False)
    borrower_name = forms.CharField(label=gettext_lazy("Borrower"), max_length=50, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    items = ItemIdsField(label=gettext_lazy("Items"), required=False)

    def clean(self):
        data = super().clean()
        resident_id = data.get("resident")
        data["resident_obj"] = None
        if resident_id:
            unit = data.get("unit")
            resident = residents_of_unit(unit.pk).filter(pk=resident_id).first() if unit else None
            if resident is None:
                self.add_error("resident", _("Pick a resident of the unit typed above."))
            data["resident_obj"] = resident
        return data


class ReturnForm(forms.Form):
    """Both fields optional here: the service says what is missing (a condition; a note if damaged)."""

    condition = forms.ChoiceField(
        label=gettext_lazy("Condition on return"),
        choices=[("", gettext_lazy("Inspection result…")), *Loan.Condition.choices],
        required=False,
    )
    note = forms.CharField(label=gettext_lazy("Inspection note"), max_length=200, required=False)


class FollowUpForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=LoanFollowUp.Method.choices)
    promised_at = DateTimeField(label=gettext_lazy("Promised return"), required=False)
    outcome = forms.CharField(label=gettext_lazy("Outcome"), max_length=200)


class ConfirmForm(forms.Form):
    """An action that needs nothing but the click (one use of the reading glasses)."""


class RetireForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class ToolboxContentsForm(forms.Form):
    """``lines`` as the service takes them, typed one per line (``锤子 ×2``)."""

    lines = forms.CharField(
        label=gettext_lazy("Toolbox contents, one per line: name ×quantity"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, item: ConvenienceItem, **kwargs):
        kwargs.setdefault(
            "initial", {"lines": "\n".join(f"{c.name} ×{c.quantity}" for c in item.contents.all())}
        )
        super().__init__(*args, **kwargs)

    def clean_lines(self):
        return parse_contents(self.cleaned_data["lines"])


class ItemForm(forms.ModelForm):
    class Meta:
        model = ConvenienceItem
        fields = ["code", "name", "kind", "location", "condition_note"]

    def validate_unique(self):
        """The service says when a code is taken (its message, on the code field)."""


def parse_contents(text: str) -> list[tuple[str, str]]:
    """``锤子 ×1`` / ``锤子*2`` / ``锤子`` per line → [(name, quantity)]."""
    lines = []
    for raw in (text or "").splitlines():
        raw = raw.strip()
        if not raw:
            continue
        for sep in ("×", "x", "X", "*"):
            if sep in raw:
                name, _sep, quantity = raw.rpartition(sep)
                lines.append((name.strip(), quantity.strip()))
                break
        else:
            lines.append((raw, "1"))
    return lines
