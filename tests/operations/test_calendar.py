"""Working days on the official calendar, admin overrides, fallback, and committed deadlines."""

import datetime as dt
from zoneinfo import ZoneInfo

from operations.calendar import add_working_days, deadline_for, is_working_day
from operations.models import WorkdayOverride

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_national_day_is_not_a_working_day(alpha):
    assert is_working_day(dt.date(2026, 10, 1)) is False
    assert is_working_day(dt.date(2026, 10, 7)) is False


def test_adjusted_working_sunday_counts(alpha):
    sunday = dt.date(2026, 1, 4)  # 元旦调休上班
    assert sunday.weekday() == 6
    assert is_working_day(sunday) is True
    # Friday 2 January 2026 is a holiday; one working day after it is the adjusted Sunday.
    start = dt.datetime(2026, 1, 2, 10, 0, tzinfo=SHANGHAI)
    assert add_working_days(start, 1) == dt.datetime(2026, 1, 4, 10, 0, tzinfo=SHANGHAI)


def test_ordinary_weekend_is_not_a_working_day(alpha):
    assert is_working_day(dt.date(2026, 11, 28)) is False  # Saturday
    assert is_working_day(dt.date(2026, 11, 30)) is True  # Monday


def test_override_for_2027_wins(alpha):
    new_year = dt.date(2027, 1, 1)  # a Friday, unknown to the library
    assert is_working_day(new_year) is True  # weekday fallback
    WorkdayOverride.objects.create(date=new_year, is_working_day=False, note="元旦")
    assert is_working_day(new_year) is False
    saturday = dt.date(2027, 2, 20)
    WorkdayOverride.objects.create(date=saturday, is_working_day=True, note="春节调休")
    assert is_working_day(saturday) is True


def test_override_also_wins_over_the_library(alpha):
    WorkdayOverride.objects.create(date=dt.date(2026, 10, 8), is_working_day=False, note="中心调整")
    assert is_working_day(dt.date(2026, 10, 8)) is False


def test_fallback_for_an_unknown_year(alpha):
    assert is_working_day(dt.date(2031, 3, 7)) is True  # Friday
    assert is_working_day(dt.date(2031, 3, 8)) is False  # Saturday
    start = dt.datetime(2031, 3, 7, 9, 30, tzinfo=SHANGHAI)
    assert add_working_days(start, 1) == dt.datetime(2031, 3, 10, 9, 30, tzinfo=SHANGHAI)


def test_deadline_for_hours(alpha):
    start = dt.datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)
    assert deadline_for(start=start, value=24, unit="hours") == dt.datetime(
        2026, 10, 1, 20, 0, tzinfo=SHANGHAI
    )


def test_deadline_for_working_days_skips_national_day(alpha):
    start = dt.datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)
    # 1–7 October are holidays, Saturday 10 October is an adjusted working day.
    assert deadline_for(start=start, value=1, unit="working_days") == dt.datetime(
        2026, 10, 8, 15, 0, tzinfo=SHANGHAI
    )
    assert deadline_for(start=start, value=3, unit="working_days") == dt.datetime(
        2026, 10, 10, 15, 0, tzinfo=SHANGHAI
    )


def test_deadline_from_utc_start_uses_shanghai_dates(alpha):
    start = dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC)  # Saturday 01:00 in Shanghai
    deadline = deadline_for(start=start, value=1, unit="working_days")
    assert deadline.astimezone(SHANGHAI) == dt.datetime(2026, 11, 30, 1, 0, tzinfo=SHANGHAI)


def test_no_limit_means_no_deadline(alpha):
    assert deadline_for(start=dt.datetime(2026, 1, 5, tzinfo=SHANGHAI), value=None, unit="hours") is None
