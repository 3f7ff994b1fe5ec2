"""Demo residents: six buildings, their units and about sixty residents (idempotent)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from operations.models import Resident
from operations.services.residents import (
    building_get_or_create,
    resident_create,
    unit_get_or_create,
)

BUILDINGS = ("1号楼", "2号楼", "3号楼", "5号楼", "6号楼", "8号楼")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN = (
    "建国",
    "秀英",
    "桂兰",
    "志强",
    "丽华",
    "海燕",
    "玉梅",
    "文军",
    "国庆",
    "淑珍",
    "晓东",
    "婷婷",
    "子涵",
    "浩然",
    "雨欣",
    "德明",
    "凤英",
    "春生",
    "明辉",
    "佳怡",
    "振华",
    "兰芳",
    "永福",
    "思远",
    "静怡",
    "宏伟",
    "金凤",
    "立新",
    "欣悦",
    "家豪",
)
MOBILE_PREFIXES = ("138", "139", "135", "136", "186", "159", "177", "131", "150", "188")
ELDER_NOTES = ("独居老人", "行动不便，需上门服务", "子女在外地", "")


@transaction.atomic
def residents_demo_data_install(*, acting_user=None) -> dict[str, int]:
    """Create the demo buildings, units and residents in the current center; twice = once.

    The data come from a seeded generator, so every run (and every center) proposes the same
    residents, and existing ones are found by their natural key (unit + name) and left alone.
    """
    rng = random.Random(2026)  # noqa: S311 — demo data, not security
    created = {"buildings": 0, "units": 0, "residents": 0}
    today = dt.date.today()
    for number, building_name in enumerate(BUILDINGS):
        building, was_created = building_get_or_create(name=building_name, acting_user=acting_user)
        created["buildings"] += was_created
        for entrance in ("1单元", "2单元"):
            for floor in rng.sample(range(1, 19), 3):
                room = f"{floor}0{rng.randint(1, 4)}"
                unit, was_created = unit_get_or_create(
                    building=building, entrance=entrance, room=room, acting_user=acting_user
                )
                created["units"] += was_created
                household = 1 + rng.randint(0, 2) if number % 2 else 1 + rng.randint(0, 1)
                surname = rng.choice(SURNAMES)
                for member in range(household):
                    name = (surname if member == 0 else rng.choice(SURNAMES)) + rng.choice(GIVEN)
                    phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
                    relation = (
                        Resident.Relation.FAMILY
                        if member
                        else (Resident.Relation.TENANT if rng.random() < 0.2 else Resident.Relation.OWNER)
                    )
                    elderly = member == 0 and rng.random() < 0.3
                    birth_date = (
                        dt.date(today.year - rng.randint(65, 92), rng.randint(1, 12), rng.randint(1, 28))
                        if elderly
                        else None
                    )
                    note = rng.choice(ELDER_NOTES) if elderly else ""
                    if Resident.objects.filter(unit=unit, name=name).exists():
                        continue
                    resident_create(
                        unit=unit,
                        name=name,
                        phone=phone,
                        relation=relation,
                        birth_date=birth_date,
                        note=note,
                        acting_user=acting_user,
                    )
                    created["residents"] += 1
    return created
