"""Head office's rollup of a center (DESIGN §12): the day's and the month's figures and what is
open now, stored in the public schema (``portal.CenterDay``, ``CenterMonth``, ``CenterKpi``).

``kpis_publish`` recomputes them from the center's records, so it is safe to run again at any time
(``manage.py publish_center_kpis``, nightly). The services keep them current: every audited change
to a record the figures count (``KPI_MODELS``) calls ``kpis_record_changed`` from
``audit_record``, which recomputes, once the transaction has committed and once per transaction,
today and the days the record is counted on (its registration, its activity date). A rollup rebuilt
from the records therefore equals the one the services kept (``tests/operations/test_kpis.py``).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from django_tenants.utils import schema_context

from operations.models import (
    Activity,
    Booking,
    Complaint,
    Inquiry,
    Loan,
    QueueTicket,
    SurveyResponse,
    WorkOrder,
)
from operations.selectors.elders import month_range
from operations.selectors.kpis import kpi_figures, kpi_snapshot
from portal.services import center_day_set, center_kpi_set, center_month_set
from tenants.models import ServiceCenter

#: The records whose changes move the figures; their audited changes refresh the rollup.
KPI_MODELS = (WorkOrder, Complaint, SurveyResponse, Loan, Inquiry, Activity, Booking, QueueTicket)


def _current_center() -> ServiceCenter | None:
    return ServiceCenter.objects.filter(schema_name=connection.schema_name).first()


@transaction.atomic
def kpis_publish(
    *, days: list[dt.date] | tuple[dt.date, ...] = (), now: dt.datetime | None = None, center=None
) -> ServiceCenter | None:
    """Recompute the figures of ``days`` (default: today), of their months and the open counts."""
    center = center or _current_center()
    if center is None:
        return None
    now = now or timezone.now()
    days = sorted(set(days) or {timezone.localdate(now)})
    for day in days:
        center_day_set(center=center, day=day, **kpi_figures(start=day, end=day + dt.timedelta(days=1)))
    for month in sorted({day.replace(day=1) for day in days}):
        first, last = month_range(month)
        center_month_set(
            center=center, month=first, **kpi_figures(start=first, end=last + dt.timedelta(days=1))
        )
    center_kpi_set(center=center, **kpi_snapshot(now=now))
    return center


@transaction.atomic
def kpis_snapshot_publish(*, now: dt.datetime | None = None, center=None) -> ServiceCenter | None:
    """Refresh only what is open now (the periodic jobs: lateness grows without any change)."""
    center = center or _current_center()
    if center is not None:
        center_kpi_set(center=center, **kpi_snapshot(now=now))
    return center


@transaction.atomic
def kpis_publish_months(*, months: list[dt.date], center=None) -> ServiceCenter | None:
    """Recompute whole months only (a backfill: no day rows), then the open counts."""
    center = center or _current_center()
    if center is None:
        return None
    for month in sorted({m.replace(day=1) for m in months}):
        first, last = month_range(month)
        center_month_set(
            center=center, month=first, **kpi_figures(start=first, end=last + dt.timedelta(days=1))
        )
    center_kpi_set(center=center, **kpi_snapshot())
    return center


def _pending() -> set[dt.date] | None:
    """The days already queued for this center in the current transaction, if any."""
    schema = connection.schema_name
    for entry in connection.run_on_commit:
        callback = entry[1]
        if getattr(callback, "kpis_schema", None) == schema and not callback.kpis_done:
            return callback.kpis_days
    return None


def kpis_refresh(*, days: set[dt.date] | None = None, today: dt.date | None = None) -> None:
    """Recompute today and ``days`` (none after ``today``) after the current commit, once per
    transaction and center. A job passes the day of its own ``now`` as ``today``."""
    today = today or timezone.localdate()
    days = {day for day in (days or ()) if day <= today} | {today}
    queued = _pending()
    if queued is not None:
        queued |= days
        return
    schema = connection.schema_name

    def publish():
        # Marked done first: a test's captured callbacks stay in the list after they run.
        publish.kpis_done = True
        with schema_context(schema):
            kpis_publish(days=sorted(publish.kpis_days))

    publish.kpis_schema = schema
    publish.kpis_days = days
    publish.kpis_done = False
    # Robust: the change is committed already; a failed recompute is logged (the nightly job
    # corrects it) instead of a 500 and lost notifications after it.
    transaction.on_commit(publish, robust=True)


def counted_days(instance) -> set[dt.date]:
    """The local days a record is counted on besides today: its registration, its activity date."""
    days = set()
    for field in ("created", "accepted_at", "starts_at", "deadline"):
        value = getattr(instance, field, None)
        if isinstance(value, dt.datetime):
            days.add(timezone.localdate(value))
    return days


def kpis_record_changed(instance) -> None:
    """Called by ``audit_record`` for every audited change: refresh when the record is counted."""
    if isinstance(instance, KPI_MODELS) and connection.schema_name != "public":
        kpis_refresh(days=counted_days(instance))
