"""Elders living alone (独居老人关怀): the registry, consents, contacts, tiers, status and visits.

Every change goes through these functions, is atomic and audited; changes to sensitive fields
(health notes, phones, contacts) name the fields with the values masked (``audit_record``).
Escalations of not-reached visits live in ``elder_escalations``, care alerts in ``elder_alerts``,
needs turned into work orders in ``elder_needs``, monthly figures in ``elder_figures``.
"""

from __future__ import annotations

from django.db import transaction

from operations.models import ElderCareSettings


@transaction.atomic
def elder_care_settings() -> ElderCareSettings:
    """The center's care rules (one row, created with the company's defaults the first time)."""
    settings = ElderCareSettings.objects.order_by("pk").first()
    if settings is None:
        settings = ElderCareSettings.objects.create()
    return settings
