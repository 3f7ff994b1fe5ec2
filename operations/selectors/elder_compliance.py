"""Care compliance (DESIGN §11): visits done against visits required, by customer manager and
month, in one aggregate query whatever the size of the registry.

An elder counts in a month when registered by its end with the registry consent held, and
active at its end (or still active when the status changed after it): elders in hospital, in a
care home, moved away or deceased at the month's end are not required visits. Each counted elder
requires ``home_visits_per_month`` reached home visits; visits above that are not counted, so one
elder's extra visits cannot hide another's missing ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Least

from operations.models import Elder, ElderEscalation, ElderNeed, ElderVisit
from operations.selectors.elders import local_midnight, month_range


@dataclass
class ComplianceRow:
    manager_id: int | None
    manager_name: str
    elders: int
    required: int
    done: int
    fully_visited: int
    open_escalations: int
    needs_unanswered: int

    @property
    def rate(self) -> int:
        """Visits done / required, in whole percent (100 when nothing was required)."""
        return round(100 * self.done / self.required) if self.required else 100

    @property
    def fully_visited_share(self) -> int:
        return round(100 * self.fully_visited / self.elders) if self.elders else 100


def counted_in_month(month: dt.date) -> Q:
    """The elders a month requires visits for (see the module's docstring)."""
    _start, end = month_range(month)
    return Q(registry_consent=True, registered_on__lte=end) & (
        Q(status=Elder.Status.ACTIVE) | Q(status_since__gt=end)
    )


def _subquery_count(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("elder").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def home_visits_in_month(month: dt.date):
    start, end = month_range(month)
    return _subquery_count(
        ElderVisit.objects.filter(
            elder=OuterRef("pk"),
            kind=ElderVisit.Kind.HOME,
            reached=True,
            visited_at__gte=local_midnight(start),
            visited_at__lt=local_midnight(end + dt.timedelta(days=1)),
        )
    )


def unanswered_needs():
    """Needs still waiting: not yet met, or met without the reply visit."""
    return ElderNeed.objects.filter(elder=OuterRef("pk")).filter(
        Q(status__in=[ElderNeed.Status.OPEN, ElderNeed.Status.ORDERED])
        | Q(status=ElderNeed.Status.HANDLED, replied_on__isnull=True)
    )


def elder_compliance(*, month: dt.date, required: int, manager=None) -> list[ComplianceRow]:
    """One row per customer manager for ``month`` (any day of it), in one aggregate query."""
    elders = Elder.objects.filter(counted_in_month(month))
    if manager is not None:
        elders = elders.filter(manager=manager)
    visits = home_visits_in_month(month)
    open_escalations = _subquery_count(
        ElderEscalation.objects.filter(elder=OuterRef("pk")).exclude(status=ElderEscalation.Status.RESOLVED)
    )
    rows = (
        elders.annotate(n_visits=visits, n_open=open_escalations, n_needs=_subquery_count(unanswered_needs()))
        .order_by()
        .values("manager", "manager__first_name", "manager__last_name", "manager__username")
        .annotate(
            elders=Count("pk"),
            done=Sum(Least(F("n_visits"), Value(required))),
            fully_visited=Count("pk", filter=Q(n_visits__gte=required)),
            open_escalations=Sum("n_open"),
            needs_unanswered=Sum("n_needs"),
        )
    )
    result = []
    for row in rows:
        name = (
            f"{row['manager__first_name'] or ''} {row['manager__last_name'] or ''}".strip()
        )  # get_full_name
        result.append(
            ComplianceRow(
                manager_id=row["manager"],
                manager_name=name or row["manager__username"] or "—",
                elders=row["elders"],
                required=row["elders"] * required,
                done=row["done"] or 0,
                fully_visited=row["fully_visited"],
                open_escalations=row["open_escalations"] or 0,
                needs_unanswered=row["needs_unanswered"] or 0,
            )
        )
    result.sort(key=lambda r: (r.rate, r.manager_name))
    return result


def compliance_total(rows: list[ComplianceRow]) -> ComplianceRow:
    return ComplianceRow(
        manager_id=None,
        manager_name="",
        elders=sum(r.elders for r in rows),
        required=sum(r.required for r in rows),
        done=sum(r.done for r in rows),
        fully_visited=sum(r.fully_visited for r in rows),
        open_escalations=sum(r.open_escalations for r in rows),
        needs_unanswered=sum(r.needs_unanswered for r in rows),
    )
