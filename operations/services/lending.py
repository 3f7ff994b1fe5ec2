"""Convenience items and the lending register (便民物品 / 便民服务登记表).

Items are lent the same day (日借日还) by default: a loan is due at the closing time of its
items' kind (``LoanDueRule``). Inspection on return is mandatory; damaged or lost items leave
service (and the monthly purchase request picks them up from their status).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.data.lending import DEFAULT_ITEMS, TOOLBOX_DEFAULT_CONTENTS
from operations.models import (
    ConvenienceItem,
    Loan,
    LoanDueRule,
    LoanFollowUp,
    LoanItem,
    ReadingGlassesUse,
    ToolboxContent,
)
from operations.models.lending import ItemKind
from operations.notify import notify
from operations.services.common import audit_record, diff_fields
from operations.services.guide import _clean_phone, _clean_unit
from portal.services import center_kpi_set
from tenants.models import ServiceCenter

DEFAULT_DUE_TIME = dt.time(18, 0)
ITEM_FIELDS = ("code", "name", "kind", "location", "condition_note")
DESK_GROUP = "前台客服"
HEAD_GROUP = "中心负责人"


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except Exception:  # noqa: BLE001 - admin URLs are not loaded in every context (jobs)
        return ""


# --- items ---------------------------------------------------------------------------------


def _toolbox_contents_install(item: ConvenienceItem) -> None:
    for order, name in enumerate(TOOLBOX_DEFAULT_CONTENTS):
        ToolboxContent.objects.get_or_create(
            item=item, name=name, defaults={"quantity": 1, "sort_order": order}
        )


@transaction.atomic
def convenience_item_create(
    *,
    code: str,
    name: str,
    kind: str,
    acting_user=None,
    location: str = "",
    condition_note: str = "",
    with_default_contents: bool = True,
) -> ConvenienceItem:
    """A new item; a new toolbox gets the standard contents (editable afterwards)."""
    code = (code or "").strip()
    if code and ConvenienceItem.objects.filter(code=code).exists():
        raise ValidationError({"code": [_("An item with this code already exists.")]})
    item = ConvenienceItem(
        code=code,
        name=(name or "").strip(),
        kind=kind,
        location=(location or "").strip(),
        condition_note=(condition_note or "").strip(),
    )
    item.full_clean()
    item.save()
    if item.kind == ItemKind.TOOLBOX and with_default_contents:
        _toolbox_contents_install(item)
    audit_record(
        instance=item,
        action="convenience_item_create",
        acting_user=acting_user,
        changes={field: getattr(item, field) for field in ITEM_FIELDS},
    )
    return item


@transaction.atomic
def convenience_item_update(*, item: ConvenienceItem, acting_user=None, **data) -> ConvenienceItem:
    """Change code, name, kind, where kept or condition (not the status: lending drives it)."""
    unknown = set(data) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    item = ConvenienceItem.objects.select_for_update().get(pk=item.pk)
    data = {key: (value.strip() if isinstance(value, str) else value) for key, value in data.items()}
    if "code" in data and ConvenienceItem.objects.filter(code=data["code"]).exclude(pk=item.pk).exists():
        raise ValidationError({"code": [_("An item with this code already exists.")]})
    changes = diff_fields(item, data)
    for field, value in data.items():
        setattr(item, field, value)
    item.full_clean()
    item.save()
    if changes:
        audit_record(
            instance=item, action="convenience_item_update", acting_user=acting_user, changes=changes
        )
    return item


@transaction.atomic
def convenience_item_retire(*, item: ConvenienceItem, acting_user=None, note: str = "") -> ConvenienceItem:
    """Take an item out of service for good; an item that is lent out must be returned first."""
    item = ConvenienceItem.objects.select_for_update().get(pk=item.pk)
    if item.status == ConvenienceItem.Status.RETIRED:
        raise ValidationError(_("This item is already retired."), code="retired")
    if item.status == ConvenienceItem.Status.LENT:
        raise ValidationError(_("This item is lent out: take it back before retiring it."), code="lent")
    old = item.status
    item.status = ConvenienceItem.Status.RETIRED
    if note:
        item.condition_note = note.strip()[:200]
    item.save(update_fields=["status", "condition_note", "updated"])
    audit_record(
        instance=item,
        action="convenience_item_retire",
        acting_user=acting_user,
        changes={"status": [old, item.status], "note": note},
    )
    return item


@transaction.atomic
def toolbox_contents_update(
    *, item: ConvenienceItem, lines: Iterable[tuple[str, int]], acting_user=None
) -> None:
    """Replace what a toolbox holds with ``lines`` of (name, quantity)."""
    if item.kind != ItemKind.TOOLBOX:
        raise ValidationError(_("Only a toolbox has contents."))
    cleaned: dict[str, int] = {}
    for name, quantity in lines:
        name = (name or "").strip()
        if not name:
            continue
        try:
            quantity = int(quantity)
        except (TypeError, ValueError):
            quantity = 0
        if quantity < 1:
            raise ValidationError(
                {"contents": [_("Give a quantity of at least 1 for %(name)s.") % {"name": name}]}
            )
        cleaned[name[:50]] = quantity
    before = {c.name: c.quantity for c in item.contents.all()}
    item.contents.all().delete()
    ToolboxContent.objects.bulk_create(
        ToolboxContent(item=item, name=name, quantity=quantity, sort_order=order)
        for order, (name, quantity) in enumerate(cleaned.items())
    )
    if before != cleaned:
        audit_record(
            instance=item,
            action="toolbox_contents_update",
            acting_user=acting_user,
            changes={"contents": [before, cleaned]},
        )


def lending_install_defaults() -> None:
    """Due rules for every kind, and the desk's standard items with a stocked toolbox (idempotent)."""
    for kind in ItemKind.values:
        LoanDueRule.objects.get_or_create(kind=kind, defaults={"due_time": DEFAULT_DUE_TIME, "days": 0})
    for code, name, kind, location in DEFAULT_ITEMS:
        item, created = ConvenienceItem.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "location": location}
        )
        if created and kind == ItemKind.TOOLBOX:
            _toolbox_contents_install(item)


# --- loans ---------------------------------------------------------------------------------


def loan_due_at(*, kinds: Iterable[str], lent_at: dt.datetime) -> dt.datetime:
    """The earliest due time of the items' kinds (a kind without a rule: same day 18:00)."""
    rules = {rule.kind: rule for rule in LoanDueRule.objects.filter(kind__in=set(kinds))}
    local = timezone.localtime(lent_at)
    candidates = []
    for kind in set(kinds):
        rule = rules.get(kind)
        due_time, days = (rule.due_time, rule.days) if rule else (DEFAULT_DUE_TIME, 0)
        day = local.date() + dt.timedelta(days=days)
        due = timezone.make_aware(dt.datetime.combine(day, due_time), local.tzinfo)
        if due <= lent_at:  # lent after closing time: due at the same hour the next day
            due = due + dt.timedelta(days=1)
        candidates.append(due)
    return min(candidates)


@transaction.atomic
def loan_lend(
    *,
    items: Iterable[ConvenienceItem | int],
    acting_user,
    borrower_name: str = "",
    phone: str = "",
    unit_id: int | None = None,
    resident=None,
    now: dt.datetime | None = None,
) -> Loan:
    """Lend one or more available items to a resident of a unit or to a named person with a phone.

    A picked resident fills in name, unit and phone; otherwise a unit or a phone is required.
    Items that are out, damaged, lost or retired are refused; nothing is written on any error.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if resident is not None:
        borrower_name = borrower_name or resident.name
        phone = phone or resident.phone
        unit_id = unit_id or resident.unit_id
    borrower_name = (borrower_name or "").strip()
    if not borrower_name:
        errors["borrower_name"] = [_("Enter the borrower's name or pick a resident of the unit.")]
    try:
        phone = _clean_phone("phone", phone)
    except ValidationError as error:
        errors.update(error.message_dict)
        phone = "invalid"
    try:
        unit = _clean_unit(unit_id)
    except ValidationError as error:
        errors.update(error.message_dict)
        unit = "invalid"
    if not phone and unit is None:
        errors["phone"] = [_("Pick the borrower's unit or enter a phone number: a loan needs one of them.")]
    item_ids = []
    for item in items or ():
        try:
            item_ids.append(int(getattr(item, "pk", item)))
        except (TypeError, ValueError):
            errors["items"] = [_("Unknown item.")]
    if not item_ids and "items" not in errors:
        errors["items"] = [_("Choose at least one item to lend.")]
    locked = list(ConvenienceItem.objects.select_for_update().filter(pk__in=set(item_ids)).order_by("pk"))
    if len(locked) != len(set(item_ids)) and "items" not in errors:
        errors["items"] = [_("Unknown item.")]
    unavailable = [item for item in locked if item.status != ConvenienceItem.Status.AVAILABLE]
    if unavailable:
        errors["items"] = [
            _("%(item)s cannot be lent: it is %(status)s.")
            % {"item": str(item), "status": item.get_status_display()}
            for item in unavailable
        ]
    if not getattr(acting_user, "is_authenticated", False):
        errors["lent_by"] = [_("Lending is recorded by a signed-in staff member.")]
    if errors:
        raise ValidationError(errors)

    loan = Loan(
        unit=unit,
        borrower_name=borrower_name,
        phone=phone,
        lent_at=now,
        due_at=loan_due_at(kinds=[item.kind for item in locked], lent_at=now),
        lent_by=acting_user,
    )
    loan.full_clean()
    loan.save()
    LoanItem.objects.bulk_create(LoanItem(loan=loan, item=item) for item in locked)
    ConvenienceItem.objects.filter(pk__in=[item.pk for item in locked]).update(
        status=ConvenienceItem.Status.LENT, updated=now
    )
    audit_record(
        instance=loan,
        action="loan_lend",
        acting_user=acting_user,
        changes={
            "items": [item.code for item in locked],
            "unit": unit.pk if unit else None,
            "name": [None, borrower_name],
            "phone": [None, phone],
            "due_at": loan.due_at.isoformat(),
        },
    )
    return loan


@transaction.atomic
def loan_return(
    *,
    loan: Loan,
    condition: str,
    acting_user,
    note: str = "",
    now: dt.datetime | None = None,
) -> Loan:
    """Take the items back after inspection (good / damaged / lost, mandatory).

    Good items are available again; damaged or lost items leave service with that status.
    """
    now = now or timezone.now()
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if loan.returned_at is not None:
        raise ValidationError(_("This loan has already been returned."), code="returned")
    note = (note or "").strip()
    if condition not in Loan.Condition.values:
        raise ValidationError(
            {"condition": [_("Inspect the items and record their condition: good, damaged or lost.")]}
        )
    if condition != Loan.Condition.GOOD and not note:
        raise ValidationError({"note": [_("Describe the damage or the loss in the inspection note.")]})
    if not getattr(acting_user, "is_authenticated", False):
        raise ValidationError(_("The return is received by a signed-in staff member."))
    loan.returned_at = now
    loan.received_by = acting_user
    loan.return_condition = condition
    loan.return_note = note[:200]
    loan.full_clean()
    loan.save()
    new_status = {
        Loan.Condition.GOOD: ConvenienceItem.Status.AVAILABLE,
        Loan.Condition.DAMAGED: ConvenienceItem.Status.DAMAGED,
        Loan.Condition.LOST: ConvenienceItem.Status.LOST,
    }[condition]
    items = ConvenienceItem.objects.select_for_update().filter(loan_items__loan=loan)
    updates = {"status": new_status, "updated": now}
    if condition != Loan.Condition.GOOD:
        updates["condition_note"] = note[:200]
    items.update(**updates)
    audit_record(
        instance=loan,
        action="loan_return",
        acting_user=acting_user,
        changes={"condition": condition, "note": note, "item_status": new_status},
    )
    return loan


@transaction.atomic
def loan_follow_up(
    *,
    loan: Loan,
    method: str,
    outcome: str,
    acting_user,
    promised_at: dt.datetime | None = None,
) -> LoanFollowUp:
    """Record a call or visit about a loan still out, and remind the staff member who lent it."""
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if loan.returned_at is not None:
        raise ValidationError(_("This loan has already been returned."), code="returned")
    outcome = (outcome or "").strip()
    errors = {}
    if method not in LoanFollowUp.Method.values:
        errors["method"] = [_("Choose called or visited.")]
    if not outcome:
        errors["outcome"] = [_("Record the outcome of the follow-up.")]
    if errors:
        raise ValidationError(errors)
    follow_up = LoanFollowUp(
        loan=loan, method=method, outcome=outcome, promised_at=promised_at, acting_user=acting_user
    )
    follow_up.full_clean()
    follow_up.save()
    audit_record(
        instance=loan,
        action="loan_follow_up",
        acting_user=acting_user,
        changes={
            "method": method,
            "outcome": outcome,
            "promised_at": promised_at.isoformat() if promised_at else None,
        },
    )
    if loan.lent_by_id and loan.lent_by_id != getattr(acting_user, "pk", None):
        notify(
            recipient=loan.lent_by,
            kind="loan_follow_up",
            title=_("Follow-up on a loan you lent: %(loan)s") % {"loan": str(loan)},
            body=outcome,
            url=_url("loans:inspect", loan.pk),
        )
    return follow_up


@transaction.atomic
def reading_glasses_use_record(
    *, item: ConvenienceItem, acting_user=None, now: dt.datetime | None = None
) -> ReadingGlassesUse:
    """One use of the reading glasses at the desk (no personal data)."""
    if item.kind != ItemKind.READING_GLASSES:
        raise ValidationError(_("Only reading glasses are recorded this way."))
    if item.status in (ConvenienceItem.Status.RETIRED, ConvenienceItem.Status.LOST):
        raise ValidationError(_("These reading glasses are no longer in service."))
    use = ReadingGlassesUse.objects.create(item=item, used_at=now or timezone.now(), acting_user=acting_user)
    audit_record(instance=use, action="reading_glasses_use_record", acting_user=acting_user)
    return use


# --- end of day ----------------------------------------------------------------------------


def desk_recipients():
    """The front desk (前台客服); a center without desk staff: its head(s)."""
    User = get_user_model()
    desk = list(User.objects.filter(is_active=True, groups__name=DESK_GROUP).distinct().order_by("pk"))
    if desk:
        return desk
    return list(User.objects.filter(is_active=True, groups__name=HEAD_GROUP).distinct().order_by("pk"))


def loans_close_day(*, now: dt.datetime | None = None, center=None) -> dict[str, int]:
    """End of day in the current center: remind the desk of each overdue loan (once per loan and day)
    and write the center's overdue count to head office. Safe to run twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = list(Loan.objects.overdue(now).order_by("due_at").prefetch_related("loan_items__item"))
    recipients = desk_recipients()
    sent = 0
    url = _url("loans:index")
    url = f"{url}?scope=overdue" if url else ""
    with transaction.atomic():
        for loan in overdue:
            items = "、".join(li.item.name for li in loan.loan_items.all())
            for user in recipients:
                created = notify(
                    recipient=user,
                    kind="loan_overdue",
                    title=_("Overdue loan: %(items)s lent to %(name)s")
                    % {"items": items, "name": loan.borrower_name},
                    body=_("Due back %(due)s.")
                    % {"due": timezone.localtime(loan.due_at).strftime("%Y-%m-%d %H:%M")},
                    url=url,
                    dedupe_key=f"loan-overdue:{loan.pk}:{today:%Y%m%d}",
                )
                sent += created is not None
    if center is None:
        center = ServiceCenter.objects.filter(schema_name=connection.schema_name).first()
    if center is not None:
        center_kpi_set(center=center, overdue_loans=len(overdue))
    return {"overdue": len(overdue), "reminders": sent}
