"""A year of history for head office's dashboard (DESIGN §12): the months before the demo's own
story (which covers the last four months) get generated records — closed work orders with their
callbacks, answered complaints, held activities — in each center's own manner, so that trends,
the league table and the heat maps tell the centers apart; the rollup is then recomputed from the
records (``operations.services.kpis.kpis_publish``), never written by hand.

阳光花园 keeps its commitments; 翠湖苑 is middling; 锦绣华庭 slips through the summer, missed its
second-quarter birthday party and is in red this month (late work orders, unhappy callbacks).
Safe to run twice: a center that has its history is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from operations.models import Activity, Complaint, WorkOrder
from operations.selectors.elders import local_midnight

HISTORY_MONTHS = 12  # the dashboard's trends: this month and the eleven before
OWN_STORY_MONTHS = 1  # the demo datasets' own records are of this month
MARK = "（历史数据）"  # ends every generated description: how a second run recognises them


@dataclass(frozen=True)
class Manner:
    in_time: float  # share of work orders completed within the committed limit
    satisfied: float  # share of callbacks rated 4–5
    replied_in_time: float
    orders_per_month: int
    complaints_per_month: int
    skips_birthday_quarter: int | None = None  # a quarter without the birthday party
    late_this_month: int = 0  # extra late work orders this month (a center in red)
    good_this_month: int = 0  # extra work orders done well earlier this month


MANNERS = {
    "yangguang": Manner(0.97, 0.95, 1.0, 42, 3, good_this_month=40),
    "cuihu": Manner(0.93, 0.90, 0.9, 36, 4, good_this_month=15),
    "jinxiu": Manner(0.86, 0.82, 0.75, 30, 6, skips_birthday_quarter=2, late_this_month=6),
}
TASKS = (
    "厨房水龙头漏水",
    "楼道灯不亮",
    "门锁维修",
    "下水道堵塞",
    "空调不制冷",
    "窗户关不严",
    "代购生活用品",
    "家电维修",
)
COMPLAINTS = ("夜间施工噪音", "电梯故障频繁", "保洁不及时", "停车位被占", "快递丢失")


def _month_start(day: dt.date, back: int) -> dt.date:
    month = day.replace(day=1)
    for _i in range(back):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def _moment(rng: random.Random, month: dt.date) -> dt.datetime:
    day = month + dt.timedelta(days=rng.randrange(27))
    return local_midnight(day) + dt.timedelta(hours=rng.randint(8, 17), minutes=rng.randrange(60))


def history_demo_data_install(*, center_code: str) -> dict[str, int]:
    """Generate the months before the demo's own story for the current center; returns counts."""
    manner = MANNERS.get(center_code)
    if manner is None or WorkOrder.objects.filter(description__endswith=MARK).exists():
        return {"work_orders": 0, "complaints": 0, "activities": 0}
    rng = random.Random(f"history-{center_code}")  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    months = [_month_start(today, back) for back in range(OWN_STORY_MONTHS, HISTORY_MONTHS)]
    orders, complaints, activities = [], [], []
    for month in months:
        orders += _work_orders(rng, manner, month, manner.orders_per_month)
        complaints += _complaints(rng, manner, month)
        activities += _activities(rng, manner, month)
    this_month, now = today.replace(day=1), timezone.now()
    if manner.late_this_month:
        orders += _work_orders(rng, manner, this_month, manner.late_this_month, late=True, now=now)
    if manner.good_this_month:
        orders += _work_orders(rng, manner, this_month, manner.good_this_month, good=True, now=now)
    _bulk(WorkOrder, orders)
    _bulk(Complaint, complaints)
    Activity.objects.bulk_create(activities)
    return {"work_orders": len(orders), "complaints": len(complaints), "activities": len(activities)}


def _bulk(model, rows: list) -> None:
    """``bulk_create`` stamps ``created`` with now: put back when the story says it happened."""
    created = [row.created for row in rows]
    model.objects.bulk_create(rows)
    for row, moment in zip(rows, created, strict=True):
        row.created = moment
    model.objects.bulk_update(rows, ["created"], batch_size=500)


def _work_orders(
    rng, manner: Manner, month: dt.date, count: int, *, late=False, good=False, now=None
) -> list[WorkOrder]:
    rows = []
    for n in range(count):
        received = _moment(rng, month)
        if now is not None:
            received = min(received, now - dt.timedelta(days=2, hours=rng.randint(0, 48)))
        limit = dt.timedelta(hours=rng.choice([4, 24, 48]))
        in_time = good or (not late and rng.random() < manner.in_time)
        taken = limit * (rng.uniform(0.2, 0.9) if in_time else rng.uniform(1.1, 2.5))
        completed = received + taken
        if now is not None:
            completed = min(completed, now - dt.timedelta(hours=1))
        rating = (
            rng.randint(4, 5) if good or (rng.random() < manner.satisfied and not late) else rng.randint(1, 3)
        )
        stamp = f"{received:%Y%m%d}"
        rows.append(
            WorkOrder(
                number=f"GD{stamp}{9 - good}{month.month:02d}{n:02d}"[:20],
                tracking_code=f"{'G' if good else 'H'}{center_tag(rng)}{month:%y%m}{n:03d}"[:12],
                kind=WorkOrder.Kind.REPAIR,
                source=WorkOrder.Source.FRONT_DESK,
                description=f"{rng.choice(TASKS)}{MARK}",
                status=WorkOrder.Status.CLOSED,
                created=received,
                accepted_at=received,
                dispatched_at=received + dt.timedelta(minutes=15),
                started_at=received + dt.timedelta(minutes=40),
                deadline=received + limit,
                completed_at=completed,
                is_breached=completed > received + limit,
                called_back_at=completed + dt.timedelta(hours=20),
                closed_at=completed + dt.timedelta(hours=21),
                satisfaction=rating,
                result_note="已处理",
            )
        )
    return rows


def center_tag(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _i in range(3))


def _complaints(rng, manner: Manner, month: dt.date) -> list[Complaint]:
    rows = []
    for n in range(manner.complaints_per_month):
        received = _moment(rng, month)
        due = (received + dt.timedelta(days=3)).date()
        on_time = rng.random() < manner.replied_in_time
        replied = received + dt.timedelta(days=rng.randint(1, 2) if on_time else rng.randint(4, 7))
        rows.append(
            Complaint(
                number=f"TS{received:%Y%m%d}9{n:02d}",
                tracking_code=f"H{center_tag(rng)}{month:%y%m}{n:02d}"[:12],
                kind=Complaint.Kind.COMPLAINT,
                channel=Complaint.Channel.PHONE,
                content=f"{rng.choice(COMPLAINTS)}{MARK}",
                status=Complaint.Status.CLOSED,
                created=received,
                reply_due=due,
                reply_method=Complaint.ReplyMethod.ORAL,
                reply_text="已电话答复并处理。",
                replied_at=replied,
                closed_at=replied + dt.timedelta(days=1),
            )
        )
    return rows


def _activities(rng, manner: Manner, month: dt.date) -> list[Activity]:
    quarter = (month.month - 1) // 3 + 1
    kinds = []
    if month.month % 3 == 2:  # the middle month of each quarter
        if manner.skips_birthday_quarter != quarter:
            kinds.append((Activity.Kind.BIRTHDAY_PARTY, f"{month.year}年第{quarter}季度集体生日会"))
        kinds.append((Activity.Kind.REPAIR_DAY, f"{month.year}年第{quarter}季度义工维修日"))
    if month.month in (4, 10):
        kinds.append((Activity.Kind.FREE_CLINIC, f"{month.year}年{month.month}月社区义诊"))
    if rng.random() < 0.6:
        kinds.append((Activity.Kind.OTHER, f"{month.month}月社区文化活动"))
    rows = []
    for n, (kind, title) in enumerate(kinds):
        starts = local_midnight(month + dt.timedelta(days=9 + 3 * n)) + dt.timedelta(hours=9)
        rows.append(
            Activity(
                number=f"HD{starts:%Y%m%d}9{n:02d}",
                kind=kind,
                title=title,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=3),
                place="服务中心广场",
                status=Activity.Status.REPORTED,
            )
        )
    return rows
