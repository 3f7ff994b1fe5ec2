"""Duty roster services and selectors: set/replace/remove, validation, generation, gaps, today on duty."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

import pytest

from operations.models import AuditEntry, DutyShift, DutyTemplateSlot, StaffProfile
from operations.selectors.roster import duty_coverage_gaps, duty_today, duty_week
from operations.services.roster import (
    duty_roster_generate,
    duty_shift_remove,
    duty_shift_set,
    duty_template_slot_remove,
    duty_template_slot_set,
)

MONDAY = datetime.date(2026, 11, 30)
T8, T12, T18 = datetime.time(8), datetime.time(12), datetime.time(18)


def make_staff(username, name, phone=""):
    user = get_user_model().objects.create_user(username=username, first_name=name, password="x")  # noqa: S106
    if phone:
        StaffProfile.objects.create(user=user, phone=phone)
    return user


def fill_template(staff_a, staff_b):
    for weekday in range(7):
        duty_template_slot_set(weekday=weekday, post="A", staff=staff_a, start_time=T8, end_time=T18)
        duty_template_slot_set(weekday=weekday, post="B", staff=staff_b, start_time=T8, end_time=T12)


@pytest.mark.django_db
class TestDutyShiftSet:
    def test_creates_then_replaces_the_shift_of_a_date_and_post(self, alpha):
        zhang = make_staff("zhang", "张敏", "13800001111")
        li = make_staff("li", "李静")
        shift = duty_shift_set(
            date=MONDAY, post="A", staff=zhang, start_time=T8, end_time=T18, acting_user=zhang
        )
        assert shift.phone == "13800001111"  # the staff member's own phone by default
        replaced = duty_shift_set(
            date=MONDAY, post="A", staff=li, start_time=T8, end_time=T12, phone="021-5088 6601"
        )
        assert replaced.pk == shift.pk
        assert DutyShift.objects.count() == 1
        replaced.refresh_from_db()
        assert replaced.staff == li and replaced.end_time == T12 and replaced.phone == "021-50886601"
        actions = list(AuditEntry.objects.filter(object_id=str(shift.pk)).values_list("action", flat=True))
        assert sorted(actions) == ["create", "update"]

    def test_post_is_case_insensitive_and_b_is_independent(self, alpha):
        zhang = make_staff("zhang", "张敏")
        duty_shift_set(date=MONDAY, post="a", staff=zhang, start_time=T8, end_time=T18)
        duty_shift_set(date=MONDAY, post="B", staff=zhang, start_time=T8, end_time=T18)
        assert sorted(DutyShift.objects.values_list("post", flat=True)) == ["A", "B"]

    def test_remove(self, alpha):
        zhang = make_staff("zhang", "张敏")
        shift = duty_shift_set(date=MONDAY, post="A", staff=zhang, start_time=T8, end_time=T18)
        pk = shift.pk
        duty_shift_remove(shift=shift, acting_user=zhang)
        assert not DutyShift.objects.exists()
        assert AuditEntry.objects.filter(action="delete", object_id=str(pk)).exists()

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"start_time": T18, "end_time": T8}, "end_time"),
            ({"start_time": T8, "end_time": T8}, "end_time"),
            ({"phone": "12345"}, "phone"),
            ({"phone": "1380000111"}, "phone"),
            ({"post": "C"}, "post"),
            ({"post": ""}, "post"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_written(self, alpha, kwargs, field):
        zhang = make_staff("zhang", "张敏")
        data = {"date": MONDAY, "post": "A", "staff": zhang, "start_time": T8, "end_time": T18, **kwargs}
        with pytest.raises(ValidationError) as excinfo:
            duty_shift_set(**data)
        assert field in excinfo.value.message_dict
        assert not DutyShift.objects.exists()
        assert not AuditEntry.objects.filter(action="create").exists()

    def test_bad_input_keeps_the_existing_shift(self, alpha):
        zhang = make_staff("zhang", "张敏")
        li = make_staff("li", "李静")
        duty_shift_set(date=MONDAY, post="A", staff=zhang, start_time=T8, end_time=T18)
        with pytest.raises(ValidationError):
            duty_shift_set(date=MONDAY, post="A", staff=li, start_time=T18, end_time=T8)
        assert DutyShift.objects.get().staff == zhang

    def test_disabled_staff_refused(self, alpha):
        zhang = make_staff("zhang", "张敏")
        zhang.is_active = False
        zhang.save()
        with pytest.raises(ValidationError) as excinfo:
            duty_shift_set(date=MONDAY, post="A", staff=zhang, start_time=T8, end_time=T18)
        assert "staff" in excinfo.value.message_dict

    def test_messages_are_chinese(self, alpha, zh):
        zhang = make_staff("zhang", "张敏")
        with pytest.raises(ValidationError) as excinfo:
            duty_shift_set(date=MONDAY, post="X", staff=zhang, start_time=T8, end_time=T18)
        assert "岗" in excinfo.value.message_dict["post"][0]


@pytest.mark.django_db
class TestTemplateAndGeneration:
    def test_template_slot_set_replace_remove(self, alpha):
        zhang = make_staff("zhang", "张敏")
        li = make_staff("li", "李静")
        slot = duty_template_slot_set(weekday=2, post="B", staff=zhang, start_time=T8, end_time=T18)
        again = duty_template_slot_set(weekday=2, post="B", staff=li, start_time=T8, end_time=T12)
        assert again.pk == slot.pk and DutyTemplateSlot.objects.get().staff == li
        duty_template_slot_remove(slot=again)
        assert not DutyTemplateSlot.objects.exists()

    @pytest.mark.parametrize(
        "kwargs",
        [{"weekday": 7}, {"weekday": -1}, {"post": "C"}, {"end_time": T8}, {"phone": "abc"}],
    )
    def test_template_slot_bad_input(self, alpha, kwargs):
        zhang = make_staff("zhang", "张敏")
        data = {"weekday": 0, "post": "A", "staff": zhang, "start_time": T8, "end_time": T18, **kwargs}
        with pytest.raises(ValidationError):
            duty_template_slot_set(**data)
        assert not DutyTemplateSlot.objects.exists()

    def test_generate_weeks_from_the_template_twice_gives_no_duplicates(self, alpha):
        zhang = make_staff("zhang", "张敏", "13800001111")
        li = make_staff("li", "李静", "13900002222")
        fill_template(zhang, li)
        created = duty_roster_generate(start=MONDAY + datetime.timedelta(days=3), weeks=2)
        assert len(created) == 28  # from the Monday of that week, 2 weeks × 7 days × 2 posts
        assert (
            DutyShift.objects.filter(date__range=(MONDAY, MONDAY + datetime.timedelta(days=13))).count() == 28
        )
        assert DutyShift.objects.get(date=MONDAY, post="B").phone == "13900002222"
        assert duty_roster_generate(start=MONDAY, weeks=2) == []
        assert DutyShift.objects.count() == 28

    def test_generate_does_not_overwrite_existing_shifts(self, alpha):
        zhang = make_staff("zhang", "张敏")
        li = make_staff("li", "李静")
        wang = make_staff("wang", "王强")
        fill_template(zhang, li)
        duty_shift_set(
            date=MONDAY + datetime.timedelta(days=2), post="A", staff=wang, start_time=T8, end_time=T12
        )
        created = duty_roster_generate(start=MONDAY, weeks=1)
        assert len(created) == 13
        assert DutyShift.objects.get(date=MONDAY + datetime.timedelta(days=2), post="A").staff == wang

    def test_generate_skips_disabled_staff(self, alpha):
        zhang = make_staff("zhang", "张敏")
        li = make_staff("li", "李静")
        fill_template(zhang, li)
        li.is_active = False
        li.save()
        duty_roster_generate(start=MONDAY, weeks=1)
        assert set(DutyShift.objects.values_list("post", flat=True)) == {"A"}

    @pytest.mark.parametrize("weeks", [0, -1, 27, "4"])
    def test_generate_bad_weeks(self, alpha, weeks):
        zhang = make_staff("zhang", "张敏")
        fill_template(zhang, zhang)
        with pytest.raises(ValidationError):
            duty_roster_generate(start=MONDAY, weeks=weeks)
        assert not DutyShift.objects.exists()


@pytest.mark.django_db
class TestCoverageAndToday:
    def test_every_day_monday_to_sunday_needs_both_posts(self, alpha):
        zhang = make_staff("zhang", "张敏")
        sunday = MONDAY + datetime.timedelta(days=6)
        for offset in range(7):
            day = MONDAY + datetime.timedelta(days=offset)
            duty_shift_set(date=day, post="A", staff=zhang, start_time=T8, end_time=T18)
            if day not in (sunday, MONDAY + datetime.timedelta(days=5)):
                duty_shift_set(date=day, post="B", staff=zhang, start_time=T8, end_time=T18)
        gaps = duty_coverage_gaps(start=MONDAY, end=sunday)
        assert [(gap.date, gap.post) for gap in gaps] == [
            (MONDAY + datetime.timedelta(days=5), "B"),
            (sunday, "B"),
        ]
        assert duty_week(start=sunday)["gaps"] == gaps  # the week view finds the same gaps

    def test_an_empty_week_is_all_gaps(self, alpha):
        gaps = duty_coverage_gaps(start=MONDAY, end=MONDAY + datetime.timedelta(days=6))
        assert len(gaps) == 14
        assert {gap.date.weekday() for gap in gaps} == set(range(7))
        assert duty_coverage_gaps(start=MONDAY, end=MONDAY - datetime.timedelta(days=1)) == []

    def test_duty_today_returns_plain_data_a_before_b(self, alpha):
        zhang = make_staff("zhang", "张敏", "13800001111")
        li = make_staff("li", "李静")
        duty_shift_set(date=MONDAY, post="B", staff=li, start_time=T8, end_time=T12, phone="021-50886601")
        duty_shift_set(date=MONDAY, post="A", staff=zhang, start_time=T8, end_time=T18)
        today = duty_today(on=MONDAY)
        assert [entry["post"] for entry in today] == ["A", "B"]
        assert today[0]["staff_name"] == "张敏" and today[0]["phone"] == "13800001111"
        assert today[1]["staff_name"] == "李静" and today[1]["phone"] == "021-50886601"
        assert today[0]["start_time"] == T8 and today[1]["end_time"] == T12
        assert all(isinstance(entry, dict) and isinstance(entry["post_label"], str) for entry in today)
        assert duty_today(on=MONDAY + datetime.timedelta(days=1)) == []

    def test_roster_is_per_center(self, center_a, center_b, in_center):
        with in_center(center_a):
            zhang = make_staff("zhang", "张敏")
            duty_shift_set(date=MONDAY, post="A", staff=zhang, start_time=T8, end_time=T18)
        with in_center(center_b):
            assert duty_today(on=MONDAY) == []
