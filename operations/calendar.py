"""Working days on mainland China's official calendar, with admin overrides.

The ``chinesecalendar`` library knows official holidays and adjusted working days (调休) for
the years it was released for; ``WorkdayOverride`` rows (per center, editable in the admin)
correct or extend it — for years the library does not know yet, every date without an
override falls back to Monday–Friday.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

import chinese_calendar

from operations.models import WorkdayOverride


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(
        WorkdayOverride.objects.filter(date__range=(start, end)).values_list("date", "is_working_day")
    )


def is_working_day(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = _overrides(day, day)
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same local clock time on the ``days``-th working day after ``start``'s date.

    An application received on a holiday starts counting from the next working day, so
    ``add_working_days(saturday 10:00, 1)`` is Tuesday 10:00 when Monday is a working day.
    """
    local = timezone.localtime(start)
    horizon = local.date() + dt.timedelta(days=days * 3 + 30)
    overrides = _overrides(local.date(), horizon)
    day = local.date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day > horizon:  # pathological overrides: extend the window
            horizon = day + dt.timedelta(days=60)
            overrides.update(_overrides(day, horizon))
        if is_working_day(day, overrides):
            counted += 1
    return local.replace(year=day.year, month=day.month, day=day.day)


def deadline_for(*, start: dt.datetime, value: int | None, unit: str) -> dt.datetime | None:
    """A committed deadline from a service item's time limit (hours or working days)."""
    if not value:
        return None
    if unit == "hours":
        return start + dt.timedelta(hours=value)
    return add_working_days(start, value)
