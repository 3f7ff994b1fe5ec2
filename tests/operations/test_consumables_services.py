"""Consumables: the stock ledger, candy dish ticks, first-aid use records, defaults."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

import pytest

from operations.models import (
    CandyDishCheck,
    Consumable,
    ConsumableCategory,
    DeskSettings,
    FirstAidUse,
    MovementKind,
    StockMovement,
)
from operations.services.consumables import (
    DEFAULT_CONSUMABLES,
    candy_dish_fill,
    candy_dish_lock,
    consumable_create,
    consumable_update,
    consumables_install_defaults,
    desk_settings_update,
    first_aid_use_record,
    stock_adjust,
    stock_receive,
    stock_use,
)


@pytest.fixture
def user(alpha):
    return get_user_model().objects.create_user(username="desk1", password="x", first_name="前台小王")


@pytest.fixture
def plasters(alpha):
    return consumable_create(
        name="测试创可贴", category=ConsumableCategory.FIRST_AID, unit="盒", minimum_level=2, target_level=5
    )


def ledger_sum(consumable):
    return StockMovement.objects.filter(consumable=consumable).aggregate(s=Sum("quantity"))["s"] or Decimal(0)


def test_defaults_installed_in_new_center(alpha):
    names = set(Consumable.objects.values_list("name", flat=True))
    assert {name for name, *_ in DEFAULT_CONSUMABLES} <= names
    candy = Consumable.objects.get(name="糖果")
    assert (candy.unit, candy.minimum_level, candy.target_level) == ("斤", 1, 5)
    assert DeskSettings.load().candy_monthly_standard == 5
    before = Consumable.objects.count()
    consumables_install_defaults()
    assert Consumable.objects.count() == before


def test_create_refuses_duplicate_name_and_target_below_minimum(alpha, plasters):
    with pytest.raises(ValidationError):
        consumable_create(name="测试创可贴", unit="盒")
    with pytest.raises(ValidationError) as error:
        consumable_create(name="新耗材", unit="包", minimum_level=5, target_level=2)
    assert "target_level" in error.value.message_dict
    assert not Consumable.objects.filter(name="新耗材").exists()


def test_update_audits_changes(alpha, plasters, user):
    consumable_update(consumable=plasters, minimum_level=Decimal("3"), acting_user=user)
    plasters.refresh_from_db()
    assert plasters.minimum_level == 3


def test_ledger_keeps_cached_stock_consistent(alpha, plasters, user):
    stock_receive(consumable=plasters, quantity=10, acting_user=user)
    stock_use(consumable=plasters, quantity="2.5", reason="擦伤", acting_user=user)
    stock_adjust(consumable=plasters, quantity=-1, reason="盘点破损", acting_user=user)
    plasters.refresh_from_db()
    assert plasters.stock == Decimal("6.5")
    assert ledger_sum(plasters) == plasters.stock
    kinds = list(
        StockMovement.objects.filter(consumable=plasters).order_by("pk").values_list("kind", "quantity")
    )
    assert kinds == [
        (MovementKind.RECEIVED, Decimal("10")),
        (MovementKind.USED, Decimal("-2.5")),
        (MovementKind.ADJUSTED, Decimal("-1")),
    ]
    assert StockMovement.objects.filter(consumable=plasters, by=user).count() == 3


def test_using_more_than_in_stock_is_refused_and_writes_nothing(alpha, plasters, user, zh):
    stock_receive(consumable=plasters, quantity=2, acting_user=user)
    with pytest.raises(ValidationError) as error:
        stock_use(consumable=plasters, quantity=3, acting_user=user)
    assert "库存" in str(error.value)
    plasters.refresh_from_db()
    assert plasters.stock == 2
    assert StockMovement.objects.filter(consumable=plasters).count() == 1
    with pytest.raises(ValidationError):
        stock_adjust(consumable=plasters, quantity=-5, reason="盘点", acting_user=user)
    plasters.refresh_from_db()
    assert plasters.stock == 2 == ledger_sum(plasters)


@pytest.mark.parametrize("quantity", [0, -1, "abc", "NaN", None])
def test_bad_quantities_refused(alpha, plasters, quantity):
    with pytest.raises(ValidationError):
        stock_use(consumable=plasters, quantity=quantity)
    with pytest.raises(ValidationError):
        stock_receive(consumable=plasters, quantity=quantity)
    assert not StockMovement.objects.filter(consumable=plasters).exists()


def test_adjust_requires_reason_and_nonzero(alpha, plasters):
    with pytest.raises(ValidationError) as error:
        stock_adjust(consumable=plasters, quantity=3, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        stock_adjust(consumable=plasters, quantity=0, reason="x")
    assert not StockMovement.objects.filter(consumable=plasters).exists()


def test_database_refuses_negative_stock(alpha, plasters):
    with pytest.raises(IntegrityError), transaction.atomic():
        Consumable.objects.filter(pk=plasters.pk).update(stock=-1)


def test_candy_dish_two_ticks_and_twice_refused(alpha, user, zh):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        candy_dish_lock(date=today, acting_user=user)  # evening before morning
    check = candy_dish_fill(date=today, acting_user=user)
    assert check.filled_by == user and check.filled_at
    with pytest.raises(ValidationError) as error:
        candy_dish_fill(date=today, acting_user=user)
    assert "已" in str(error.value)
    check = candy_dish_lock(date=today, acting_user=user)
    assert check.locked_by == user and check.locked_at
    with pytest.raises(ValidationError):
        candy_dish_lock(date=today, acting_user=user)
    assert CandyDishCheck.objects.filter(date=today).count() == 1


def test_first_aid_use_writes_used_movements(alpha, plasters, user):
    stock_receive(consumable=plasters, quantity=3)
    iodine = Consumable.objects.get(name="碘酒")
    stock_receive(consumable=iodine, quantity=1)
    use = first_aid_use_record(
        patient_kind="resident",
        patient_name="张阿姨",
        what_happened="门口摔倒擦伤膝盖",
        items=[(plasters, 1), (iodine, "0.5")],
        called_120=False,
        acting_user=user,
    )
    assert use.movements.count() == 2
    assert set(use.movements.values_list("kind", flat=True)) == {MovementKind.USED}
    plasters.refresh_from_db()
    assert plasters.stock == 2


def test_first_aid_use_with_too_much_writes_nothing(alpha, plasters, user):
    stock_receive(consumable=plasters, quantity=1)
    iodine = Consumable.objects.get(name="碘酒")
    with pytest.raises(ValidationError):
        first_aid_use_record(
            patient_kind="staff",
            what_happened="划伤手指",
            items=[(plasters, 1), (iodine, 5)],
            acting_user=user,
        )
    assert not FirstAidUse.objects.exists()
    plasters.refresh_from_db()
    assert plasters.stock == 1


def test_first_aid_use_requires_what_happened_and_kind(alpha):
    with pytest.raises(ValidationError):
        first_aid_use_record(patient_kind="alien", what_happened="x")
    with pytest.raises(ValidationError):
        first_aid_use_record(patient_kind="staff", what_happened="")
    assert not FirstAidUse.objects.exists()


def test_candy_standard_between_4_and_6(alpha):
    desk_settings_update(candy_monthly_standard="4.5")
    assert DeskSettings.load().candy_monthly_standard == Decimal("4.5")
    for bad in ("3", "7", "x"):
        with pytest.raises(ValidationError):
            desk_settings_update(candy_monthly_standard=bad)
    assert DeskSettings.load().candy_monthly_standard == Decimal("4.5")


def test_refusal_writes_the_quantity_as_people_do(alpha, zh):
    """Issue 9, defect 5: "cannot use 50", never "5E+1"."""
    candy = Consumable.objects.get(name="糖果")
    stock_receive(consumable=candy, quantity="2.50")
    with pytest.raises(ValidationError) as refused:
        stock_use(consumable=candy, quantity=50)
    message = " ".join(refused.value.messages)
    assert "50" in message and "2.5" in message and "E+" not in message and "2.50" not in message
