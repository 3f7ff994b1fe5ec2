"""Named reads for community activities: the list, the detail with its photos, notice, survey and
report, the figures, and the yearly compliance grid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.images import get_image_model

import chinese_calendar

from operations.hooks import activity_website
from operations.models import Activity, SurveyAnswer, SurveyResponse, WorkOrder
from operations.selectors.surveys import surveys_list

HELD_STATUSES = (Activity.Status.HELD, Activity.Status.REPORTED)
REPAIR_DAY_WINDOW_DAYS = 30
MIN_FREE_CLINICS = 2

# chinese_calendar names of the festivals it knows (public holidays); the others have no date here.
_CALENDAR_HOLIDAYS = {
    Activity.Festival.SPRING: "Spring Festival",
    Activity.Festival.MID_AUTUMN: "Mid-autumn Festival",
    Activity.Festival.DRAGON_BOAT: "Dragon Boat Festival",
    Activity.Festival.NATIONAL_DAY: "National Day",
}


def activities_list(*, kind: str = "", status: str = "", year: int | None = None) -> QuerySet[Activity]:
    qs = Activity.objects.select_related("organiser").annotate(
        participant_count=Count("participants"),
        attended_count=Count("participants", filter=Q(participants__attended=True)),
    )
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(starts_at__year=year)
    return qs.order_by("-starts_at")


def festival_start(festival: str, on_or_after: dt.date) -> dt.date | None:
    """First day of the festival's public holiday on or after a date, from ``chinese_calendar``.

    Returns None when the festival is no public holiday (元宵节, 重阳节, other) or the calendar does not
    cover the year; the caller then accepts "festival set" as enough.
    """
    if festival == Activity.Festival.NATIONAL_DAY:
        candidate = dt.date(on_or_after.year, 10, 1)
        return candidate if candidate >= on_or_after else dt.date(on_or_after.year + 1, 10, 1)
    name = _CALENDAR_HOLIDAYS.get(festival)
    if name is None:
        return None
    for offset in range(0, 400):
        day = on_or_after + dt.timedelta(days=offset)
        try:
            _on_holiday, detail = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return None
        if detail == name:
            previous = day - dt.timedelta(days=1)
            try:
                _p, previous_detail = chinese_calendar.get_holiday_detail(previous)
            except NotImplementedError:
                previous_detail = None
            if previous_detail != name or offset == 0:
                return day
    return None


def repair_day_counts(activity: Activity) -> bool:
    """A held repair day counts when it is tied to a festival and held within 30 days before it."""
    if activity.status not in HELD_STATUSES or not activity.festival:
        return False
    held_on = timezone.localtime(activity.starts_at).date()
    start = festival_start(activity.festival, held_on)
    if start is None:
        return True  # no date known for this festival: "festival set" is enough
    return (start - held_on).days <= REPAIR_DAY_WINDOW_DAYS


@dataclass
class ComplianceCell:
    label: str
    required: int
    done: int
    state: str  # "met" (green), "missed" (red), "at_risk" (amber), "upcoming" (not started yet)
    activities: list = field(default_factory=list)

    @property
    def colour(self) -> str:
        return {"met": "green", "missed": "red", "at_risk": "amber"}.get(self.state, "grey")


@dataclass
class ComplianceRow:
    kind: str
    label: str
    cells: list[ComplianceCell]


def _quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


def _state(done: int, required: int, first: dt.date, last: dt.date, today: dt.date) -> str:
    if done >= required:
        return "met"
    if today > last:
        return "missed"
    if today < first:
        return "upcoming"
    return "at_risk"


def activities_compliance(*, year: int, today: dt.date | None = None) -> list[ComplianceRow]:
    """The yearly grid: ≥2 free clinics a year, one birthday party and one festival repair day per quarter."""
    today = today or timezone.localdate()
    held = list(
        Activity.objects.filter(status__in=HELD_STATUSES, starts_at__year=year)
        .filter(kind__in=[Activity.Kind.FREE_CLINIC, Activity.Kind.BIRTHDAY_PARTY, Activity.Kind.REPAIR_DAY])
        .order_by("starts_at")
    )
    by_kind: dict[str, list[Activity]] = {}
    for activity in held:
        if activity.kind == Activity.Kind.REPAIR_DAY and not repair_day_counts(activity):
            continue
        by_kind.setdefault(activity.kind, []).append(activity)

    clinics = by_kind.get(Activity.Kind.FREE_CLINIC, [])
    rows = [
        ComplianceRow(
            kind=Activity.Kind.FREE_CLINIC,
            label=_("Free clinics (at least two a year)"),
            cells=[
                ComplianceCell(
                    label=str(year),
                    required=MIN_FREE_CLINICS,
                    done=len(clinics),
                    state=_state(
                        len(clinics), MIN_FREE_CLINICS, dt.date(year, 1, 1), dt.date(year, 12, 31), today
                    ),
                    activities=clinics,
                )
            ],
        )
    ]
    for kind, label in (
        (Activity.Kind.BIRTHDAY_PARTY, _("Group birthday party (one a quarter)")),
        (Activity.Kind.REPAIR_DAY, _("Volunteer repair day before a festival (one a quarter)")),
    ):
        cells = []
        for quarter in (1, 2, 3, 4):
            first, last = _quarter_bounds(year, quarter)
            items = [
                a for a in by_kind.get(kind, []) if first <= timezone.localtime(a.starts_at).date() <= last
            ]
            cells.append(
                ComplianceCell(
                    label=f"Q{quarter}",
                    required=1,
                    done=len(items),
                    state=_state(len(items), 1, first, last, today),
                    activities=items,
                )
            )
        rows.append(ComplianceRow(kind=kind, label=label, cells=cells))
    return rows


def activities_upcoming(*, now: dt.datetime | None = None, limit: int = 5) -> QuerySet[Activity]:
    """Activities residents can still go to: planned or publicised, not yet over, soonest first."""
    now = now or timezone.now()
    return Activity.objects.filter(
        status__in=(Activity.Status.PLANNED, Activity.Status.PUBLICISED), ends_at__gte=now
    ).order_by("starts_at")[:limit]


def activity_figures(activity: Activity) -> dict:
    """Figures of a held activity for its report: participants, repairs done, satisfaction.

    ``participants`` counts those marked as attended, or everyone registered when attendance
    was not taken; ``repairs_done`` counts the repair-day work orders that are completed (or
    later); ``satisfaction_rate`` (0–100, one decimal) and ``responses`` come from the surveys
    attached to the activity (None and 0 without answers).
    """
    counts = activity.participants.aggregate(total=Count("pk"), attended=Count("pk", filter=Q(attended=True)))
    done = (WorkOrder.Status.COMPLETED, WorkOrder.Status.CALLED_BACK, WorkOrder.Status.CLOSED)
    repairs_done = activity.repair_items.filter(work_order__status__in=done).count()
    ratings = SurveyAnswer.objects.filter(
        response__survey__activity=activity, rating__isnull=False
    ).aggregate(
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(rating__gte=4)),
    )
    rate = round(100 * ratings["satisfied"] / ratings["rated"], 1) if ratings["rated"] else None
    return {
        "participants": counts["attended"] or counts["total"],
        "repairs_done": repairs_done,
        "satisfaction_rate": rate,
        # every answer counts, also one with only comments or choices
        "responses": SurveyResponse.objects.filter(survey__activity=activity).count(),
    }


PHOTO_THUMBNAIL = "fill-200x150"


def activity_photos(*, activity: Activity, limit: int = 24):
    """The newest photos of the activity's collection with their thumbnails prefetched (2 queries)."""
    if not activity.photo_collection_id:
        return []
    return list(
        get_image_model()
        .objects.filter(collection_id=activity.photo_collection_id)
        .order_by("-created_at", "-pk")
        .prefetch_renditions(PHOTO_THUMBNAIL)[:limit]
    )


def activity_photo_count(*, activity: Activity) -> int:
    if not activity.photo_collection_id:
        return 0
    return get_image_model().objects.filter(collection_id=activity.photo_collection_id).count()


def activity_notice_choices(*, limit: int = 30):
    """Recent 活动预告 notices of the center, to link one to an activity (from its website)."""
    return activity_website().notice_choices(limit=limit)


def activity_report_page(*, activity: Activity):
    """The activity's report page (the newest when there are several), or None (from its website)."""
    return activity_website().report_page(activity=activity)


def activity_survey(*, activity: Activity):
    """The activity's satisfaction survey (the newest), with counts of invitations and answers."""
    return surveys_list().filter(activity=activity).order_by("-created", "-pk").first()
