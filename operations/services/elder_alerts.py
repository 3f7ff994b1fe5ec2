"""Care alerts (恶劣天气/突发事件关怀): the center head raises one, every high-risk elder is due
for contact today, and the alert closes itself when everyone has been reached (DESIGN §11)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from operations.models import CareAlert, ElderVisit
from operations.services.common import audit_record


@transaction.atomic
def care_alerts_visit_recorded(*, visit: ElderVisit) -> list[CareAlert]:
    """Count a reached visit or call toward the open alerts that list its elder; close an alert
    whose elders are all reached. Called by ``elder_visit_record``; returns the alerts closed."""
    if not visit.reached:
        return []
    closed = []
    alerts = CareAlert.objects.select_for_update().filter(
        closed_at__isnull=True, elders=visit.elder, raised_at__lte=visit.visited_at
    )
    for alert in alerts:
        if visit.care_alert_id is None:
            visit.care_alert = alert
            visit.save(update_fields=["care_alert"])
        reached = ElderVisit.objects.filter(care_alert=alert, reached=True).values("elder").distinct().count()
        if reached >= alert.elders.count():
            alert.closed_at = timezone.now()
            alert.close_note = "全部联系到"
            alert.save(update_fields=["closed_at", "close_note"])
            audit_record(instance=alert, action="care_alert_close", changes={"automatic": True})
            closed.append(alert)
    return closed
