"""Complaints and suggestions (投诉制度): intake, handler, investigation, reply, closing, head office.

The regulation: complaints may be oral, by phone or written; major ones must be written. The
complainant is confidential. Oral complaints are mostly answered orally, written ones must get
a written reply; major complaints are reported to the leadership (here: flagged for head office
with a report text, the head-office inbox comes later).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.admin.utils import get_user_display_name
from wagtail.documents import get_document_model

from operations.calendar import add_working_days
from operations.models import Complaint, Department, ServiceItem, Unit
from operations.notify import notify
from operations.selectors.complaints import complaints_overdue
from operations.services.common import (
    audit_record,
    diff_fields,
    new_tracking_code,
    next_number,
    private_collection,
    user_or_none,
)
from operations.services.purchasing import center_heads, user_display_name
from operations.validators import mask_name, normalize_phone, validate_phone
from portal.selectors import current_center, submission_for_current_center
from portal.services import submission_close, submission_submit, submission_update
from portal.uploads import document_clean

#: Working days to reply to a complaint unless the desk sets another date.
REPLY_WORKING_DAYS = 3

OPEN_STATUSES = (Complaint.Status.RECEIVED, Complaint.Status.INVESTIGATING)


def complaint_requires_written_reply(complaint: Complaint) -> bool:
    """Written complaints must be answered in writing (书面投诉必须书面答复); major ones are written."""
    return complaint.is_major or complaint.channel == Complaint.Channel.WRITTEN


def _detail_url(complaint: Complaint) -> str:
    try:
        return reverse("complaints:inspect", args=[complaint.pk])
    except NoReverseMatch:  # admin URLs not loaded (e.g. a bare shell)
        return ""


def _unique_tracking_code() -> str:
    while True:
        code = new_tracking_code()
        if not Complaint.objects.filter(tracking_code=code).exists():
            return code


def complaint_draft_head_office_report(complaint: Complaint) -> str:
    """A first draft of the report to head office; staff edit it before it is sent.

    The complainant is not named: head office gets the matter, not the person.
    """
    subject = complaint_subject_display(complaint) or "—"
    received = timezone.localtime(complaint.created or timezone.now())
    lines = [
        f"重大投诉报告（{complaint.number}）",
        f"受理时间：{received:%Y-%m-%d %H:%M}",
        f"投诉方式：{complaint.get_channel_display()}",
        f"投诉对象：{subject}",
        f"投诉内容摘要：{complaint.content.strip()[:300]}",
        f"答复期限：{complaint.reply_due:%Y-%m-%d}" if complaint.reply_due else "答复期限：—",
        "处理情况：调查核实中，处理结果将及时报送。",
    ]
    return "\n".join(lines)


def complaint_subject_display(complaint: Complaint) -> str:
    """Whom or what the complaint is about, in one line."""
    parts = []
    if complaint.subject_staff_id:
        parts.append(get_user_display_name(complaint.subject_staff))
    if complaint.subject_department_id:
        parts.append(str(complaint.subject_department))
    if complaint.subject_service_item_id:
        parts.append(str(complaint.subject_service_item))
    if complaint.subject_text:
        parts.append(complaint.subject_text)
    return " · ".join(parts)


def _check_subject(
    *,
    subject_kind: str,
    subject_staff,
    subject_department: Department | None,
    subject_service_item: ServiceItem | None,
) -> None:
    required = {
        Complaint.SubjectKind.STAFF: (
            "subject_staff",
            subject_staff,
            _("Choose the staff member the complaint is about."),
        ),
        Complaint.SubjectKind.DEPARTMENT: (
            "subject_department",
            subject_department,
            _("Choose the department the complaint is about."),
        ),
        Complaint.SubjectKind.SERVICE: (
            "subject_service_item",
            subject_service_item,
            _("Choose the service the complaint is about."),
        ),
    }
    if subject_kind not in Complaint.SubjectKind.values:
        raise ValidationError({"subject_kind": _("Choose what the complaint is about.")})
    if subject_kind in required:
        field, value, message = required[subject_kind]
        if value is None:
            raise ValidationError({field: message})


@transaction.atomic
def complaint_create(
    *,
    content: str,
    channel: str,
    acting_user=None,
    kind: str = Complaint.Kind.COMPLAINT,
    is_major: bool = False,
    complainant_name: str = "",
    complainant_phone: str = "",
    unit: Unit | None = None,
    subject_kind: str = Complaint.SubjectKind.OTHER,
    subject_staff=None,
    subject_department: Department | None = None,
    subject_service_item: ServiceItem | None = None,
    subject_text: str = "",
    written_document=None,
    written_scan=None,
    reply_due: dt.date | None = None,
    handler=None,
) -> Complaint:
    """Record a complaint or suggestion; a major one is flagged for head office with a drafted report.

    ``written_document`` is an existing Wagtail document, ``written_scan`` an uploaded file that
    is stored as one (in the login-only collection of complaint papers).
    """
    content = (content or "").strip()
    if not content:
        raise ValidationError(
            {"content": _("Write down what the complaint is about: an empty complaint cannot be recorded.")}
        )
    if channel not in Complaint.Channel.values:
        raise ValidationError({"channel": _("Choose how the complaint was made.")})
    if is_major and channel != Complaint.Channel.WRITTEN:
        raise ValidationError(
            {
                "is_major": _(
                    "A major complaint must be made in writing: choose the written channel and keep the "
                    "complaint letter (text or scan)."
                )
            }
        )
    complainant_phone = (complainant_phone or "").strip()
    if complainant_phone:
        try:
            validate_phone(complainant_phone)
        except ValidationError as error:
            raise ValidationError({"complainant_phone": error.messages}) from None
        complainant_phone = normalize_phone(complainant_phone)
    _check_subject(
        subject_kind=subject_kind,
        subject_staff=subject_staff,
        subject_department=subject_department,
        subject_service_item=subject_service_item,
    )
    today = timezone.localdate()
    if reply_due is None:
        reply_due = add_working_days(timezone.now(), REPLY_WORKING_DAYS).date()
    elif reply_due < today:
        raise ValidationError({"reply_due": _("The reply due date cannot be in the past.")})

    number = next_number("TS")
    if written_scan is not None:
        written_document = _store_scan(upload=written_scan, number=number, acting_user=acting_user)
    complaint = Complaint(
        number=number,
        tracking_code=_unique_tracking_code(),
        kind=kind,
        channel=channel,
        is_major=is_major,
        complainant_name=(complainant_name or "").strip(),
        complainant_phone=complainant_phone,
        unit=unit,
        subject_kind=subject_kind,
        subject_staff=subject_staff,
        subject_department=subject_department,
        subject_service_item=subject_service_item,
        subject_text=(subject_text or "").strip(),
        content=content,
        written_document=written_document,
        reply_due=reply_due,
        created_by=user_or_none(acting_user),
    )
    complaint.full_clean()
    complaint.save()
    audit_record(
        instance=complaint,
        action="complaint_create",
        acting_user=acting_user,
        changes={
            "kind": kind,
            "channel": channel,
            "is_major": is_major,
            "complainant_name": ["", complaint.complainant_name],
            "complainant_phone": ["", complaint.complainant_phone],
        },
    )
    if is_major:
        complaint_mark_for_head_office(
            complaint=complaint,
            report_text=complaint_draft_head_office_report(complaint),
            acting_user=acting_user,
        )
    if handler is not None:
        complaint = complaint_assign(complaint=complaint, handler=handler, acting_user=acting_user)
    return complaint


COMPLAINT_PAPERS_COLLECTION = "投诉书面材料"


def _store_scan(*, upload, number: str, acting_user=None):
    """Keep the scan of a written complaint as a document in a collection only staff can open."""
    try:
        document_clean(upload)  # size, type and content; a photographed letter is re-encoded (no GPS)
    except ValidationError as error:
        raise ValidationError({"written_scan": error.messages}) from None
    collection = private_collection(name=COMPLAINT_PAPERS_COLLECTION)
    document = get_document_model()(
        title=f"{number} 书面投诉",
        file=upload,
        collection=collection,
        uploaded_by_user=user_or_none(acting_user),
    )
    try:
        document.full_clean()
    except ValidationError as error:
        raise ValidationError({"written_scan": error.messages}) from None
    document.save()
    return document


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


@transaction.atomic
def complaint_assign(*, complaint: Complaint, handler, acting_user=None) -> Complaint:
    """Give the complaint to a handler, who is told and from then on sees the complainant."""
    complaint = _lock(complaint)
    if complaint.status == Complaint.Status.CLOSED:
        raise ValidationError(_("This complaint is closed."))
    if handler is None or not handler.is_active:
        raise ValidationError({"handler": _("Choose an active staff member as handler.")})
    if complaint.handler_id == handler.pk:
        return complaint
    changes = diff_fields(complaint, {"handler": handler})
    complaint.handler = handler
    complaint.full_clean()
    complaint.save(update_fields=["handler", "updated"])
    audit_record(instance=complaint, action="complaint_assign", acting_user=acting_user, changes=changes)
    notify(
        recipient=handler,
        kind="complaint_assigned",
        title=_("Complaint %(number)s was assigned to you") % {"number": complaint.number},
        body=_("Reply due by %(date)s.")
        % {"date": complaint.reply_due.isoformat() if complaint.reply_due else "—"},
        url=_detail_url(complaint),
        dedupe_key=f"complaint-assign:{complaint.pk}:{handler.pk}",
    )
    return complaint


@transaction.atomic
def complaint_investigate(
    *,
    complaint: Complaint,
    acting_user=None,
    investigation_notes: str = "",
    finding: str = "",
    action_taken: str = "",
    verdict: str = "",
) -> Complaint:
    """Record what the investigation found and what was done about it (调查核实、作出处理)."""
    complaint = _lock(complaint)
    if complaint.status == Complaint.Status.CLOSED:
        raise ValidationError(_("This complaint is closed."))
    data = {
        "investigation_notes": (investigation_notes or "").strip(),
        "finding": (finding or "").strip(),
        "action_taken": (action_taken or "").strip(),
    }
    if not any(data.values()):
        raise ValidationError(_("Write down the investigation notes, the finding or the action taken."))
    verdict = verdict or ""
    if verdict and verdict not in Complaint.Verdict.values:
        raise ValidationError({"verdict": _("Choose whether the complaint was found justified.")})
    if verdict and not data["finding"]:
        raise ValidationError({"finding": _("A verdict needs the finding it rests on: write the finding.")})
    data["verdict"] = verdict
    changes = diff_fields(complaint, data)
    for field, value in data.items():
        setattr(complaint, field, value)
    if complaint.status == Complaint.Status.RECEIVED:
        changes["status"] = [complaint.status, Complaint.Status.INVESTIGATING.value]
        complaint.status = Complaint.Status.INVESTIGATING
    complaint.full_clean()
    complaint.save()
    audit_record(instance=complaint, action="complaint_investigate", acting_user=acting_user, changes=changes)
    _head_office_follow(complaint, note=_("Investigation and actions recorded."), acting_user=acting_user)
    return complaint


@transaction.atomic
def complaint_reply(
    *, complaint: Complaint, method: str, acting_user=None, text: str = "", note: str = ""
) -> Complaint:
    """Record the reply. Written complaints need a written reply (kept, printable as 投诉答复函);
    oral or phone complaints may be answered orally, recorded with a note of what was said."""
    complaint = _lock(complaint)
    if complaint.status == Complaint.Status.CLOSED:
        raise ValidationError(_("This complaint is closed."))
    if method not in Complaint.ReplyMethod.values:
        raise ValidationError({"reply_method": _("Choose how the complainant was answered.")})
    text = (text or note or "").strip()
    if complaint_requires_written_reply(complaint) and method != Complaint.ReplyMethod.WRITTEN:
        raise ValidationError(
            {"reply_method": _("A written complaint must be answered in writing: write the reply letter.")}
        )
    if not text:
        if method == Complaint.ReplyMethod.WRITTEN:
            raise ValidationError({"reply_text": _("Write the text of the reply letter.")})
        raise ValidationError({"reply_text": _("Note what the complainant was told.")})
    now = timezone.now()
    changes = diff_fields(
        complaint, {"reply_method": method, "reply_text": text, "status": Complaint.Status.REPLIED.value}
    )
    complaint.reply_method = method
    complaint.reply_text = text
    complaint.replied_at = now
    complaint.replied_by = user_or_none(acting_user)
    complaint.status = Complaint.Status.REPLIED
    complaint.full_clean()
    complaint.save()
    audit_record(instance=complaint, action="complaint_reply", acting_user=acting_user, changes=changes)
    _head_office_follow(complaint, note=_("The complainant has had the reply."), acting_user=acting_user)
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, acting_user=None) -> Complaint:
    """Close a complaint once the complainant has had a reply (every complaint gets a reply and an outcome)."""
    complaint = _lock(complaint)
    if complaint.status == Complaint.Status.CLOSED:
        raise ValidationError(_("This complaint is already closed."))
    if complaint.status != Complaint.Status.REPLIED or not complaint.replied_at:
        raise ValidationError(_("A complaint can only be closed after the complainant has had a reply."))
    complaint.status = Complaint.Status.CLOSED
    complaint.closed_at = timezone.now()
    complaint.save(update_fields=["status", "closed_at", "updated"])
    audit_record(
        instance=complaint,
        action="complaint_close",
        acting_user=acting_user,
        changes={"status": [Complaint.Status.REPLIED.value, Complaint.Status.CLOSED.value]},
    )
    _head_office_follow(complaint, note=_("The complaint is closed."), acting_user=acting_user)
    return complaint


HEAD_OFFICE_KIND = "major_complaint"


def complaint_head_office_snapshot(complaint: Complaint) -> dict:
    """What head office reads of a reported complaint: what happened, the finding, the actions,
    the reply sent and where it stands; no complainant's name or phone."""
    return {
        "number": complaint.number,
        "received": timezone.localtime(complaint.created).strftime("%Y-%m-%d %H:%M"),
        "channel": str(complaint.get_channel_display()),
        "subject": complaint_subject_display(complaint),
        "content": _masked_text(complaint.content, complaint),
        "report": _masked_text(complaint.head_office_report, complaint),
        "finding": complaint.finding,
        "action_taken": complaint.action_taken,
        "reply": _masked_text(complaint.reply_text, complaint),
        "status": str(complaint.get_status_display()),
    }


PHONE_IN_TEXT = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


def _masked_text(text: str, complaint: Complaint) -> str:
    """The complainant's own words for head office, with their name and any mobile number masked."""
    text = PHONE_IN_TEXT.sub(r"\1****\2", text or "")
    name = (complaint.complainant_name or "").strip()
    if name:
        text = text.replace(name, mask_name(name))
    return text


def _head_office_title(complaint: Complaint) -> str:
    title = _("Major complaint %(number)s: %(subject)s") % {
        "number": complaint.number,
        "subject": complaint_subject_display(complaint),
    }
    return title if len(title) <= 200 else title[:199] + "…"


def _reported(complaint: Complaint):
    """The complaint's report in head office's inbox, or None if it was never sent."""
    if not complaint.report_to_head_office:
        return None
    return submission_for_current_center(kind=HEAD_OFFICE_KIND, reference=complaint.pk)


def _head_office_follow(complaint: Complaint, *, note: str, acting_user) -> None:
    """Send head office what changed on a reported complaint; close the report with the complaint."""
    submission = _reported(complaint)
    if submission is None or submission.status == "closed":
        return
    arguments = {
        "center": current_center(),
        "kind": HEAD_OFFICE_KIND,
        "reference": complaint.pk,
        "snapshot": complaint_head_office_snapshot(complaint),
        "note": note,
        "submitted_by_name": user_display_name(acting_user),
    }
    if complaint.status == Complaint.Status.CLOSED:
        submission_close(**arguments)
    else:
        submission_update(title=_head_office_title(complaint), **arguments)


@transaction.atomic
def complaint_mark_for_head_office(*, complaint: Complaint, report_text: str, acting_user=None) -> Complaint:
    """Report a complaint to head office: the report (what happened, the finding, actions, the reply)
    arrives in head office's inbox; sent again, it is an update of the same report."""
    complaint = _lock(complaint)
    report_text = (report_text or "").strip()
    if not report_text:
        raise ValidationError({"head_office_report": _("Write the report to head office.")})
    if complaint.status == Complaint.Status.CLOSED and _reported(complaint) is None:
        raise ValidationError(_("This complaint is closed."))
    changes = diff_fields(complaint, {"report_to_head_office": True, "head_office_report": report_text})
    already = _reported(complaint)
    if not changes and already is not None and already.status != "returned":
        return complaint  # nothing new; a report head office asked more of is sent again
    complaint.report_to_head_office = True
    complaint.head_office_report = report_text
    complaint.reported_at = complaint.reported_at or timezone.now()
    complaint.full_clean()
    complaint.save(update_fields=["report_to_head_office", "head_office_report", "reported_at", "updated"])
    audit_record(
        instance=complaint, action="complaint_mark_for_head_office", acting_user=acting_user, changes=changes
    )
    if already is None:
        submission_submit(
            center=current_center(),
            kind=HEAD_OFFICE_KIND,
            reference=str(complaint.pk),
            title=_head_office_title(complaint),
            snapshot=complaint_head_office_snapshot(complaint),
            submitted_by_name=user_display_name(acting_user),
        )
    else:
        _head_office_follow(complaint, note=_("The report was revised."), acting_user=acting_user)
    return complaint


@transaction.atomic
def complaint_head_office_answer(
    *, reference, decision: str, comment: str, decided_by_name: str
) -> Complaint:
    """Head office's answer to a reported complaint (called by the portal in this center's schema):
    acknowledged, or asked for more with a comment the center sees on the complaint."""
    try:
        # No row lock: the answer only writes history and notifies, and the center locks the
        # complaint before the submission (the opposite order would risk a deadlock).
        complaint = Complaint.objects.get(pk=int(reference))
    except (Complaint.DoesNotExist, TypeError, ValueError):
        raise ValidationError(_("The complaint does not exist in this center.")) from None
    audit_record(
        instance=complaint,
        action="complaint_head_office_answer",
        changes={"decision": decision, "comment": comment, "by": decided_by_name},
    )
    asked = decision == "returned"
    title = (
        _("Head office asks for more on complaint %(number)s")
        if asked
        else _("Head office has acknowledged complaint %(number)s")
    ) % {"number": complaint.number}
    recipients = {
        user.pk: user for user in [complaint.handler, complaint.created_by, *center_heads()] if user
    }
    for user in recipients.values():
        notify(
            recipient=user,
            kind="complaint_head_office",
            title=title,
            body=comment,
            url=_detail_url(complaint),
            dedupe_key=f"complaint-head-office:{complaint.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
            sms=asked,
        )
    return complaint


def complaints_notify_overdue(*, today: dt.date | None = None) -> int:
    """Tell handlers (or, without one, the creator) about open complaints past their reply date.

    Safe to run twice a day: each complaint's overdue notice is sent once per recipient.
    """
    today = today or timezone.localdate()
    sent = 0
    for complaint in complaints_overdue(today=today).select_related("handler", "created_by"):
        recipient = complaint.handler or complaint.created_by
        with transaction.atomic():
            if notify(
                recipient=recipient,
                kind="complaint_overdue",
                title=_("Complaint %(number)s is past its reply date") % {"number": complaint.number},
                body=_("Reply was due by %(date)s.") % {"date": complaint.reply_due.isoformat()},
                url=_detail_url(complaint),
                dedupe_key=f"complaint-overdue:{complaint.pk}",
            ):
                sent += 1
    return sent
