"""Two-factor sign-in (两步验证): a code from an authenticator app after the password, with recovery codes.

Built on django-otp (its TOTP and static devices, per schema like the accounts themselves):

- **Who must.** Every head-office account. At a center, its heads (the 中心负责人 group) and its
  administrators (superusers) when head office has switched ``ServiceCenter.require_head_two_factor`` on
  for that center. Anyone else may turn it on for their own account.
- **The second step.** After the password, an account with an authenticator is sent to the code page
  until the code is given; an account that must have one and has none is sent to set one up. Until then
  nothing else of the protected area answers (``TwoFactorMiddleware``): the center's admin (``/admin/``)
  and the whole head-office portal. Residents' pages are never concerned.
- **Recovery codes.** Ten one-time codes, shown once when the authenticator is set up or when renewed; any
  of them stands in for a code from the app (and is used up).
- **Wrong codes.** django-otp's throttling: after each wrong code the next try waits 1, 2, 4 … seconds;
  the page says so. The password step stays under django-axes' lockout.
- **Lost phone.** The account's recovery codes; else whoever may lift sign-in lockouts (the center head,
  head office's administrator) resets the account's two-factor sign-in, and it is set up again at the next
  sign-in (or not, where it is optional).
- Every change is an ``AccountSecurityEvent`` (head office's audit trail shows its own).

The middleware remembers the account's state in the session (``SESSION_KEY``) so that an ordinary request
costs no query; the state is worked out at sign-in and again whenever the center's setting changes.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db import connection, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AccountSecurityEvent
from portal.net import client_address

logger = logging.getLogger("bianmin.signin")

SESSION_KEY = "bianmin_2fa"
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
#: The group whose members are the center's heads (tenants.roles, role ``center_head``).
CENTER_HEAD_GROUP = "中心负责人"

# Session states.
OFF = "off"  # no authenticator, none needed
ENROLLED = "enrolled"  # has an authenticator: the code is asked for at sign-in
REQUIRED = "required"  # must have one and has none: sent to set it up


def is_head_office() -> bool:
    return connection.schema_name == settings.PUBLIC_SCHEMA_NAME


# --- Policy -----------------------------------------------------------------------------------------


def is_center_head(user) -> bool:
    return user.is_superuser or user.groups.filter(name=CENTER_HEAD_GROUP).exists()


def center_requires(tenant) -> bool:
    return bool(getattr(tenant, "require_head_two_factor", False))


def required_for(user, tenant=None) -> bool:
    """Must this account sign in with two factors here?"""
    if is_head_office():
        return True
    return center_requires(tenant) and is_center_head(user)


def authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).filter(name=AUTHENTICATOR_NAME).first()


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def work_out_state(user, tenant=None) -> str:
    if has_authenticator(user):
        return ENROLLED
    return REQUIRED if required_for(user, tenant) else OFF


def remember_state(request, state: str, *, verified: bool = False) -> None:
    request.session[SESSION_KEY] = {
        "state": state,
        "policy": center_requires(getattr(request, "tenant", None)),
        "verified": verified and state == ENROLLED,
    }


def _stored(request) -> dict:
    """The account's two-factor state for this session, worked out again when the center's setting has
    changed (a verified session stays verified as long as the account has its authenticator)."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("policy") != center_requires(
        getattr(request, "tenant", None)
    ):
        verified = bool(isinstance(stored, dict) and stored.get("verified"))
        remember_state(
            request, work_out_state(request.user, getattr(request, "tenant", None)), verified=verified
        )
        stored = request.session[SESSION_KEY]
    return stored


def session_state(request) -> str:
    return _stored(request)["state"]


def is_verified(request) -> bool:
    """Has this session given the second step's code? (Kept in the server-side session: django-otp's own
    middleware would load the device on every request.)"""
    return bool(_stored(request).get("verified"))


def _on_login(sender, request=None, user=None, **kwargs):
    """Work the state out afresh at every sign-in (a reset or a new requirement takes effect here)."""
    if request is not None and hasattr(request, "session") and user is not None:
        remember_state(request, work_out_state(user, getattr(request, "tenant", None)))


user_logged_in.connect(_on_login, dispatch_uid="bianmin_two_factor_login")


# --- The second step in front of the protected area -------------------------------------------------


def url_names() -> dict[str, str]:
    """The URL names of the two-factor pages here (head office's or the center admin's)."""
    if is_head_office():
        return {
            "verify": "portal:two_factor_verify",
            "setup": "portal:two_factor_setup",
            "manage": "portal:two_factor",
        }
    return {"verify": "two_factor_verify", "setup": "two_factor_setup", "manage": "two_factor"}


def protected(path: str) -> bool:
    """Paths behind the second step: the whole head-office portal, the center's admin."""
    if is_head_office():
        open_prefixes = ("/login/", "/logout/", "/i18n/", "/news/", "/static/", "/media/", "/two-factor/")
        return not path.startswith(open_prefixes)
    open_prefixes = (
        "/admin/login/",
        "/admin/logout/",
        "/admin/two-factor/verify/",
        "/admin/two-factor/setup/",
        # What the sign-in pages themselves load: the admin's translations for its scripts and its icons.
        "/admin/jsi18n/",
        "/admin/sprite/",
    )
    return path.startswith("/admin/") and not path.startswith(open_prefixes)


class TwoFactorMiddleware:
    """After the authentication middleware: an account that has or needs an authenticator reaches the protected area
    only once its code was given in this session; until then it is sent to the code (or set-up) page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and protected(request.path_info):
            redirect = self._second_step(request)
            if redirect is not None:
                return redirect
        return self.get_response(request)

    @staticmethod
    def _second_step(request):
        state = session_state(request)
        if state == OFF or is_verified(request):
            return None
        names = url_names()
        # Before URL resolution: the urlconf is the request's own (head office's or the centers').
        target = reverse(
            names["verify"] if state == ENROLLED else names["setup"],
            urlconf=getattr(request, "urlconf", None),
        )
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# --- Services ---------------------------------------------------------------------------------------


def _event(*, user, action: str, acting_username: str, request=None) -> AccountSecurityEvent:
    address = client_address(request) if request is not None else "unknown"
    event = AccountSecurityEvent.objects.create(
        schema_name=connection.schema_name,
        username=user.get_username(),
        action=action,
        acting_username=acting_username,
        ip_address=None if address == "unknown" else address,
    )
    logger.info(
        "two-factor %s: schema=%s username=%s by=%s",
        action,
        connection.schema_name,
        user.get_username(),
        acting_username,
    )
    return event


@transaction.atomic
def authenticator_start(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator for ``user`` (any earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def pending_authenticator(*, user, device_id) -> TOTPDevice | None:
    try:
        return TOTPDevice.objects.get(pk=int(device_id), user=user, confirmed=False)
    except (TypeError, ValueError, TOTPDevice.DoesNotExist):
        return None


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def authenticator_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app: it replaces any earlier authenticator, the session
    counts as verified, and ten new recovery codes are returned (to be shown once). None: wrong code."""
    user = request.user
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    # No throttling while setting up: the key is brand new and opens nothing yet; a mistyped first code
    # must not make the right one fail a second later.
    device.throttle_reset(commit=False)
    if not device.verify_token(normalise(token)):
        return None
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()[0] > 0
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    remember_state(request, ENROLLED, verified=True)
    _event(
        user=user,
        action=AccountSecurityEvent.Action.REPLACED if replaced else AccountSecurityEvent.Action.ENABLED,
        acting_username=user.get_username(),
        request=request,
    )
    return codes


@transaction.atomic
def recovery_codes_renew(*, request) -> list[str]:
    """Ten new recovery codes for the signed-in account; the old ones stop working."""
    codes = _new_recovery_codes(request.user)
    _event(
        user=request.user,
        action=AccountSecurityEvent.Action.CODES_RENEWED,
        acting_username=request.user.get_username(),
        request=request,
    )
    return codes


@transaction.atomic
def two_factor_disable(*, request) -> bool:
    """Turn two-factor sign-in off for the signed-in account, where it is optional. False if required."""
    user = request.user
    if required_for(user, getattr(request, "tenant", None)):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    remember_state(request, OFF)
    _event(
        user=user,
        action=AccountSecurityEvent.Action.DISABLED,
        acting_username=user.get_username(),
        request=request,
    )
    return True


@transaction.atomic
def two_factor_reset(*, user, request) -> bool:
    """An administrator's reset of another account's two-factor sign-in (a lost phone and no codes).
    The account sets it up again at its next sign-in where it must. False if it had none."""
    had = TOTPDevice.objects.filter(user=user).exists() or StaticDevice.objects.filter(user=user).exists()
    if not had:
        return False
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    # Signed-in sessions of that account keep their verification until they end; the idle timeout
    # (SESSION_IDLE_MINUTES) bounds them. A reset after a lost phone is followed by a password change.
    _event(
        user=user,
        action=AccountSecurityEvent.Action.RESET,
        acting_username=request.user.get_username(),
        request=request,
    )
    return True


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    wait_seconds: int = 0


def normalise(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()


@transaction.atomic
def two_factor_verify(*, request, token: str) -> VerifyResult:
    """Check a code from the app or a recovery code for the signed-in account; on success the session is
    verified. Wrong codes are throttled per device (django-otp): ``wait_seconds`` says how long."""
    user = request.user
    token = normalise(token)
    devices = [
        *TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update(),
        *StaticDevice.objects.devices_for_user(user, confirmed=True).select_for_update(),
    ]
    # Digits are the app's code; anything else is a recovery code.
    wanted = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    wait = 0
    for device in devices:
        if not isinstance(device, wanted):
            continue
        allowed, data = device.verify_is_allowed()
        if not allowed:
            until = (data or {}).get("locked_until")
            wait = max(wait, int((until - timezone.now()).total_seconds()) + 1 if until else 1)
            continue
        if device.verify_token(token):
            remember_state(request, ENROLLED, verified=True)
            if isinstance(device, StaticDevice):
                _event(
                    user=user,
                    action=AccountSecurityEvent.Action.CODE_USED,
                    acting_username=user.get_username(),
                    request=request,
                )
            return VerifyResult(ok=True)
    return VerifyResult(ok=False, wait_seconds=wait)


# --- Display helpers --------------------------------------------------------------------------------


def secret_for_display(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The app's set-up link as an inline SVG QR code (no script, no external request)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(config_url(device), image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)


def config_url(device: TOTPDevice) -> str:
    return device.config_url


def issuer(device) -> str:
    """``OTP_TOTP_ISSUER``: what the app shows beside the account (the center's name, or head office)."""
    from django.utils.translation import gettext

    tenant = getattr(connection, "tenant", None)
    if is_head_office() or tenant is None or not getattr(tenant, "name", ""):
        return gettext("Bianmin head office")
    return tenant.name


def accounts_with_status():
    """The accounts of this schema (active ones) with whether each has two-factor sign-in, for the
    administrators' reset screen: (user, has_authenticator, recovery codes left)."""
    users = list(get_user_model().objects.filter(is_active=True).order_by("username"))
    with_device = set(
        TOTPDevice.objects.filter(confirmed=True, user__in=users).values_list("user_id", flat=True)
    )
    codes: dict[int, int] = {}
    for user_id in StaticToken.objects.filter(device__user__in=users).values_list(
        "device__user_id", flat=True
    ):
        codes[user_id] = codes.get(user_id, 0) + 1
    return [(user, user.pk in with_device, codes.get(user.pk, 0)) for user in users]


def recent_events(limit: int = 30):
    return AccountSecurityEvent.objects.filter(schema_name=connection.schema_name)[:limit]
