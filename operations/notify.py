"""Notifying staff: a row shown in the Wagtail admin, an e-mail, and an SMS when a phone is known.

Called from services inside their transaction; delivery happens on commit, and a
``dedupe_key`` makes jobs safe to run twice (the same reminder is never created twice).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

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

    link = center_absolute_url(url) if url else ""
    email = getattr(recipient, "email", "")
    phone = getattr(getattr(recipient, "staff_profile", None), "phone", "")

    def deliver():
        if email:
            try:
                send_mail(
                    title,
                    f"{body}\n{link}".strip(),
                    settings.DEFAULT_FROM_EMAIL,
                    [email],
                    fail_silently=False,
                )
            except Exception:  # noqa: BLE001 - a mail outage must not undo the business change
                logger.exception("e-mail notification to %s failed", email)
        if sms and phone:
            try:
                get_sms_backend().send(phone=phone, message=title)
            except Exception:  # noqa: BLE001
                logger.exception("SMS notification failed")

    transaction.on_commit(deliver)
    return notification
