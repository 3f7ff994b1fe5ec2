"""Forms of community activities (社区活动): the plan, and the forms of the actions on its page."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations.forms.base import DateTimeField, StaffChoiceField, UnitField, active_staff
from operations.models import Activity, ActivityPublicity
from operations.selectors.activities import activity_notice_choices
from operations.services.activities import EDITABLE_FIELDS

MAX_PHOTOS_AT_ONCE = 30


class ActivityForm(forms.ModelForm):
    """The plan of an activity; the organiser is a colleague picked by name (not by login)."""

    organiser = StaffChoiceField(
        label=capfirst(Activity._meta.get_field("organiser").verbose_name), required=False
    )

    class Meta:
        model = Activity
        fields = EDITABLE_FIELDS
        field_classes = {"starts_at": DateTimeField, "ends_at": DateTimeField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.organiser_id:  # a former colleague stays the organiser of their activities
            organiser = get_user_model().objects.filter(pk=self.instance.organiser_id)
            self.fields["organiser"].queryset = active_staff() | organiser


class ButtonForm(forms.Form):
    """An action that is just a button (publicise, hold, propose invitees, start the survey…)."""


class PublicityTickForm(forms.Form):
    channel = forms.ChoiceField(choices=ActivityPublicity.Channel.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


class ParticipantForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    unit = UnitField(help_text="")
    invited = forms.BooleanField(label=gettext_lazy("Invited"), required=False)
    attended = forms.BooleanField(label=gettext_lazy("Attended"), required=False)


class AttendanceForm(forms.Form):
    """Tick or untick one participant of this activity (``attended`` is "1" to tick)."""

    participant = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    attended = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = activity.participants.select_related("activity")

    def clean_attended(self):
        return self.cleaned_data["attended"] == "1"


class RepairForm(forms.Form):
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=20, required=False)
    unit = UnitField(help_text="")
    out_of_scope = forms.BooleanField(
        label=gettext_lazy("Out of scope (structural / house quality)"), required=False
    )
    advice = forms.CharField(
        label=gettext_lazy("Advice or referral given"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files at once; each is checked by the service, so one bad file does not stop the others."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True})
        )
        super().__init__(**kwargs)

    def to_python(self, data):
        return data

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            raise ValidationError(_("Choose one or more photos to upload."), code="required")
        if len(files) > MAX_PHOTOS_AT_ONCE:
            raise ValidationError(
                _("At most %(max)d photos can be uploaded at once.") % {"max": MAX_PHOTOS_AT_ONCE},
                code="too_many",
            )
        return files


class PhotoUploadForm(forms.Form):
    photos = PhotosField(
        label=gettext_lazy("Photos"),
        help_text=gettext_lazy("JPEG, PNG or WebP, at most 10 MB each; several can be chosen at once."),
    )


class NoticeLinkForm(forms.Form):
    notice = forms.TypedChoiceField(label=gettext_lazy("Existing event notice"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].choices = [("", "---------")] + [
            (n.pk, f"{n.date:%Y-%m-%d} {n.title}") for n in activity_notice_choices()
        ]
