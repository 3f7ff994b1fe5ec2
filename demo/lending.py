"""Demo data of the lending desk: items, a month of loans (overdue ones and damaged returns included),
follow-ups and reading-glasses uses. Idempotent: a second run finds the marker and changes nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from operations.models import ConvenienceItem, Loan, ReadingGlassesUse, Resident
from operations.models.lending import ItemKind
from operations.services.lending import (
    convenience_item_create,
    lending_install_defaults,
    loan_follow_up,
    loan_lend,
    loan_return,
    reading_glasses_use_record,
)

DEMO_ITEMS = [
    ("GJX-02", "工具箱", ItemKind.TOOLBOX, "前台柜子"),
    ("GJ-01", "电钻", ItemKind.TOOL, "前台柜子"),
    ("GJ-02", "梯子", ItemKind.TOOL, "前台后侧储物间"),
    ("GJ-03", "打气筒", ItemKind.TOOL, "前台柜子"),
    ("QT-01", "雨伞", ItemKind.OTHER, "前台伞架"),
    ("QT-02", "雨伞", ItemKind.OTHER, "前台伞架"),
    ("QT-03", "手推车", ItemKind.OTHER, "大堂"),
]
WALK_INS = [("陈女士", "13912345678"), ("刘先生", "13800138000"), ("赵阿姨", "13666668888")]
MARKER_NOTE = "演示数据"


def _staff():
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, groups__name="前台客服").order_by("pk").first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    )


@transaction.atomic
def lending_demo_data_install() -> dict[str, int]:
    lending_install_defaults()
    if (
        Loan.objects.filter(return_note__startswith=MARKER_NOTE).exists()
        or Loan.objects.filter(borrower_name__in=[name for name, _phone in WALK_INS]).exists()
    ):
        return {"loans": 0}
    user = _staff()
    if user is None:
        return {"loans": 0}
    for code, name, kind, location in DEMO_ITEMS:
        if not ConvenienceItem.objects.filter(code=code).exists():
            convenience_item_create(code=code, name=name, kind=kind, location=location, acting_user=user)

    rng = random.Random(4)  # noqa: S311 - demo data, not security
    residents = list(Resident.objects.filter(is_active=True).exclude(phone="").order_by("pk")[:40])
    now = timezone.now()
    today = timezone.localdate(now)
    created = 0
    lendable = [ItemKind.TOOLBOX, ItemKind.TOOL, ItemKind.OTHER, ItemKind.FIRST_AID_KIT]
    for days_ago in range(30, 0, -1):
        day = today - dt.timedelta(days=days_ago)
        for slot in range(rng.randint(0, 2)):
            available = list(
                ConvenienceItem.objects.filter(status=ConvenienceItem.Status.AVAILABLE, kind__in=lendable)
            )
            if not available:
                break
            item = rng.choice(available)
            lent_at = timezone.make_aware(
                dt.datetime.combine(day, dt.time(9 + slot * 3 + rng.randint(0, 2), 15))
            )
            if residents:
                resident = rng.choice(residents)
                loan = loan_lend(items=[item], resident=resident, acting_user=user, now=lent_at)
            else:
                name, phone = rng.choice(WALK_INS)
                loan = loan_lend(items=[item], borrower_name=name, phone=phone, acting_user=user, now=lent_at)
            created += 1
            roll = rng.random()
            if days_ago <= 3 and roll < 0.4:
                # Still out and overdue: the desk follows it up.
                loan_follow_up(
                    loan=loan,
                    method="called",
                    outcome="已电话联系，住户答应明天上午归还",
                    promised_at=lent_at + dt.timedelta(days=1, hours=2),
                    acting_user=user,
                )
                continue
            condition, note = "good", ""
            if roll > 0.93:
                condition, note = "damaged", f"{MARKER_NOTE}：把手松动，送修"
            returned_at = lent_at + dt.timedelta(hours=rng.randint(1, 6))
            loan_return(loan=loan, condition=condition, note=note, acting_user=user, now=returned_at)
    # One sure damaged return (for the purchase request) and one overdue loan with two follow-ups.
    spare = ConvenienceItem.objects.filter(code="QT-03", status=ConvenienceItem.Status.AVAILABLE).first()
    if spare:
        lent_at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=5), dt.time(10, 0)))
        loan = loan_lend(
            items=[spare], borrower_name="陈女士", phone="13912345678", acting_user=user, now=lent_at
        )
        loan_return(
            loan=loan,
            condition="damaged",
            note=f"{MARKER_NOTE}：轮子断裂",
            acting_user=user,
            now=lent_at + dt.timedelta(hours=3),
        )
        created += 1
    umbrella = ConvenienceItem.objects.filter(code="QT-01", status=ConvenienceItem.Status.AVAILABLE).first()
    if umbrella:
        lent_at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=2), dt.time(16, 30)))
        loan = loan_lend(
            items=[umbrella], borrower_name="刘先生", phone="13800138000", acting_user=user, now=lent_at
        )
        loan_follow_up(loan=loan, method="called", outcome="电话无人接听", acting_user=user)
        loan_follow_up(loan=loan, method="visited", outcome="上门未遇，已留言", acting_user=user)
        created += 1
    glasses = list(ConvenienceItem.objects.filter(kind=ItemKind.READING_GLASSES).order_by("code"))
    if glasses and not ReadingGlassesUse.objects.exists():
        for days_ago in range(30, -1, -1):
            day = today - dt.timedelta(days=days_ago)
            for n in range(rng.randint(0, 4)):
                used_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + n * 2, 10)))
                if used_at < now:
                    reading_glasses_use_record(item=rng.choice(glasses), acting_user=user, now=used_at)
    return {"loans": created}
