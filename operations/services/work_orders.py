"""Work orders (工单): intake, dispatch, work, completion, callback, closing, cancelling, extensions.

Every status change goes through one of these functions: it locks the row
(``select_for_update``), checks that the transition is allowed from the current status,
records a ``WorkOrderTransition`` (who, when, note) and an audit entry, and notifies the
assignee on commit. Later areas (the resident web form, elder visits, activity days) call
``work_order_create`` with their own ``source``.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.admin.utils import get_user_display_name
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from operations.calendar import deadline_for
from operations.models import (
    DeadlineExtension,
    Department,
    Notification,
    Resident,
    ServiceItem,
    Unit,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderTransition,
)
from operations.notify import notify
from operations.selectors.work_orders import DUE_SOON_WINDOW, repair_service_item_default
from operations.services.common import (
    audit_record,
    new_tracking_code,
    next_number,
    private_collection,
    user_or_none,
)
from operations.services.kpis import kpis_refresh
from operations.validators import normalize_phone, validate_phone
from portal.uploads import document_clean, document_extensions, image_clean, is_oversized

Status = WorkOrder.Status

#: The statuses each action may start from, and where it leads.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "dispatch": ((Status.PENDING, Status.DISPATCHED), Status.DISPATCHED),
    "start": ((Status.DISPATCHED,), Status.IN_PROGRESS),
    "complete": ((Status.IN_PROGRESS,), Status.COMPLETED),
    "callback": ((Status.COMPLETED,), Status.CALLED_BACK),
    "close": ((Status.CALLED_BACK,), Status.CLOSED),
    "cancel": (tuple(WorkOrder.OPEN_STATUSES), Status.CANCELLED),
}

IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp"}

#: Called as ``listener(work_order=..., action=..., acting_user=...)`` inside the transaction of every
#: status change; areas whose records follow a work order (an elder's need) register here from
#: their app's ``ready()``, so this module imports none of them.
_status_listeners: list = []


def work_order_status_listen(listener) -> None:
    if listener not in _status_listeners:
        _status_listeners.append(listener)


def allowed_actions(work_order: WorkOrder) -> list[str]:
    """The actions that may be taken on ``work_order`` in its current status (for the admin UI)."""
    actions = [name for name, (sources, _target) in TRANSITIONS.items() if work_order.status in sources]
    if work_order.status in WorkOrder.OPEN_STATUSES:
        actions.append("extend")
    return actions


def work_order_url(work_order: WorkOrder) -> str:
    return reverse("work_orders:inspect", args=[work_order.pk])


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def _lock(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().get(pk=work_order.pk)


def _check_transition(work_order: WorkOrder, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if work_order.status not in sources:
        raise ValidationError(
            _("Work order %(number)s cannot go from “%(from)s” to “%(to)s”.")
            % {
                "number": work_order.number,
                "from": _status_label(work_order.status),
                "to": _status_label(target),
            },
            code="illegal_transition",
        )
    return target


def _record_transition(
    *, work_order: WorkOrder, from_status: str, to_status: str, acting_user, note: str = ""
):
    return WorkOrderTransition.objects.create(
        work_order=work_order,
        from_status=from_status,
        to_status=to_status,
        note=note,
        acting_user=user_or_none(acting_user),
    )


def _move(
    *,
    work_order: WorkOrder,
    action: str,
    acting_user,
    note: str = "",
    fields: dict | None = None,
    audit: dict | None = None,
) -> WorkOrder:
    """Lock, check, change status (and ``fields``), validate, save, record the transition and audit
    (with ``audit``: what else the history should say)."""
    locked = _lock(work_order)
    target = _check_transition(locked, action)
    previous = locked.status
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
    locked.status = target
    locked.full_clean()
    locked.save()
    _record_transition(
        work_order=locked, from_status=previous, to_status=target, acting_user=acting_user, note=note
    )
    changes = {"status": [previous, target], **(audit or {})}
    if note:
        changes["note"] = note
    audit_record(instance=locked, action=f"work_order.{action}", acting_user=acting_user, changes=changes)
    for listener in _status_listeners:
        listener(work_order=locked, action=action, acting_user=acting_user)
    return locked


def _notify_assigned(work_order: WorkOrder) -> None:
    if work_order.assignee_id is None:
        return
    notify(
        recipient=work_order.assignee,
        kind="work_order.assigned",
        title=_("New work order %(number)s") % {"number": work_order.number},
        body=work_order.description[:200],
        url=work_order_url(work_order),
        dedupe_key=f"wo:{work_order.pk}:assigned:{work_order.assignee_id}:{work_order.dispatched_at:%Y%m%d%H%M%S}",
        sms=work_order.is_urgent,
    )


def _clean_price(is_paid: bool, price) -> Decimal | None:
    if not is_paid:
        return None
    if price in (None, ""):
        raise ValidationError({"price": _("A paid service needs a price.")}, code="price_required")
    try:
        value = Decimal(str(price))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            {"price": _("Enter the price as an amount in yuan.")}, code="price_invalid"
        ) from exc
    if value <= 0:
        raise ValidationError({"price": _("The price must be more than zero.")}, code="price_invalid")
    return value


def _assignee_error(assignee, department: Department | None) -> str:
    """Why ``assignee`` cannot take work for ``department`` ("" when they can).

    Staff whose department is recorded (their staff profile) take only their own department's work;
    staff with no department recorded may take any.
    """
    if assignee is None or department is None:
        return ""
    theirs = Department.objects.filter(staff__user=assignee).first()
    if theirs is None or theirs.pk == department.pk:
        return ""
    return _(
        "%(name)s belongs to %(theirs)s, not to %(department)s: choose a member of %(department)s, "
        "or dispatch the work order to %(theirs)s."
    ) % {"name": get_user_display_name(assignee), "theirs": theirs.name, "department": department.name}


@transaction.atomic
def work_order_create(
    *,
    acting_user,
    description: str,
    kind: str = WorkOrder.Kind.REPAIR,
    source: str = WorkOrder.Source.FRONT_DESK,
    unit: Unit | None = None,
    resident: Resident | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    service_item: ServiceItem | None = None,
    department: Department | None = None,
    assignee=None,
    is_urgent: bool = False,
    is_paid: bool = False,
    price: Decimal | str | None = None,
    deadline: dt.datetime | None = None,
    received_at: dt.datetime | None = None,
    note: str = "",
) -> WorkOrder:
    """Register a work order (受理) and, when an assignee is given, dispatch it at once.

    Used by the front desk, phone intake, the resident web form, elder visits, activity days and
    inspections (``source``). Who it is for: a ``unit`` and/or ``resident`` (the resident's unit,
    name and phone fill in what is not given), or at least a ``contact_name`` and a
    ``contact_phone`` (validated, mainland mobile or landline). ``service_item`` sets the
    department when none is given and the committed deadline from the item's time limit (hours,
    or working days on the official calendar), counted from ``received_at`` (default now); an
    explicit ``deadline`` wins. ``is_paid`` needs a ``price`` (the item's fee when it has one).
    ``acting_user`` may be None for residents' own submissions. Raises ValidationError in the
    active language; nothing is written then.
    """
    now = timezone.now()
    received_at = received_at or now
    description = (description or "").strip()
    contact_name = (contact_name or "").strip()
    contact_phone = normalize_phone(contact_phone or "")
    errors: dict[str, list[str]] = {}
    if not description:
        errors.setdefault("description", []).append(_("Describe what needs to be done."))
    if resident is not None:
        unit = unit or resident.unit
        if not contact_name:
            contact_name = resident.name
        if not contact_phone:
            contact_phone = normalize_phone(resident.phone)
    if unit is None and resident is None and not (contact_name and contact_phone):
        errors.setdefault("contact_name", []).append(
            _("Give the unit or resident, or a contact name and phone number.")
        )
    if contact_phone:
        try:
            validate_phone(contact_phone)
        except ValidationError as exc:
            errors.setdefault("contact_phone", []).extend(exc.messages)
    if kind not in WorkOrder.Kind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of work order."))
    if source not in WorkOrder.Source.values:
        errors.setdefault("source", []).append(_("Choose where the work order came from."))
    if price == "":
        price = None
    if is_paid and price is None and service_item is not None and service_item.fee_amount:
        price = service_item.fee_amount
    try:
        price = _clean_price(is_paid, price)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if service_item is not None:
        department = department or service_item.department
    if message := _assignee_error(assignee, department):
        errors.setdefault("assignee", []).append(message)
    if errors:
        raise ValidationError(errors)

    if service_item is not None and deadline is None:
        deadline = deadline_for(
            start=received_at, value=service_item.time_limit_value, unit=service_item.time_limit_unit
        )
    work_order = WorkOrder(
        number=next_number("GD"),
        tracking_code=new_tracking_code(),
        kind=kind,
        source=source,
        unit=unit,
        resident=resident,
        contact_name=contact_name,
        contact_phone=contact_phone,
        description=description,
        service_item=service_item,
        department=department,
        assignee=assignee,
        is_urgent=bool(is_urgent),
        is_paid=bool(is_paid),
        price=price,
        deadline=deadline,
        accepted_at=received_at,
        created_by=user_or_none(acting_user),
    )
    if assignee is not None:
        work_order.status = Status.DISPATCHED
        work_order.dispatched_at = now
    work_order.full_clean()
    work_order.save()
    _record_transition(
        work_order=work_order, from_status="", to_status=Status.PENDING, acting_user=acting_user, note=note
    )
    if assignee is not None:
        _record_transition(
            work_order=work_order,
            from_status=Status.PENDING,
            to_status=Status.DISPATCHED,
            acting_user=acting_user,
        )
    audit_record(
        instance=work_order,
        action="work_order.create",
        acting_user=acting_user,
        changes={
            "kind": kind,
            "source": source,
            # registered, and dispatched at once when an assignee was named (as the transitions say)
            "status": ["", Status.PENDING] if assignee is None else [Status.PENDING, Status.DISPATCHED],
            "department": department.name if department else None,
            "assignee": get_user_display_name(assignee) if assignee else None,
            "deadline": deadline.isoformat() if deadline else None,
            "contact_phone": ["", contact_phone],
        },
    )
    _notify_assigned(work_order)
    return work_order


@transaction.atomic
def work_order_dispatch(
    *,
    work_order: WorkOrder,
    acting_user,
    department: Department | None,
    assignee,
    service_item: ServiceItem | None = None,
    note: str = "",
) -> WorkOrder:
    """Accept the work order and send it to a department and a staff member (待受理/已派单 → 已派单).

    Acceptance needs the service item — the one given, the one it has, or for a repair the
    center's repair item (``repair_service_item_default``) — because the item's time limit sets the
    committed deadline, counted from now, when the work order has none yet (a resident's web form
    or a repair-day request). The department defaults to the item's; the assignee must belong to
    it (``_assignee_error``). Notifies the assignee.
    """
    locked = _lock(work_order)
    _check_transition(locked, "dispatch")
    item = service_item or locked.service_item
    if item is None and locked.kind == WorkOrder.Kind.REPAIR:
        item = repair_service_item_default()
    department = department or (item.department if item else None)
    errors: dict[str, str] = {}
    if item is None:
        errors["service_item"] = _("Choose the service item: its time limit sets the committed deadline.")
    if department is None:
        errors["department"] = _("Choose the department.")
    if assignee is None:
        errors["assignee"] = _("Choose the staff member.")
    elif message := _assignee_error(assignee, department):
        errors["assignee"] = message
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    fields = {"service_item": item, "department": department, "assignee": assignee, "dispatched_at": now}
    if locked.deadline is None:
        fields["deadline"] = deadline_for(start=now, value=item.time_limit_value, unit=item.time_limit_unit)
    deadline = fields.get("deadline", locked.deadline)
    work_order = _move(
        work_order=locked,
        action="dispatch",
        acting_user=acting_user,
        note=note,
        fields=fields,
        audit={
            "department": department.name,
            "assignee": get_user_display_name(assignee),
            "service_item": item.name,
            "deadline": deadline.isoformat() if deadline else None,
        },
    )
    _notify_assigned(work_order)
    return work_order


@transaction.atomic
def work_order_start(*, work_order: WorkOrder, acting_user, note: str = "") -> WorkOrder:
    """The assignee starts the work (已派单 → 处理中)."""
    return _move(
        work_order=work_order,
        action="start",
        acting_user=acting_user,
        note=note,
        fields={"started_at": timezone.now()},
    )


@transaction.atomic
def work_order_complete(
    *, work_order: WorkOrder, acting_user, result_note: str, completed_at: dt.datetime | None = None
) -> WorkOrder:
    """The work is done (处理中 → 已完成); a completion after the committed deadline is a breach."""
    result_note = (result_note or "").strip()
    if not result_note:
        raise ValidationError({"result_note": _("Describe the result of the work.")}, code="required")
    completed_at = completed_at or timezone.now()
    locked = _lock(work_order)
    breached = locked.is_breached or bool(locked.deadline and completed_at > locked.deadline)
    return _move(
        work_order=locked,
        action="complete",
        acting_user=acting_user,
        note=result_note,
        fields={"completed_at": completed_at, "result_note": result_note, "is_breached": breached},
    )


@transaction.atomic
def work_order_callback(
    *, work_order: WorkOrder, acting_user, satisfaction: int, comment: str = ""
) -> WorkOrder:
    """Record the satisfaction callback (已完成 → 已回访): a rating 1–5 and a comment; only once."""
    locked = _lock(work_order)
    if locked.called_back_at is not None or locked.satisfaction is not None:
        raise ValidationError(
            _("Work order %(number)s has already been called back.") % {"number": locked.number},
            code="already_called_back",
        )
    try:
        satisfaction = int(satisfaction)
    except (TypeError, ValueError):
        satisfaction = 0
    if not 1 <= satisfaction <= 5:
        raise ValidationError(
            {"satisfaction": _("Satisfaction is a rating from 1 to 5.")}, code="satisfaction_range"
        )
    comment = (comment or "").strip()
    return _move(
        work_order=locked,
        action="callback",
        acting_user=acting_user,
        note=comment,
        fields={"satisfaction": satisfaction, "callback_comment": comment, "called_back_at": timezone.now()},
        audit={"satisfaction": satisfaction},
    )


@transaction.atomic
def work_order_close(*, work_order: WorkOrder, acting_user, note: str = "") -> WorkOrder:
    """Close the work order after the callback (已回访 → 已关闭)."""
    return _move(
        work_order=work_order,
        action="close",
        acting_user=acting_user,
        note=note,
        fields={"closed_at": timezone.now()},
    )


@transaction.atomic
def work_order_cancel(*, work_order: WorkOrder, acting_user, reason: str) -> WorkOrder:
    """Cancel an open work order (→ 已取消); the reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")}, code="required")
    return _move(
        work_order=work_order,
        action="cancel",
        acting_user=acting_user,
        note=reason,
        fields={"cancel_reason": reason, "closed_at": timezone.now()},
    )


@transaction.atomic
def work_order_extend_deadline(
    *,
    work_order: WorkOrder,
    acting_user,
    new_deadline: dt.datetime | None,
    reason: str,
    informed_via: str,
    informed_at: dt.datetime | None,
) -> DeadlineExtension:
    """Move the committed deadline later; needs a reason and a record of how and when the resident was told."""
    locked = _lock(work_order)
    if locked.status not in WorkOrder.OPEN_STATUSES:
        raise ValidationError(
            _("The deadline of work order %(number)s cannot be extended: it is “%(status)s”.")
            % {"number": locked.number, "status": _status_label(locked.status)},
            code="not_open",
        )
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give the reason for the extension.")]
    if new_deadline is None:
        errors["new_deadline"] = [_("Enter the new deadline.")]
    elif locked.deadline and new_deadline <= locked.deadline:
        errors["new_deadline"] = [_("The new deadline must be later than the current one.")]
    elif new_deadline <= timezone.now():
        errors["new_deadline"] = [_("The new deadline must be in the future.")]
    if informed_via not in DeadlineExtension.InformedVia.values:
        errors["informed_via"] = [_("Record how the resident was told about the extension.")]
    if informed_at is None:
        errors["informed_at"] = [_("Record when the resident was told about the extension.")]
    elif informed_at > timezone.now() + dt.timedelta(minutes=5):
        errors["informed_at"] = [_("The resident cannot have been told in the future.")]
    if errors:
        raise ValidationError(errors)
    extension = DeadlineExtension(
        work_order=locked,
        previous_deadline=locked.deadline,
        new_deadline=new_deadline,
        reason=reason,
        informed_via=informed_via,
        informed_at=informed_at,
        acting_user=user_or_none(acting_user),
    )
    extension.full_clean()
    extension.save()
    previous = locked.deadline
    locked.deadline = new_deadline
    # A fresh deadline gets a fresh due-soon reminder.
    locked.due_soon_notified_at = None
    locked.save(update_fields=["deadline", "due_soon_notified_at", "updated"])
    audit_record(
        instance=locked,
        action="work_order.extend_deadline",
        acting_user=acting_user,
        changes={
            "deadline": [previous.isoformat() if previous else None, new_deadline.isoformat()],
            "reason": reason,
            "informed_via": informed_via,
        },
    )
    return extension


WORK_ORDER_ATTACHMENTS_COLLECTION = "工单附件"


@transaction.atomic
def work_order_attachments_secure() -> int:
    """Move attachments kept before they were private (in the Root collection, public by id and file
    name) into the login-only 工单附件 collection; returns how many files moved. Safe to run twice."""
    collection = private_collection(name=WORK_ORDER_ATTACHMENTS_COLLECTION)
    attachments = WorkOrderAttachment.objects.select_related("image", "document")
    moved = 0
    for model, field in ((get_image_model(), "image"), (get_document_model(), "document")):
        ids = attachments.exclude(**{f"{field}__isnull": True}).exclude(
            **{f"{field}__collection": collection}
        )
        moved += model.objects.filter(pk__in=ids.values(f"{field}_id")).update(collection=collection)
    return moved


@transaction.atomic
def work_order_attach(*, work_order: WorkOrder, acting_user, file, caption: str = "") -> WorkOrderAttachment:
    """Attach a photo (kept as a Wagtail image) or a document to the work order, in the center's media."""
    if not file:
        raise ValidationError({"file": _("Choose a file to attach.")}, code="required")
    locked = _lock(work_order)
    extension = os.path.splitext(file.name)[1].lower().lstrip(".")
    caption = (caption or "").strip()[:100]
    title = caption or f"{locked.number} {file.name}"[:255]
    user = user_or_none(acting_user)
    collection = private_collection(name=WORK_ORDER_ATTACHMENTS_COLLECTION)
    attachment = WorkOrderAttachment(work_order=locked, caption=caption, uploaded_by=user)
    if extension in IMAGE_EXTENSIONS:
        max_size = settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
        if is_oversized(file) or (file.size and file.size > max_size):
            raise ValidationError({"file": _("The photo is too large.")}, code="too_large")
        try:
            image_clean(file)  # decoded in full, re-encoded without EXIF/GPS (portal.uploads)
        except ValidationError as exc:
            raise ValidationError(
                {"file": _("The file is not a photo that can be read.")}, code="bad_image"
            ) from exc
        attachment.image = get_image_model().objects.create(
            title=title, file=file, collection=collection, uploaded_by_user=user
        )
    elif extension in document_extensions():
        try:
            document_clean(file)  # size, type and content; a photo kept as a document is re-encoded
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        attachment.document = get_document_model().objects.create(
            title=title, file=file, collection=collection, uploaded_by_user=user
        )
    else:
        raise ValidationError(
            {"file": _("Attach a photo or a document (PDF, Word, Excel or text).")}, code="bad_type"
        )
    attachment.full_clean()
    attachment.save()
    audit_record(
        instance=locked,
        action="work_order.attach",
        acting_user=acting_user,
        changes={"attachment": attachment.pk, "file": file.name},
    )
    return attachment


def work_orders_check_deadlines(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Flag breaches and remind assignees of deadlines due within 2 hours or passed, in the current center.

    Safe to run twice: a work order is flagged once and each reminder has a dedupe key.
    Returns counts: ``breached`` (newly flagged), ``due_soon`` and ``breach`` (reminders sent).
    """
    now = now or timezone.now()
    counts = {"breached": 0, "due_soon": 0, "breach": 0}
    open_orders = WorkOrder.objects.filter(status__in=WorkOrder.OPEN_STATUSES, deadline__isnull=False)
    with transaction.atomic():
        newly_breached = open_orders.filter(deadline__lt=now, is_breached=False)
        breach_days = {timezone.localdate(d) for d in newly_breached.values_list("deadline", flat=True)}
        counts["breached"] = newly_breached.update(is_breached=True, updated=now)
        if counts["breached"]:
            kpis_refresh(
                days=breach_days, today=timezone.localdate(now)
            )  # a bulk update writes no audit entry
        # Only assigned work orders are reminded (and marked): one dispatched later still gets its reminder.
        overdue = open_orders.filter(
            deadline__lt=now, breach_notified_at__isnull=True, assignee__isnull=False
        ).select_related("assignee")
        for work_order in overdue.select_for_update(of=("self",), skip_locked=True):
            if notify(
                recipient=work_order.assignee,
                kind="work_order.breached",
                title=_("Work order %(number)s is past its committed deadline")
                % {"number": work_order.number},
                body=work_order.description[:200],
                url=work_order_url(work_order),
                dedupe_key=f"wo:{work_order.pk}:breached",
                sms=True,
            ):
                counts["breach"] += 1
            WorkOrder.objects.filter(pk=work_order.pk).update(breach_notified_at=now)
        due_soon = open_orders.filter(
            deadline__gte=now,
            deadline__lte=now + DUE_SOON_WINDOW,
            due_soon_notified_at__isnull=True,
            assignee__isnull=False,
        ).select_related("assignee")
        for work_order in due_soon.select_for_update(of=("self",), skip_locked=True):
            if notify(
                recipient=work_order.assignee,
                kind="work_order.due_soon",
                title=_("Work order %(number)s is due by %(deadline)s")
                % {
                    "number": work_order.number,
                    "deadline": timezone.localtime(work_order.deadline).strftime("%m-%d %H:%M"),
                },
                body=work_order.description[:200],
                url=work_order_url(work_order),
                dedupe_key=f"wo:{work_order.pk}:due_soon:{work_order.deadline:%Y%m%d%H%M}",
            ):
                counts["due_soon"] += 1
            WorkOrder.objects.filter(pk=work_order.pk).update(due_soon_notified_at=now)
    return counts


@transaction.atomic
def notification_mark_read(*, acting_user, notification=None) -> int:
    """Mark one of the user's notifications (or, without ``notification``, all of them) as read."""
    unread = Notification.objects.filter(recipient=acting_user, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=timezone.now())
