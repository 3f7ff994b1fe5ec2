"""The monthly purchase request (月度申购单): drafting, editing, submitting to head office,
applying head office's decision and receiving the approved goods into stock.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.admin.utils import get_user_display_name

from operations.models import (
    Consumable,
    ConsumableCategory,
    ConvenienceItem,
    DeskSettings,
    LineReason,
    PurchaseRequest,
    PurchaseRequestEvent,
    PurchaseRequestLine,
    PurchaseRequestStatus,
)
from operations.notify import notify
from operations.services.common import audit_record, user_or_none
from operations.services.consumables import _quantity, stock_receive
from operations.validators import format_decimal
from portal.services import submission_submit
from tenants.models import ServiceCenter

SUBMIT_PERMISSION = "operations.submit_purchaserequest"
LINE_FIELDS = ("consumable", "item_code", "description", "quantity", "unit", "reason", "note")
DECISIONS = {
    PurchaseRequestStatus.APPROVED: PurchaseRequestStatus.APPROVED,
    PurchaseRequestStatus.REJECTED: PurchaseRequestStatus.REJECTED,
    PurchaseRequestStatus.RETURNED: PurchaseRequestStatus.RETURNED,
}


def month_start(day: datetime.date | None = None) -> datetime.date:
    day = day or timezone.localdate()
    return day.replace(day=1)


def user_display_name(user) -> str:
    return get_user_display_name(user) if user is not None else ""


def _event(request: PurchaseRequest, action: str, actor_name: str = "", comment: str = "") -> None:
    PurchaseRequestEvent.objects.create(
        request=request, action=action, actor_name=actor_name, comment=comment
    )


def _auto_lines(request: PurchaseRequest) -> list[PurchaseRequestLine]:
    lines: list[PurchaseRequestLine] = []
    candy_standard = DeskSettings.load().candy_monthly_standard
    for consumable in Consumable.objects.filter(active=True).order_by("category", "sort_order", "name"):
        if consumable.category == ConsumableCategory.CANDY:
            # The candy dish gets its monthly standard, whatever is left in the desk.
            lines.append(
                PurchaseRequestLine(
                    request=request,
                    consumable=consumable,
                    description=consumable.name,
                    quantity=candy_standard,
                    unit=consumable.unit,
                    reason=LineReason.CANDY_STANDARD,
                    auto=True,
                )
            )
        elif consumable.stock < consumable.minimum_level and consumable.target_level > consumable.stock:
            lines.append(
                PurchaseRequestLine(
                    request=request,
                    consumable=consumable,
                    description=consumable.name,
                    quantity=consumable.target_level - consumable.stock,
                    unit=consumable.unit,
                    reason=LineReason.BELOW_MINIMUM,
                    note=_("In stock %(stock)s, minimum %(minimum)s")
                    % {
                        "stock": format_decimal(consumable.stock),
                        "minimum": format_decimal(consumable.minimum_level),
                    },
                    auto=True,
                )
            )
    out_of_service = [ConvenienceItem.Status.DAMAGED, ConvenienceItem.Status.LOST]
    for item in ConvenienceItem.objects.filter(status__in=out_of_service).order_by("code"):
        lines.append(
            PurchaseRequestLine(
                request=request,
                item_code=item.code,
                description=item.name,
                quantity=Decimal("1"),
                unit=_("piece"),
                reason=LineReason.DAMAGED
                if item.status == ConvenienceItem.Status.DAMAGED
                else LineReason.LOST,
                note=item.condition_note[:200],
                auto=True,
            )
        )
    return lines


@transaction.atomic
def purchase_request_draft(*, month: datetime.date | None = None, acting_user=None) -> PurchaseRequest:
    """Create the month's request, or refresh its automatic lines while it is a draft.

    Lines added or changed by staff are kept; an automatic line is not added again for a
    consumable or item that already has a staff line.
    """
    month = month_start(month)
    request, created = PurchaseRequest.objects.select_for_update().get_or_create(month=month)
    if not created and request.status != PurchaseRequestStatus.DRAFT:
        raise ValidationError(
            _("The purchase request of %(month)s is %(status)s: it can no longer be redrafted.")
            % {"month": f"{month:%Y-%m}", "status": request.get_status_display()}
        )
    request.lines.filter(auto=True).delete()
    manual = list(request.lines.all())
    manual_consumables = {line.consumable_id for line in manual if line.consumable_id}
    manual_codes = {line.item_code for line in manual if line.item_code}
    new_lines = [
        line
        for line in _auto_lines(request)
        if not (line.consumable_id and line.consumable_id in manual_consumables)
        and not (line.item_code and line.item_code in manual_codes)
    ]
    PurchaseRequestLine.objects.bulk_create(new_lines)
    _event(request, "drafted" if created else "refreshed", user_display_name(acting_user))
    audit_record(
        instance=request,
        action="create" if created else "refresh",
        acting_user=acting_user,
        changes={"lines": len(new_lines) + len(manual)},
    )
    return request


def _lock_editable(request: PurchaseRequest) -> PurchaseRequest:
    locked = PurchaseRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.editable:
        raise ValidationError(
            _("The purchase request is %(status)s: its lines can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def purchase_request_line_set(
    *, request: PurchaseRequest, line: PurchaseRequestLine | None = None, acting_user=None, **data
) -> PurchaseRequestLine:
    """Add a line (``line`` None) or change one; a changed line becomes a staff line (kept on refresh)."""
    request = _lock_editable(request)
    data = {k: v for k, v in data.items() if k in LINE_FIELDS}
    if "quantity" in data:
        data["quantity"] = _quantity(data["quantity"])
    consumable = data.get("consumable")
    if consumable is not None:
        data.setdefault("description", consumable.name)
        data.setdefault("unit", consumable.unit)
        if not data.get("description"):
            data["description"] = consumable.name
        if not data.get("unit"):
            data["unit"] = consumable.unit
    if line is None:
        line = PurchaseRequestLine(request=request)
        action = "line_add"
    else:
        line = PurchaseRequestLine.objects.get(pk=line.pk, request=request)
        action = "line_change"
    for field, value in data.items():
        setattr(line, field, value)
    line.auto = False
    line.full_clean()
    line.save()
    audit_record(
        instance=request,
        action=action,
        acting_user=acting_user,
        changes={"line": line.pk, "description": line.description, "quantity": str(line.quantity)},
    )
    return line


@transaction.atomic
def purchase_request_line_remove(*, line: PurchaseRequestLine, acting_user=None) -> None:
    request = _lock_editable(line.request)
    line = PurchaseRequestLine.objects.get(pk=line.pk, request=request)
    audit_record(
        instance=request,
        action="line_remove",
        acting_user=acting_user,
        changes={"line": line.pk, "description": line.description, "quantity": str(line.quantity)},
    )
    line.delete()


def purchase_request_snapshot(request: PurchaseRequest) -> dict:
    return {
        "month": f"{request.month:%Y-%m}",
        "lines": [
            {
                "description": line.description,
                "item_code": line.item_code,
                "consumable": line.consumable_id,
                "quantity": format_decimal(line.quantity),
                "unit": line.unit,
                "reason": line.reason,
                "reason_label": str(line.get_reason_display()),
                "note": line.note,
            }
            for line in request.lines.all()
        ],
    }


def _current_center():
    return ServiceCenter.objects.get(schema_name=connection.schema_name)


@transaction.atomic
def purchase_request_submit(*, request: PurchaseRequest, acting_user) -> PurchaseRequest:
    """The center head sends the request (draft or returned) to the head-office inbox."""
    if acting_user is None or not acting_user.has_perm(SUBMIT_PERMISSION):
        raise ValidationError(_("Only the center head may submit the purchase request."))
    request = PurchaseRequest.objects.select_for_update().get(pk=request.pk)
    if not request.editable:
        raise ValidationError(
            _("The purchase request is %(status)s: it cannot be submitted again.")
            % {"status": request.get_status_display()}
        )
    if not request.lines.exists():
        raise ValidationError(_("The purchase request has no lines: add what is needed first."))

    center = _current_center()
    name = user_display_name(acting_user)
    snapshot = purchase_request_snapshot(request)
    submission_submit(
        center=center,
        kind="purchase_request",
        reference=str(request.pk),
        title=_("Purchase request %(month)s of %(center)s")
        % {"month": f"{request.month:%Y-%m}", "center": center.name},
        snapshot=snapshot,
        submitted_by_name=name,
    )
    request.status = PurchaseRequestStatus.SUBMITTED
    request.submitted_at = timezone.now()
    request.submitted_by = acting_user
    # A returned request sent again awaits a new decision: the last one stays in its history only.
    request.comment, request.decided_at, request.decided_by_name = "", None, ""
    request.save(
        update_fields=[
            "status",
            "submitted_at",
            "submitted_by",
            "comment",
            "decided_at",
            "decided_by_name",
            "updated",
        ]
    )
    _event(request, "submitted", name)
    audit_record(
        instance=request, action="submit", acting_user=acting_user, changes={"lines": len(snapshot["lines"])}
    )
    return request


def center_heads():
    """Users who may submit the request: they are told of head office's decision."""
    users = get_user_model().objects.filter(is_active=True)
    return (
        users.filter(
            Q(is_superuser=True)
            | Q(groups__name="中心负责人")
            | Q(groups__permissions__codename="submit_purchaserequest")
            | Q(user_permissions__codename="submit_purchaserequest")
        )
        .distinct()
        .order_by("pk")
    )


def purchase_request_url(request: PurchaseRequest) -> str:
    try:
        return reverse("consumables_pages:purchase_request") + f"?month={request.month:%Y-%m}"
    except NoReverseMatch:
        return ""


@transaction.atomic
def purchase_request_apply_decision(
    *, reference, decision: str, comment: str, decided_by_name: str
) -> PurchaseRequest:
    """Head office's decision on a submitted request (called by the portal in this center's schema)."""
    if decision not in DECISIONS:
        raise ValidationError(_("Unknown decision."))
    try:
        request = PurchaseRequest.objects.select_for_update().get(pk=int(reference))
    except (PurchaseRequest.DoesNotExist, TypeError, ValueError):
        raise ValidationError(_("The purchase request does not exist in this center.")) from None
    if request.status != PurchaseRequestStatus.SUBMITTED:
        raise ValidationError(
            _("The purchase request is %(status)s, not waiting for a decision.")
            % {"status": request.get_status_display()}
        )
    request.status = DECISIONS[decision]
    request.comment = comment or ""
    request.decided_at = timezone.now()
    request.decided_by_name = decided_by_name or ""
    request.save(update_fields=["status", "comment", "decided_at", "decided_by_name", "updated"])
    _event(request, decision, decided_by_name, comment or "")
    audit_record(
        instance=request, action=f"decision_{decision}", changes={"comment": comment, "by": decided_by_name}
    )

    title = _("Purchase request %(month)s: %(decision)s") % {
        "month": f"{request.month:%Y-%m}",
        "decision": request.get_status_display(),
    }
    url = purchase_request_url(request)
    for user in center_heads():
        notify(
            recipient=user,
            kind="purchase_request",
            title=title,
            body=comment or "",
            url=url,
            dedupe_key=f"purchase_request:{request.pk}:{decision}:{request.decided_at:%Y%m%d%H%M%S%f}",
        )
    return request


@transaction.atomic
def purchase_request_receive(*, request: PurchaseRequest, acting_user=None) -> PurchaseRequest:
    """The approved goods arrived: one 'received' movement per consumable line; then status received."""
    request = PurchaseRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == PurchaseRequestStatus.RECEIVED:
        raise ValidationError(_("This purchase request was already received into stock."))
    if request.status != PurchaseRequestStatus.APPROVED:
        raise ValidationError(_("Only an approved purchase request can be received into stock."))
    reason = _("Purchase request %(month)s") % {"month": f"{request.month:%Y-%m}"}
    for line in request.lines.select_related("consumable").filter(consumable__isnull=False):
        stock_receive(
            consumable=line.consumable,
            quantity=line.quantity,
            reason=reason,
            acting_user=acting_user,
            purchase_request=request,
        )
    request.status = PurchaseRequestStatus.RECEIVED
    request.received_at = timezone.now()
    request.received_by = user_or_none(acting_user)
    request.save(update_fields=["status", "received_at", "received_by", "updated"])
    _event(request, "received", user_display_name(acting_user))
    audit_record(instance=request, action="receive", acting_user=acting_user)
    return request
