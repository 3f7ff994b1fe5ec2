"""Consumables (耗材): the stock ledger, the candy dish checklist and first-aid use records.

The cached ``Consumable.stock`` is changed only here, inside the transaction that writes the
movement, after locking the consumable row (``select_for_update``); stock never goes negative.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.data.consumables import DEFAULT_CONSUMABLES
from operations.models import (
    CandyDishCheck,
    Consumable,
    DeskSettings,
    FirstAidUse,
    MovementKind,
    PurchaseRequestLine,
    StockMovement,
)
from operations.services.common import audit_record, diff_fields, user_or_none
from operations.validators import format_decimal

CONSUMABLE_FIELDS = ("name", "category", "unit", "minimum_level", "target_level", "active", "sort_order")


def _quantity(value, *, field: str = "quantity") -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter a valid quantity.")}) from None
    if not quantity.is_finite():
        raise ValidationError({field: _("Enter a valid quantity.")})
    return quantity.quantize(Decimal("0.01"))


def consumables_install_defaults() -> None:
    """The consumables every center starts with (idempotent, by name)."""
    for order, (name, category, unit, minimum, target) in enumerate(DEFAULT_CONSUMABLES):
        Consumable.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "unit": unit,
                "minimum_level": Decimal(minimum),
                "target_level": Decimal(target),
                "sort_order": order,
            },
        )
    DeskSettings.load()


@transaction.atomic
def consumable_create(*, acting_user=None, **data) -> Consumable:
    consumable = Consumable(**{k: v for k, v in data.items() if k in CONSUMABLE_FIELDS})
    consumable.full_clean()
    consumable.save()
    audit_record(instance=consumable, action="create", acting_user=acting_user)
    return consumable


@transaction.atomic
def consumable_update(*, consumable: Consumable, acting_user=None, **data) -> Consumable:
    consumable = Consumable.objects.select_for_update().get(pk=consumable.pk)
    data = {k: v for k, v in data.items() if k in CONSUMABLE_FIELDS}
    changes = diff_fields(consumable, data)
    for field, value in data.items():
        setattr(consumable, field, value)
    consumable.full_clean()
    consumable.save()
    if changes:
        audit_record(instance=consumable, action="update", acting_user=acting_user, changes=changes)
    return consumable


def _move(
    *,
    consumable: Consumable,
    kind: str,
    quantity: Decimal,
    reason: str,
    acting_user,
    at: datetime.datetime | None = None,
    first_aid_use: FirstAidUse | None = None,
    purchase_request=None,
) -> StockMovement:
    """Write one ledger line and update the cached stock (caller holds a transaction)."""
    locked = Consumable.objects.select_for_update().get(pk=consumable.pk)
    new_stock = locked.stock + quantity
    if new_stock < 0:
        raise ValidationError(
            {
                "quantity": _("Only %(stock)s %(unit)s of %(name)s in stock: cannot use %(quantity)s.")
                % {
                    "stock": format_decimal(locked.stock),
                    "unit": locked.unit,
                    "name": locked.name,
                    "quantity": format_decimal(-quantity),
                }
            }
        )
    movement = StockMovement(
        consumable=locked,
        kind=kind,
        quantity=quantity,
        reason=reason,
        by=user_or_none(acting_user),
        at=at or timezone.now(),
        first_aid_use=first_aid_use,
        purchase_request=purchase_request,
    )
    movement.full_clean()
    movement.save()
    locked.stock = new_stock
    locked.save(update_fields=["stock"])
    consumable.stock = new_stock
    audit_record(
        instance=locked,
        action=f"stock_{kind}",
        acting_user=acting_user,
        changes={"stock": [str(new_stock - quantity), str(new_stock)], "reason": reason},
    )
    return movement


@transaction.atomic
def stock_receive(
    *, consumable: Consumable, quantity, reason: str = "", acting_user=None, at=None, purchase_request=None
) -> StockMovement:
    quantity = _quantity(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    return _move(
        consumable=consumable,
        kind=MovementKind.RECEIVED,
        quantity=quantity,
        reason=reason or _("Stock received"),
        acting_user=acting_user,
        at=at,
        purchase_request=purchase_request,
    )


@transaction.atomic
def stock_use(
    *, consumable: Consumable, quantity, reason: str = "", acting_user=None, at=None, first_aid_use=None
) -> StockMovement:
    quantity = _quantity(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    return _move(
        consumable=consumable,
        kind=MovementKind.USED,
        quantity=-quantity,
        reason=reason or _("Stock used"),
        acting_user=acting_user,
        at=at,
        first_aid_use=first_aid_use,
    )


@transaction.atomic
def stock_adjust(
    *, consumable: Consumable, quantity, reason: str, acting_user=None, at=None
) -> StockMovement:
    """A signed correction after counting (e.g. -2 for two packs found spoiled); the reason is required."""
    quantity = _quantity(quantity)
    if quantity == 0:
        raise ValidationError({"quantity": _("An adjustment cannot be zero.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    return _move(
        consumable=consumable,
        kind=MovementKind.ADJUSTED,
        quantity=quantity,
        reason=reason.strip(),
        acting_user=acting_user,
        at=at,
    )


# --- candy dish -------------------------------------------------------------------------


@transaction.atomic
def candy_dish_fill(
    *, date: datetime.date | None = None, acting_user=None, at: datetime.datetime | None = None
) -> CandyDishCheck:
    """Morning tick: the dish was filled and put out."""
    date = date or timezone.localdate()
    check, _created = CandyDishCheck.objects.select_for_update().get_or_create(date=date)
    if check.filled_at:
        raise ValidationError(_("The candy dish was already ticked as filled on this day."))
    check.filled_at = at or timezone.now()
    check.filled_by = user_or_none(acting_user)
    check.save()
    audit_record(instance=check, action="candy_filled", acting_user=acting_user)
    return check


@transaction.atomic
def candy_dish_lock(
    *, date: datetime.date | None = None, acting_user=None, at: datetime.datetime | None = None
) -> CandyDishCheck:
    """Evening tick: the dish was locked in the desk."""
    date = date or timezone.localdate()
    check, _created = CandyDishCheck.objects.select_for_update().get_or_create(date=date)
    if check.locked_at:
        raise ValidationError(_("The candy dish was already ticked as locked on this day."))
    if not check.filled_at:
        raise ValidationError(_("Tick the morning fill first."))
    check.locked_at = at or timezone.now()
    check.locked_by = user_or_none(acting_user)
    check.save()
    audit_record(instance=check, action="candy_locked", acting_user=acting_user)
    return check


@transaction.atomic
def desk_settings_update(*, candy_monthly_standard, acting_user=None) -> DeskSettings:
    settings_ = DeskSettings.objects.select_for_update().get(pk=DeskSettings.load().pk)
    value = _quantity(candy_monthly_standard, field="candy_monthly_standard").quantize(Decimal("0.1"))
    changes = diff_fields(settings_, {"candy_monthly_standard": value})
    settings_.candy_monthly_standard = value
    settings_.full_clean()
    settings_.save()
    if changes:
        audit_record(instance=settings_, action="update", acting_user=acting_user, changes=changes)
    return settings_


# --- first aid --------------------------------------------------------------------------


@transaction.atomic
def first_aid_use_record(
    *,
    patient_kind: str,
    what_happened: str,
    items: list[tuple[Consumable, object]] | None = None,
    patient_name: str = "",
    called_120: bool = False,
    used_at: datetime.datetime | None = None,
    acting_user=None,
) -> FirstAidUse:
    """Record a use of the first-aid kit; each (consumable, quantity) used becomes a 'used' movement."""
    use = FirstAidUse(
        used_at=used_at or timezone.now(),
        patient_kind=patient_kind,
        patient_name=(patient_name or "").strip(),
        what_happened=(what_happened or "").strip(),
        called_120=bool(called_120),
        by=user_or_none(acting_user),
    )
    use.full_clean()
    if use.used_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"used_at": _("The time of use cannot be in the future.")})
    use.save()
    seen = set()
    for consumable, quantity in items or []:
        if consumable.pk in seen:
            raise ValidationError(_("%(name)s is listed twice.") % {"name": consumable.name})
        seen.add(consumable.pk)
        stock_use(
            consumable=consumable,
            quantity=quantity,
            reason=_("First aid: %(what)s") % {"what": use.what_happened[:150]},
            acting_user=acting_user,
            at=use.used_at,
            first_aid_use=use,
        )
    audit_record(
        instance=use, action="create", acting_user=acting_user, changes={"called_120": use.called_120}
    )
    return use


@transaction.atomic
def consumable_delete(*, consumable: Consumable, acting_user=None) -> None:
    """Delete a consumable that was never moved; one with a ledger is deactivated instead."""
    consumable = Consumable.objects.select_for_update().get(pk=consumable.pk)
    if consumable.movements.exists():
        raise ValidationError(
            _("%(name)s has stock movements and cannot be deleted: mark it inactive instead.")
            % {"name": consumable.name}
        )

    if PurchaseRequestLine.objects.filter(consumable=consumable).exists():
        raise ValidationError(
            _("%(name)s is on a purchase request and cannot be deleted: mark it inactive instead.")
            % {"name": consumable.name}
        )
    audit_record(instance=consumable, action="delete", acting_user=acting_user)
    consumable.delete()
