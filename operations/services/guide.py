"""Service guide (服务事项) and applications at the desk (一次性告知).

An application records which required materials the resident brought. Complete → accepted;
incomplete → the full list of what is missing, told once (a record and a printable sheet);
refused → a written reason, also printable. The materials are stored as a snapshot so the
sheet stays exactly what the resident was told even if the guide is edited later.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.calendar import deadline_for
from operations.data.service_guide import DEFAULT_SERVICE_ITEMS
from operations.models import Department, RequiredMaterial, ServiceApplication, ServiceItem, Unit
from operations.services.appointments import booking_mark_served
from operations.services.common import audit_record, next_number, user_or_none
from operations.validators import normalize_phone, validate_phone


@transaction.atomic
def service_guide_install_defaults() -> list[ServiceItem]:
    """Install the default service guide in the current center (idempotent: get-or-create by name).

    Existing items are left as the center edited them; materials are only added to new items.
    """
    departments = {d.code: d for d in Department.objects.all()}
    items = []
    for order, spec in enumerate(DEFAULT_SERVICE_ITEMS):
        limit_value, limit_unit = spec["limit"]
        fee_type, fee_amount, fee_basis = spec["fee"]
        item, created = ServiceItem.objects.get_or_create(
            name=spec["name"],
            defaults={
                "category": spec["category"],
                "description": spec["description"],
                "procedure": "\n".join(spec["procedure"]),
                "time_limit_value": limit_value,
                "time_limit_unit": limit_unit,
                "fee_type": fee_type,
                "fee_amount": fee_amount,
                "fee_basis": fee_basis,
                "legal_basis": spec["legal_basis"],
                "department": departments.get(spec["department"]),
                "is_published": True,
                "sort_order": order,
            },
        )
        if created:
            RequiredMaterial.objects.bulk_create(
                RequiredMaterial(
                    service_item=item, name=name, form=form, copies=copies, note=note, sort_order=i
                )
                for i, (name, form, copies, note) in enumerate(spec["materials"])
            )
        items.append(item)
    return items


def material_snapshot(material: RequiredMaterial) -> dict:
    return {
        "id": material.pk,
        "name": material.name,
        "form": material.form,
        "copies": material.copies,
        "note": material.note,
    }


def _clean_unit(unit_id: int | None) -> Unit | None:
    if unit_id in (None, ""):
        return None
    unit = Unit.objects.select_related("building").filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError({"unit": _("Unknown unit: choose an existing building, entrance and room.")})
    return unit


def _clean_phone(field: str, phone: str) -> str:
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        validate_phone(phone)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return normalize_phone(phone)


@transaction.atomic
def service_application_record(
    *,
    service_item: ServiceItem,
    applicant_name: str,
    applicant_phone: str = "",
    unit_id: int | None = None,
    materials_brought: Iterable[int] = (),
    refuse: bool = False,
    refusal_reason: str = "",
    booking=None,
    acting_user,
) -> ServiceApplication:
    """Record an application at the desk and tell the resident, once, everything still missing.

    ``materials_brought`` are ids of the item's required materials that the resident brought.
    With ``refuse`` the application is refused and ``refusal_reason`` (written) is required.
    An accepted application's committed time limit runs from now (``due_at``). Started from a
    ``booking``, the booking is marked served and linked to the application.
    """
    applicant_name = (applicant_name or "").strip()
    refusal_reason = (refusal_reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not applicant_name:
        errors["applicant_name"] = [_("Enter the applicant's name.")]
    try:
        applicant_phone = _clean_phone("applicant_phone", applicant_phone)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        unit = _clean_unit(unit_id)
    except ValidationError as error:
        errors.update(error.message_dict)
        unit = None
    if refuse and not refusal_reason:
        errors["refusal_reason"] = [_("A refusal must be explained in writing: enter the reason.")]
    if not refuse and refusal_reason:
        errors["refusal_reason"] = [_("A reason for refusal is only given when the application is refused.")]

    materials = list(service_item.materials.all())
    by_id = {m.pk: m for m in materials}
    try:
        brought_ids = {int(pk) for pk in materials_brought}
    except (TypeError, ValueError):
        brought_ids = {-1}
    if brought_ids - by_id.keys():
        errors["materials_brought"] = [_("Some of the ticked materials do not belong to this service item.")]
    if errors:
        raise ValidationError(errors)

    brought = [material_snapshot(m) for m in materials if m.pk in brought_ids]
    missing = [material_snapshot(m) for m in materials if m.pk not in brought_ids]
    if refuse:
        status = ServiceApplication.Status.REFUSED
    elif missing:
        status = ServiceApplication.Status.INCOMPLETE
    else:
        status = ServiceApplication.Status.COMPLETE

    accepted_at = timezone.now()
    due_at = None
    if status == ServiceApplication.Status.COMPLETE:
        due_at = deadline_for(
            start=accepted_at, value=service_item.time_limit_value, unit=service_item.time_limit_unit
        )
    application = ServiceApplication(
        number=next_number("SQ"),
        due_at=due_at,
        service_item=service_item,
        applicant_name=applicant_name,
        applicant_phone=applicant_phone,
        unit=unit,
        status=status,
        materials_brought=brought,
        materials_missing=missing,
        refusal_reason=refusal_reason if refuse else "",
        handled_by=user_or_none(acting_user),
    )
    application.full_clean()
    application.save()
    audit_record(
        instance=application,
        action="service_application_record",
        acting_user=acting_user,
        changes={
            "status": status,
            "service_item": service_item.pk,
            "materials_missing": [m["name"] for m in missing],
        },
    )
    if booking is not None:
        booking_mark_served(
            booking=booking, application=application, acting_user=acting_user, now=accepted_at
        )
    return application


def fee_display(item: ServiceItem) -> str:
    """'免费' or the amount and basis, as told to residents."""
    if item.fee_type == ServiceItem.Fee.FREE:
        return _("Free")
    parts = []
    if item.fee_amount is not None:
        amount = item.fee_amount.quantize(Decimal("0.01"))
        parts.append(_("%(amount)s yuan") % {"amount": amount})
    return "; ".join(parts) or _("Paid")


def time_limit_display(item: ServiceItem) -> str:
    if not item.time_limit_value:
        return _("No committed time limit")
    if item.time_limit_unit == ServiceItem.LimitUnit.HOURS:
        return _("%(value)s hours") % {"value": item.time_limit_value}
    return _("%(value)s working days") % {"value": item.time_limit_value}


def item_terms(item: ServiceItem) -> ServiceItem:
    """The item as the guide's item block shows it (``cms/includes/guide_item.html``): anchor, time limit
    and fee in words."""
    item.anchor = f"item-{item.pk}"
    item.time_limit_text = time_limit_display(item)
    item.fee_text = fee_display(item)
    return item
