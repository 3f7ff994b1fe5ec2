"""First-inquiry register (首问负责制).

The first staff member asked (the acting user who records the inquiry) owns it until it is
completed: answered on the spot, handled by them, or handed over to a named colleague or a
department — after a handover they still own it and follow it up to the end.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.admin.utils import get_user_display_name

from operations.calendar import deadline_for
from operations.models import Department, Inquiry, InquiryFollowUp, ServiceItem, StaffProfile
from operations.notify import notify
from operations.services.common import audit_record, next_number, user_or_none
from operations.services.guide import _clean_phone, _clean_unit


def _locked(inquiry: Inquiry) -> Inquiry:
    """Re-read the inquiry under a row lock so two desks cannot complete it twice."""
    return Inquiry.objects.select_for_update().get(pk=inquiry.pk)


def _require_open(inquiry: Inquiry) -> None:
    if inquiry.completed_at is not None:
        raise ValidationError(_("This inquiry is already completed."), code="completed")


def _detail_url(inquiry: Inquiry) -> str:
    try:
        return reverse("inquiries:inspect", args=[inquiry.pk])
    except Exception:  # noqa: BLE001 - URLs of the admin are not loaded in every context (jobs)
        return ""


@transaction.atomic
def inquiry_record(
    *,
    visitor_name: str,
    matter: str,
    acting_user,
    visitor_phone: str = "",
    unit_id: int | None = None,
    channel: str = Inquiry.Channel.WALK_IN,
    service_item: ServiceItem | None = None,
    answered_on_spot: bool = False,
    resolution: str = "",
    now: dt.datetime | None = None,
) -> Inquiry:
    """Record an inquiry with the acting user as first responder.

    Answered on the spot → status ``answered`` and completed now; otherwise ``handling`` with a
    due time from the service item's committed time limit (hours or working days).
    """
    now = now or timezone.now()
    visitor_name = (visitor_name or "").strip()
    matter = (matter or "").strip()
    errors: dict[str, list[str]] = {}
    if not visitor_name:
        errors["visitor_name"] = [_("Enter the visitor's name.")]
    if not matter:
        errors["matter"] = [_("Describe the matter the visitor came for.")]
    if channel not in Inquiry.Channel.values:
        errors["channel"] = [_("Choose walk-in or phone.")]
    if not getattr(acting_user, "is_authenticated", False):
        errors["first_responder"] = [_("The first responder must be a signed-in staff member.")]
    try:
        visitor_phone = _clean_phone("visitor_phone", visitor_phone)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        unit = _clean_unit(unit_id)
    except ValidationError as error:
        errors.update(error.message_dict)
        unit = None
    if errors:
        raise ValidationError(errors)

    inquiry = Inquiry(
        number=next_number("SW"),
        visitor_name=visitor_name,
        visitor_phone=visitor_phone,
        unit=unit,
        channel=channel,
        matter=matter,
        service_item=service_item,
        first_responder=acting_user,
    )
    if answered_on_spot:
        inquiry.status = Inquiry.Status.ANSWERED
        inquiry.completed_at = now
        inquiry.resolution = (resolution or "").strip()
    else:
        inquiry.status = Inquiry.Status.HANDLING
        if service_item is not None:
            inquiry.due_at = deadline_for(
                start=now, value=service_item.time_limit_value, unit=service_item.time_limit_unit
            )
    inquiry.full_clean()
    inquiry.save()
    audit_record(
        instance=inquiry,
        action="inquiry_record",
        acting_user=acting_user,
        changes={
            "status": inquiry.status,
            "channel": channel,
            "service_item": service_item.pk if service_item else None,
            "due_at": inquiry.due_at.isoformat() if inquiry.due_at else None,
        },
    )
    return inquiry


@transaction.atomic
def inquiry_hand_over(
    *,
    inquiry: Inquiry,
    acting_user,
    to_user=None,
    to_department: Department | None = None,
    contact: str = "",
    handed_over_at: dt.datetime | None = None,
    note: str = "",
) -> Inquiry:
    """Hand an open inquiry to a named colleague and/or a department, with time and contact.

    The first responder keeps owning it (it stays in their "my inquiries" until completed);
    the colleague (or the department's staff) is notified.
    """
    inquiry = _locked(inquiry)
    _require_open(inquiry)
    contact = (contact or "").strip()
    if to_user is None and to_department is None:
        raise ValidationError(
            {"to_user": [_("Name the colleague or the department the inquiry is handed over to.")]}
        )
    if to_user is not None and (not to_user.is_active or to_user.pk == inquiry.first_responder_id):
        raise ValidationError({"to_user": [_("Hand the inquiry over to another active colleague.")]})
    if to_department is not None and not to_department.is_active:
        raise ValidationError({"to_department": [_("This department is not active.")]})

    inquiry.status = Inquiry.Status.HANDED_OVER
    inquiry.handed_to_user = to_user
    inquiry.handed_to_department = to_department
    inquiry.handed_over_at = handed_over_at or timezone.now()
    inquiry.handover_contact = contact
    inquiry.full_clean()
    inquiry.save(
        update_fields=[
            "status",
            "handed_to_user",
            "handed_to_department",
            "handed_over_at",
            "handover_contact",
            "updated",
        ]
    )
    audit_record(
        instance=inquiry,
        action="inquiry_hand_over",
        acting_user=acting_user,
        changes={
            "to_user": get_user_display_name(to_user) if to_user else None,
            "to_department": to_department.name if to_department else None,
            "contact": contact,
            "handed_over_at": inquiry.handed_over_at.isoformat(),
            "note": (note or "").strip(),
        },
    )

    recipients = []
    if to_user is not None:
        recipients.append(to_user)
    elif to_department is not None:
        recipients.extend(
            profile.user
            for profile in StaffProfile.objects.filter(department=to_department, user__is_active=True)
            .exclude(user_id=inquiry.first_responder_id)
            .select_related("user")
        )
    title = _("Inquiry %(number)s handed over to you") % {"number": inquiry.number}
    for recipient in recipients:
        notify(
            recipient=recipient,
            kind="inquiry_hand_over",
            title=title,
            body=inquiry.matter,
            url=_detail_url(inquiry),
            dedupe_key=f"inquiry_hand_over:{inquiry.pk}:{inquiry.handed_over_at.isoformat()}",
        )
    return inquiry


@transaction.atomic
def inquiry_follow_up(*, inquiry: Inquiry, note: str, acting_user) -> InquiryFollowUp:
    """Add a follow-up note to an open inquiry (the first responder 督办 until the end)."""
    inquiry = _locked(inquiry)
    _require_open(inquiry)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Enter what was followed up.")]})
    follow_up = InquiryFollowUp(
        inquiry=inquiry,
        note=note,
        acting_user=user_or_none(acting_user),
    )
    follow_up.full_clean()
    follow_up.save()
    inquiry.save(update_fields=["updated"])
    audit_record(instance=inquiry, action="inquiry_follow_up", acting_user=acting_user, changes={})
    return follow_up


@transaction.atomic
def inquiry_complete(
    *, inquiry: Inquiry, resolution: str, acting_user, now: dt.datetime | None = None
) -> Inquiry:
    """Complete an open inquiry with its resolution; completing it twice is refused."""
    inquiry = _locked(inquiry)
    _require_open(inquiry)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": [_("Enter how the inquiry was resolved.")]})
    inquiry.status = Inquiry.Status.COMPLETED
    inquiry.completed_at = now or timezone.now()
    inquiry.resolution = resolution
    inquiry.full_clean()
    inquiry.save(update_fields=["status", "completed_at", "resolution", "updated"])
    audit_record(
        instance=inquiry,
        action="inquiry_complete",
        acting_user=acting_user,
        changes={"completed_at": inquiry.completed_at.isoformat(), "overdue": inquiry_is_overdue(inquiry)},
    )
    return inquiry


def inquiry_is_overdue(inquiry: Inquiry, now: dt.datetime | None = None) -> bool:
    """Past its due time and not completed (or completed after it)."""
    if inquiry.due_at is None:
        return False
    end = inquiry.completed_at or now or timezone.now()
    return end > inquiry.due_at
