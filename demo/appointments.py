"""Demo appointments (预约办理), queue numbers (排队叫号) and two months of the desk's appraisal.

For each demo center, through the real services with their ``now`` (times in the past are put
back afterwards with ``.update()``, as elsewhere in the demo):

* what residents may book: the default items plus 独居老人特殊服务 in two centers; a staff
  training day next week and 元旦 as closures;
* this week's bookings (Monday–Sunday): the past ones mostly served (an application started by
  a front-desk member), one arrived and called, exactly one no-show; the future ones booked, one
  cancelled;
* today's queue: numbers served at two windows, one being called at 1号窗口, a few waiting
  (walk-ins and one arrived booking). When the seed runs while the desk is closed, today's queue
  is still created, at times inside today's opening hours;
* the previous and the current month of desk work, different for every desk member (``DESK``):
  first inquiries, applications, served bookings, numbers called and their waits, the history
  work orders they accepted and completed, complaints about two of them (属实 / 不属实).

The history work orders of ``demo.history`` are only attributed (``created_by`` and a completion
step), never added, and every inquiry is completed, so head office's rollup keeps its story; the
three complaints about staff are replied in time. Safe to run twice: a center with bookings is
left alone (the items and closures are get-or-create).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from demo.history import MARK as HISTORY_MARK
from demo.roster import DEMO_TEMPLATE
from demo.staff import demo_staff_install
from operations.calendar import add_working_days, deadline_for, is_working_day
from operations.models import (
    AuditEntry,
    BookableService,
    Booking,
    Complaint,
    Department,
    DeskClosure,
    Inquiry,
    InquiryFollowUp,
    Notification,
    QueueTicket,
    Resident,
    ServiceApplication,
    ServiceItem,
    WorkOrder,
    WorkOrderTransition,
)
from operations.selectors.elders import local_midnight
from operations.services.appointments import (
    booking_cancel,
    booking_create,
    booking_mark_arrived,
    booking_mark_no_show,
    opening_periods,
    slot_starts,
)
from operations.services.complaints import (
    REPLY_WORKING_DAYS,
    complaint_assign,
    complaint_close,
    complaint_create,
    complaint_investigate,
    complaint_reply,
)
from operations.services.guide import service_application_record
from operations.services.inquiries import (
    inquiry_complete,
    inquiry_follow_up,
    inquiry_hand_over,
    inquiry_record,
)
from operations.services.queue import queue_call_next, queue_ticket_finish, queue_ticket_issue

MINUTE = dt.timedelta(minutes=1)
FRONT_DESK = ("zhangmin", "lijing", "qiantai")  # 前台客服: start applications from bookings
MANAGERS = ("wangqiang", "chenfang")  # 客户主任: also at the desk, take inquiries and call numbers
WINDOWS = ("1号窗口", "2号窗口")


@dataclass(frozen=True)
class DeskManner:
    share: float  # of the desk's inquiries, applications and history work orders
    wait: tuple[int, int]  # minutes a resident waits before this person calls the number
    serve: tuple[int, int]  # minutes a resident spends at this person's window
    late: float  # share of the inquiries they keep that are completed after the limit
    handover: float  # share of the inquiries they hand over (and follow to the end)
    complete: float  # share of their applications with every material brought


DESK = {
    "zhangmin": DeskManner(0.30, (3, 9), (5, 10), 0.0, 0.15, 0.85),
    "lijing": DeskManner(0.24, (6, 18), (6, 14), 0.25, 0.25, 0.65),
    "qiantai": DeskManner(0.18, (4, 12), (5, 12), 0.10, 0.20, 0.80),
    "wangqiang": DeskManner(0.16, (8, 25), (8, 16), 0.35, 0.40, 0.60),
    "chenfang": DeskManner(0.12, (3, 12), (6, 12), 0.05, 0.30, 0.90),
}
MONTHLY = {  # inquiries, walk-in applications, queue numbers a day (low, high)
    "yangguang": (46, 22, (3, 6)),
    "cuihu": (38, 18, (3, 5)),
    "jinxiu": (32, 14, (2, 5)),
}
EXTRA_BOOKABLE = {  # one more item of the guide per center: (slot minutes, residents per slot, note)
    "yangguang": ("独居老人特殊服务", 30, 1, "请家属携带老人身份证办理，老人本人无须到场。"),
    "jinxiu": ("独居老人特殊服务", 60, 1, "请家属携带老人身份证和户口簿办理。"),
}
INQUIRIES = (
    # matter, service item (None: no committed limit)
    ("咨询装修申请需要准备哪些材料", "装修申请"),
    ("询问入住手续的办理时间和所需材料", "入住手续"),
    ("开具居住证明，孩子入学使用", "证明开具"),
    ("卫生间地漏返水，请求上门维修", "报修"),
    ("借用冲击钻安装窗帘杆", "工具借用"),
    ("为独居的父亲申请每月代缴水电费", "独居老人特殊服务"),
    ("反映楼道堆放杂物影响通行", "投诉建议"),
    ("借用老花镜填写表格", "便民物品（老花镜、医药箱等）"),
    ("咨询小区地下车位租赁价格", None),
    ("询问快递代收点的开放时间", None),
    ("咨询有线电视和宽带报装", None),
    ("询问本月社区义诊的时间地点", None),
)
RESOLUTIONS = {
    "answered": "已当场一次性告知办理条件、所需材料及流程。",
    "handling": "已按承诺时限办结，电话告知来访人。",
    "handed": "承接部门已处理完毕，首问人回访确认来访人满意。",
}
REFUSALS = {
    "证明开具": "申请人非本小区业主或登记住户，且未能提供房屋租赁合同，不符合开具居住证明的条件。",
    "装修申请": "装修方案涉及拆改承重墙，违反《住宅室内装饰装修管理办法》，不予受理。",
}
STAFF_COMPLAINTS = (
    # month (0 this, 1 previous), staff index, verdict, content, finding, action, reply
    (
        1,
        1,
        Complaint.Verdict.JUSTIFIED,
        "上午在前台办理装修申请，工作人员边接电话边办理，态度生硬，材料让我跑了两趟。",
        "调看前台录像并询问当事人，办理时确有接打私人电话、未一次性告知材料的情况。",
        "当事人书面检讨并扣减当月考核分，前台重申一次性告知和首问负责要求。",
        "经核实情况属实，已对当事员工批评教育并纳入考核，向您致歉，欢迎继续监督。",
    ),
    (
        1,
        0,
        Complaint.Verdict.UNFOUNDED,
        "前台工作人员拒绝给我开居住证明，说我不是业主，我在这里住了三年了。",
        "投诉人为租户，未能提供租赁合同；员工按规定书面告知所需材料，处理无误。",
        "向投诉人解释开具条件，约定带租赁合同后优先办理。",
        "经核实员工按规定办理，已向您说明所需材料，带齐后可当场开具。",
    ),
    (
        0,
        3,
        Complaint.Verdict.PARTLY,
        "打电话咨询车位租赁，说好第二天回电，等了三天才有人回复。",
        "首问登记显示已转客服部并在时限内跟进，但回电晚于告知的时间。",
        "要求首问人按告知时间回电，超时须先向来访人说明进度。",
        "您反映的回电不及时部分属实，已要求改进，车位租赁事宜已由客服部答复。",
    ),
)


def _minutes(low: int, high: int, rng: random.Random) -> dt.timedelta:
    return dt.timedelta(minutes=rng.randint(low, high))


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(hours=hour, minutes=minute)


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    month = day.replace(day=1)
    for _i in range(back):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def _audit_at(instance, moments: dict[str, dt.datetime]) -> None:
    """Give the record's audit entries the times of the events they record."""
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=str(instance.pk)
    )
    for action, moment in moments.items():
        entries.filter(action=action).update(created=moment)


class _Numbers:
    """Numbers of records put back into the past carry their own day (``SQ<yyyymmdd>8nnn``)."""

    def __init__(self):
        self.last: dict[tuple[str, dt.date], int] = {}

    def __call__(self, prefix: str, moment: dt.datetime) -> str:
        day = timezone.localdate(moment)
        n = self.last[prefix, day] = self.last.get((prefix, day), 0) + 1
        return f"{prefix}{day:%Y%m%d}8{n:03d}"


@transaction.atomic
def appointments_demo_data_install(*, center_code: str, now: dt.datetime | None = None) -> dict[str, int]:
    """Install the demo's appointments, queue and desk appraisal in the current center; returns counts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _bookable_items(center_code)
    closures = _closures(today)
    counts = {"closures": closures, "bookings": 0, "tickets": 0, "inquiries": 0, "applications": 0}
    if Booking.objects.exists() or QueueTicket.objects.exists():
        return counts
    staff = demo_staff_install(dataset="roster") | demo_staff_install(dataset="work_orders")
    User = get_user_model()
    head = User.objects.filter(is_superuser=True).order_by("pk").first() or staff["zhangmin"]
    demo = _Demo(center_code=center_code, staff=staff, head=head, now=now)
    demo.week_bookings()
    demo.queues()
    demo.history_bookings()
    demo.inquiries()
    demo.applications()
    demo.work_orders()
    demo.complaints()
    counts.update(
        bookings=Booking.objects.count(),
        tickets=QueueTicket.objects.count(),
        inquiries=demo.created["inquiries"],
        applications=ServiceApplication.objects.filter(handled_by__username__in=DESK).count(),
    )
    return counts


def _bookable_items(center_code: str) -> None:
    extra = EXTRA_BOOKABLE.get(center_code)
    if extra is None:
        return
    name, minutes, capacity, note = extra
    item = ServiceItem.objects.filter(name=name, is_published=True).first()
    if item is not None:
        BookableService.objects.get_or_create(
            service_item=item, defaults={"slot_minutes": minutes, "capacity": capacity, "note": note}
        )


def _closures(today: dt.date) -> int:
    """A staff training day on a working day of next week and New Year's Day."""
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    training = next(
        (d for d in (monday + dt.timedelta(days=n) for n in (3, 1, 2, 4, 0)) if is_working_day(d)),
        monday + dt.timedelta(days=3),
    )
    new_year = dt.date(today.year + 1, 1, 1)
    created = 0
    for day, reason, note in (
        (training, DeskClosure.Reason.TRAINING, "员工业务培训，前台暂停预约，急事请拨打服务电话。"),
        (new_year, DeskClosure.Reason.HOLIDAY, "元旦放假，暂停预约办理。"),
    ):
        _closure, was_created = DeskClosure.objects.get_or_create(
            start_date=day, end_date=day, defaults={"reason": reason, "note": note}
        )
        created += was_created
    return created


class _Demo:
    def __init__(self, *, center_code, staff, head, now):
        self.rng = random.Random(f"appointments-{center_code}")  # noqa: S311 - demo data, not security
        self.center_code = center_code
        self.staff = staff
        self.head = head
        self.now = now
        self.today = timezone.localdate(now)
        self.monday = self.today - dt.timedelta(days=self.today.weekday())
        self.numbers = _Numbers()
        self.created = {"inquiries": 0}
        self.bookables = list(BookableService.objects.filter(is_open=True).select_related("service_item"))
        self.items = {item.name: item for item in ServiceItem.objects.prefetch_related("materials")}
        residents = Resident.objects.filter(is_active=True, unit__isnull=False).select_related(
            "unit__building"
        )
        self.residents = [r for r in residents.order_by("pk") if len(r.phone) == 11 and r.phone.isdigit()]
        self.rng.shuffle(self.residents)
        self.next_resident = 0
        inquiries, applications, per_day = MONTHLY.get(center_code, (36, 16, (3, 5)))
        self.monthly_inquiries, self.monthly_applications, self.per_day = inquiries, applications, per_day
        self.story_now, self.story_period = self._story_now()
        self.arrivals: dict[dt.date, list] = {}  # arrived bookings of past days, called with the day's queue

    # --- people and days -------------------------------------------------------------------

    def _person(self) -> tuple[str, str, int | None]:
        if not self.residents:
            n = self.next_resident = self.next_resident + 1
            return f"住户{n}", f"139{20260000 + n:08d}", None
        resident = self.residents[self.next_resident % len(self.residents)]
        self.next_resident += 1
        return resident.name, resident.phone, resident.unit_id

    def _on_duty(self, day: dt.date) -> tuple[str, str]:
        """Who is at 1号窗口 and 2号窗口 that day (the roster's posts; the dispatcher's turns go to 陈晓燕)."""
        first, second = DEMO_TEMPLATE[day.weekday()]
        return tuple(name if name in DESK else "qiantai" for name in (first, second))

    def _front_desk(self, day: dt.date) -> str:
        on_duty = [name for name in self._on_duty(day) if name in FRONT_DESK]
        if on_duty and self.rng.random() < 0.7:
            return on_duty[0]
        return self.rng.choices(FRONT_DESK, weights=[DESK[n].share for n in FRONT_DESK])[0]

    def _weighted_desk(self) -> str:
        return self.rng.choices(list(DESK), weights=[m.share for m in DESK.values()])[0]

    def _story_now(self) -> tuple[dt.datetime, tuple[dt.datetime, dt.datetime]]:
        """The moment today's story is told at: now while the desk is open, else a moment inside
        today's opening hours (after closing: shortly before it; before opening: the morning)."""
        periods = [(local_midnight(self.today) + _delta(o), local_midnight(self.today) + _delta(c))
                   for o, c in opening_periods(self.today)]  # fmt: skip
        if not periods:  # a closed day: the queue still shows, at the usual morning hours
            periods = [(_aware(self.today, 9), _aware(self.today, 12))]
        windows = [(o + dt.timedelta(minutes=75), c - dt.timedelta(minutes=5), (o, c)) for o, c in periods]
        windows = [w for w in windows if w[0] < w[1]] or [(periods[0][1], periods[0][1], periods[0])]
        reached = [(min(self.now, high), period) for low, high, period in windows if low <= self.now]
        if reached:
            return max(reached)
        return windows[0][0], windows[0][2]

    # --- this week's bookings ------------------------------------------------------------------

    def _booked_at(self, start: dt.datetime, bookable: BookableService) -> dt.datetime:
        """When the resident booked: an evening one to four days before, never after the story's now."""
        latest = min(self.now, self.story_now) - dt.timedelta(hours=1)
        earliest = start - dt.timedelta(days=bookable.days_ahead) + dt.timedelta(hours=1)
        day = timezone.localdate(start) - dt.timedelta(days=self.rng.randint(1, 4))
        moment = _aware(day, self.rng.randint(19, 21), self.rng.randrange(60))
        return max(min(moment, latest, start - dt.timedelta(hours=2)), earliest)

    def _book(self, bookable, start, booked_at=None) -> Booking:
        name, phone, unit_id = self._person()
        booked_at = booked_at or self._booked_at(start, bookable)
        booking = booking_create(
            service_item=bookable.service_item, starts_at=start, name=name, phone=phone, now=booked_at
        )
        if unit_id:
            Booking.objects.filter(pk=booking.pk).update(unit_id=unit_id)
        Booking.objects.filter(pk=booking.pk).update(created=booked_at, updated=booked_at)
        _audit_at(booking, {"booking_create": booked_at})
        booking.refresh_from_db()
        return booking

    def _serve(self, booking: Booking, *, username: str, at: dt.datetime) -> ServiceApplication:
        """The desk starts the application from the booking (materials as the person's manner goes)."""
        item = self.items[booking.service_item.name]
        application = self._application(
            item=item,
            username=username,
            at=at,
            name=booking.name,
            phone=booking.phone,
            unit_id=booking.unit_id,
            booking=booking,
        )
        Booking.objects.filter(pk=booking.pk).update(
            served_at=at, arrived_at=at - _minutes(2, 10, self.rng), updated=at
        )
        _audit_at(booking, {"booking_mark_served": at})
        return application

    def _application(self, *, item, username, at, name, phone, unit_id, booking=None, refuse=False):
        manner = DESK[username]
        materials = list(item.materials.all())
        brought = [m.pk for m in materials]
        if not refuse and len(brought) > 1 and self.rng.random() > manner.complete:
            brought.pop(self.rng.randrange(len(brought)))  # one thing missing: told once, in writing
        application = service_application_record(
            service_item=item,
            applicant_name=name,
            applicant_phone=phone,
            unit_id=unit_id,
            materials_brought=brought,
            refuse=refuse,
            refusal_reason=REFUSALS.get(item.name, "不符合办理条件。") if refuse else "",
            booking=booking,
            acting_user=self.staff[username],
        )
        fields = {"created": at, "updated": at}
        if timezone.localdate(at) != self.today:
            fields["number"] = self.numbers("SQ", at)
        if application.due_at is not None:
            fields["due_at"] = deadline_for(start=at, value=item.time_limit_value, unit=item.time_limit_unit)
        ServiceApplication.objects.filter(pk=application.pk).update(**fields)
        _audit_at(application, {"service_application_record": at})
        return application

    def week_bookings(self) -> None:
        """10–20 bookings of this week: past ones served (one arrived, one no-show), future ones booked
        (at the end of the week: of the coming days)."""
        rng = self.rng
        if not self.bookables:
            return
        taken: dict[tuple[int, dt.datetime], int] = {}
        past, future = [], []
        # This week; at its very end (nothing left ahead) also the coming days, as a desk would see.
        days = [self.monday + dt.timedelta(days=n) for n in range(7)]
        for day in [*days, *(self.monday + dt.timedelta(days=n) for n in range(7, 14))]:
            if day not in days and (len(future) >= 12 or day > self.today + dt.timedelta(days=7)):
                break
            for bookable in self.bookables:
                for start, end in slot_starts(bookable, day):
                    if end <= self.story_now - dt.timedelta(minutes=10):
                        past.append((bookable, start, end))
                    elif start > self.story_now + dt.timedelta(minutes=30):
                        future.append((bookable, start))

        # Done before the real now when the week has any (the story's now is later only at night).
        before_now = [(b, start) for b, start, end in past if end <= self.now - dt.timedelta(minutes=10)]
        past = before_now if len(before_now) >= 6 else [(b, start) for b, start, _end in past]

        def pick(pairs, count):
            rng.shuffle(pairs)
            chosen = []
            for bookable, start in pairs:
                key = (bookable.pk, start)
                if len(chosen) < count and taken.get(key, 0) < bookable.capacity:
                    taken[key] = taken.get(key, 0) + 1
                    chosen.append((bookable, start))
            return sorted(chosen, key=lambda pair: pair[1])

        past_slots = pick(past, rng.randint(6, 10))
        future_slots = pick(future, rng.randint(5, 8))
        past_bookings = [self._book(bookable, start) for bookable, start in past_slots]
        future_bookings = [self._book(bookable, start) for bookable, start in future_slots]

        if past_bookings:
            no_show = rng.choice(past_bookings)
            earlier_days = [
                b for b in past_bookings if b is not no_show and b.starts_at < _aware(self.today, 0)
            ]
            arrived = rng.choice(earlier_days) if len(past_bookings) >= 4 and earlier_days else None
            for booking in past_bookings:
                day = timezone.localdate(booking.starts_at)
                if booking is no_show:
                    moment = booking.ends_at + dt.timedelta(minutes=15)
                    booking_mark_no_show(
                        booking=booking, acting_user=self.staff[self._front_desk(day)], now=moment
                    )
                    Booking.objects.filter(pk=booking.pk).update(updated=moment)
                    _audit_at(booking, {"booking_mark_no_show": moment})
                elif booking is arrived:  # came, took a number, only asked: called with the day's queue
                    self.arrivals.setdefault(day, []).append(booking)
                else:
                    self._serve(
                        booking, username=self._front_desk(day), at=booking.starts_at + _minutes(0, 12, rng)
                    )
        if future_bookings:  # one resident cancels online, the evening after booking
            booking = rng.choice(future_bookings)
            moment = min(booking.created + dt.timedelta(hours=rng.randint(12, 30)), self.story_now, self.now)
            moment = max(moment, booking.created + MINUTE)
            if moment < booking.starts_at:
                booking_cancel(booking=booking, now=moment)
                Booking.objects.filter(pk=booking.pk).update(updated=moment)
                _audit_at(booking, {"booking_cancel": moment})

    def history_bookings(self) -> None:
        """Served bookings of the previous month and of this month before this week (0–2 a day)."""
        rng = self.rng
        day = _month_start(self.today, 1)
        while day < self.monday:
            slots = [(b, s) for b in self.bookables for s, _e in slot_starts(b, day)]
            for bookable, start in rng.sample(slots, min(len(slots), rng.choice((0, 1, 1, 2)))):
                booking = self._book(bookable, start)
                self._serve(booking, username=self._front_desk(day), at=start + _minutes(0, 10, rng))
            day += dt.timedelta(days=1)

    # --- queues --------------------------------------------------------------------------------

    def queues(self) -> None:
        """Numbers called every open day of the two months (the roster's people at the windows), and
        today's queue: one number at 1号窗口, a few waiting."""
        day = _month_start(self.today, 1)
        while day < self.today:
            periods = opening_periods(day)
            if periods:
                opens, _closes = self.rng.choice(periods)
                start = local_midnight(day) + _delta(opens) + _minutes(5, 30, self.rng)
                count = self.rng.randint(*self.per_day)
                arrivals = _spread(start, count, self.rng)
                for booking in self.arrivals.get(day, []):
                    arrivals.append((booking.starts_at - _minutes(2, 8, self.rng), booking))
                arrivals.sort(key=lambda a: a[0])
                end = local_midnight(day) + max(_delta(c) for _o, c in periods)
                self._run_queue(day, arrivals, called=len(arrivals), end=end)
            day += dt.timedelta(days=1)
        self._today_queue()

    def _callers(self, day: dt.date) -> list[tuple[str, str]]:
        return list(zip(self._on_duty(day), WINDOWS, strict=True))

    def _plan_calls(self, day, arrivals, called, *, keep_last=False):
        """(moment, caller index, minutes at the window) of each call, in order (first come, first called)."""
        callers = self._callers(day)
        free = [arrivals[0][0]] * len(callers)
        calls, last = [], None
        for n, (moment, _booking) in enumerate(arrivals[:called]):
            final = keep_last and n == called - 1
            index = 0 if final else min(range(len(callers)), key=lambda i: (free[i], self.rng.random()))
            manner = DESK[callers[index][0]]
            at = max(free[index], moment + _minutes(*manner.wait, self.rng))
            if last is not None and at <= last:
                at = last + MINUTE
            serve = _minutes(*manner.serve, self.rng)
            calls.append((at, index, serve))
            free[index], last = at + serve, at
        return calls

    def _run_queue(self, day, arrivals, *, called, end, calls=None, keep_last=False) -> None:
        """Issue, call and finish the day's numbers through the services, in the order they happen."""
        callers = self._callers(day)
        calls = calls or self._plan_calls(day, arrivals, called, keep_last=keep_last)
        events = [(moment, 1, n, booking) for n, (moment, booking) in enumerate(arrivals)]
        for n, (at, index, serve) in enumerate(calls):
            events.append((at, 2, n, index))
            if not (keep_last and n == len(calls) - 1):
                events.append((min(at + serve, end - MINUTE), 0, n, index))
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        called_tickets: dict[int, QueueTicket] = {}
        issuer = self.staff[callers[0][0]]
        for moment, kind, n, payload in events:
            if kind == 1:
                if payload is not None:
                    booking_mark_arrived(booking=payload, acting_user=issuer, now=moment)
                    Booking.objects.filter(pk=payload.pk).update(updated=moment)
                    _audit_at(payload, {"booking_mark_arrived": moment})
                else:
                    item = self.rng.choice([None, None, *(b.service_item for b in self.bookables)])
                    queue_ticket_issue(service_item=item, acting_user=None, now=moment)
            elif kind == 2:
                username, counter = callers[payload]
                ticket = queue_call_next(acting_user=self.staff[username], counter=counter, now=moment)
                if ticket is not None:
                    called_tickets[n] = ticket
            else:
                ticket = called_tickets.get(n)
                if ticket is not None:
                    ticket.refresh_from_db()
                    if ticket.status == QueueTicket.Status.CALLED:
                        username, _counter = callers[payload]
                        queue_ticket_finish(ticket=ticket, acting_user=self.staff[username], now=moment)

    def _today_queue(self) -> None:
        rng, story_now = self.rng, self.story_now
        opens, _closes = self.story_period
        done = rng.randint(4, 6)
        while True:
            arrivals = _spread(opens + _minutes(3, 8, rng), done + 1, rng)
            calls = self._plan_calls(self.today, arrivals, done + 1, keep_last=True)
            final_at = calls[-1][0]
            room = story_now - dt.timedelta(minutes=12) - final_at
            if room >= dt.timedelta(0) or done <= 2:
                break
            done -= 1
        # The last call (1号窗口) twelve minutes before the story's now; the opening hours permitting.
        arrivals = [(moment + room, booking) for moment, booking in arrivals]
        calls = [(at + room, index, serve) for at, index, serve in calls]
        final_at = calls[-1][0]
        # Waiting since: walk-ins, and one resident with a booking of today (证明开具 when possible).
        waiting = rng.randint(3, 6)
        gap = (story_now - final_at) / (waiting + 1)
        tail = [(final_at + gap * (n + 1), None) for n in range(waiting)]
        k = rng.randrange(len(tail))
        booking = self._today_booking(tail[k][0])
        if booking is not None:
            tail[k] = (tail[k][0], booking)
        self._run_queue(
            self.today, arrivals + tail, called=done + 1, end=story_now, calls=calls, keep_last=True
        )

    def _today_booking(self, around: dt.datetime) -> Booking | None:
        """Today's booking of the resident who has just arrived (a slot about to begin)."""
        preferred = sorted(self.bookables, key=lambda b: (b.service_item.name != "证明开具", b.pk))
        for bookable in preferred:
            slots = [s for s, _e in slot_starts(bookable, self.today)]
            ahead = [
                s
                for s in slots
                if around - dt.timedelta(minutes=10) <= s <= around + dt.timedelta(minutes=30)
            ]
            for start in ahead:
                active = Booking.objects.filter(
                    service_item=bookable.service_item, starts_at=start, status__in=Booking.ACTIVE_STATUSES
                ).count()
                if active < bookable.capacity:
                    booked_at = min(start, self.now) - dt.timedelta(days=1, hours=self.rng.randint(0, 5))
                    return self._book(bookable, start, booked_at=booked_at)
        return None

    # --- the appraisal: inquiries, applications, work orders, complaints ------------------------------

    def _months(self) -> list[tuple[dt.date, dt.date, float]]:
        """(first day, day after the last counted day, share of the month) of the previous and this month."""
        this_month = self.today.replace(day=1)
        previous = _month_start(self.today, 1)
        elapsed = (self.today - this_month).days / 30
        return [(previous, this_month, 1.0), (this_month, self.today, elapsed)]

    def _desk_moment(self, first: dt.date, end: dt.date) -> dt.datetime | None:
        """A moment during the desk's opening hours of a day in [first, end)."""
        days = (end - first).days
        for _try in range(20):
            if days <= 0:
                return None
            day = first + dt.timedelta(days=self.rng.randrange(days))
            periods = opening_periods(day)
            if periods:
                opens, closes = self.rng.choice(periods)
                span = int((_delta(closes) - _delta(opens)).total_seconds() // 60) - 10
                return (
                    local_midnight(day)
                    + _delta(opens)
                    + dt.timedelta(minutes=self.rng.randrange(max(span, 1)))
                )
        return None

    def inquiries(self) -> None:
        """First inquiries of the desk members: answered on the spot, kept and completed (some late),
        handed over and followed to the end. Every one is completed."""
        rng = self.rng
        departments = {d.code: d for d in Department.objects.filter(is_active=True)}
        for first, end, share in self._months():
            for username, manner in DESK.items():
                count = round(self.monthly_inquiries * manner.share * share * rng.uniform(0.8, 1.2))
                for _n in range(count):
                    start = self._desk_moment(first, end)
                    if start is None:
                        break
                    self._inquiry(username, manner, start, departments)

    def _inquiry(self, username, manner, start, departments) -> None:
        rng = self.rng
        user = self.staff[username]
        name, phone, unit_id = self._person()
        matter, item_name = rng.choice(INQUIRIES)
        item = self.items.get(item_name) if item_name else None
        roll = rng.random()
        answered = roll < 0.45 and item_name not in ("报修", "独居老人特殊服务")
        handed = not answered and rng.random() < manner.handover
        inquiry = inquiry_record(
            visitor_name=name,
            visitor_phone=phone,
            unit_id=unit_id,
            channel=rng.choice(["walk_in", "walk_in", "phone"]),
            matter=matter,
            service_item=item,
            answered_on_spot=answered,
            resolution=RESOLUTIONS["answered"] if answered else "",
            acting_user=user,
            now=start,
        )
        moments = {"inquiry_record": start}
        if not answered:
            if handed:
                handed_at = start + _minutes(5, 30, rng)
                colleague = self.staff[rng.choice([n for n in DESK if n != username])]
                department = departments.get("engineering" if item_name == "报修" else "service")
                to_user = colleague if department is None or rng.random() < 0.4 else None
                inquiry_hand_over(
                    inquiry=inquiry,
                    to_user=to_user,
                    to_department=None if to_user else department,
                    contact="分机 8001，当日回复" if to_user is None else "当面交接，留了来访人电话",
                    handed_over_at=handed_at,
                    acting_user=user,
                )
                moments["inquiry_hand_over"] = handed_at
                Notification.objects.filter(dedupe_key__startswith=f"inquiry_hand_over:{inquiry.pk}:").update(
                    created=handed_at, read_at=handed_at + _minutes(5, 60, rng)
                )
            late = rng.random() < manner.late and inquiry.due_at is not None
            if inquiry.due_at is not None:
                span = inquiry.due_at - start
                done = (
                    inquiry.due_at + _minutes(60, 600, rng) if late else start + span * rng.uniform(0.2, 0.9)
                )
            else:
                done = start + _minutes(60, 60 * 30, rng)
            done = min(done, self.now - dt.timedelta(minutes=30))
            if handed or rng.random() < 0.5:
                follow_up = inquiry_follow_up(
                    inquiry=inquiry,
                    note="已电话联系承接人，确认处理进度。" if handed else "已向中心负责人请示，正在办理。",
                    acting_user=user,
                )
                followed = start + (done - start) / 2
                InquiryFollowUp.objects.filter(pk=follow_up.pk).update(created=followed)
                moments["inquiry_follow_up"] = followed
            inquiry_complete(
                inquiry=inquiry,
                resolution=RESOLUTIONS["handed" if handed else "handling"],
                acting_user=user,
                now=done,
            )
            moments["inquiry_complete"] = done
        last = max(moments.values())
        Inquiry.objects.filter(pk=inquiry.pk).update(
            created=start, updated=last, number=self.numbers("SW", start)
        )
        _audit_at(inquiry, moments)
        self.created["inquiries"] += 1

    def applications(self) -> None:
        """Walk-in applications of the desk members: materials complete, one missing (told once) or refused."""
        rng = self.rng
        names = [n for n in ("入住手续", "装修申请", "证明开具", "独居老人特殊服务") if n in self.items]
        if not names:
            return
        for first, end, share in self._months():
            for username, manner in DESK.items():
                count = round(self.monthly_applications * manner.share * share * rng.uniform(0.8, 1.2))
                for _n in range(count):
                    at = self._desk_moment(first, end)
                    if at is None:
                        break
                    item = self.items[rng.choice(names)]
                    name, phone, unit_id = self._person()
                    refuse = item.name in REFUSALS and rng.random() < (1 - manner.complete) / 3
                    self._application(
                        item=item,
                        username=username,
                        at=at,
                        name=name,
                        phone=phone,
                        unit_id=unit_id,
                        refuse=refuse,
                    )

    def work_orders(self) -> None:
        """The history's work orders of the two months: accepted at the desk by a desk member, and
        a completion step — by the engineer, or for errands (代购) by the service staff."""
        rng = self.rng
        first = _month_start(self.today, 1)
        orders = WorkOrder.objects.filter(
            description__endswith=HISTORY_MARK,
            accepted_at__gte=local_midnight(first),
            created_by__isnull=True,
        ).order_by("accepted_at", "pk")
        engineer = self.staff.get("gongcheng")
        errands = ("qiantai", "wangqiang", "chenfang")
        transitions = []
        for order in orders:
            WorkOrder.objects.filter(pk=order.pk).update(created_by=self.staff[self._weighted_desk()])
            if order.completed_at is None:
                continue
            if order.description.startswith(("代购", "家电")) or engineer is None:
                completer = self.staff[rng.choices(errands, weights=[3, 2, 4])[0]]
            else:
                completer = engineer
            transitions.append(
                WorkOrderTransition(
                    work_order=order,
                    from_status=WorkOrder.Status.IN_PROGRESS,
                    to_status=WorkOrder.Status.COMPLETED,
                    note=order.result_note,
                    acting_user=completer,
                )
            )
        WorkOrderTransition.objects.bulk_create(transitions)
        for transition in transitions:
            WorkOrderTransition.objects.filter(pk=transition.pk).update(
                created=transition.work_order.completed_at
            )

    def complaints(self) -> None:
        """Complaints about two desk members last month (属实, 不属实) and one this month (部分属实)."""
        rng = self.rng
        names = list(DESK)
        offset = rng.randrange(len(names))  # whom they are about differs between the centers
        for back, index, verdict, content, finding, action, reply in STAFF_COMPLAINTS:
            first = _month_start(self.today, back)
            end = self.today - dt.timedelta(days=4) if back == 0 else self.today.replace(day=1)
            received = self._desk_moment(first, end)
            if received is None:
                continue
            subject = self.staff[names[(offset + index) % len(names)]]
            name, phone, unit_id = self._person()
            complaint = complaint_create(
                content=content,
                channel=Complaint.Channel.PHONE if back == 0 else Complaint.Channel.ORAL,
                complainant_name=name,
                complainant_phone=phone,
                subject_kind=Complaint.SubjectKind.STAFF,
                subject_staff=subject,
                acting_user=self.staff[rng.choice([n for n in names if self.staff[n] != subject])],
            )
            complaint_assign(complaint=complaint, handler=self.head, acting_user=self.head)
            complaint_investigate(
                complaint=complaint,
                acting_user=self.head,
                investigation_notes="调取前台记录，分别询问当事员工和在场同事。",
                finding=finding,
                action_taken=action,
                verdict=verdict,
            )
            complaint_reply(
                complaint=complaint, method=Complaint.ReplyMethod.ORAL, note=reply, acting_user=self.head
            )
            complaint_close(complaint=complaint, acting_user=self.head)
            due = add_working_days(received, REPLY_WORKING_DAYS)
            replied = min(
                received + (due - received) * rng.uniform(0.3, 0.8), self.now - dt.timedelta(hours=2)
            )
            closed = min(replied + dt.timedelta(hours=rng.randint(2, 20)), self.now - dt.timedelta(hours=1))
            Complaint.objects.filter(pk=complaint.pk).update(
                number=self.numbers("TS", received),
                created=received,
                updated=closed,
                reply_due=due.date(),
                replied_at=replied,
                closed_at=closed,
            )
            Notification.objects.filter(dedupe_key__startswith=f"complaint-assign:{complaint.pk}:").update(
                created=received + dt.timedelta(minutes=20), read_at=received + dt.timedelta(minutes=40)
            )
            _audit_at(
                complaint,
                {
                    "complaint_create": received,
                    "complaint_assign": received + dt.timedelta(minutes=20),
                    "complaint_investigate": received + (replied - received) / 2,
                    "complaint_reply": replied,
                    "complaint_close": closed,
                },
            )


def _delta(time: dt.time) -> dt.timedelta:
    return dt.timedelta(hours=time.hour, minutes=time.minute)


def _spread(start: dt.datetime, count: int, rng: random.Random) -> list[tuple[dt.datetime, None]]:
    """``count`` walk-ins, one every 6–18 minutes from ``start``."""
    moments, moment = [], start
    for _n in range(count):
        moments.append((moment, None))
        moment += _minutes(6, 18, rng)
    return moments
