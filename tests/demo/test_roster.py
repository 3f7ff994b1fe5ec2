"""Demo roster: the roster's staff, the weekly template and four weeks of shifts with one gap; twice = once."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from demo.roster import roster_demo_data_install
from operations.models import AuditEntry, DutyShift, DutyTemplateSlot
from operations.selectors.roster import duty_coverage_gaps, duty_today
from operations.services.roster import week_start


def test_install_twice_gives_staff_template_four_weeks_and_exactly_one_gap(alpha):
    first = roster_demo_data_install()
    counts = (
        get_user_model().objects.count(),
        DutyTemplateSlot.objects.count(),
        DutyShift.objects.count(),
    )
    audits = AuditEntry.objects.count()
    second = roster_demo_data_install()
    assert first["shifts"] == 4 * 14 - 1 and second["shifts"] == 0
    assert counts == (
        get_user_model().objects.count(),
        DutyTemplateSlot.objects.count(),
        DutyShift.objects.count(),
    )
    assert AuditEntry.objects.count() == audits
    assert DutyTemplateSlot.objects.count() == 14
    monday = week_start(timezone.localdate())
    gaps = duty_coverage_gaps(start=monday, end=monday + datetime.timedelta(days=27))
    assert [(gap.date, gap.post) for gap in gaps] == [(monday + datetime.timedelta(days=9), "B")]
    zhang = get_user_model().objects.get(username="zhangmin")
    assert zhang.first_name == "张敏"
    assert zhang.staff_profile.phone and zhang.staff_profile.department.code == "service"
    assert Group.objects.get(name="前台客服").user_set.filter(username="zhangmin").exists()
    assert len(duty_today()) == 2
