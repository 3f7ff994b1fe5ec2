"""Residents, units and buildings: every change goes through these functions.

Changes to a resident's personal data (name, phone, birth date) are audited; the audit log
keeps the fact of the change with the values masked (see ``audit_record``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from operations.models import Building, Resident, Unit
from operations.services.common import audit_record, diff_fields
from operations.validators import is_valid_phone, normalize_phone

RESIDENT_FIELDS = ("unit", "name", "phone", "relation", "birth_date", "note", "is_active")


def _text(value) -> str:
    return str(value or "").strip()


def phone_clean(value: str | None) -> str:
    """The normalised phone number, or a ValidationError in Chinese; blank stays blank."""
    raw = _text(value)
    if not raw:
        return ""
    if not is_valid_phone(raw):
        raise ValidationError(
            {
                "phone": _(
                    "“%(value)s” is not a valid phone number: enter an 11-digit mobile "
                    "or a landline such as 021-5088 6601."
                )
                % {"value": raw}
            },
            code="invalid_phone",
        )
    return normalize_phone(raw)


# Buildings ---------------------------------------------------------------------------------


@transaction.atomic
def building_create(*, name: str, sort_order: int | None = None, acting_user=None) -> Building:
    """Create a building (楼栋); the name is unique in the center."""
    name = _text(name)
    if not name:
        raise ValidationError({"name": _("Enter the name of the building.")})
    if Building.objects.filter(name=name).exists():
        raise ValidationError({"name": _("Building “%(name)s” already exists.") % {"name": name}})
    if sort_order is None:
        sort_order = (Building.objects.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    building = Building(name=name, sort_order=sort_order)
    building.full_clean()
    building.save()
    audit_record(instance=building, action="building_create", acting_user=acting_user)
    return building


@transaction.atomic
def building_update(*, building: Building, acting_user=None, **fields) -> Building:
    """Rename or reorder a building."""
    data = {key: value for key, value in fields.items() if key in ("name", "sort_order")}
    if "name" in data:
        data["name"] = _text(data["name"])
        if Building.objects.filter(name=data["name"]).exclude(pk=building.pk).exists():
            raise ValidationError({"name": _("Building “%(name)s” already exists.") % {"name": data["name"]}})
    changes = diff_fields(building, data)
    if not changes:
        return building
    for field, value in data.items():
        setattr(building, field, value)
    building.full_clean()
    building.save()
    # Building names are not personal data: record them under a neutral key so they are not masked.
    audit_record(
        instance=building,
        action="building_update",
        acting_user=acting_user,
        changes={("building_name" if key == "name" else key): value for key, value in changes.items()},
    )
    return building


@transaction.atomic
def building_get_or_create(*, name: str, acting_user=None) -> tuple[Building, bool]:
    """The building of that name, created when missing (used by the import)."""
    building = Building.objects.filter(name=_text(name)).first()
    if building is not None:
        return building, False
    return building_create(name=name, acting_user=acting_user), True


# Units -------------------------------------------------------------------------------------


def _unit_data(*, building: Building, entrance: str, room: str) -> dict:
    room = _text(room)
    if not room:
        raise ValidationError({"room": _("Enter the room number.")})
    return {"building": building, "entrance": _text(entrance), "room": room}


@transaction.atomic
def unit_create(*, building: Building, entrance: str = "", room: str, acting_user=None) -> Unit:
    """Create a unit (楼栋-单元-房号); refused if it already exists."""
    data = _unit_data(building=building, entrance=entrance, room=room)
    if Unit.objects.filter(**data).exists():
        raise ValidationError(_("Unit %(unit)s already exists.") % {"unit": Unit(**data)})
    unit = Unit(**data)
    unit.full_clean()
    unit.save()
    audit_record(instance=unit, action="unit_create", acting_user=acting_user)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, acting_user=None, **fields) -> Unit:
    """Correct a unit's building, entrance or room."""
    data = _unit_data(
        building=fields.get("building", unit.building),
        entrance=fields.get("entrance", unit.entrance),
        room=fields.get("room", unit.room),
    )
    if Unit.objects.filter(**data).exclude(pk=unit.pk).exists():
        raise ValidationError(_("Unit %(unit)s already exists.") % {"unit": Unit(**data)})
    changes = diff_fields(unit, data)
    if not changes:
        return unit
    for field, value in data.items():
        setattr(unit, field, value)
    unit.full_clean()
    unit.save()
    audit_record(instance=unit, action="unit_update", acting_user=acting_user, changes=changes)
    return unit


@transaction.atomic
def unit_get_or_create(
    *, building: Building, entrance: str = "", room: str, acting_user=None
) -> tuple[Unit, bool]:
    """The unit at that address, created when missing (used by the import)."""
    data = _unit_data(building=building, entrance=entrance, room=room)
    unit = Unit.objects.filter(**data).first()
    if unit is not None:
        return unit, False
    return unit_create(acting_user=acting_user, **data), True


# Residents ---------------------------------------------------------------------------------


def _resident_data(fields: dict) -> dict:
    data = {key: value for key, value in fields.items() if key in RESIDENT_FIELDS}
    if "name" in data:
        data["name"] = _text(data["name"])
        if not data["name"]:
            raise ValidationError({"name": _("Enter the resident's name.")})
    if "phone" in data:
        data["phone"] = phone_clean(data["phone"])
    if "note" in data:
        data["note"] = _text(data["note"])
    if data.get("relation") is not None and data["relation"] not in Resident.Relation.values:
        raise ValidationError({"relation": _("Choose owner, tenant or family member.")})
    birth_date = data.get("birth_date")
    if birth_date and isinstance(birth_date, dt.date) and birth_date > dt.date.today():
        raise ValidationError({"birth_date": _("The birth date cannot be in the future.")})
    return data


def _check_unique(*, unit: Unit, name: str, exclude_pk=None) -> None:
    clash = Resident.objects.filter(unit=unit, name=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("%(name)s is already registered in unit %(unit)s.") % {"name": name, "unit": unit}}
        )


@transaction.atomic
def resident_create(
    *,
    unit: Unit,
    name: str,
    phone: str = "",
    relation: str = Resident.Relation.OWNER,
    birth_date: dt.date | None = None,
    note: str = "",
    acting_user=None,
) -> Resident:
    """Register a resident of a unit; the phone is validated and stored normalised."""
    data = _resident_data(
        {
            "unit": unit,
            "name": name,
            "phone": phone,
            "relation": relation,
            "birth_date": birth_date,
            "note": note,
        }
    )
    _check_unique(unit=unit, name=data["name"])
    resident = Resident(**data)
    resident.full_clean()
    resident.save()
    audit_record(
        instance=resident,
        action="resident_create",
        acting_user=acting_user,
        changes={
            "unit": [None, unit.pk],
            "name": [None, resident.name],
            "phone": [None, resident.phone],
            "relation": [None, resident.relation],
            "birth_date": [None, resident.birth_date.isoformat() if resident.birth_date else None],
        },
    )
    return resident


@transaction.atomic
def resident_update(*, resident: Resident, acting_user=None, **fields) -> Resident:
    """Change a resident's data; every changed field is audited (personal data masked in the log)."""
    unknown = set(fields) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"resident_update() got unexpected fields: {sorted(unknown)}")
    data = _resident_data(fields)
    changes = diff_fields(resident, data)
    if not changes:
        return resident
    if "unit" in changes or "name" in changes:
        _check_unique(
            unit=data.get("unit", resident.unit), name=data.get("name", resident.name), exclude_pk=resident.pk
        )
    for field, value in data.items():
        setattr(resident, field, value)
    resident.full_clean()
    resident.save()
    audit_record(instance=resident, action="resident_update", acting_user=acting_user, changes=changes)
    return resident


@transaction.atomic
def resident_deactivate(*, resident: Resident, acting_user=None, reason: str = "") -> Resident:
    """Mark a resident as moved out; the record stays for history (work orders, inquiries)."""
    if not resident.is_active:
        return resident
    resident.is_active = False
    resident.save(update_fields=["is_active", "updated"])
    audit_record(
        instance=resident,
        action="resident_deactivate",
        acting_user=acting_user,
        changes={"is_active": [True, False], "reason": _text(reason)},
    )
    return resident


def _delete(*, instance, action: str, acting_user, refused: str) -> None:
    try:
        with transaction.atomic():
            audit_record(instance=instance, action=action, acting_user=acting_user)
            instance.delete()
    except ProtectedError:
        raise ValidationError(refused) from None


@transaction.atomic
def building_delete(*, building: Building, acting_user=None) -> None:
    """Delete a building that has no units."""
    _delete(
        instance=building,
        action="building_delete",
        acting_user=acting_user,
        refused=_("Building %(name)s still has units; delete or move them first.") % {"name": building},
    )


@transaction.atomic
def unit_delete(*, unit: Unit, acting_user=None) -> None:
    """Delete a unit that has no residents."""
    _delete(
        instance=unit,
        action="unit_delete",
        acting_user=acting_user,
        refused=_("Unit %(unit)s still has residents; move or delete them first.") % {"unit": unit},
    )


@transaction.atomic
def resident_delete(*, resident: Resident, acting_user=None) -> None:
    """Erase a resident's record (records that referred to them keep no link); audited."""
    _delete(
        instance=resident,
        action="resident_delete",
        acting_user=acting_user,
        refused=_("This resident is still referred to by other records; deactivate them instead."),
    )
