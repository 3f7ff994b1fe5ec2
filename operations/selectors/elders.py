"""Reads of the elders' registry: who is due for a visit or a call and by when (the cadence).

Cadence (DESIGN §11): every active elder on the registry needs ``home_visits_per_month`` reached
home visits per calendar month (the first by ``first_visit_by_day``, the rest by the month's end);
a high-risk elder also needs ``high_risk_contacts_per_week`` reached contacts (visit or call) per
week (Monday–Sunday); an elder back from hospital is due within 24 hours; an open care alert
makes its elders due today. Only reached home visits count toward the month; calls count toward
the week.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Exists, IntegerField, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.models import (
    Activity,
    ActivityParticipant,
    CareAlert,
    Elder,
    ElderCareSettings,
    ElderNeed,
    ElderVisit,
    RiskTier,
)

#: How long the manager has, once a need is handled, to go back and report (及时上门回复处理情况).
REPLY_WITHIN = dt.timedelta(hours=48)


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_range(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of ``day``'s month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def week_range(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def staff_who_visit():
    """Active staff who may visit elders (customer managers, the center head), by name."""
    perm = Permission.objects.filter(content_type__app_label="operations", codename="add_eldervisit")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "username")
    )


def elders_of(user, *, today: dt.date | None = None) -> Q:
    """The elders ``user`` looks after today: as their manager, or as the delegate of the period."""
    today = today or timezone.localdate()
    return Q(manager=user) | Q(
        delegate=user,
        delegate_from__lte=today,
        delegate_until__gte=today,
    )


def on_visit_lists() -> Q:
    """Elders the cadence applies to: on the registry (consent not withdrawn), active, or in
    hospital with the pause over."""
    today = timezone.localdate()
    return Q(registry_consent=True) & (
        Q(status=Elder.Status.ACTIVE)
        | Q(status=Elder.Status.IN_HOSPITAL, paused_until__isnull=False, paused_until__lt=today)
    )


def _count(visits, **filters):
    return Coalesce(
        Subquery(
            visits.filter(**filters).order_by().values("elder").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_cadence(queryset, *, today: dt.date | None = None):
    """Annotate elders with this month's reached home visits, this week's reached contacts, the
    last visit, whether they were contacted since their return from hospital and whether an open
    care alert still waits for them (subqueries: one query whatever the number of visits)."""
    today = today or timezone.localdate()
    month_start, month_end = month_range(today)
    week_start, _week_end = week_range(today)
    visits = ElderVisit.objects.filter(elder=OuterRef("pk"), reached=True)
    month = (local_midnight(month_start), local_midnight(month_end + dt.timedelta(days=1)))
    week = (local_midnight(week_start), local_midnight(week_start + dt.timedelta(days=7)))
    alert_waiting = CareAlert.objects.filter(closed_at__isnull=True, elders=OuterRef("pk")).exclude(
        Exists(
            ElderVisit.objects.filter(elder=OuterRef(OuterRef("pk")), care_alert=OuterRef("pk"), reached=True)
        )
    )
    return queryset.annotate(
        home_visits_month=_count(
            visits, kind=ElderVisit.Kind.HOME, visited_at__gte=month[0], visited_at__lt=month[1]
        ),
        contacts_week=_count(visits, visited_at__gte=week[0], visited_at__lt=week[1]),
        last_visit_at=Subquery(
            ElderVisit.objects.filter(elder=OuterRef("pk"))
            .order_by()
            .values("elder")
            .annotate(m=Max("visited_at"))
            .values("m")
        ),
        contacted_since_return=Exists(visits.filter(visited_at__gte=OuterRef("returned_at"))),
        alert_waiting=Exists(alert_waiting),
        reply_due_since=Subquery(
            ElderNeed.objects.filter(
                elder=OuterRef("pk"), status=ElderNeed.Status.HANDLED, replied_on__isnull=True
            )
            .order_by()
            .values("elder")
            .annotate(m=Min("handled_at"))
            .values("m")
        ),
    )


@dataclass
class Due:
    """One thing due for an elder: what, by when, and whether it is already late."""

    kind: str  # "month", "week", "return", "alert", "reply"
    label: str
    by: dt.datetime
    overdue: bool


@dataclass
class DueRow:
    elder: Elder
    dues: list[Due] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return any(due.overdue for due in self.dues)

    @property
    def next_by(self) -> dt.datetime:
        return min(due.by for due in self.dues)


def elder_dues(elder: Elder, settings: ElderCareSettings, *, now: dt.datetime | None = None) -> list[Due]:
    """What ``elder`` (annotated by ``with_cadence``) still needs, with the deadline of each."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    month_start, month_end = month_range(today)
    _week_start, week_end = week_range(today)
    end_of = lambda day: local_midnight(day + dt.timedelta(days=1)) - dt.timedelta(minutes=1)  # noqa: E731
    dues = []
    required, done = settings.home_visits_per_month, elder.home_visits_month
    if done < required:
        first_by = month_start.replace(day=min(settings.first_visit_by_day, month_end.day))
        by = end_of(first_by) if done == 0 else end_of(month_end)
        label = (
            _("First home visit of the month")
            if done == 0
            else _("Home visit %(n)d of %(required)d this month") % {"n": done + 1, "required": required}
        )
        dues.append(Due("month", label, by, now > by))
    if elder.risk_tier == RiskTier.HIGH and elder.contacts_week < settings.high_risk_contacts_per_week:
        by = end_of(week_end)
        dues.append(Due("week", _("Weekly contact (high risk)"), by, now > by))
    if elder.returned_at and not elder.contacted_since_return:
        by = elder.returned_at + dt.timedelta(hours=24)
        dues.append(Due("return", _("Visit after the return from hospital"), by, now > by))
    if elder.alert_waiting:
        by = end_of(today)
        dues.append(Due("alert", _("Care alert: contact today"), by, now > by))
    if elder.reply_due_since:
        by = elder.reply_due_since + REPLY_WITHIN
        dues.append(Due("reply", _("Reply visit: report how the needs were handled"), by, now > by))
    return dues


def elder_due_list(
    *, user=None, manager=None, now: dt.datetime | None = None, settings: ElderCareSettings | None = None
) -> list[DueRow]:
    """The elders with something due, late ones first, then by the nearest deadline.

    ``user``: the elders they look after (as manager or active delegate); ``manager``: one
    manager's elders (the center head's view); neither: the whole center. Two queries.
    """
    from operations.services.elders import elder_care_settings

    now = now or timezone.now()
    today = timezone.localdate(now)
    settings = settings or elder_care_settings()
    elders = Elder.objects.filter(on_visit_lists()).select_related(
        "resident__unit__building", "manager", "delegate"
    )
    if user is not None:
        elders = elders.filter(elders_of(user, today=today))
    if manager is not None:
        elders = elders.filter(manager=manager)
    rows = []
    for elder in with_cadence(elders, today=today):
        dues = elder_dues(elder, settings, now=now)
        if dues:
            rows.append(DueRow(elder, dues))
    rows.sort(key=lambda row: (not row.overdue, row.next_by, row.elder.resident.name))
    return rows


def elder_listing():
    """The registry as the index lists it: resident, unit, manager, cadence figures."""
    return with_cadence(Elder.objects.select_related("resident__unit__building", "manager", "delegate"))


def elder_care_activities(elder: Elder, *, sensitive: bool) -> list[dict]:
    """The care activities the elder was invited to or came to, newest first, with the clinic's
    observations when the viewer may see them (two queries)."""
    participations = (
        ActivityParticipant.objects.filter(
            resident_id=elder.resident_id,
            activity__kind__in=[Activity.Kind.BIRTHDAY_PARTY, Activity.Kind.FREE_CLINIC],
        )
        .select_related("activity")
        .order_by("-activity__starts_at")
    )
    observed = dict(elder.clinic_observations.values_list("activity_id", "observations")) if sensitive else {}
    return [
        {
            "activity": p.activity,
            "invited": p.invited,
            "attended": p.attended,
            "observations": observed.get(p.activity_id, ""),
        }
        for p in participations
    ]


def free_clinics_for_record():
    """The free clinics an elder's attendance may be recorded for: started, not reported or cancelled."""
    return Activity.objects.filter(
        kind=Activity.Kind.FREE_CLINIC,
        starts_at__lte=timezone.now(),
        status__in=[Activity.Status.PUBLICISED, Activity.Status.HELD, Activity.Status.PLANNED],
    ).order_by("-starts_at")
