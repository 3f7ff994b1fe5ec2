"""The figures of head office's dashboard (DESIGN §12): what each is, how it is read from the
rollups in one query for any number of centers, and when it turns amber or red.

Every figure is an SQL expression over ``ServiceCenter`` with the month's row joined as ``m``
(``CenterMonth`` through a ``FilteredRelation``) and the open counts as ``kpi`` (``CenterKpi``), so
the table sorts and pages in the database and costs the same with ten centers or ten thousand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Expression,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import CenterKpi, CenterMonth, KpiThreshold, Submission
from tenants.models import ServiceCenter

RATE, COUNT, MINUTES = "rate", "count", "minutes"


@dataclass(frozen=True)
class Kpi:
    code: str
    label: str
    kind: str  # RATE (shown as %), COUNT or MINUTES
    higher_is_better: bool
    amber: Decimal | None = None
    red: Decimal | None = None
    help: str = ""
    #: False for a figure that only means something once the month is over (the elders' monthly
    #: visit rate is half done mid-month): not flagged while its month is running.
    flag_while_running: bool = True

    def expression(self) -> Expression:
        return EXPRESSIONS[self.code]()

    def flag(self, value, thresholds: dict[str, tuple], *, running: bool = False) -> str:
        """``"red"``, ``"amber"`` or ``""`` for ``value`` against head office's marks."""
        if value is None or (running and not self.flag_while_running):
            return ""
        amber, red = thresholds.get(self.code, (self.amber, self.red))
        shown = Decimal(str(round(value * 100, 1))) if self.kind == RATE else Decimal(value)
        bad = (lambda mark: shown < mark) if self.higher_is_better else (lambda mark: shown >= mark)
        if red is not None and bad(red):
            return "red"
        if amber is not None and bad(amber):
            return "amber"
        return ""


def _rate(numerator: str, denominator: str) -> Expression:
    return Cast(F(numerator), FloatField()) / Cast(NullIf(F(denominator), 0), FloatField())


def _purchase_pending() -> Expression:
    pending = (
        Submission.objects.filter(
            center=OuterRef("pk"), kind=Submission.Kind.PURCHASE_REQUEST, status=Submission.Status.PENDING
        )
        .order_by()
        .values("center")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(pending, output_field=IntegerField()), Value(0))


EXPRESSIONS = {
    "in_time_rate": lambda: _rate("m__work_orders_in_time", "m__work_orders_completed"),
    "work_orders_completed": lambda: F("m__work_orders_completed"),
    "work_orders_breached": lambda: F("m__work_orders_breached"),
    "work_orders_overdue": lambda: F("kpi__work_orders_overdue"),
    "completion_minutes_median": lambda: F("m__completion_minutes_median"),
    "inquiries_overdue": lambda: F("kpi__inquiries_overdue"),
    "complaints_received": lambda: F("m__complaints_received"),
    "complaints_major": lambda: F("m__complaints_major"),
    "replied_in_time_rate": lambda: _rate("m__complaints_replied_in_time", "m__complaints_replied"),
    "complaints_overdue": lambda: F("kpi__complaints_overdue"),
    "satisfaction_rate": lambda: _rate("m__ratings_satisfied", "m__ratings"),
    "responses": lambda: F("m__responses"),
    "loans_out": lambda: F("kpi__loans_out"),
    "overdue_loans": lambda: F("kpi__overdue_loans"),
    "elders_high": lambda: F("m__elders_high"),
    "visit_rate": lambda: _rate("m__elder_visits_done", "m__elder_visits_required"),
    "escalations_open": lambda: F("kpi__escalations_open"),
    "escalations_over_day": lambda: F("kpi__escalations_over_day"),
    "work_orders_late_over_day": lambda: F("kpi__work_orders_late_over_day"),
    "activities_held": lambda: F("m__activities_held"),
    "purchase_pending": _purchase_pending,
    "bookings": lambda: F("m__bookings"),
    "queue_wait_minutes": lambda: (
        Cast(F("m__queue_wait_seconds"), FloatField())
        / 60
        / Cast(NullIf(F("m__queue_called"), 0), FloatField())
    ),
}

KPIS: tuple[Kpi, ...] = (
    Kpi("in_time_rate", _("Work orders done in time"), RATE, True, Decimal(95), Decimal(90)),
    Kpi("work_orders_completed", _("Work orders completed"), COUNT, True),
    Kpi("work_orders_breached", _("Deadlines breached"), COUNT, False, Decimal(1), Decimal(5)),
    Kpi("work_orders_overdue", _("Open past deadline"), COUNT, False, Decimal(1), Decimal(3)),
    Kpi("completion_minutes_median", _("Median completion (min)"), MINUTES, False),
    Kpi("inquiries_overdue", _("Inquiries past limit"), COUNT, False, Decimal(1), Decimal(3)),
    Kpi("complaints_received", _("Complaints"), COUNT, False),
    Kpi("complaints_major", _("Major complaints"), COUNT, False, Decimal(1), Decimal(2)),
    Kpi("replied_in_time_rate", _("Complaints replied in time"), RATE, True, Decimal(100), Decimal(90)),
    Kpi("complaints_overdue", _("Complaints past reply date"), COUNT, False, Decimal(1), Decimal(2)),
    Kpi("satisfaction_rate", _("Satisfaction"), RATE, True, Decimal(90), Decimal(85)),
    Kpi("responses", _("Responses"), COUNT, True),
    Kpi("loans_out", _("Loans out"), COUNT, False),
    Kpi("overdue_loans", _("Loans overdue"), COUNT, False, Decimal(1), Decimal(5)),
    Kpi("elders_high", _("High-risk elders"), COUNT, False),
    Kpi("visit_rate", _("Elder visit rate"), RATE, True, Decimal(100), Decimal(90), flag_while_running=False),
    Kpi("escalations_open", _("Elders not reached"), COUNT, False, Decimal(1), Decimal(1)),
    Kpi("escalations_over_day", _("Not reached for 24 h+"), COUNT, False, Decimal(1), Decimal(1)),
    Kpi("work_orders_late_over_day", _("Work orders a day late"), COUNT, False, Decimal(1), Decimal(1)),
    Kpi("activities_held", _("Activities held"), COUNT, True),
    Kpi("purchase_pending", _("Purchase requests pending"), COUNT, False),
    Kpi("bookings", _("Desk bookings"), COUNT, True),
    Kpi("queue_wait_minutes", _("Average wait at the desk (min)"), MINUTES, False, Decimal(15), Decimal(30)),
)
KPI_BY_CODE = {kpi.code: kpi for kpi in KPIS}


def thresholds() -> dict[str, tuple]:
    """Head office's marks per figure, the defaults where it set none (one query)."""
    marks = {kpi.code: (kpi.amber, kpi.red) for kpi in KPIS}
    for row in KpiThreshold.objects.all():
        if row.code in marks:
            marks[row.code] = (row.amber, row.red)
    return marks


def dashboard_centers(
    *, month: dt.date, query: str = "", region: str = "", sort: str = "", status: str = ""
) -> QuerySet:
    """Every center with each figure of ``month`` annotated (``kpi_<code>``), filtered and sorted
    in the database: one query a page, whatever the number of centers."""
    centers = ServiceCenter.objects.annotate(
        m=FilteredRelation("months", condition=Q(months__month=month.replace(day=1)))
    ).select_related("kpi")
    centers = centers.annotate(**{f"kpi_{kpi.code}": kpi.expression() for kpi in KPIS})
    if query:
        centers = centers.filter(Q(name__icontains=query) | Q(code__icontains=query))
    if region:
        centers = centers.filter(region=region)
    if status in ServiceCenter.Status.values:
        centers = centers.filter(status=status)
    code, descending = sort.lstrip("-"), sort.startswith("-")
    if code in KPI_BY_CODE:
        field = F(f"kpi_{code}")
        order = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
        return centers.order_by(order, "code")
    if code in ("name", "region"):
        return centers.order_by(f"-{code}" if descending else code, "code")
    return centers.order_by("code")


def regions() -> list[str]:
    return list(
        ServiceCenter.objects.exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


# --- Trends, league table and heat maps (DESIGN §12) ---------------------------------------------

SUMMED = (
    "work_orders_completed",
    "work_orders_in_time",
    "work_orders_breached",
    "complaints_received",
    "complaints_replied",
    "complaints_replied_in_time",
    "ratings",
    "ratings_satisfied",
    "responses",
    "elder_visits_done",
    "elder_visits_required",
    "activities_held",
)


def months_ending(month: dt.date, count: int = 12) -> list[dt.date]:
    """The first days of ``count`` months ending with ``month``, oldest first."""
    months, current = [], month.replace(day=1)
    for _i in range(count):
        months.append(current)
        current = (current - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


@dataclass
class MonthPoint:
    month: dt.date
    in_time_rate: float | None
    satisfaction_rate: float | None
    visit_rate: float | None
    replied_in_time_rate: float | None
    completed: int
    complaints: int
    responses: int


def _point(month: dt.date, sums: dict) -> MonthPoint:
    return MonthPoint(
        month=month,
        in_time_rate=_ratio(sums.get("work_orders_in_time") or 0, sums.get("work_orders_completed") or 0),
        satisfaction_rate=_ratio(sums.get("ratings_satisfied") or 0, sums.get("ratings") or 0),
        visit_rate=_ratio(sums.get("elder_visits_done") or 0, sums.get("elder_visits_required") or 0),
        replied_in_time_rate=_ratio(
            sums.get("complaints_replied_in_time") or 0, sums.get("complaints_replied") or 0
        ),
        completed=sums.get("work_orders_completed") or 0,
        complaints=sums.get("complaints_received") or 0,
        responses=sums.get("responses") or 0,
    )


def monthly_trend(
    *, month: dt.date, count: int = 12, center: ServiceCenter | None = None
) -> list[MonthPoint]:
    """The company's (or one center's) figures for the ``count`` months ending with ``month``: rates
    from the summed counts, one grouped query whatever the number of centers."""
    months = months_ending(month, count)
    rows = CenterMonth.objects.filter(month__gte=months[0], month__lte=months[-1])
    if center is not None:
        rows = rows.filter(center=center)
    sums = {
        row["month"]: row
        for row in rows.order_by().values("month").annotate(**{field: Sum(field) for field in SUMMED})
    }
    return [_point(m, sums.get(m, {})) for m in months]


LEAGUE = {
    "satisfaction": (_("Satisfaction"), ("ratings_satisfied", "ratings")),
    "in_time": (
        _("Commitments kept (work orders in time)"),
        ("work_orders_in_time", "work_orders_completed"),
    ),
    "visits": (_("Elder visit rate"), ("elder_visits_done", "elder_visits_required")),
}


def league(*, month: dt.date, by: str, region: str = "") -> QuerySet:
    """Centers ranked by one rate of ``month`` (best first, centers without it last), with the
    previous month's rate and the change (``rate``, ``previous``, ``change``): one query a page."""
    numerator, denominator = LEAGUE[by][1]
    previous = (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    centers = ServiceCenter.objects.annotate(
        m=FilteredRelation("months", condition=Q(months__month=month.replace(day=1))),
        p=FilteredRelation("months", condition=Q(months__month=previous)),
    ).annotate(
        rate=_rate(f"m__{numerator}", f"m__{denominator}"),
        previous=_rate(f"p__{numerator}", f"p__{denominator}"),
    )
    centers = centers.annotate(change=F("rate") - F("previous"))
    if region:
        centers = centers.filter(region=region)
    return centers.order_by(F("rate").desc(nulls_last=True), "code")


def heat_map(
    *, centers: list[ServiceCenter], month: dt.date, count: int = 12, today: dt.date | None = None
) -> list[dict]:
    """For a page of centers and ``count`` months ending with ``month``: each month's elder visit rate
    and activity compliance (one query for the page)."""
    months = months_ending(month, count)
    first_of_year = {m.year: dt.date(m.year, 1, 1) for m in months}
    since = min([months[0], *first_of_year.values()])
    rows = CenterMonth.objects.filter(center__in=centers, month__gte=since, month__lte=months[-1]).values(
        "center_id",
        "month",
        "elder_visits_done",
        "elder_visits_required",
        "clinics_held",
        "birthday_parties_held",
        "repair_days_held",
    )
    by_center: dict[int, dict[dt.date, dict]] = {}
    for row in rows:
        by_center.setdefault(row["center_id"], {})[row["month"]] = row
    result = []
    for center in centers:
        own = by_center.get(center.pk, {})
        cells = []
        for m in months:
            row = own.get(m, {})
            visits = _ratio(row.get("elder_visits_done") or 0, row.get("elder_visits_required") or 0)
            cells.append(
                {"month": m, "visit_rate": visits, "activities": activity_compliance(own, m, today=today)}
            )
        result.append({"center": center, "cells": cells})
    return result


def activity_compliance(rows: dict[dt.date, dict], month: dt.date, *, today: dt.date | None = None) -> dict:
    """The yearly requirements (5.2.4) as of the end of ``month``: a birthday party and a volunteer
    repair day in its quarter, free clinics at least twice a year (one by June, two by December).
    ``state``: "met", "pending" (still time within the quarter or year) or "missed"."""
    quarter_start = dt.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
    in_quarter = [rows.get(m, {}) for m in _months_between(quarter_start, month)]
    in_year = [rows.get(m, {}) for m in _months_between(dt.date(month.year, 1, 1), month)]
    birthday = any(r.get("birthday_parties_held") for r in in_quarter)
    repair = any(r.get("repair_days_held") for r in in_quarter)
    clinics = sum(r.get("clinics_held") or 0 for r in in_year)
    clinics_due = 2 if month.month == 12 else 1 if month.month >= 6 else 0
    met = [birthday, repair, clinics >= clinics_due]
    over = month < (today or timezone.localdate()).replace(day=1)  # a running month misses nothing yet
    quarter_missed = over and month.month % 3 == 0 and not (birthday and repair)
    if all(met):
        state = "met"
    elif quarter_missed or (over and clinics < clinics_due):
        state = "missed"
    else:
        state = "pending"
    return {"met": sum(met), "of": 3, "state": state, "clinics": clinics}


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def dashboard_alerts(*, limit: int = 20) -> tuple[list, int]:
    """Centers with an elder not reached for over 24 hours or a work order more than a day past
    its deadline, worst first, and how many there are (two queries)."""
    alerts = CenterKpi.objects.filter(
        Q(escalations_over_day__gt=0) | Q(work_orders_late_over_day__gt=0),
        center__status=ServiceCenter.Status.ACTIVE,  # a suspended center's jobs do not run
    )
    rows = list(
        alerts.select_related("center").order_by(
            F("escalations_over_day").desc(), F("work_orders_late_over_day").desc(), "center__code"
        )[:limit]
    )
    return rows, alerts.count()  # always counted: the same queries however many are on alert
