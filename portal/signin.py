"""Sign-in lockouts (django-axes) as this project runs them, at head office and in every center.

django-axes counts failed sign-ins in the current schema (its tables are in SHARED_APPS and
TENANT_APPS), per username and client address (``AXES_LOCKOUT_PARAMETERS``). This module gives it
the client address (``client_ip``: the one the residents' rate limits use), answers a locked-out
sign-in with the login page itself and a message saying when to try again (``lockout_response``),
lists the lockouts of the current schema and lifts one (``lockouts``, ``unlock``) for the center
head's screen (operations) and head office's (portal.views_signin).

Settings: ``AXES_FAILURE_LIMIT`` failures within ``AXES_COOLOFF_TIME`` lock the pair; attempts
during the lockout neither count nor extend it (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.utils import timezone
from django.utils.translation import ngettext

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessFailureLog

from portal.models import SignInUnlock
from portal.net import client_address

logger = logging.getLogger("bianmin.signin")

LOCKED_STATUS = 429
FALLBACK_TEMPLATE = "portal/signin/locked.html"


def client_ip(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the trusted client address, None when there is none (test
    requests, a unix socket) — axes stores addresses in an inet column."""
    address = client_address(request)
    return None if address == "unknown" else address


def cool_off() -> timedelta:
    return get_cool_off() or timedelta(0)


def is_head_office() -> bool:
    return connection.schema_name == settings.PUBLIC_SCHEMA_NAME


def lockout_until(username: str | None, ip_address: str | None, *, now: datetime | None = None) -> datetime:
    """When the lockout of ``username`` from ``ip_address`` ends: its last counted failure plus the
    cool-off (failures during the lockout are not counted, so this does not move)."""
    now = now or timezone.now()
    last = AccessAttempt.objects.filter(
        username=username, ip_address=ip_address, attempt_time__gte=now - cool_off()
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or now) + cool_off()


def lockout_message(until: datetime, *, head_office: bool, now: datetime | None = None) -> str:
    now = now or timezone.now()
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    time = timezone.localtime(until).strftime("%H:%M")
    if head_office:
        message = ngettext(
            "Too many failed sign-in attempts: this account is locked for now. Try again in %(minutes)s "
            "minute (after %(time)s), or ask the head-office administrator to unlock it.",
            "Too many failed sign-in attempts: this account is locked for now. Try again in %(minutes)s "
            "minutes (after %(time)s), or ask the head-office administrator to unlock it.",
            minutes,
        )
    else:
        message = ngettext(
            "Too many failed sign-in attempts: this account is locked for now. Try again in %(minutes)s "
            "minute (after %(time)s), or ask the center head to unlock it.",
            "Too many failed sign-in attempts: this account is locked for now. Try again in %(minutes)s "
            "minutes (after %(time)s), or ask the center head to unlock it.",
            minutes,
        )
    return message % {"minutes": minutes, "time": time}


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page again (Wagtail's at a center, the portal's at head
    office), its form carrying the lockout message instead of "wrong password", status 429."""
    username = get_client_username(request, credentials)
    until = lockout_until(username, getattr(request, "axes_ip_address", None))
    message = lockout_message(until, head_office=is_head_office())
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if isinstance(original_response, SimpleTemplateResponse) and form is not None and hasattr(form, "errors"):
        form.errors.clear()
        form.add_error(None, message)
        response = TemplateResponse(
            request,
            original_response.template_name,
            context,
            status=LOCKED_STATUS,
            using=original_response.using,
        )
    else:
        response = TemplateResponse(request, FALLBACK_TEMPLATE, {"message": message}, status=LOCKED_STATUS)
    response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    return response.render()


def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    """axes' ``user_locked_out``: a line in the log; the record itself is axes' AccessFailureLog."""
    logger.warning(
        "sign-in locked: schema=%s username=%s address=%s", connection.schema_name, username, ip_address
    )


# --- The lockouts of the current schema and lifting one ---------------------------------------------


@dataclass(frozen=True)
class Lockout:
    username: str
    ip_address: str | None
    failures: int
    last_failure: datetime
    until: datetime


def lockouts(*, now: datetime | None = None) -> list[Lockout]:
    """Username and address pairs locked out now in the current schema, latest first."""
    now = now or timezone.now()
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=now - cool_off())
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    return [
        Lockout(
            username=row["username"] or "",
            ip_address=row["ip_address"],
            failures=row["failures"],
            last_failure=row["last"],
            until=row["last"] + cool_off(),
        )
        for row in rows
    ]


def recent_failures(limit: int = 30):
    """The last failed sign-ins in the current schema (axes' AccessFailureLog)."""
    return AccessFailureLog.objects.order_by("-attempt_time")[:limit]


def recent_unlocks(limit: int = 30):
    """The last unlocks of the current schema (head office: its own, not the centers')."""
    return SignInUnlock.objects.filter(schema_name=connection.schema_name)[:limit]


@transaction.atomic
def unlock(*, username: str, ip_address: str | None, acting_username: str) -> SignInUnlock:
    """Lift the lockout of ``username`` from ``ip_address`` in the current schema, and record it."""
    cleared, _ = AccessAttempt.objects.filter(username=username, ip_address=ip_address or None).delete()
    record = SignInUnlock.objects.create(
        schema_name=connection.schema_name,
        username=username,
        ip_address=ip_address or None,
        attempts_cleared=cleared,
        unlocked_by=acting_username,
    )
    logger.info(
        "sign-in unlocked: schema=%s username=%s address=%s by=%s",
        connection.schema_name,
        username,
        ip_address,
        acting_username,
    )
    return record


# --- Keeping the records bounded --------------------------------------------------------------------


@transaction.atomic
def signin_records_prune(*, now: datetime | None = None, keep_days: int | None = None) -> dict[str, int]:
    """Delete the current schema's sign-in records older than ``keep_days`` (``SIGNIN_RECORD_DAYS``,
    default 180): django-axes' successful sign-ins and failures, attempts long past their cool-off, and
    two-factor events and unlocks of this schema. Lockouts in force are never touched (they are minutes
    old). Returns the rows deleted per kind."""
    from axes.models import AccessLog

    from portal.models import AccountSecurityEvent

    now = now or timezone.now()
    keep_days = keep_days if keep_days is not None else getattr(settings, "SIGNIN_RECORD_DAYS", 180)
    before = now - timedelta(days=keep_days)
    schema = connection.schema_name
    deleted = {
        "sign-ins": AccessLog.objects.filter(attempt_time__lt=before).delete()[0],
        "failures": AccessFailureLog.objects.filter(attempt_time__lt=before).delete()[0],
        "attempts": AccessAttempt.objects.filter(attempt_time__lt=min(before, now - cool_off())).delete()[0],
        "unlocks": SignInUnlock.objects.filter(schema_name=schema, unlocked_at__lt=before).delete()[0],
        "two-factor events": AccountSecurityEvent.objects.filter(
            schema_name=schema, created__lt=before
        ).delete()[0],
    }
    return deleted


def signin_records_prune_everywhere(*, now: datetime | None = None, keep_days: int | None = None) -> dict:
    """``signin_records_prune`` at head office and in every center: ``{schema: rows deleted per kind}``."""
    from django_tenants.utils import schema_context

    from tenants.models import ServiceCenter

    schemas = [
        settings.PUBLIC_SCHEMA_NAME,
        *ServiceCenter.objects.order_by("code").values_list("schema_name", flat=True),
    ]
    deleted = {}
    for schema in schemas:
        with schema_context(schema):
            deleted[schema] = signin_records_prune(now=now, keep_days=keep_days)
    return deleted


def center_unlocks(limit: int = 50):
    """Head office: the latest unlocks at the centers, with each center's name (one query)."""
    from tenants.models import ServiceCenter

    rows = list(SignInUnlock.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)[:limit])
    names = dict(
        ServiceCenter.objects.filter(schema_name__in={row.schema_name for row in rows}).values_list(
            "schema_name", "name"
        )
    )
    return [(names.get(row.schema_name, row.schema_name), row) for row in rows]
