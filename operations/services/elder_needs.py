"""Needs recorded at elders' visits turned into special services (5.2.3 老人特殊生活需求解决).

A need becomes a special-service work order with one click, pre-filled and sent to the
department of its kind (the company's mapping, which a center may change in its care settings);
free or paid with the price; whether and how the family was told is recorded. When the work order
is closed the need is handled and the manager's reply visit (上门回复处理情况) is due; a cancelled
work order puts the need back to open. A need can also be handled on the spot or declined by the
elder. Every step is audited on the elder.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.models import (
    Department,
    Elder,
    ElderCareSettings,
    ElderNeed,
    NeedKind,
    ServiceItem,
    WorkOrder,
)
from operations.services.common import audit_record
from operations.services.elder_figures import elder_figures_refresh
from operations.services.work_orders import work_order_create

#: The company's mapping of a need's kind to the department that does it (5.2.3).
NEED_DEPARTMENTS = {
    NeedKind.SHOPPING: "service",
    NeedKind.BILLS: "service",
    NeedKind.ENQUIRY: "service",
    NeedKind.HOUSEWORK: "service",
    NeedKind.UTILITIES: "engineering",
    NeedKind.CLEANING: "cleaning",
    NeedKind.CARRYING: "security",
    NeedKind.HEALTH: "service",
    NeedKind.OTHER: "service",
}


def need_department_code(kind: str, settings: ElderCareSettings) -> str:
    return (settings.need_departments or {}).get(kind) or NEED_DEPARTMENTS.get(kind, "service")


def need_department(kind: str, settings: ElderCareSettings) -> Department | None:
    """The active department a need of ``kind`` goes to (None when the center has no such one)."""
    return Department.objects.filter(code=need_department_code(kind, settings), is_active=True).first()


def elder_service_item_default() -> ServiceItem | None:
    """The guide's first published elder-care item (独居老人特殊服务 in the default guide): its time
    limit sets the committed deadline of a need's work order."""
    return (
        ServiceItem.objects.filter(category=ServiceItem.Category.ELDERLY, is_published=True)
        .order_by("sort_order", "name", "pk")
        .first()
    )


def need_description(need: ElderNeed) -> str:
    """The work order's pre-filled description."""
    text = _("Special service for an elder living alone: %(kind)s") % {"kind": need.get_kind_display()}
    return f"{text}。{need.detail}" if need.detail else text


def _lock(need: ElderNeed) -> ElderNeed:
    return ElderNeed.objects.select_for_update().select_related("elder__resident", "visit").get(pk=need.pk)


def _require_status(need: ElderNeed, *allowed: str) -> None:
    if need.status not in allowed:
        raise ValidationError(
            _("This need is “%(status)s”: that cannot be done now.") % {"status": need.get_status_display()}
        )


def _audit(need: ElderNeed, action: str, acting_user, **changes) -> None:
    audit_record(
        instance=need.elder,
        action=action,
        acting_user=acting_user,
        changes={"need": need.pk, "kind": need.kind, **changes},
    )


@transaction.atomic
def elder_need_order(
    *,
    need: ElderNeed,
    acting_user,
    description: str = "",
    department: Department | None = None,
    is_paid: bool = False,
    price=None,
    family_told: bool = False,
    family_told_how: str = "",
    assignee=None,
) -> WorkOrder:
    """Send an open need to its department as a special-service work order (source: elder visit).

    The description and department are pre-filled from the need; the work order is for the
    elder's resident record (unit, name, phone). Refused for a need already sent, handled or
    declined, and for an elder who moved away, is in a care home or died.
    """
    from operations.services.elders import elder_care_settings

    need = _lock(need)
    _require_status(need, ElderNeed.Status.OPEN)
    elder = need.elder
    if elder.status in Elder.CLOSED_STATUSES:
        raise ValidationError(
            _("%(name)s is “%(status)s”: no service can be sent.")
            % {"name": elder.resident.name, "status": elder.get_status_display()}
        )
    family_told_how = (family_told_how or "").strip()
    if family_told and not family_told_how:
        raise ValidationError(
            {"family_told_how": [_("Say how the family was told (phone, WeChat, in person).")]}
        )
    department = department or need_department(need.kind, elder_care_settings())
    work_order = work_order_create(
        acting_user=acting_user,
        description=(description or "").strip() or need_description(need),
        kind=WorkOrder.Kind.SPECIAL_SERVICE,
        source=WorkOrder.Source.ELDER_VISIT,
        resident=elder.resident,
        service_item=elder_service_item_default(),
        department=department,
        assignee=assignee,
        is_paid=is_paid,
        price=price,
    )
    need.work_order = work_order
    need.status = ElderNeed.Status.ORDERED
    need.family_told = bool(family_told)
    need.family_told_how = family_told_how[:100] if family_told else ""
    need.save(update_fields=["work_order", "status", "family_told", "family_told_how", "updated"])
    _audit(need, "elder_need_order", acting_user, work_order=work_order.number, paid=bool(is_paid))
    return work_order


@transaction.atomic
def elder_need_handle(*, need: ElderNeed, note: str, acting_user) -> ElderNeed:
    """The need was met without a work order (an enquiry answered on the spot, …)."""
    need = _lock(need)
    _require_status(need, ElderNeed.Status.OPEN)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say how the need was handled.")]})
    need.status = ElderNeed.Status.HANDLED
    need.handled_at = timezone.now()
    need.handled_note = note[:300]
    need.save(update_fields=["status", "handled_at", "handled_note", "updated"])
    _audit(need, "elder_need_handle", acting_user)
    elder_figures_refresh()
    return need


@transaction.atomic
def elder_need_decline(*, need: ElderNeed, note: str = "", acting_user) -> ElderNeed:
    """The elder no longer wants it (or the family arranged it): nothing more is due."""
    need = _lock(need)
    _require_status(need, ElderNeed.Status.OPEN)
    need.status = ElderNeed.Status.DECLINED
    need.handled_note = (note or "").strip()[:300]
    need.save(update_fields=["status", "handled_note", "updated"])
    _audit(need, "elder_need_decline", acting_user)
    return need


@transaction.atomic
def elder_need_reply(*, need: ElderNeed, replied_on: dt.date, note: str, acting_user) -> ElderNeed:
    """The manager went back to tell the elder how the need was handled (及时上门回复处理情况)."""
    need = _lock(need)
    _require_status(need, ElderNeed.Status.HANDLED)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    visited_on = timezone.localtime(need.visit.visited_at).date()
    if replied_on is None:
        errors.setdefault("replied_on", []).append(_("Enter the day of the reply visit."))
    elif replied_on > today:
        errors.setdefault("replied_on", []).append(_("A reply cannot be recorded in the future."))
    elif replied_on < visited_on:
        errors.setdefault("replied_on", []).append(
            _("The need was recorded at the visit of %(date)s: the reply cannot be before it.")
            % {"date": visited_on}
        )
    note = (note or "").strip()
    if not note:
        errors.setdefault("note", []).append(_("Say what the elder was told."))
    if errors:
        raise ValidationError(errors)
    need.replied_on = replied_on
    need.reply_note = note[:300]
    need.replied_by = acting_user
    need.save(update_fields=["replied_on", "reply_note", "replied_by", "updated"])
    _audit(need, "elder_need_reply", acting_user, replied_on=replied_on.isoformat())
    return need


def elder_need_work_order_moved(*, work_order: WorkOrder, action: str, acting_user) -> None:
    """Follow the work order of a need (registered with ``work_order_status_listen``): closed →
    the need is handled and the reply visit due; cancelled → the need is open again."""
    if action not in {"close", "cancel"} or work_order.source != WorkOrder.Source.ELDER_VISIT:
        return
    need = ElderNeed.objects.select_for_update().filter(work_order=work_order).first()
    if need is None or need.status != ElderNeed.Status.ORDERED:
        return
    if action == "close":
        need.status = ElderNeed.Status.HANDLED
        need.handled_at = timezone.now()
        need.handled_note = _("Work order %(number)s closed") % {"number": work_order.number}
        need.save(update_fields=["status", "handled_at", "handled_note", "updated"])
        _audit(need, "elder_need_handle", acting_user, work_order=work_order.number)
        elder_figures_refresh()
    else:
        need.status = ElderNeed.Status.OPEN
        need.work_order = None
        need.save(update_fields=["status", "work_order", "updated"])
        _audit(need, "elder_need_reopen", acting_user, work_order=work_order.number)
