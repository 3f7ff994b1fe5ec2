"""Notifying staff: a row shown in the Wagtail admin, an e-mail, and an SMS when a phone is known.

Called from services inside their transaction; delivery happens on commit, and a
``dedupe_key`` makes jobs safe to run twice (the same reminder is never created twice).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from operations.models import Notification
from operations.sms import get_sms_backend
from tenants.selectors import center_absolute_url

logger = logging.getLogger("bianmin.notify")


def notify(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
    sms: bool = False,
) -> Notification | None:
    """Create a notification for ``recipient``; return None when ``dedupe_key`` was already used."""
    if recipient is None:
        return None
    if dedupe_key and Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, title=title[:200], body=body, url=url, dedupe_key=dedupe_key
            )
    except IntegrityError:  # a concurrent run created it first
        return None

    email = getattr(recipient, "email", "")
    phone = getattr(getattr(recipient, "staff_profile", None), "phone", "")
    pending = Notification.Delivery.PENDING
    changes = {}
    if email:
        changes["email_status"] = pending
    if sms and phone:
        changes["sms_status"] = pending
    if changes:
        Notification.objects.filter(pk=notification.pk).update(**changes)
        # Queued once the business change is committed (a rolled-back change sends nothing); a worker sends
        # it with retries, or this process when there is no broker.
        transaction.on_commit(lambda: _queue_delivery(notification.pk))
    return notification


def _queue_delivery(notification_id: int) -> None:
    from operations.jobs import deliver_notification

    try:
        deliver_notification.delay(notification_id)
    except Exception:  # noqa: BLE001 - the broker away: the notification stays pending, re-sent below
        logger.exception("could not queue the delivery of notification %s", notification_id)


def notification_deliver(*, notification_id: int, final: bool) -> str:
    """Send what is pending of notification ``notification_id`` (e-mail, SMS) and record the outcome:
    "sent", "retry" (something failed and tries remain) or "failed" (recorded for the center to see)."""
    with transaction.atomic():
        # The row stays locked while sending: a second delivery of it (a re-queue) waits, then finds it sent.
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient__staff_profile")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "gone"
        return _deliver(notification, notification_id=notification_id, final=final)


def _deliver(notification: Notification, *, notification_id: int, final: bool) -> str:
    pending = Notification.Delivery.PENDING
    errors = []
    updates: dict = {"delivery_attempts": notification.delivery_attempts + 1}
    link = center_absolute_url(notification.url) if notification.url else ""
    recipient = notification.recipient
    if notification.email_status == pending:
        try:
            send_mail(
                notification.title,
                f"{notification.body}\n{link}".strip(),
                settings.DEFAULT_FROM_EMAIL,
                [recipient.email],
                fail_silently=False,
            )
            updates["email_status"] = Notification.Delivery.SENT
        except Exception as exc:  # noqa: BLE001 - recorded, retried
            errors.append(f"e-mail: {type(exc).__name__}: {exc}")
    if notification.sms_status == pending:
        phone = getattr(getattr(recipient, "staff_profile", None), "phone", "")
        try:
            get_sms_backend().send(phone=phone, message=notification.title)
            updates["sms_status"] = Notification.Delivery.SENT
        except Exception as exc:  # noqa: BLE001
            errors.append(f"SMS: {type(exc).__name__}: {exc}")
    if errors:
        updates["delivery_error"] = "; ".join(errors)[:300]
        logger.warning(
            "notification %s not delivered (attempt %s): %s",
            notification_id,
            updates["delivery_attempts"],
            updates["delivery_error"],
        )
        if final:
            for field in ("email_status", "sms_status"):
                if getattr(notification, field) == pending and field not in updates:
                    updates[field] = Notification.Delivery.FAILED
    else:
        updates["delivery_error"] = ""
        updates["delivered_at"] = timezone.now()
    Notification.objects.filter(pk=notification_id).update(**updates)
    if errors:
        return "failed" if final else "retry"
    return "sent"


def notification_resend(*, notification: Notification) -> None:
    """Send a failed delivery again (the center's 重新发送)."""
    changes = {}
    for field in ("email_status", "sms_status"):
        if getattr(notification, field) == Notification.Delivery.FAILED:
            changes[field] = Notification.Delivery.PENDING
    if changes:
        Notification.objects.filter(pk=notification.pk).update(**changes, delivery_attempts=0)
        transaction.on_commit(lambda: _queue_delivery(notification.pk))


def deliveries_requeue(*, now) -> int:
    """Queue again the notifications and residents' SMS still pending, never attempted, 10+ minutes after
    they were written (the broker was unreachable at the commit, or the task was lost); returns how many."""
    import datetime as dt

    from django.db.models import Q

    from operations.models import OutgoingSms
    from operations.sms import _queue as queue_sms

    before = now - dt.timedelta(minutes=10)
    pending = Notification.Delivery.PENDING
    notifications = list(
        Notification.objects.filter(
            Q(email_status=pending) | Q(sms_status=pending), delivery_attempts=0, created__lt=before
        ).values_list("pk", flat=True)[:500]
    )
    messages = list(
        OutgoingSms.objects.filter(status=pending, attempts=0, created__lt=before).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in notifications:
        _queue_delivery(pk)
    for pk in messages:
        queue_sms(pk)
    return len(notifications) + len(messages)
