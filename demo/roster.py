"""Demo duty roster: the demo staff, a weekly A/B template and four weeks of shifts with one gap.

The gap (post B on next week's Wednesday) is left on purpose so that the coverage check and
the week view have something to show. Running the install twice changes nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from demo.staff import demo_staff_install
from operations.models import DutyPost, DutyShift
from operations.services.roster import (
    duty_roster_generate,
    duty_shift_remove,
    duty_template_slot_set,
    week_start,
)

DEMO_WEEKS = 4
# weekday → (post A, post B) usernames
DEMO_TEMPLATE = {
    0: ("zhangmin", "wangqiang"),
    1: ("lijing", "chenfang"),
    2: ("zhangmin", "zhaolei"),
    3: ("lijing", "wangqiang"),
    4: ("zhangmin", "chenfang"),
    5: ("wangqiang", "lijing"),
    6: ("chenfang", "zhaolei"),
}
HOURS = {
    DutyPost.A: (datetime.time(8, 30), datetime.time(17, 30)),
    DutyPost.B: (datetime.time(9, 0), datetime.time(18, 0)),
}


@transaction.atomic
def roster_demo_data_install(*, acting_user=None, password: str | None = None) -> dict[str, int]:
    """Staff, the weekly template, and the current and next three weeks of shifts, with exactly one gap.

    A week is generated only while it has no shift at all, so a second run neither refills the
    gap nor touches shifts edited since.
    """
    users = demo_staff_install(dataset="roster", password=password)
    for weekday, usernames in DEMO_TEMPLATE.items():
        for post, username in zip(DutyPost.values, usernames, strict=True):
            start_time, end_time = HOURS[post]
            duty_template_slot_set(
                weekday=weekday,
                post=post,
                staff=users[username],
                start_time=start_time,
                end_time=end_time,
                acting_user=acting_user,
            )
    this_monday = week_start(timezone.localdate())
    gap_day = this_monday + datetime.timedelta(days=7 + 2)  # next week's Wednesday
    created = 0
    for week in range(DEMO_WEEKS):
        monday = this_monday + datetime.timedelta(days=7 * week)
        if DutyShift.objects.filter(date__range=(monday, monday + datetime.timedelta(days=6))).exists():
            continue
        shifts = duty_roster_generate(start=monday, weeks=1, acting_user=acting_user)
        created += len(shifts)
        gap = next((s for s in shifts if s.date == gap_day and s.post == DutyPost.B), None)
        if gap is not None:
            duty_shift_remove(shift=gap, acting_user=acting_user)
            created -= 1
    return {"staff": len(users), "shifts": created}
