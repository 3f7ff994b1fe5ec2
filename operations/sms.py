"""SMS: an interface with a console backend for development; a provider plugs in by setting SMS_BACKEND."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("bianmin.sms")


class BaseSmsBackend:
    def send(self, *, phone: str, message: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Writes messages to the log (development, demo)."""

    def send(self, *, phone: str, message: str) -> None:
        logger.warning("SMS to %s: %s", phone, message)


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in ``outbox`` (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


def get_sms_backend() -> BaseSmsBackend:
    return import_string(getattr(settings, "SMS_BACKEND", "operations.sms.ConsoleSmsBackend"))()


def sms_queue(*, phone: str, message: str, kind: str):
    """Queue an SMS to a resident: written now, sent by a worker after the commit (none if the change rolls
    back), retried; a failure stays on the row and is listed for the center head (Settings → 未送达的通知)."""
    from django.db import transaction

    from operations.models import OutgoingSms

    if not phone:
        return None
    sms = OutgoingSms.objects.create(phone=phone, message=message, kind=kind)
    transaction.on_commit(lambda: _queue(sms.pk))
    return sms


def _queue(sms_id: int) -> None:
    from operations.jobs import deliver_sms

    try:
        deliver_sms.delay(sms_id)
    except Exception:  # noqa: BLE001 - the broker away: the row stays pending, re-sent from the list
        logger.exception("could not queue SMS %s", sms_id)


def sms_deliver(*, sms_id: int, final: bool) -> str:
    """Send a queued SMS: "sent", "retry" or "failed" (recorded)."""
    from django.db import transaction

    from operations.models import OutgoingSms

    with transaction.atomic():
        # Locked while sending: a second delivery of the same row (a re-queue) waits, then finds it sent.
        sms = OutgoingSms.objects.select_for_update().filter(pk=sms_id).first()
        if sms is None:
            return "gone"
        if sms.status == "sent":
            return "sent"
        return _send(sms, sms_id=sms_id, final=final)


def _send(sms, *, sms_id: int, final: bool) -> str:
    from django.utils import timezone

    from operations.models import OutgoingSms

    try:
        get_sms_backend().send(phone=sms.phone, message=sms.message)
    except Exception as exc:  # noqa: BLE001 - recorded, retried
        error = f"{type(exc).__name__}: {exc}"[:300]
        logger.warning("SMS %s not sent (attempt %s): %s", sms_id, sms.attempts + 1, error)
        OutgoingSms.objects.filter(pk=sms_id).update(
            attempts=sms.attempts + 1, error=error, status="failed" if final else "pending"
        )
        return "failed" if final else "retry"
    OutgoingSms.objects.filter(pk=sms_id).update(
        attempts=sms.attempts + 1, error="", status="sent", sent_at=timezone.now()
    )
    return "sent"


def sms_resend(*, sms) -> None:
    from django.db import transaction

    from operations.models import OutgoingSms

    OutgoingSms.objects.filter(pk=sms.pk, status="failed").update(status="pending", attempts=0)
    transaction.on_commit(lambda: _queue(sms.pk))
