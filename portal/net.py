"""The client's address as this deployment can trust it (residents' rate limits, sign-in lockouts).

The address is REMOTE_ADDR; behind a reverse proxy set ``TRUST_X_FORWARDED_FOR = True`` and the last
address of X-Forwarded-For (the one our proxy appended) is used, since the earlier ones are whatever
the client chose to send.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The client's IP address as we can trust it, or ``"unknown"``."""
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            address = forwarded[-1]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "unknown"
