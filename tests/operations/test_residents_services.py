"""Residents, units, buildings and departments: services, phone rules, audit and masking."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation

import pytest

from operations.models import AuditEntry, Building, Department, Resident, StaffProfile, Unit
from operations.services.departments import department_update, staff_department_set
from operations.services.residents import (
    building_create,
    building_delete,
    building_get_or_create,
    resident_create,
    resident_deactivate,
    resident_update,
    unit_get_or_create,
)
from operations.validators import is_valid_phone, mask_phone, normalize_phone, validate_phone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("021-50886601", "021-50886601"),
        ("0571-87654321-123", "0571-87654321-123"),
    ],
)
def test_valid_phones_are_accepted_and_normalized(raw, normalized):
    assert is_valid_phone(raw)
    validate_phone(raw)
    assert normalize_phone(raw) == normalized


@pytest.mark.parametrize("raw", ["12345", "1381234567", "abc"])
def test_invalid_phones_are_refused_in_chinese(raw):
    assert not is_valid_phone(raw)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        validate_phone(raw)
    assert "电话" in " ".join(error.value.messages) or "号码" in " ".join(error.value.messages)


def test_mask_phone():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_phone("021-50886601") == "021-****6601"


@pytest.fixture
def unit(center_a, in_center):
    with in_center(center_a):
        building, _ = building_get_or_create(name="测试1号楼")
        unit, _ = unit_get_or_create(building=building, entrance="1单元", room="101")
        yield unit


@pytest.fixture
def staff(center_a, in_center):
    with in_center(center_a):
        yield get_user_model().objects.create_user(username="desk1", password="x", first_name="前台")


def test_resident_create_normalizes_phone_and_audits_masked(unit, staff):
    resident = resident_create(
        unit=unit, name="王建国", phone="+86 138 1234 5678", relation="owner", acting_user=staff
    )
    resident.refresh_from_db()
    assert resident.phone == "13812345678"
    entry = AuditEntry.objects.get(action="resident_create", object_id=str(resident.pk))
    assert entry.acting_user == staff
    assert entry.changes["phone"] == [None, "138****5678"]
    assert entry.changes["name"] == [None, "王**"]
    assert "13812345678" not in str(entry.changes)


def test_resident_create_refuses_bad_phone_and_writes_nothing(unit):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        resident_create(unit=unit, name="李秀英", phone="12345")
    assert "phone" in error.value.message_dict
    assert "12345" in error.value.message_dict["phone"][0]
    assert not Resident.objects.filter(name="李秀英").exists()
    assert not AuditEntry.objects.filter(action="resident_create").exists()


def test_resident_create_refuses_duplicate_in_unit_and_missing_name(unit):
    resident_create(unit=unit, name="张志强")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        resident_create(unit=unit, name="张志强")
    assert "已" in error.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        resident_create(unit=unit, name="  ")
    assert Resident.objects.filter(unit=unit).count() == 1


def test_resident_update_audits_each_personal_change_masked(unit, staff):
    resident = resident_create(unit=unit, name="刘丽华", phone="13900001111")
    resident_update(
        resident=resident,
        name="刘丽",
        phone="021-50886601",
        birth_date=dt.date(1950, 3, 21),
        note="独居",
        acting_user=staff,
    )
    resident.refresh_from_db()
    assert (resident.name, resident.phone, resident.birth_date) == (
        "刘丽",
        "021-50886601",
        dt.date(1950, 3, 21),
    )
    entry = AuditEntry.objects.get(action="resident_update", object_id=str(resident.pk))
    assert entry.acting_user == staff
    assert set(entry.changes) == {"name", "phone", "birth_date", "note"}
    assert entry.changes["phone"] == ["139****1111", "021-****6601"]
    assert entry.changes["name"] == ["刘**", "刘*"]
    assert "1950" not in str(entry.changes["birth_date"])


def test_resident_update_without_change_writes_no_audit(unit):
    resident = resident_create(unit=unit, name="陈海燕", phone="13900002222")
    resident_update(resident=resident, name="陈海燕", phone="+86 139 0000 2222")
    assert not AuditEntry.objects.filter(action="resident_update").exists()


def test_resident_update_refuses_bad_phone_and_keeps_old(unit):
    resident = resident_create(unit=unit, name="杨玉梅", phone="13900003333")
    with pytest.raises(ValidationError):
        resident_update(resident=resident, phone="1381234567")
    resident.refresh_from_db()
    assert resident.phone == "13900003333"


def test_resident_deactivate(unit, staff):
    resident = resident_create(unit=unit, name="黄文军")
    resident_deactivate(resident=resident, acting_user=staff, reason="搬离")
    resident.refresh_from_db()
    assert resident.is_active is False
    entry = AuditEntry.objects.get(action="resident_deactivate")
    assert entry.changes["reason"] == "搬离" and entry.acting_user == staff


def test_building_names_are_unique_and_protected(unit):
    with translation.override("zh-hans"), pytest.raises(ValidationError):
        building_create(name="测试1号楼")
    with pytest.raises(ValidationError):
        building_delete(building=unit.building)
    assert Building.objects.filter(name="测试1号楼").exists()


def test_get_or_create_helpers_do_not_duplicate(unit):
    building, created = building_get_or_create(name="测试1号楼")
    assert not created and building == unit.building
    again, created = unit_get_or_create(building=building, entrance="1单元", room="101")
    assert not created and again == unit
    assert Unit.objects.filter(building=building).count() == 1


def test_department_update_and_staff_assignment(center_a, in_center, staff):
    with in_center(center_a):
        engineering = Department.objects.get(code="engineering")
        cleaning = Department.objects.get(code="cleaning")
        department_update(department=engineering, phone="021-50886601", acting_user=staff)
        engineering.refresh_from_db()
        assert engineering.phone == "021-50886601"
        other = get_user_model().objects.create_user(username="fixer", password="x")
        assert staff_department_set(department=engineering, users=[staff, other]) == {
            "added": 2,
            "removed": 0,
        }
        assert staff_department_set(department=cleaning, users=[other]) == {"added": 1, "removed": 0}
        assert StaffProfile.objects.get(user=other).department == cleaning
        assert staff_department_set(department=engineering, users=[]) == {"added": 0, "removed": 1}
        assert StaffProfile.objects.get(user=staff).department is None
        assert AuditEntry.objects.filter(action="staff_department_set").count() == 4


def test_default_departments_exist(center_a, in_center):
    with in_center(center_a):
        assert set(Department.objects.values_list("name", flat=True)) >= {
            "工程部",
            "保洁部",
            "护卫部",
            "客服部",
        }
