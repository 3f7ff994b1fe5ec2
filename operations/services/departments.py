"""Departments (工程部, 保洁部, 护卫部, 客服部…) and the staff who belong to them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from operations.models import Department, StaffProfile
from operations.services.common import audit_record, diff_fields

DEPARTMENT_FIELDS = ("name", "code", "phone", "description", "is_active", "sort_order")


def _department_data(fields: dict) -> dict:
    data = {key: value for key, value in fields.items() if key in DEPARTMENT_FIELDS}
    for key in ("name", "code", "phone", "description"):
        if key in data:
            data[key] = str(data[key] or "").strip()
    if "name" in data and not data["name"]:
        raise ValidationError({"name": _("Enter the name of the department.")})
    return data


def _check_unique(data: dict, exclude_pk=None) -> None:
    for field in ("name", "code"):
        if field in data:
            clash = Department.objects.filter(**{field: data[field]})
            if exclude_pk is not None:
                clash = clash.exclude(pk=exclude_pk)
            if clash.exists():
                raise ValidationError(
                    {field: _("Another department already uses “%(value)s”.") % {"value": data[field]}}
                )


@transaction.atomic
def department_create(
    *,
    name: str,
    code: str,
    phone: str = "",
    description: str = "",
    is_active: bool = True,
    sort_order: int = 0,
    acting_user=None,
) -> Department:
    """Add a department to the center."""
    data = _department_data(
        {
            "name": name,
            "code": code,
            "phone": phone,
            "description": description,
            "is_active": is_active,
            "sort_order": sort_order,
        }
    )
    _check_unique(data)
    department = Department(**data)
    department.full_clean()
    department.save()
    audit_record(instance=department, action="department_create", acting_user=acting_user)
    return department


@transaction.atomic
def department_update(*, department: Department, acting_user=None, **fields) -> Department:
    """Edit a department (name, code, phone, description, active, order)."""
    data = _department_data(fields)
    _check_unique(data, exclude_pk=department.pk)
    changes = diff_fields(department, data)
    if not changes:
        return department
    for field, value in data.items():
        setattr(department, field, value)
    department.full_clean()
    department.save()
    # A department's name is not personal data: log it under a neutral key so it is not masked.
    audit_record(
        instance=department,
        action="department_update",
        acting_user=acting_user,
        changes={("department_name" if key == "name" else key): value for key, value in changes.items()},
    )
    return department


@transaction.atomic
def staff_department_set(*, department: Department, users, acting_user=None) -> dict[str, int]:
    """Make ``users`` the staff of ``department``: add the missing ones, release the others.

    A staff member belongs to at most one department, so adding someone moves them here.
    """
    User = get_user_model()
    wanted = {user.pk for user in users}
    if User.objects.filter(pk__in=wanted, is_active=False).exists():
        raise ValidationError(_("Inactive accounts cannot be assigned to a department."))
    added = removed = 0
    for profile in (
        StaffProfile.objects.select_for_update().filter(department=department).exclude(user_id__in=wanted)
    ):
        profile.department = None
        profile.save(update_fields=["department"])
        audit_record(
            instance=profile,
            action="staff_department_set",
            acting_user=acting_user,
            changes={"department": [department.pk, None]},
        )
        removed += 1
    for user_pk in sorted(wanted):
        profile, _created = StaffProfile.objects.select_for_update().get_or_create(user_id=user_pk)
        if profile.department_id == department.pk:
            continue
        old = profile.department_id
        profile.department = department
        profile.save(update_fields=["department"])
        audit_record(
            instance=profile,
            action="staff_department_set",
            acting_user=acting_user,
            changes={"department": [old, department.pk]},
        )
        added += 1
    return {"added": added, "removed": removed}


@transaction.atomic
def department_delete(*, department: Department, acting_user=None) -> None:
    """Delete a department; refused while records depend on it (deactivate it instead)."""
    try:
        with transaction.atomic():
            audit_record(instance=department, action="department_delete", acting_user=acting_user)
            department.delete()
    except ProtectedError:
        raise ValidationError(
            _("Department %(name)s is still in use; deactivate it instead.") % {"name": department}
        ) from None
