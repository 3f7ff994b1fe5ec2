"""Service-project proposals (便民服务项目制定与论证, 5.1): from the need to head office's decision.

States (in words on every screen) and the only moves between them::

    草稿 → 已论证 (a meeting decided to go on) → [调查中 (a resident survey)] → 可行性报告
        → 已报总部 → 已批准 / 已驳回 / 已退回 (edited and submitted again) → 实施中 → 已评估
    a meeting may also drop the proposal (已放弃).

Every change goes through these functions: keyword-only, atomic, audited on the proposal. The
submission to head office is the inbox's (``portal.services.submission_submit``, kind
``service_project``) with a snapshot of the proposal; head office's decision comes back through
``proposal_apply_decision`` (registered in ``operations.apps``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.documents import get_document_model

from operations.models import (
    Department,
    ProposalMeeting,
    RequiredMaterial,
    ServiceItem,
    ServiceProposal,
    Survey,
    WorkOrder,
)
from operations.notify import notify
from operations.selectors.surveys import survey_results
from operations.services.common import (
    audit_record,
    diff_fields,
    next_number,
    private_collection,
    user_or_none,
)
from operations.services.purchasing import center_heads, user_display_name
from portal.selectors import current_center, submission_for_current_center
from portal.services import submission_attach, submission_submit
from portal.uploads import document_clean

S = ServiceProposal.Status
KIND = "service_project"
REVIEW_KIND = "service_review"
EDITABLE = (S.DRAFT, S.DISCUSSED, S.SURVEYING, S.FEASIBILITY, S.RETURNED)
DETAIL_FIELDS = (
    "title",
    "need",
    "requested_by",
    "households",
    "description",
    "target_group",
    "is_paid",
    "price",
    "staffing",
    "cost_estimate",
    "start_date",
    "department",
    "review_after_months",
)
EVIDENCE = {
    "evidence_inquiries": "evidence_inquiries",
    "evidence_complaints": "evidence_complaints",
    "evidence_work_orders": "evidence_work_orders",
    "evidence_surveys": "evidence_surveys",
}


def _lock(proposal: ServiceProposal) -> ServiceProposal:
    return ServiceProposal.objects.select_for_update().get(pk=proposal.pk)


def _refuse_unless(proposal: ServiceProposal, *allowed: str) -> None:
    if proposal.status not in allowed:
        raise ValidationError(
            _("The proposal is “%(status)s”: that cannot be done now.")
            % {"status": proposal.get_status_display()}
        )


def _set_status(proposal: ServiceProposal, status: str, *, acting_user, action: str, **changes) -> None:
    old = proposal.status
    proposal.status = status
    proposal.save()
    audit_record(
        instance=proposal,
        action=action,
        acting_user=acting_user,
        changes={"status": [old, status], **changes},
    )


def _clean_details(data: dict, *, today: dt.date) -> dict:
    """Normalise and check the proposal's details; raise every problem at once, in Chinese."""
    errors: dict[str, list] = {}
    cleaned = dict(data)
    for field in ("title", "need", "description", "target_group"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
            if not cleaned[field]:
                errors.setdefault(field, []).append(_("Fill in this field."))
    price = cleaned.get("price")
    if price in ("", None):
        price = None
    else:
        try:
            price = Decimal(str(price))
        except InvalidOperation:
            errors.setdefault("price", []).append(_("Enter the price as a number of yuan."))
            price = None
    cleaned["price"] = price
    is_paid = bool(cleaned.get("is_paid"))
    if is_paid and price is None and "price" not in errors:
        errors.setdefault("price", []).append(_("A paid service needs its price."))
    if not is_paid and price is not None:
        errors.setdefault("price", []).append(
            _("A free service has no price: untick 'paid' or clear the price.")
        )
    if price is not None and price < 0:
        errors.setdefault("price", []).append(_("The price cannot be negative."))
    start = cleaned.get("start_date")
    if "start_date" in cleaned and start is None:
        errors.setdefault("start_date", []).append(_("Enter when the service would start."))
    elif isinstance(start, dt.date) and start < today:
        errors.setdefault("start_date", []).append(_("The start date cannot be in the past."))
    department = cleaned.get("department")
    if department is not None and not isinstance(department, Department):
        errors.setdefault("department", []).append(_("Choose a department."))
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def proposal_create(*, acting_user, evidence: dict | None = None, **details) -> ServiceProposal:
    """The center head drafts a proposal (便民服务项目策划): the need with its evidence from the
    center's own records, and the proposed service."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown proposal fields: {', '.join(sorted(unknown))}")
    cleaned = _clean_details(
        {"title": "", "need": "", "description": "", "target_group": "", "start_date": None, **details},
        today=timezone.localdate(),
    )
    proposal = ServiceProposal(number=next_number("XM"), created_by=acting_user, **cleaned)
    proposal.full_clean(exclude=["number"])
    proposal.save()
    _evidence_set(proposal, evidence or {})
    audit_record(
        instance=proposal,
        action="proposal_create",
        acting_user=acting_user,
        changes={"title": proposal.title},
    )
    return proposal


def _evidence_set(proposal: ServiceProposal, evidence: dict) -> None:
    for name, records in evidence.items():
        if name not in EVIDENCE:
            raise TypeError(f"Unknown evidence: {name}")
        getattr(proposal, name).set(records)


@transaction.atomic
def proposal_update(
    *, proposal: ServiceProposal, acting_user, evidence: dict | None = None, **details
) -> ServiceProposal:
    """Change the details while the proposal is still the center's (not at head office or live)."""
    proposal = _lock(proposal)
    _refuse_unless(proposal, *EDITABLE)
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown proposal fields: {', '.join(sorted(unknown))}")
    merged = {name: getattr(proposal, name) for name in DETAIL_FIELDS} | details
    cleaned = _clean_details(merged, today=timezone.localdate())
    changes = diff_fields(proposal, {name: cleaned[name] for name in details})
    for name in details:
        setattr(proposal, name, cleaned[name])
    proposal.full_clean()
    proposal.save()
    if evidence is not None:
        _evidence_set(proposal, evidence)
        changes["evidence"] = {name: len(records) for name, records in evidence.items()}
    audit_record(instance=proposal, action="proposal_update", acting_user=acting_user, changes=changes)
    return proposal


@transaction.atomic
def proposal_meeting_record(
    *, proposal: ServiceProposal, acting_user, held_on: dt.date, attendees: str, minutes: str, decision: str
) -> ProposalMeeting:
    """The discussion with the customer-service head (5.1.2): go on, change, or drop."""
    proposal = _lock(proposal)
    _refuse_unless(proposal, S.DRAFT, S.DISCUSSED, S.RETURNED)
    errors: dict[str, list] = {}
    if held_on is None:
        errors.setdefault("held_on", []).append(_("Enter the date of the meeting."))
    elif held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(_("A meeting cannot be recorded before it is held."))
    if not (attendees or "").strip():
        errors.setdefault("attendees", []).append(_("Name who took part."))
    if not (minutes or "").strip():
        errors.setdefault("minutes", []).append(_("Write down what was said."))
    if decision not in ProposalMeeting.Decision.values:
        errors.setdefault("decision", []).append(_("Choose what the meeting decided."))
    if errors:
        raise ValidationError(errors)
    meeting = ProposalMeeting.objects.create(
        proposal=proposal,
        held_on=held_on,
        attendees=attendees.strip(),
        minutes=minutes.strip(),
        decision=decision,
        recorded_by=acting_user,
    )
    status = {
        ProposalMeeting.Decision.GO_ON: S.DISCUSSED if proposal.status == S.DRAFT else proposal.status,
        ProposalMeeting.Decision.CHANGE: S.DRAFT if proposal.status != S.RETURNED else S.RETURNED,
        ProposalMeeting.Decision.DROP: S.DROPPED,
    }[decision]
    _set_status(
        proposal, status, acting_user=acting_user, action="proposal_meeting_record", decision=decision
    )
    return meeting


@transaction.atomic
def proposal_survey_attach(*, proposal: ServiceProposal, survey: Survey, acting_user) -> ServiceProposal:
    """Survey residents (5.1.2–5.1.3) with the center's survey machinery; its results come with it."""
    proposal = _lock(proposal)
    _refuse_unless(proposal, S.DISCUSSED)
    proposal.survey = survey
    _set_status(
        proposal, S.SURVEYING, acting_user=acting_user, action="proposal_survey_attach", survey=survey.title
    )
    return proposal


@transaction.atomic
def proposal_survey_summarise(*, proposal: ServiceProposal, summary: str, acting_user) -> ServiceProposal:
    """The customer-service head sums up the survey and picks what is necessary and feasible (5.1.3)."""
    proposal = _lock(proposal)
    _refuse_unless(proposal, S.SURVEYING)
    if proposal.survey is not None and proposal.survey.is_open:
        raise ValidationError(_("The survey is still open: close it before summing up its results."))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"survey_summary": _("Write what the survey showed and what is worth doing.")})
    proposal.survey_summary = summary
    proposal.save(update_fields=["survey_summary", "updated"])
    audit_record(instance=proposal, action="proposal_survey_summarise", acting_user=acting_user, changes={})
    return proposal


@transaction.atomic
def proposal_report_write(
    *, proposal: ServiceProposal, acting_user, document=None, document_file=None, **sections
) -> ServiceProposal:
    """The feasibility report (便民服务项目可行性报告): need, plan, resources, cost and price, risks,
    how success is measured — every section written."""
    proposal = _lock(proposal)
    _refuse_unless(proposal, S.DISCUSSED, S.SURVEYING, S.FEASIBILITY, S.RETURNED)
    unknown = set(sections) - set(ServiceProposal.REPORT_SECTIONS)
    if unknown:
        raise TypeError(f"Unknown report sections: {', '.join(sorted(unknown))}")
    if proposal.status == S.SURVEYING and not proposal.survey_summary:
        raise ValidationError(_("The survey has not been summed up yet: the report builds on its summary."))
    cleaned = {name: (sections.get(name) or "").strip() for name in ServiceProposal.REPORT_SECTIONS}
    missing = {name: [_("Write this section of the report.")] for name, text in cleaned.items() if not text}
    if missing:
        raise ValidationError(missing)
    changes = diff_fields(proposal, cleaned)
    for name, text in cleaned.items():
        setattr(proposal, name, text)
    if document_file is not None:
        document = _store_report(upload=document_file, proposal=proposal, acting_user=acting_user)
    if document is not None:
        proposal.report_document = document
    status = proposal.status if proposal.status in (S.FEASIBILITY, S.RETURNED) else S.FEASIBILITY
    old = proposal.status
    proposal.status = status
    proposal.save()
    audit_record(
        instance=proposal,
        action="proposal_report_write",
        acting_user=acting_user,
        changes={"status": [old, status], "sections": sorted(changes)},
    )
    return proposal


PROJECT_PAPERS_COLLECTION = "项目资料"  # login-only, like the other operational attachments


def _store_report(*, upload, proposal: ServiceProposal, acting_user):
    """Keep the report's document (a signed scan, a cost sheet) where only staff can open it."""
    try:
        document_clean(upload)  # size, type and content (portal.uploads)
    except ValidationError as error:
        raise ValidationError({"document_file": error.messages}) from None
    document = get_document_model()(
        title=f"{proposal.number} 可行性报告",
        file=upload,
        collection=private_collection(name=PROJECT_PAPERS_COLLECTION),
        uploaded_by_user=user_or_none(acting_user),
    )
    try:
        document.full_clean()
    except ValidationError as error:
        raise ValidationError({"document_file": error.messages}) from None
    document.save()
    return document


def _survey_result(survey: Survey | None) -> str:
    """The survey's title with its figures, attached automatically (no answer, no name)."""
    if survey is None:
        return ""
    results = survey_results(survey=survey, comments_limit=0)
    rate = results.satisfaction_rate
    return _("%(title)s: %(responses)d responses, %(rate)s satisfied") % {
        "title": survey.title,
        "responses": results.response_count,
        "rate": "—" if rate is None else f"{rate}%",
    }


def proposal_snapshot(proposal: ServiceProposal) -> dict:
    """What head office reads: the need in numbers (no resident's name), the service, the meetings,
    the survey's summary and the feasibility report."""
    survey = proposal.survey
    return {
        "number": proposal.number,
        "service": proposal.title,
        "need": proposal.need,
        "requested_by": proposal.requested_by,
        "households": proposal.households,
        "evidence": _(
            "%(inquiries)d first inquiries, %(complaints)d complaints, %(orders)d work orders, %(surveys)d surveys"
        )
        % {
            "inquiries": proposal.evidence_inquiries.count(),
            "complaints": proposal.evidence_complaints.count(),
            "orders": proposal.evidence_work_orders.count(),
            "surveys": proposal.evidence_surveys.count(),
        },
        "description": proposal.description,
        "target_group": proposal.target_group,
        "fee": (_("%(price)s yuan") % {"price": proposal.price}) if proposal.is_paid else _("Free"),
        "staffing": proposal.staffing,
        "cost_estimate": str(proposal.cost_estimate or ""),
        "start_date": proposal.start_date.isoformat(),
        "department": proposal.department.name if proposal.department else "",
        "meetings": "；".join(
            f"{m.held_on:%Y-%m-%d}（{m.attendees}）{m.get_decision_display()}：{m.minutes}"
            for m in proposal.meetings.all()
        ),
        "survey": _survey_result(survey),
        "survey_summary": proposal.survey_summary,
        **{name: getattr(proposal, name) for name in ServiceProposal.REPORT_SECTIONS},
        # The document stays in the center (login-only); head office sees that there is one.
        "report_document": proposal.report_document.title if proposal.report_document_id else "",
    }


@transaction.atomic
def proposal_submit(*, proposal: ServiceProposal, acting_user) -> ServiceProposal:
    """The center head sends the reviewed feasibility report to head office (5.1.4), or sends a
    returned proposal again; head office's earlier comments stay in the inbox's history."""
    proposal = _lock(proposal)
    _refuse_unless(proposal, S.FEASIBILITY, S.RETURNED)
    errors = []
    if not proposal.meetings.filter(decision=ProposalMeeting.Decision.GO_ON).exists():
        errors.append(_("Record the meeting that discussed the proposal before submitting it."))
    if any(not getattr(proposal, name) for name in ServiceProposal.REPORT_SECTIONS):
        errors.append(_("Write the feasibility report before submitting it."))
    if proposal.start_date < timezone.localdate():
        errors.append(_("The proposed start date has passed: choose a new one before submitting."))
    if proposal.survey is not None and proposal.survey.is_open:
        errors.append(_("The survey is still open: close it before submitting."))
    if errors:
        raise ValidationError(errors)
    submission = submission_submit(
        center=current_center(),
        kind=KIND,
        reference=str(proposal.pk),
        title=_("Service project: %(title)s") % {"title": proposal.title},
        snapshot=proposal_snapshot(proposal),
        submitted_by_name=user_display_name(acting_user),
    )
    if proposal.report_document_id:
        document = proposal.report_document
        with document.file.open("rb") as handle:
            content = handle.read()
        submission_attach(
            submission=submission,
            title=document.title,
            filename=document.file.name.rsplit("/", 1)[-1],
            content=content,
        )
    proposal.submitted_at = timezone.now()
    _set_status(proposal, S.SUBMITTED, acting_user=acting_user, action="proposal_submit")
    return proposal


DECISIONS = {"approved": S.APPROVED, "rejected": S.REJECTED, "returned": S.RETURNED}


@transaction.atomic
def proposal_apply_decision(
    *, reference, decision: str, comment: str, decided_by_name: str
) -> ServiceProposal:
    """Head office's decision on a submitted proposal (called by the portal in this center's schema)."""
    if decision not in DECISIONS:
        raise ValidationError(_("Unknown decision."))
    try:
        proposal = ServiceProposal.objects.select_for_update().get(pk=int(reference))
    except (ServiceProposal.DoesNotExist, TypeError, ValueError):
        raise ValidationError(_("The proposal does not exist in this center.")) from None
    _refuse_unless(proposal, S.SUBMITTED)
    proposal.decided_at = timezone.now()
    proposal.decision_comment = comment or ""
    _set_status(
        proposal,
        DECISIONS[decision],
        acting_user=None,
        action="proposal_decision",
        comment=comment or "",
        by=decided_by_name,
    )
    for user in center_heads():
        notify(
            recipient=user,
            kind="service_proposal",
            title=_("Service project %(title)s: %(decision)s")
            % {"title": proposal.title, "decision": proposal.get_status_display()},
            body=comment or "",
            dedupe_key=f"proposal:{proposal.pk}:{decision}:{proposal.decided_at:%Y%m%d%H%M%S%f}",
        )
    return proposal


def proposal_head_office_history(proposal: ServiceProposal):
    """The proposal's exchange with head office (the inbox's events), or None if never submitted."""
    return submission_for_current_center(kind=KIND, reference=proposal.pk)


def _months_later(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)


@transaction.atomic
def proposal_launch(
    *,
    proposal: ServiceProposal,
    acting_user,
    owner,
    start_date: dt.date,
    procedure: str = "",
    materials: str = "",
    time_limit_value: int | None = None,
    time_limit_unit: str = ServiceItem.LimitUnit.WORKING_DAYS,
) -> ServiceProposal:
    """An approved project becomes a convenience service of the center: its item in the service
    guide (published on the residents' site, with the fee and the committed limit), an owner and a
    start date; the review is due after the period the proposal set. Work orders reference the item."""
    proposal = _lock(proposal)
    _refuse_unless(proposal, S.APPROVED)
    errors: dict[str, list] = {}
    if owner is None:
        errors.setdefault("owner", []).append(_("Name who is responsible for the service."))
    if start_date is None:
        errors.setdefault("start_date", []).append(_("Enter when the service starts."))
    if ServiceItem.objects.filter(name=proposal.title).exists():
        errors.setdefault("__all__", []).append(
            _("The service guide already has an item called “%(name)s”.") % {"name": proposal.title}
        )
    if errors:
        raise ValidationError(errors)
    item = ServiceItem(
        name=proposal.title,
        category=ServiceItem.Category.CONVENIENCE,
        description=f"{proposal.description}\n{_('For whom')}：{proposal.target_group}",
        procedure=(procedure or "").strip(),
        time_limit_value=time_limit_value,
        time_limit_unit=time_limit_unit,
        fee_type=ServiceItem.Fee.PAID if proposal.is_paid else ServiceItem.Fee.FREE,
        fee_amount=proposal.price if proposal.is_paid else None,
        department=proposal.department,
        is_published=True,
    )
    item.full_clean()
    item.save()
    names = [line.strip() for line in (materials or "").splitlines() if line.strip()]
    RequiredMaterial.objects.bulk_create(
        [RequiredMaterial(service_item=item, name=name[:100], sort_order=n) for n, name in enumerate(names)]
    )
    proposal.service_item = item
    proposal.owner = owner
    proposal.launched_on = start_date
    proposal.review_due = _months_later(start_date, proposal.review_after_months or 3)
    _set_status(
        proposal,
        S.LIVE,
        acting_user=acting_user,
        action="proposal_launch",
        service_item=item.name,
        review_due=proposal.review_due.isoformat(),
    )
    return proposal


REVIEW_CONCLUSIONS = ("continue", "adjust", "stop")


@transaction.atomic
def proposal_review(
    *, proposal: ServiceProposal, acting_user, conclusion: str, note: str, survey: Survey | None = None
) -> ServiceProposal:
    """The review after the period (default three months): how much the service was used (its work
    orders), what residents said (a closed satisfaction survey), and the conclusion — continue,
    adjust or stop — reported to head office. Stopping takes the service out of the guide."""
    proposal = _lock(proposal)
    _refuse_unless(proposal, S.LIVE)
    errors: dict[str, list] = {}
    if conclusion not in REVIEW_CONCLUSIONS:
        errors.setdefault("conclusion", []).append(_("Choose continue, adjust or stop."))
    note = (note or "").strip()
    if not note:
        errors.setdefault("note", []).append(_("Write what the review found."))
    if survey is not None and survey.is_open:
        errors.setdefault("survey", []).append(_("The survey is still open: close it before the review."))
    if errors:
        raise ValidationError(errors)
    usage = WorkOrder.objects.filter(service_item=proposal.service_item).exclude(
        status=WorkOrder.Status.CANCELLED
    )
    if proposal.launched_on:
        usage = usage.filter(accepted_at__date__gte=proposal.launched_on)
    proposal.review_usage = usage.count()
    proposal.review_survey = survey
    rate = survey_results(survey=survey).satisfaction_rate if survey is not None else None
    proposal.review_satisfaction = Decimal(str(rate)) if rate is not None else None
    proposal.review_conclusion = conclusion
    proposal.review_note = note
    proposal.reviewed_at = timezone.now()
    if conclusion == "stop" and proposal.service_item_id:
        ServiceItem.objects.filter(pk=proposal.service_item_id).update(is_published=False)
    submission_submit(
        center=current_center(),
        kind=REVIEW_KIND,
        reference=str(proposal.pk),
        title=_("Review of service project: %(title)s") % {"title": proposal.title},
        snapshot={
            "number": proposal.number,
            "service": proposal.title,
            "in_service_since": proposal.launched_on.isoformat() if proposal.launched_on else "",
            "usage": proposal.review_usage,
            "satisfaction": str(proposal.review_satisfaction or ""),
            "conclusion": str(dict(ServiceProposal._meta.get_field("review_conclusion").choices)[conclusion]),
            "review": note,
        },
        submitted_by_name=user_display_name(acting_user),
    )
    _set_status(
        proposal, S.REVIEWED, acting_user=acting_user, action="proposal_review", conclusion=conclusion
    )
    return proposal


def proposal_review_acknowledged(*, reference, decision: str, comment: str, decided_by_name: str):
    """Head office has read the review (called by the portal in this center's schema)."""
    try:
        proposal = ServiceProposal.objects.get(pk=int(reference))
    except (ServiceProposal.DoesNotExist, TypeError, ValueError):
        raise ValidationError(_("The proposal does not exist in this center.")) from None
    audit_record(
        instance=proposal,
        action="proposal_review_acknowledged",
        changes={"comment": comment or "", "by": decided_by_name},
    )
    return proposal
