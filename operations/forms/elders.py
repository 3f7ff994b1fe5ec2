"""Forms of the elders' registry and visits (the services validate; these only collect)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from operations.forms.base import DateField, DateTimeField, StaffChoiceField, UnitField
from operations.models import Elder, ElderConsent, ElderVisit, NeedKind, RiskReason, RiskTier
from operations.permissions import can_see_elder_sensitive
from operations.selectors.elders import free_clinics_for_record, on_visit_lists, staff_who_visit

NEED_ROWS = 3


def _reasons_field():
    return forms.MultipleChoiceField(
        label=_("Risk reasons"),
        choices=RiskReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _consent_fields(prefix: str, label, required: bool):
    return {
        f"{prefix}_method": forms.ChoiceField(
            label=label,
            choices=([] if required else [("", _("Not given"))]) + list(ElderConsent.Method.choices),
            required=required,
        ),
        f"{prefix}_on": DateField(label=_("Given on"), required=False),
        f"{prefix}_witness": forms.CharField(
            label=_("Witness (oral consent)"), max_length=50, required=False
        ),
    }


def consent_data(data: dict, prefix: str) -> dict | None:
    method = data.get(f"{prefix}_method")
    if not method:
        return None
    return {"method": method, "given_on": data.get(f"{prefix}_on"), "witness": data.get(f"{prefix}_witness")}


class ElderForm(forms.Form):
    """独居老人建档: the elder, the care details, the consents and a first emergency contact."""

    unit = UnitField(required=True)
    name = forms.CharField(label=_("Name"), max_length=50)
    birth_date = DateField(label=_("Birth date"))
    gender = forms.ChoiceField(label=_("Gender"), choices=Elder.Gender.choices)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    home_phone = forms.CharField(label=_("Home phone"), max_length=20, required=False)
    living = forms.ChoiceField(label=_("Living situation"), choices=Elder.Living.choices)
    living_note = forms.CharField(label=_("Living situation, details"), max_length=200, required=False)
    mobility = forms.ChoiceField(label=_("Mobility"), choices=Elder.Mobility.choices)
    manager = StaffChoiceField(label=_("Customer manager"), queryset=staff_who_visit())
    risk_tier = forms.ChoiceField(label=_("Risk tier"), choices=RiskTier.choices, initial=RiskTier.GENERAL)
    risk_reasons = _reasons_field()
    registered_on = DateField(label=_("Registered on"), required=False)
    contact_name = forms.CharField(label=_("Emergency contact"), max_length=50, required=False)
    contact_relation = forms.CharField(label=_("Relation"), max_length=20, required=False)
    contact_phone = forms.CharField(label=_("Contact's phone"), max_length=20, required=False)
    health_notes = forms.CharField(
        label=_("Health notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sensitive: saved only with the elder's consent to health notes."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.pop("instance", None)
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        self.fields.update(_consent_fields("registry_consent", _("Consent to the registry"), True))
        self.fields.update(_consent_fields("health_consent", _("Consent to health notes"), False))
        self.fields["registered_on"].initial = timezone.localdate


class ElderEditForm(WagtailAdminModelForm):
    manager = StaffChoiceField(label=_("Customer manager"), queryset=staff_who_visit())

    class Meta:
        model = Elder
        fields = [
            "birth_date",
            "gender",
            "phone",
            "home_phone",
            "living",
            "living_note",
            "mobility",
            "manager",
            "health_notes",
        ]


class TierForm(forms.Form):
    risk_tier = forms.ChoiceField(label=_("Risk tier"), choices=RiskTier.choices)
    risk_reasons = _reasons_field()
    note = forms.CharField(label=_("Why"), max_length=200)

    def __init__(self, *args, elder=None, **kwargs):
        super().__init__(*args, **kwargs)
        if elder is not None:
            self.fields["risk_tier"].initial = elder.risk_tier
            self.fields["risk_reasons"].initial = elder.risk_reasons


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Elder.Status.choices)
    on = DateField(label=_("Since"), required=False)
    paused_until = DateField(label=_("Visits paused until (in hospital)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.CharField(label=_("Relation"), max_length=20)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    may_be_told = forms.BooleanField(label=_("May be told about services"), required=False, initial=True)


class ContactRemoveForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=None)

    def __init__(self, *args, elder=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = elder.contacts.filter(is_active=True) if elder else None


class ClinicForm(forms.Form):
    activity = forms.ModelChoiceField(label=_("Free clinic"), queryset=None)
    observations = forms.CharField(
        label=_("What the doctors observed"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. 血压 135/85，建议低盐饮食. Only with the elder's health consent."),
    )

    def __init__(self, *args, elder=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = free_clinics_for_record()
        if elder is not None and not elder.health_consent:
            self.fields["observations"].disabled = True
            self.fields["observations"].help_text = _("No health consent: only the attendance is recorded.")
        elif elder is not None and user is not None and not can_see_elder_sensitive(user, elder):
            self.fields["observations"].disabled = True
            self.fields["observations"].help_text = _(
                "Only the center head, the elder's customer manager or the delegate records observations."
            )


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Consent to"), choices=ElderConsent.Kind.choices)
    given_on = DateField(label=_("Given on"), required=False)
    method = forms.ChoiceField(label=_("How"), choices=ElderConsent.Method.choices)
    witness = forms.CharField(label=_("Witness (oral consent)"), max_length=50, required=False)


class WithdrawForm(forms.Form):
    consent = forms.ModelChoiceField(label=_("Consent"), queryset=None)
    withdrawn_on = DateField(label=_("Withdrawn on"), required=False)

    def __init__(self, *args, elder=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].queryset = elder.consents.filter(withdrawn_on__isnull=True) if elder else None


class DelegateForm(forms.Form):
    delegate = StaffChoiceField(
        label=_("Delegate"),
        queryset=staff_who_visit(),
        required=False,
        help_text=_("Leave empty to end the delegation."),
    )
    starts = DateField(label=_("From"), required=False)
    ends = DateField(label=_("Until"), required=False)


class VisitForm(forms.Form):
    """拜访记录: a visit or call as it happened (a paper visit is entered later with its own time)."""

    elder = forms.ModelChoiceField(label=_("Elder"), queryset=Elder.objects.none())
    visited_at = DateTimeField(label=_("Visited at"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ElderVisit.Kind.choices)
    reached = forms.TypedChoiceField(
        label=_("Reached the elder"),
        choices=[("1", _("Yes")), ("0", _("No, not reached"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    card_given = forms.BooleanField(label=_("Contact card given"), required=False)
    concerns = forms.MultipleChoiceField(
        label=_("Checklist: needs attention"),
        choices=ElderVisit.Check.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    observations = forms.CharField(
        label=_("Observations"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        kwargs.pop("instance", None)
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = Elder.objects.filter(on_visit_lists()).select_related(
            "resident__unit"
        )
        self.fields["visited_at"].initial = timezone.now
        for n in range(1, NEED_ROWS + 1):
            self.fields[f"need_{n}_kind"] = forms.ChoiceField(
                label=_("Need %(n)d") % {"n": n}, choices=[("", "—")] + list(NeedKind.choices), required=False
            )
            self.fields[f"need_{n}_detail"] = forms.CharField(
                label=_("Details"), max_length=300, required=False
            )

    def needs(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"kind": data[f"need_{n}_kind"], "detail": data[f"need_{n}_detail"]}
            for n in range(1, NEED_ROWS + 1)
            if data.get(f"need_{n}_kind")
        ]


class HealthExportForm(forms.Form):
    reason = forms.CharField(label=_("Why the health notes are exported"), max_length=200)
