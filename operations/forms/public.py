"""Forms of the residents' site (no account): repair request, complaint or suggestion, status look-up.

They check what a resident types and uploads (sizes, real file types read from the content,
not the name); the records themselves are written by the operations services.
"""

from __future__ import annotations

import secrets
import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from PIL import Image

from operations.models import Complaint
from operations.validators import normalize_phone, validate_phone
from portal.uploads import image_clean

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ATTACHMENT_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png"}
HONEYPOT_FIELD = "website"


def _required(message) -> dict:
    return {"required": message}


def _too_long() -> dict:
    return {
        "max_length": _("Please keep this to at most %(limit_value)d characters (it has %(show_value)d).")
    }


def image_extension(upload, formats: dict[str, str]) -> str | None:
    """The extension of the image format ``upload`` really is (read with Pillow), if allowed."""
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                width, height = image.size
                image.verify()
    except Exception:  # any unreadable, truncated, hostile or exotic file is simply "not a photo"
        return None
    finally:
        upload.seek(0)
    if image_format not in formats or width * height > MAX_IMAGE_PIXELS:
        return None
    return formats[image_format]


def _reencoded(upload, formats: dict[str, str]) -> bool:
    """Decode the photo in full and re-encode it upright without EXIF/GPS (portal.uploads); False when
    it does not decode completely (a truncated or corrupt file that passed the header check)."""
    try:
        image_clean(upload, formats=set(formats), max_pixels=MAX_IMAGE_PIXELS)
    except ValidationError:
        return False
    return True


def unguessable_name(stem: str, extension: str) -> str:
    """A file name nobody can guess: center media are served by URL, the device's name is not kept."""
    return f"{stem}-{secrets.token_urlsafe(12)}.{extension}"


def is_pdf(upload) -> bool:
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    return b"%PDF-" in head


class ResidentContactMixin(forms.Form):
    """Name, phone and (optional) unit of the resident, and the honeypot field bots fill in."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        error_messages={**_required(_("Please enter your name.")), **_too_long()},
    )
    phone = forms.CharField(
        label=_("Mobile or phone number"),
        max_length=30,
        help_text=_("We call you back on this number; its last four digits let you check the status."),
        error_messages={**_required(_("Please enter a phone number we can reach you on.")), **_too_long()},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    unit_text = forms.CharField(
        label=_("Building and room (optional)"),
        max_length=50,
        required=False,
        help_text=_("For example 3号楼-2单元-1201."),
        error_messages=_too_long(),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, oversized: frozenset = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = oversized
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    @property
    def is_bot(self) -> bool:
        """True when the hidden honeypot field was filled in (people never see it)."""
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        validate_phone(phone)
        return normalize_phone(phone)

    def _clean_upload(self, field: str, too_large_message) -> object | None:
        upload = self.cleaned_data.get(field)
        if field in self.oversized or (upload and upload.size > MAX_UPLOAD_BYTES):
            raise ValidationError(too_large_message, code="too_large")
        return upload or None


class RepairRequestForm(ResidentContactMixin):
    description = forms.CharField(
        label=_("What needs repairing?"),
        label_suffix="",  # the question mark ends it (a full-width one, which Django does not see)
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Where it is, what is wrong, since when."),
        error_messages={**_required(_("Please describe what needs repairing.")), **_too_long()},
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    field_order = ["name", "phone", "unit_text", "description", "photo", "website"]

    def clean_photo(self):
        upload = self._clean_upload("photo", _("The photo is larger than 5 MB: please choose a smaller one."))
        if upload is None:
            return None
        extension = image_extension(upload, PHOTO_FORMATS)
        if extension is None or not _reencoded(upload, PHOTO_FORMATS):
            raise ValidationError(
                _("This file is not a JPEG, PNG or WebP photo: please choose a photo."), code="bad_type"
            )
        upload.name = unguessable_name("photo", extension)
        return upload


class FeedbackForm(ResidentContactMixin):
    kind = forms.ChoiceField(
        label=_("Is it a complaint or a suggestion?"),
        choices=[
            (Complaint.Kind.COMPLAINT, Complaint.Kind.COMPLAINT.label),
            (Complaint.Kind.SUGGESTION, Complaint.Kind.SUGGESTION.label),
        ],
        initial=Complaint.Kind.COMPLAINT,
        widget=forms.RadioSelect,
        error_messages={
            **_required(_("Please choose complaint or suggestion.")),
            "invalid_choice": _("Please choose complaint or suggestion."),
        },
    )
    content = forms.CharField(
        label=_("Your complaint or suggestion"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={**_required(_("Please write your complaint or suggestion.")), **_too_long()},
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("A photo (JPEG or PNG) or a PDF, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    field_order = ["kind", "content", "name", "phone", "unit_text", "attachment", "website"]

    def clean_attachment(self):
        upload = self._clean_upload(
            "attachment", _("The attachment is larger than 5 MB: please choose a smaller file.")
        )
        if upload is None:
            return None
        extension = image_extension(upload, ATTACHMENT_IMAGE_FORMATS) or ("pdf" if is_pdf(upload) else None)
        if extension is None or (extension != "pdf" and not _reencoded(upload, ATTACHMENT_IMAGE_FORMATS)):
            raise ValidationError(
                _("Attach a photo (JPEG or PNG) or a PDF file; this file is neither."), code="bad_type"
            )
        upload.name = unguessable_name("attachment", extension)
        return upload


class TrackingForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking number"),
        max_length=20,
        error_messages={**_required(_("Please enter your tracking number.")), **_too_long()},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone_last_four = forms.RegexField(
        label=_("Last four digits of your phone"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={
            **_required(_("Please enter the last four digits of the phone number you gave.")),
            "invalid": _("Enter exactly four digits."),
            **_too_long(),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
