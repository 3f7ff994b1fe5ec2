"""Forms of not-reached escalations (calls to contacts, the outcome) and of care alerts."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operations.forms.base import DateField, DateTimeField
from operations.models import CareAlert, ElderContact, ElderEscalation
from operations.permissions import display_elder_phone


class ContactChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, user=None, elder=None, **kwargs):
        self.user, self.elder = user, elder
        super().__init__(*args, **kwargs)

    def label_from_instance(self, contact: ElderContact) -> str:
        phone = display_elder_phone(self.user, self.elder, contact.phone)
        return f"{contact.order}. {contact.name}（{contact.relation}）{phone}"


class EscalationCallForm(forms.Form):
    """One call to an emergency contact; the next contact in order is proposed."""

    contact = ContactChoiceField(label=_("Contact called"), queryset=ElderContact.objects.none())
    answered = forms.BooleanField(label=_("The contact answered"), required=False)
    note = forms.CharField(
        label=_("What the contact said"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    called_at = DateTimeField(label=_("Called at"), required=False)

    def __init__(self, *args, escalation: ElderEscalation, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["contact"]
        field.user, field.elder = user, escalation.elder
        contacts = list(escalation.elder.contacts.filter(is_active=True).order_by("order", "pk"))
        field.queryset = ElderContact.objects.filter(pk__in=[c.pk for c in contacts]).order_by("order", "pk")
        called = {call.contact_id for call in escalation.calls.all()}
        field.initial = next(
            (c.pk for c in contacts if c.pk not in called), contacts[0].pk if contacts else None
        )
        self.fields["called_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class EscalationResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How the elder was found"), choices=ElderEscalation.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("What happened"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    paused_until = DateField(
        label=_("In hospital: visits paused until"),
        required=False,
        help_text=_("Only for “In hospital”; leave empty if the return is not known."),
    )


class CareAlertForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CareAlert.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=100, help_text=_("e.g. 高温预警 7 月 12–14 日"))
    note = forms.CharField(
        label=_("What to tell the elders"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. 少出门、多喝水、空调温度不低于 26℃"),
    )


class CareAlertCloseForm(forms.Form):
    note = forms.CharField(label=_("Why the alert is closed"), max_length=200, help_text=_("e.g. 预警已解除"))
