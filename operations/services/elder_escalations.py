"""Not reached: a visit or call that did not reach the elder starts an escalation (DESIGN §11).

Contacts are called in order; an elder still not reached when the escalation's deadline passes
goes to the center head as an urgent task with a security (护卫部) work order for an in-person
check; the outcome ends it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from operations.models import ElderEscalation, ElderVisit
from operations.services.common import audit_record


@transaction.atomic
def elder_escalation_open(*, visit: ElderVisit, acting_user=None) -> ElderEscalation:
    """Open the escalation of a visit that did not reach the elder (called by ``elder_visit_record``)."""
    from operations.services.elders import elder_care_settings

    hours = elder_care_settings().escalation_hours
    start = max(visit.visited_at, timezone.now())
    escalation = ElderEscalation.objects.create(
        elder=visit.elder, visit=visit, deadline=start + dt.timedelta(hours=hours)
    )
    audit_record(
        instance=visit.elder,
        action="elder_escalation_open",
        acting_user=acting_user,
        changes={"escalation": escalation.pk, "deadline": escalation.deadline.isoformat()},
    )
    return escalation
