"""Test helpers for two-factor sign-in (portal.twofactor)."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import twofactor


def pass_second_step(client, user) -> TOTPDevice:
    """Give ``user`` an authenticator (if none) and mark the client's session as having given its code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=twofactor.AUTHENTICATOR_NAME, confirmed=True)
    session = client.session
    session[twofactor.SESSION_KEY] = {"state": twofactor.ENROLLED, "policy": False, "verified": True}
    session.save()
    return device


def current_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the authenticator app shows now (or ``offset_steps`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"
