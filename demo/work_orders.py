"""Demo work orders: a week of repairs and special services in every state, some breached.

``work_orders_demo_data_install()`` runs in the current center's schema (the caller sets it).
It uses the center's units, residents, departments and service items when they exist (the
residents and guide demo data install them) and otherwise creates the little it needs with
get-or-create. The work orders go through the real services, so numbers, transitions,
notifications and audit entries are consistent; their times are then moved back into the
past week. Idempotent: when the demo work orders exist, nothing is added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from demo.staff import demo_staff_install
from operations.data.departments import DEFAULT_DEPARTMENTS
from operations.models import (
    Building,
    Department,
    Resident,
    ServiceItem,
    Unit,
    WorkOrder,
    WorkOrderTransition,
)
from operations.services import work_orders as services

S = WorkOrder.Status

# Who takes each department's demo work orders (usernames of demo.staff.DEMO_STAFF).
ASSIGNEES = {"engineering": "gongcheng", "cleaning": "baojie", "security": "huwei", "service": "qiantai"}


@dataclass(frozen=True)
class DemoOrder:
    days_ago: float  # when it was received, before now
    description: str
    department: str
    status: str
    kind: str = WorkOrder.Kind.REPAIR
    source: str = WorkOrder.Source.FRONT_DESK
    item: str = "报修"
    limit_hours: int | None = None  # an explicit committed limit instead of the item's
    urgent: bool = False
    price: str | None = None
    late: bool = False  # completed after the deadline (a breach)
    satisfaction: int = 5
    comment: str = ""


DEMO_ORDERS = [
    DemoOrder(6.8, "3号楼2单元1201厨房水龙头漏水,需更换阀芯", "engineering", S.CLOSED, comment="师傅很专业"),
    DemoOrder(
        6.5, "地下车库B区照明灯不亮(巡查发现)", "engineering", S.CLOSED, source="inspection", satisfaction=4
    ),
    DemoOrder(
        6.2, "楼道堆放杂物影响通行,请清理", "cleaning", S.CALLED_BACK, source="phone", item="", limit_hours=24
    ),
    DemoOrder(
        5.9,
        "卫生间下水道堵塞",
        "engineering",
        S.CALLED_BACK,
        urgent=True,
        limit_hours=4,
        late=True,
        satisfaction=3,
        comment="来得有点晚,但修好了",
    ),
    DemoOrder(
        5.4,
        "代交水电费(独居老人李奶奶)",
        "service",
        S.CLOSED,
        kind="special_service",
        source="elder_visit",
        item="独居老人特殊服务",
    ),
    DemoOrder(
        5.0,
        "代购生活用品:大米一袋、食用油一桶",
        "service",
        S.COMPLETED,
        kind="special_service",
        source="elder_visit",
        item="独居老人特殊服务",
        price="15.00",
    ),
    DemoOrder(
        4.6, "单元门禁刷卡无反应", "security", S.COMPLETED, source="phone", item="", limit_hours=8, late=True
    ),
    DemoOrder(4.2, "阳台晾衣架滑轮损坏", "engineering", S.COMPLETED, source="web_form"),
    DemoOrder(3.8, "空调外机支架松动,有坠落风险", "engineering", S.IN_PROGRESS, urgent=True, limit_hours=6),
    DemoOrder(3.5, "电梯按钮失灵(5号楼)", "engineering", S.IN_PROGRESS, source="phone", limit_hours=24),
    DemoOrder(
        3.0,
        "家中插座跳闸,需上门检查线路",
        "engineering",
        S.IN_PROGRESS,
        kind="special_service",
        source="elder_visit",
        item="独居老人特殊服务",
        price="30.00",
    ),
    DemoOrder(
        2.6, "小区东门道闸无法抬杆", "security", S.DISPATCHED, source="inspection", item="", limit_hours=12
    ),
    DemoOrder(
        2.0, "绿化带浇水管破裂漏水", "cleaning", S.DISPATCHED, source="inspection", item="", limit_hours=72
    ),
    DemoOrder(
        1.5, "义工维修日登记:修理自行车刹车", "engineering", S.DISPATCHED, source="activity_day", item=""
    ),
    DemoOrder(1.0, "窗户密封条老化漏风", "engineering", S.PENDING, source="web_form"),
    DemoOrder(0.6, "代为咨询社保卡补办事宜", "service", S.PENDING, kind="other", source="phone", item=""),
    DemoOrder(
        0.3, "楼顶水箱异响", "engineering", S.PENDING, urgent=True, source="phone", item="", limit_hours=9
    ),
    DemoOrder(0.15, "垃圾房门锁损坏", "cleaning", S.DISPATCHED, item="", limit_hours=4),
    DemoOrder(4.0, "业主重复登记的报修(已合并)", "engineering", S.CANCELLED, source="phone"),
    DemoOrder(
        2.2,
        "代取快递(老人已自行取回)",
        "service",
        S.CANCELLED,
        kind="special_service",
        source="elder_visit",
        item="独居老人特殊服务",
    ),
]

DEMO_UNITS = [
    ("1号楼", "1单元", "101", "张建华", "13812340001"),
    ("2号楼", "2单元", "502", "李秀兰", "13912340002"),
    ("3号楼", "2单元", "1201", "王志强", "13712340003"),
    ("5号楼", "1单元", "303", "赵淑芬", "021-5088 1234"),
]


def _staff(password: str | None) -> dict:
    users = demo_staff_install(dataset="work_orders", password=password)
    return {code: users[username] for code, username in ASSIGNEES.items()}


def _residents() -> list[Resident]:
    residents = list(
        Resident.objects.filter(is_active=True).select_related("unit__building").order_by("pk")[:40]
    )
    if residents:
        return residents
    for order, (building_name, entrance, room, name, phone) in enumerate(DEMO_UNITS):
        building, _ = Building.objects.get_or_create(name=building_name, defaults={"sort_order": order})
        unit, _ = Unit.objects.get_or_create(building=building, entrance=entrance, room=room)
        resident, _ = Resident.objects.get_or_create(unit=unit, name=name, defaults={"phone": phone})
        residents.append(resident)
    return residents


def _departments() -> dict[str, Department]:
    departments = {d.code: d for d in Department.objects.all()}
    for order, (code, name, description) in enumerate(DEFAULT_DEPARTMENTS):
        if code not in departments:
            departments[code], _ = Department.objects.get_or_create(
                code=code, defaults={"name": name, "description": description, "sort_order": order}
            )
    return departments


def _backdate(
    work_order: WorkOrder, *, received: dt.datetime, completed: dt.datetime | None, now: dt.datetime
):
    """Move the work order's times (and its transitions') to when the story says they happened."""
    times = {S.PENDING: received, S.DISPATCHED: received + dt.timedelta(minutes=20)}
    times[S.IN_PROGRESS] = received + dt.timedelta(hours=1)
    times[S.COMPLETED] = completed or received + dt.timedelta(hours=3)
    times[S.CALLED_BACK] = times[S.COMPLETED] + dt.timedelta(hours=20)
    times[S.CLOSED] = times[S.CALLED_BACK] + dt.timedelta(hours=1)
    times[S.CANCELLED] = received + dt.timedelta(hours=2)
    ceiling = now - dt.timedelta(minutes=1)
    previous = received
    for transition in work_order.transitions.order_by("pk"):
        moment = min(max(times[transition.to_status], previous), ceiling)
        WorkOrderTransition.objects.filter(pk=transition.pk).update(created=moment)
        times[transition.to_status] = previous = moment
    fields = {"created": received, "accepted_at": received}
    for field, status in (
        ("dispatched_at", S.DISPATCHED),
        ("started_at", S.IN_PROGRESS),
        ("completed_at", S.COMPLETED),
        ("called_back_at", S.CALLED_BACK),
    ):
        if getattr(work_order, field) is not None:
            fields[field] = times[status]
    if work_order.closed_at is not None:
        fields["closed_at"] = times[S.CANCELLED if work_order.status == S.CANCELLED else S.CLOSED]
    WorkOrder.objects.filter(pk=work_order.pk).update(**fields)


@transaction.atomic
def work_orders_demo_data_install(*, acting_user=None, password: str | None = None) -> dict[str, int]:
    """Install the demo work orders in the current center; returns counts. Safe to run twice.

    ``password`` is set on the demo staff accounts it creates (default: the demo password); the
    departments' work orders go to ``ASSIGNEES`` (王师傅 ``gongcheng`` of 工程部, …).
    """
    if WorkOrder.objects.filter(description=DEMO_ORDERS[0].description).exists():
        return {
            "work_orders": 0,
            "breached": WorkOrder.objects.filter(is_breached=True).count(),
            "reminders": 0,
        }
    departments = _departments()
    staff = _staff(password)
    desk = acting_user or staff["service"]
    residents = _residents()
    items = {item.name: item for item in ServiceItem.objects.all()}
    now = timezone.now()
    created = 0
    for index, spec in enumerate(DEMO_ORDERS):
        received = now - dt.timedelta(days=spec.days_ago)
        resident = residents[(index * 7) % len(residents)]
        item = items.get(spec.item) if spec.item else None
        deadline = received + dt.timedelta(hours=spec.limit_hours) if spec.limit_hours else None
        if item is None and deadline is None:
            deadline = received + dt.timedelta(days=2)
        department = departments.get(spec.department)
        assignee = staff.get(spec.department)
        work_order = services.work_order_create(
            acting_user=desk,
            description=spec.description,
            kind=spec.kind,
            source=spec.source,
            resident=resident,
            service_item=item,
            department=department,
            is_urgent=spec.urgent,
            is_paid=spec.price is not None,
            price=Decimal(spec.price) if spec.price else None,
            deadline=deadline,
            received_at=received,
        )
        completed_at = None
        steps = [S.DISPATCHED, S.IN_PROGRESS, S.COMPLETED, S.CALLED_BACK, S.CLOSED]
        if spec.status == S.CANCELLED:
            services.work_order_dispatch(
                work_order=work_order, acting_user=desk, department=department, assignee=assignee
            )
            work_order = services.work_order_cancel(
                work_order=work_order, acting_user=desk, reason="业主来电说明无需处理"
            )
        elif spec.status != S.PENDING:
            for step in steps[: steps.index(spec.status) + 1]:
                if step == S.DISPATCHED:
                    work_order = services.work_order_dispatch(
                        work_order=work_order, acting_user=desk, department=department, assignee=assignee
                    )
                elif step == S.IN_PROGRESS:
                    work_order = services.work_order_start(work_order=work_order, acting_user=assignee)
                elif step == S.COMPLETED:
                    work_order.refresh_from_db()
                    if spec.late and work_order.deadline:
                        completed_at = work_order.deadline + dt.timedelta(hours=3)
                    else:
                        completed_at = received + dt.timedelta(hours=min(3, (spec.limit_hours or 6) / 2))
                    completed_at = min(completed_at, now - dt.timedelta(minutes=5))
                    work_order = services.work_order_complete(
                        work_order=work_order,
                        acting_user=assignee,
                        result_note="已处理完毕,现场已清理",
                        completed_at=completed_at,
                    )
                elif step == S.CALLED_BACK:
                    work_order = services.work_order_callback(
                        work_order=work_order,
                        acting_user=desk,
                        satisfaction=spec.satisfaction,
                        comment=spec.comment or "满意",
                    )
                elif step == S.CLOSED:
                    work_order = services.work_order_close(work_order=work_order, acting_user=desk)
        work_order.refresh_from_db()
        _backdate(work_order, received=received, completed=completed_at, now=now)
        created += 1
    # Flag open work orders already past their deadline (and remind their assignees), as the job would.
    counts = services.work_orders_check_deadlines(now=now)
    breached = WorkOrder.objects.filter(is_breached=True).count()
    return {"work_orders": created, "breached": breached, "reminders": counts["breach"] + counts["due_soon"]}
