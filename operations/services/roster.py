"""Duty roster (值班表): shifts of posts A and B, the weekly template, and generating weeks ahead.

The regulations ask for an A and a B post covering every day, Monday to Sunday (DESIGN §4.12);
``operations.selectors.roster.duty_coverage_gaps`` lists the days that are not covered.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from operations.hooks import records_bulk_created
from operations.models import DutyPost, DutyShift, DutyTemplateSlot, StaffProfile
from operations.services.common import audit_record, diff_fields
from operations.validators import is_valid_phone, normalize_phone

MAX_GENERATE_WEEKS = 26


def _check_post(post: str) -> str:
    post = (post or "").strip().upper()
    if post not in DutyPost.values:
        raise ValidationError({"post": _("Unknown duty post: choose post A or post B.")})
    return post


def _check_staff(staff) -> None:
    if staff is None or not isinstance(staff, get_user_model()) or not staff.pk:
        raise ValidationError({"staff": _("Choose the staff member on duty.")})
    if not staff.is_active:
        raise ValidationError({"staff": _("This staff member's account is disabled.")})


def _profile_phone(phone: str) -> str:
    """A staff member's own phone as a duty phone, if it is a valid one."""
    phone = normalize_phone(phone)
    return phone if is_valid_phone(phone) else ""


def _staff_phone(staff) -> str:
    return _profile_phone(
        StaffProfile.objects.filter(user=staff).values_list("phone", flat=True).first() or ""
    )


def _check_times(start_time, end_time) -> None:
    if not isinstance(start_time, datetime.time) or not isinstance(end_time, datetime.time):
        raise ValidationError(_("Enter the start and end time of the shift."))


@transaction.atomic
def duty_shift_set(
    *,
    date: datetime.date,
    post: str,
    staff,
    start_time: datetime.time,
    end_time: datetime.time,
    phone: str = "",
    note: str = "",
    acting_user=None,
) -> DutyShift:
    """Put ``staff`` on duty at ``post`` on ``date``, replacing whoever was there.

    Without a phone the staff member's own phone (StaffProfile) is used; the phone must be a
    mainland mobile or landline, and the shift must end after it starts.
    """
    post = _check_post(post)
    _check_staff(staff)
    _check_times(start_time, end_time)
    if not isinstance(date, datetime.date):
        raise ValidationError({"date": _("Enter a valid date.")})
    phone = normalize_phone(phone) or _staff_phone(staff)
    data = {
        "staff": staff,
        "phone": phone,
        "start_time": start_time,
        "end_time": end_time,
        "note": (note or "").strip(),
    }
    shift = DutyShift.objects.select_for_update().filter(date=date, post=post).first()
    if shift is None:
        shift = DutyShift(date=date, post=post, **data)
        shift.full_clean()
        shift.save()
        audit_record(
            instance=shift,
            action="create",
            acting_user=acting_user,
            changes={"staff": [None, staff.pk], "start_time": [None, str(start_time)]},
        )
        return shift
    changes = diff_fields(shift, data)
    for field, value in data.items():
        setattr(shift, field, value)
    shift.full_clean()
    if changes:
        shift.save()
        audit_record(instance=shift, action="update", acting_user=acting_user, changes=changes)
    return shift


@transaction.atomic
def duty_shift_remove(*, shift: DutyShift, acting_user=None) -> None:
    """Clear a shift; the day then shows as a gap until someone is put on duty."""
    audit_record(
        instance=shift,
        action="delete",
        acting_user=acting_user,
        changes={"staff": [shift.staff_id, None], "date": [shift.date.isoformat(), None]},
    )
    shift.delete()


@transaction.atomic
def duty_template_slot_set(
    *,
    weekday: int,
    post: str,
    staff,
    start_time: datetime.time,
    end_time: datetime.time,
    phone: str = "",
    acting_user=None,
) -> DutyTemplateSlot:
    """Set who normally takes ``post`` on ``weekday`` (0 = Monday … 6 = Sunday)."""
    post = _check_post(post)
    _check_staff(staff)
    _check_times(start_time, end_time)
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ValidationError({"weekday": _("Choose a day of the week.")})
    data = {"staff": staff, "phone": normalize_phone(phone), "start_time": start_time, "end_time": end_time}
    slot = DutyTemplateSlot.objects.select_for_update().filter(weekday=weekday, post=post).first()
    if slot is None:
        slot = DutyTemplateSlot(weekday=weekday, post=post, **data)
        slot.full_clean()
        slot.save()
        audit_record(
            instance=slot, action="create", acting_user=acting_user, changes={"staff": [None, staff.pk]}
        )
        return slot
    changes = diff_fields(slot, data)
    for field, value in data.items():
        setattr(slot, field, value)
    slot.full_clean()
    if changes:
        slot.save()
        audit_record(instance=slot, action="update", acting_user=acting_user, changes=changes)
    return slot


@transaction.atomic
def duty_template_slot_remove(*, slot: DutyTemplateSlot, acting_user=None) -> None:
    """Remove a slot of the weekly template (shifts already generated stay)."""
    audit_record(
        instance=slot, action="delete", acting_user=acting_user, changes={"staff": [slot.staff_id, None]}
    )
    slot.delete()


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


@transaction.atomic
def duty_roster_generate(*, start: datetime.date, weeks: int, acting_user=None) -> list[DutyShift]:
    """Create the shifts of ``weeks`` weeks from the Monday of ``start``'s week from the weekly template.

    Days and posts that already have a shift are left alone, so running it twice creates
    nothing new; slots of disabled staff are skipped (the day then shows as a gap).
    """
    if not isinstance(start, datetime.date):
        raise ValidationError({"start": _("Enter a valid date.")})
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= MAX_GENERATE_WEEKS:
        raise ValidationError(
            {"weeks": _("Generate between 1 and %(max)s weeks at a time.") % {"max": MAX_GENERATE_WEEKS}}
        )
    first = week_start(start)
    last = first + datetime.timedelta(days=7 * weeks - 1)
    slots = list(
        DutyTemplateSlot.objects.filter(staff__is_active=True).select_related("staff", "staff__staff_profile")
    )
    if not slots:
        return []
    # Lock the existing rows of the range so that two concurrent runs do not race on the same day.
    existing = set(
        DutyShift.objects.select_for_update().filter(date__range=(first, last)).values_list("date", "post")
    )
    new_shifts = []
    for offset in range(7 * weeks):
        day = first + datetime.timedelta(days=offset)
        for slot in slots:
            if slot.weekday != day.weekday() or (day, slot.post) in existing:
                continue
            profile = getattr(slot.staff, "staff_profile", None)
            shift = DutyShift(
                date=day,
                post=slot.post,
                staff=slot.staff,
                phone=slot.phone or _profile_phone(getattr(profile, "phone", "")),
                start_time=slot.start_time,
                end_time=slot.end_time,
            )
            shift.full_clean(validate_unique=False, validate_constraints=False)
            new_shifts.append(shift)
    created = DutyShift.objects.bulk_create(new_shifts, ignore_conflicts=False)
    if created:  # bulk_create sends no post_save: tell listeners (the site's page cache) here
        transaction.on_commit(lambda: records_bulk_created.send(sender=DutyShift, instances=created))
    for shift in created:
        audit_record(
            instance=shift,
            action="generate",
            acting_user=acting_user,
            changes={"staff": [None, shift.staff_id]},
        )
    return created
