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
