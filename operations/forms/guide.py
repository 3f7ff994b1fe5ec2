"""Forms of the service guide: an application taken at the desk (受理申请)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations.forms.base import UnitField
from operations.models import RequiredMaterial, ServiceItem


def material_form_labels() -> dict[str, str]:
    return {value: str(label) for value, label in RequiredMaterial.Form.choices}


class ApplicationForm(forms.Form):
    """受理申请: who applies and which required materials they brought."""

    DECISION_ACCEPT = "accept"
    DECISION_REFUSE = "refuse"
    #: the service's field names that this form calls differently
    SERVICE_FIELDS = {"materials_brought": "materials"}

    applicant_name = forms.CharField(label=gettext_lazy("Applicant"), max_length=50)
    applicant_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    unit = UnitField()
    materials = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Materials brought"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (DECISION_ACCEPT, gettext_lazy("Check the materials (accept, or tell what is missing)")),
            (DECISION_REFUSE, gettext_lazy("Refuse (a written reason is required)")),
        ],
        initial=DECISION_ACCEPT,
        widget=forms.RadioSelect,
    )
    refusal_reason = forms.CharField(
        label=gettext_lazy("Reason for refusal"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, service_item: ServiceItem, **kwargs):
        super().__init__(*args, **kwargs)
        labels = material_form_labels()
        self.fields["materials"].choices = [
            (
                m.pk,
                _("%(name)s (%(form)s, %(copies)s copies)")
                % {"name": m.name, "form": labels.get(m.form, m.form), "copies": m.copies}
                + (f" — {m.note}" if m.note else ""),
            )
            for m in service_item.materials.all()
        ]
