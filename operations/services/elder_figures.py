"""Head office's monthly elder-care figures of a center, with no personal data (DESIGN §11).

``elder_figures_publish`` recomputes one month from the center's records and stores it in the
public schema (``portal.CenterMonth``), so it is safe to run again at any time
(``manage.py publish_center_months``). The services that change what the figures count
(registration, tier and status, visits, escalations, needs) call ``elder_figures_refresh``, which
recomputes the month once their transaction has committed.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from django_tenants.utils import schema_context

from operations.models import Elder, ElderEscalation, ElderNeed, RiskTier
from operations.selectors.elder_compliance import compliance_total, counted_in_month, elder_compliance
from operations.selectors.elders import local_midnight, month_range
from portal.models import CenterMonth
from portal.services import center_month_set
from tenants.models import ServiceCenter


def elder_figures(*, month: dt.date) -> dict[str, int]:
    """The month's figures of the current center (four aggregate queries)."""
    from operations.services.elders import elder_care_settings

    start, end = month_range(month)
    span = (local_midnight(start), local_midnight(end + dt.timedelta(days=1)))
    tiers = Elder.objects.filter(counted_in_month(month)).aggregate(
        high=Count("pk", filter=Q(risk_tier=RiskTier.HIGH)),
        priority=Count("pk", filter=Q(risk_tier=RiskTier.PRIORITY)),
        general=Count("pk", filter=Q(risk_tier=RiskTier.GENERAL)),
    )
    total = compliance_total(
        elder_compliance(month=month, required=elder_care_settings().home_visits_per_month)
    )
    escalations = ElderEscalation.objects.aggregate(
        opened=Count("pk", filter=Q(created__gte=span[0], created__lt=span[1])),
        resolved=Count("pk", filter=Q(resolved_at__gte=span[0], resolved_at__lt=span[1])),
    )
    services = ElderNeed.objects.filter(
        work_order__isnull=False,
        status=ElderNeed.Status.HANDLED,
        handled_at__gte=span[0],
        handled_at__lt=span[1],
    ).count()
    return {
        "elders_high": tiers["high"],
        "elders_priority": tiers["priority"],
        "elders_general": tiers["general"],
        "elder_visits_required": total.required,
        "elder_visits_done": total.done,
        "elders_fully_visited": total.fully_visited,
        "escalations_opened": escalations["opened"],
        "escalations_resolved": escalations["resolved"],
        "special_services_done": services,
    }


def months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first days of this month and the ``count - 1`` months before it, oldest first."""
    month, months = today.replace(day=1), []
    for _i in range(max(count, 1)):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


@transaction.atomic
def elder_figures_publish(*, month: dt.date, center: ServiceCenter | None = None) -> CenterMonth | None:
    """Recompute and store the current center's figures of ``month``; None outside a center."""
    center = center or ServiceCenter.objects.filter(schema_name=connection.schema_name).first()
    if center is None:
        return None
    return center_month_set(center=center, month=month, **elder_figures(month=month))


def elder_figures_refresh(*, day: dt.date | None = None) -> None:
    """Recompute the figures of ``day``'s month (default: this month) after the current commit.

    Once per center and month per transaction: a transaction that records many visits (an import,
    the demo) recomputes the month once, not once a visit. The pending callbacks are read from the
    connection's own list, which Django empties on rollback, so nothing stays "already queued".
    """
    month = (day or timezone.localdate()).replace(day=1)
    schema = connection.schema_name
    key = (schema, month)
    if any(
        getattr(entry[1], "elder_figures_key", None) == key and not entry[1].elder_figures_done
        for entry in connection.run_on_commit
    ):
        return

    def publish():
        publish.elder_figures_done = True  # a test's captured callbacks stay in the list after they run
        with schema_context(schema):
            elder_figures_publish(month=month)

    publish.elder_figures_key = key
    publish.elder_figures_done = False
    # Robust: the change is committed already; a failed recompute is logged (the nightly job
    # corrects it) instead of a 500 and lost notifications after it.
    transaction.on_commit(publish, robust=True)
