"""Sign-in events in the center's audit trail (操作日志): signed in and out, wrong passwords, lockouts,
lockouts lifted, two-factor changes — ``AuditEntry`` rows on the account (record type 用户), written as they
happen, so the center head reads them beside every other action, filters them by person, record type and
period and exports them with the rest.

django-axes keeps its own records too (``portal.signin``: the lockouts screen works from them); these rows are
the trail in words. Only in a center's schema: head office has no ``AuditEntry`` (its own trail is
``portal.views_audit``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from operations.history import register_history_labels
from operations.models import AuditEntry
from portal.models import AccountSecurityEvent, SignInUnlock
from portal.net import client_address


def _in_center() -> bool:
    return connection.schema_name not in (settings.PUBLIC_SCHEMA_NAME, settings.TENANT_BASE_SCHEMA)


def _address(request) -> str:
    address = client_address(request) if request is not None else "unknown"
    return "" if address == "unknown" else address


def _user_by_name(username: str):
    return get_user_model().objects.filter(username=username).first() if username else None


def _entry(*, action: str, account, username: str, acting_user=None, address: str = "") -> None:
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_id=str(account.pk) if account is not None else "",
        object_repr=(username or "")[:200],
        action=action,
        changes={"address": address} if address else {},
        acting_user=acting_user,
    )


def _signed_in(sender, request=None, user=None, **kwargs):
    if _in_center() and user is not None:
        _entry(
            action="signin",
            account=user,
            username=user.get_username(),
            acting_user=user,
            address=_address(request),
        )


def _signed_out(sender, request=None, user=None, **kwargs):
    if _in_center() and user is not None and user.is_authenticated:
        _entry(
            action="signout",
            account=user,
            username=user.get_username(),
            acting_user=user,
            address=_address(request),
        )


def _failed(sender, credentials=None, request=None, **kwargs):
    if not _in_center():
        return
    username = str((credentials or {}).get("username") or "")[:150]
    # Refused because the account was already locked (portal.auth_backends.LockoutBackend marks it), not the
    # wrong password that locked it just now.
    locked = bool(getattr(request, "signin_refused_locked", False))
    _entry(
        action="signin_refused_locked" if locked else "signin_failed",
        account=_user_by_name(username),
        username=username,
        address=_address(request),
    )


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    # axes announces the lockout again for every attempt refused during it: only the locking one is an event.
    if _in_center() and not getattr(request, "signin_refused_locked", False):
        _entry(
            action="signin_locked",
            account=_user_by_name(username or ""),
            username=username or "",
            address=ip_address or "",
        )


def _unlocked(sender, instance: SignInUnlock, created=False, **kwargs):
    if created and _in_center() and instance.schema_name == connection.schema_name:
        _entry(
            action="signin_unlocked",
            account=_user_by_name(instance.username),
            username=instance.username,
            acting_user=_user_by_name(instance.unlocked_by),
            address=instance.ip_address or "",
        )


def _security_event(sender, instance: AccountSecurityEvent, created=False, **kwargs):
    if created and _in_center() and instance.schema_name == connection.schema_name:
        _entry(
            action=f"account_{instance.action}",
            account=_user_by_name(instance.username),
            username=instance.username,
            acting_user=_user_by_name(instance.acting_username),
            address=instance.ip_address or "",
        )


def _address_phrase(changes: dict) -> str:
    return str(_("from %(address)s") % {"address": changes["address"]}) if changes.get("address") else ""


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_signed_in, dispatch_uid="operations.signin_audit.in")
    user_logged_out.connect(_signed_out, dispatch_uid="operations.signin_audit.out")
    user_login_failed.connect(_failed, dispatch_uid="operations.signin_audit.failed")
    user_locked_out.connect(_locked_out, dispatch_uid="operations.signin_audit.locked")
    post_save.connect(_unlocked, sender=SignInUnlock, dispatch_uid="operations.signin_audit.unlocked")
    post_save.connect(
        _security_event, sender=AccountSecurityEvent, dispatch_uid="operations.signin_audit.security"
    )
    labels = {
        "signin": _("Signed in"),
        "signout": _("Signed out"),
        "signin_failed": _("Wrong password"),
        "signin_refused_locked": _("Sign-in refused: locked out"),
        "signin_locked": _("Locked out after too many wrong passwords"),
        "signin_unlocked": _("Sign-in lockout lifted"),
        **{f"account_{value}": label for value, label in AccountSecurityEvent.Action.choices},
    }
    register_history_labels({action: (label, _address_phrase) for action, label in labels.items()})
