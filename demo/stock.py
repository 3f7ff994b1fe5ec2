"""Demo data of the consumables area: a month's ledger, the candy checklist, a first-aid use, one
submitted and one approved purchase request. Idempotent: running it twice adds nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from django_tenants.utils import schema_context

from operations.models import CandyDishCheck, Consumable, FirstAidUse, PurchaseRequest, StockMovement
from operations.services.consumables import (
    candy_dish_fill,
    candy_dish_lock,
    consumables_install_defaults,
    first_aid_use_record,
    stock_adjust,
    stock_receive,
    stock_use,
)
from operations.services.purchasing import (
    month_start,
    purchase_request_apply_decision,
    purchase_request_draft,
    purchase_request_line_set,
    purchase_request_submit,
)
from portal.models import Submission
from portal.services import submission_decide
from tenants.models import ServiceCenter

OPENING_REASON = "期初入库（演示数据）"
DAYS = 30


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _staff(acting_user):
    users = get_user_model().objects.filter(is_active=True)
    desk = list(users.filter(groups__name="前台客服").order_by("pk")[:2])
    head = (
        acting_user
        if acting_user is not None and acting_user.has_perm("operations.submit_purchaserequest")
        else users.filter(is_superuser=True).order_by("pk").first()
    )
    if not desk:
        desk = [head or acting_user]
    return desk, head


@transaction.atomic
def stock_demo_data_install(*, acting_user=None) -> None:
    consumables_install_defaults()
    desk, head = _staff(acting_user)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=DAYS)
    by_name = {c.name: c for c in Consumable.objects.all()}

    if not StockMovement.objects.filter(reason=OPENING_REASON).exists():
        opening = {
            "糖果": 5,
            "体温计": 2,
            "创可贴": 3,
            "碘酒": 2,
            "医用胶带": 2,
            "医用纱布": 4,
            "棉签": 3,
            "红花油": 1,
        }
        for name, quantity in opening.items():
            if name in by_name:
                stock_receive(
                    consumable=by_name[name],
                    quantity=quantity,
                    reason=OPENING_REASON,
                    acting_user=desk[0],
                    at=_aware(start, 9),
                )
        candy = by_name.get("糖果")
        for offset in range(1, DAYS + 1):
            day = start + datetime.timedelta(days=offset)
            if day > today:
                break
            if candy is not None and offset % 2 == 0:
                stock_use(
                    consumable=candy,
                    quantity=Decimal("0.3"),
                    reason="糖果盘补充（居民取用）",
                    acting_user=desk[offset % len(desk)],
                    at=_aware(day, 8, 40),
                )
        if "棉签" in by_name:
            stock_use(
                consumable=by_name["棉签"],
                quantity=2,
                reason="日常清洁伤口",
                acting_user=desk[0],
                at=_aware(start + datetime.timedelta(days=12), 15),
            )
        if "医用胶带" in by_name:
            stock_adjust(
                consumable=by_name["医用胶带"],
                quantity=-1,
                reason="盘点发现受潮，报废 1 卷",
                acting_user=desk[0],
                at=_aware(start + datetime.timedelta(days=20), 17, 30),
            )

    if not FirstAidUse.objects.exists() and "创可贴" in by_name and "碘酒" in by_name:
        first_aid_use_record(
            used_at=_aware(today - datetime.timedelta(days=9), 10, 15),
            patient_kind="resident",
            patient_name="王秀英",
            what_happened="居民在中心门口台阶绊倒，膝盖擦伤，已清洗消毒并贴创可贴，家属陪同回家。",
            items=[(by_name["创可贴"], 1), (by_name["碘酒"], Decimal("0.2"))],
            called_120=False,
            acting_user=desk[0],
        )

    for offset in range(DAYS, 0, -1):
        day = today - datetime.timedelta(days=offset)
        if CandyDishCheck.objects.filter(date=day).exists():
            continue
        user = desk[offset % len(desk)]
        candy_dish_fill(date=day, acting_user=user, at=_aware(day, 8, 30))
        if offset != 7:  # one evening was forgotten: the history shows it in red
            candy_dish_lock(date=day, acting_user=user, at=_aware(day, 17, 50))

    if head is None:
        return
    this_month = month_start(today)
    last_month = month_start(this_month - datetime.timedelta(days=1))
    if not PurchaseRequest.objects.filter(month=last_month).exists():
        request = purchase_request_draft(month=last_month, acting_user=desk[0])
        purchase_request_line_set(
            request=request,
            description="A4 打印纸",
            quantity=2,
            unit="包",
            reason="other",
            note="登记表、通知打印",
            acting_user=desk[0],
        )
        purchase_request_submit(request=request, acting_user=head)
        _approve(request)
    if not PurchaseRequest.objects.filter(month=this_month).exists():
        request = purchase_request_draft(month=this_month, acting_user=desk[0])
        purchase_request_submit(request=request, acting_user=head)


def _approve(request: PurchaseRequest) -> None:
    """Approve through the head-office inbox when a head-office user exists, else apply it directly."""
    center = ServiceCenter.objects.get(schema_name=connection.schema_name)
    with schema_context("public"):
        hq = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        found = Submission.objects.filter(
            center=center, kind="purchase_request", reference=str(request.pk), status="pending"
        ).first()
        if hq is not None and found is not None:
            submission_decide(submission=found, decision="approved", comment="同意采购。", acting_user=hq)
            return
    purchase_request_apply_decision(
        reference=str(request.pk), decision="approved", comment="同意采购。", decided_by_name="总部"
    )
