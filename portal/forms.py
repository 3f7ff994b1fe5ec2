from django import forms
from django.utils.translation import gettext_lazy as _


class CenterCreateForm(forms.Form):
    """新建服务中心: what head office types to open a center. Validation lives in the service."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. 阳光花园服务中心"))
    code = forms.CharField(
        label=_("Short code"),
        max_length=30,
        help_text=_("Lower-case letters, digits, underscores; becomes the database schema, e.g. yangguang"),
    )
    domain = forms.CharField(
        label=_("Domain"),
        max_length=253,
        help_text=_(
            "Host name of the center's site, e.g. yangguang.localhost; a bare name gets the base domain"
        ),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    service_hours = forms.CharField(
        label=_("Service hours"), max_length=100, required=False, help_text=_("e.g. 每日 8:30–18:00")
    )
    admin_name = forms.CharField(label=_("First admin's name"), max_length=150)
    admin_phone = forms.CharField(label=_("First admin's phone"), max_length=30, required=False)
    admin_email = forms.EmailField(label=_("First admin's e-mail"), required=False)


class CenterSuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class SignInUnlockForm(forms.Form):
    """Lift one sign-in lockout: the username and address pair shown on the lockouts screen."""

    username = forms.CharField(max_length=255)
    ip_address = forms.GenericIPAddressField(required=False)


class TwoFactorCodeForm(forms.Form):
    """A six-digit code from the authenticator app, or one of the account's recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


class TwoFactorSetupForm(forms.Form):
    """The first code the app shows after scanning: proves the app holds the key."""

    code = forms.RegexField(
        label=_("Six-digit code from the app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Enter the six digits the app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class TwoFactorResetForm(forms.Form):
    username = forms.CharField(max_length=255)
