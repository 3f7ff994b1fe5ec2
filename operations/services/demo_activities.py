"""Demo activities of the current year, through the same services staff use.

``activities_demo_data_install()`` runs in the current center's schema (the caller sets it). The
compliance grid then shows green (met), red (missed) and amber (at risk) cells: two free clinics,
birthday parties in Q1 and Q3 (Q2 missed), festival repair days in Q1 and Q3 (the Q3 one with work
orders and an out-of-scope item), nothing held yet in the current quarter. Twice = once: activities
are found by title.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from operations.models import Activity, ActivityPublicity
from operations.services.activities import (
    activity_birthday_invitees_propose,
    activity_create,
    activity_hold,
    activity_mark_reported,
    activity_publicise,
    activity_publicity_tick,
    activity_repair_intake,
)

K = Activity.Kind


def _plan(year: int) -> list[dict]:
    return [
        {
            "kind": K.FREE_CLINIC,
            "title": f"{year}年春季社区义诊",
            "date": (3, 14),
            "partner": "社区卫生服务中心",
        },
        {
            "kind": K.FREE_CLINIC,
            "title": f"{year}年秋季社区义诊",
            "date": (9, 12),
            "partner": "社区卫生服务中心",
        },
        {"kind": K.BIRTHDAY_PARTY, "title": f"{year}年第一季度集体生日会", "date": (3, 20)},
        {"kind": K.BIRTHDAY_PARTY, "title": f"{year}年第三季度集体生日会", "date": (8, 22)},
        {"kind": K.REPAIR_DAY, "title": f"{year}年迎春义工维修日", "date": (1, 24), "festival": "spring"},
        {
            "kind": K.REPAIR_DAY,
            "title": f"{year}年迎中秋义工维修日",
            "date": (9, 5),
            "festival": "mid_autumn",
        },
        {"kind": K.BIRTHDAY_PARTY, "title": f"{year}年第四季度集体生日会", "date": (12, 18)},
    ]


def activities_demo_data_install(*, acting_user=None) -> dict[str, int]:
    from operations.services.demo_residents import residents_demo_data_install

    residents_demo_data_install(acting_user=acting_user)
    now = timezone.now()
    year = timezone.localdate().year
    created = {"activities": 0, "work_orders": 0}
    for spec in _plan(year):
        if Activity.objects.filter(title=spec["title"]).exists():
            continue
        month, day = spec["date"]
        starts_at = timezone.make_aware(dt.datetime(year, month, day, 9, 0))
        activity = activity_create(
            acting_user=acting_user,
            kind=spec["kind"],
            title=spec["title"],
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=3),
            place="服务中心广场",
            festival=spec.get("festival", ""),
            partner_name=spec.get("partner", ""),
            partner_contact="刘主任" if spec.get("partner") else "",
            partner_phone="02088886666" if spec.get("partner") else "",
            plan_text="活动方案：时间、地点、分工、物资、安全预案。",
        )
        created["activities"] += 1
        if activity.kind == K.BIRTHDAY_PARTY:
            activity_birthday_invitees_propose(acting_user=acting_user, activity=activity)
        if starts_at > now:
            continue  # upcoming: stays planned
        for channel in (ActivityPublicity.Channel.BANNER, ActivityPublicity.Channel.NOTICE):
            activity_publicity_tick(
                acting_user=acting_user,
                activity=activity,
                channel=channel,
                done_at=starts_at - dt.timedelta(days=7),
            )
        activity = activity_publicise(acting_user=acting_user, activity=activity)
        if activity.kind == K.REPAIR_DAY and spec.get("festival") == "mid_autumn":
            for description, phone in (("厨房水龙头漏水", "13800000011"), ("楼道感应灯不亮", "13800000012")):
                activity_repair_intake(
                    acting_user=acting_user,
                    activity=activity,
                    description=description,
                    contact_name="陈先生",
                    contact_phone=phone,
                )
                created["work_orders"] += 1
            activity_repair_intake(
                acting_user=acting_user,
                activity=activity,
                description="卧室外墙裂缝渗水",
                out_of_scope=True,
                advice="属房屋质量问题，已告知联系开发商保修部门",
                contact_name="周女士",
            )
        activity = activity_hold(acting_user=acting_user, activity=activity)
        if activity.kind == K.FREE_CLINIC:
            activity_mark_reported(acting_user=acting_user, activity=activity)
    return created
