"""Not reached: a visit or call that did not reach the elder starts an escalation (DESIGN §11).

Contacts are called in order (each call recorded); an elder still not reached when the
escalation's deadline passes goes to the center head as an urgent task with a security (护卫部)
work order for an in-person check; the outcome ends it. A later visit or call that reaches the
elder ends it too ("found well"). One escalation per elder at a time: a further not-reached
attempt while one is running belongs to it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.models import (
    Department,
    ElderContact,
    ElderEscalation,
    ElderVisit,
    EscalationCall,
    WorkOrder,
)
from operations.notify import notify
from operations.services.common import audit_record

ACTIVE_STATUSES = (ElderEscalation.Status.OPEN, ElderEscalation.Status.ESCALATED)
IN_PERSON_CHECK_WITHIN = dt.timedelta(hours=1)
NOTE_REQUIRED = (ElderEscalation.Outcome.EMERGENCY, ElderEscalation.Outcome.OTHER)


def escalation_url(escalation: ElderEscalation) -> str:
    try:
        return reverse("elder_escalations:inspect", args=[escalation.pk])
    except NoReverseMatch:  # outside the admin's URLs (management commands in tests)
        return ""


def center_heads():
    """Who answers for elders at the center: the users who may see every elder's sensitive data."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="view_elder_sensitive")
            | Q(user_permissions__codename="view_elder_sensitive")
        )
        .distinct()
        .order_by("pk")
    )


def _audit(escalation: ElderEscalation, action: str, acting_user, **changes) -> None:
    audit_record(
        instance=escalation.elder,
        action=action,
        acting_user=acting_user,
        changes={"escalation": escalation.pk, **changes},
    )


def _lock(escalation: ElderEscalation) -> ElderEscalation:
    return (
        ElderEscalation.objects.select_for_update(of=("self",))
        .select_related("elder__resident__unit__building", "elder__manager", "work_order")
        .get(pk=escalation.pk)
    )


def _refuse_if_resolved(escalation: ElderEscalation) -> None:
    if escalation.status == ElderEscalation.Status.RESOLVED:
        raise ValidationError(_("This escalation is already resolved."))


def _figures(escalation: ElderEscalation) -> None:
    from operations.services.elder_figures import elder_figures_refresh

    elder_figures_refresh(day=timezone.localtime(escalation.created).date())


@transaction.atomic
def elder_escalation_open(*, visit: ElderVisit, acting_user=None) -> ElderEscalation:
    """Open the escalation of a visit that did not reach the elder (called by ``elder_visit_record``);
    while one is running for the elder, the new attempt joins it and no second one starts."""
    from operations.services.elders import elder_care_settings

    running = (
        ElderEscalation.objects.select_for_update()
        .filter(elder=visit.elder, status__in=ACTIVE_STATUSES)
        .order_by("created")
        .first()
    )
    if running is not None:
        _audit(running, "elder_escalation_attempt", acting_user, visit=visit.pk)
        return running
    hours = elder_care_settings().escalation_hours
    start = max(visit.visited_at, timezone.now())
    escalation = ElderEscalation.objects.create(
        elder=visit.elder, visit=visit, deadline=start + dt.timedelta(hours=hours)
    )
    _audit(escalation, "elder_escalation_open", acting_user, deadline=escalation.deadline.isoformat())
    return escalation


@transaction.atomic
def elder_escalation_call_record(
    *,
    escalation: ElderEscalation,
    contact: ElderContact | None,
    answered: bool,
    note: str = "",
    called_at: dt.datetime | None = None,
    acting_user,
) -> EscalationCall:
    """Record one call to an emergency contact (in the order to call). An answered call needs a
    note of what the contact said; the escalation stays running until its outcome is recorded or
    the elder is reached."""
    escalation = _lock(escalation)
    _refuse_if_resolved(escalation)
    now = timezone.now()
    called_at = called_at or now
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if contact is None or contact.elder_id != escalation.elder_id or not contact.is_active:
        errors.setdefault("contact", []).append(_("Choose one of the elder's emergency contacts."))
    if called_at > now + dt.timedelta(minutes=5):
        errors.setdefault("called_at", []).append(_("A call cannot be recorded in the future."))
    elif called_at < escalation.visit.visited_at - dt.timedelta(minutes=1):
        errors.setdefault("called_at", []).append(
            _("The elder was not reached at %(time)s: the call cannot be before that.")
            % {"time": timezone.localtime(escalation.visit.visited_at).strftime("%Y-%m-%d %H:%M")}
        )
    if answered and not note:
        errors.setdefault("note", []).append(_("Say what the contact said (where the elder is, who goes)."))
    if len(note) > 300:
        errors.setdefault("note", []).append(_("Keep the note within 300 characters."))
    if errors:
        raise ValidationError(errors)
    call = EscalationCall.objects.create(
        escalation=escalation,
        contact=contact,
        called_at=called_at,
        answered=bool(answered),
        note=note,
        acting_user=acting_user,
    )
    _audit(
        escalation,
        "elder_escalation_call_record",
        acting_user,
        call=call.pk,
        relation=contact.relation,
        answered=bool(answered),
    )
    return call


def _in_person_check(escalation: ElderEscalation, now: dt.datetime) -> WorkOrder | None:
    from operations.services.work_orders import work_order_create

    resident = escalation.elder.resident
    department = Department.objects.filter(code="security", is_active=True).first()
    description = _(
        "Elder living alone not reached since %(time)s: go to the home now and check on %(name)s "
        "(%(unit)s); report to the center head."
    ) % {
        "time": timezone.localtime(escalation.visit.visited_at).strftime("%m-%d %H:%M"),
        "name": resident.name,
        "unit": resident.unit,
    }
    return work_order_create(
        acting_user=None,
        description=description,
        kind=WorkOrder.Kind.OTHER,
        source=WorkOrder.Source.ELDER_VISIT,
        unit=resident.unit,
        resident=resident,
        department=department,
        is_urgent=True,
        deadline=now + IN_PERSON_CHECK_WITHIN,
        received_at=now,
    )


def elder_escalations_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Escalate every running escalation whose deadline has passed, in the current center: an
    urgent task (notification, by SMS too) to each center head and an urgent security work order for
    an in-person check. Safe to run twice: an escalation is escalated once (row lock, skip locked).
    Returns ``escalated`` and ``notified`` counts."""
    now = now or timezone.now()
    counts = {"escalated": 0, "notified": 0}
    due = ElderEscalation.objects.filter(status=ElderEscalation.Status.OPEN, deadline__lte=now)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            escalation = (
                ElderEscalation.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("elder__resident__unit__building", "visit")
                .filter(pk=pk, status=ElderEscalation.Status.OPEN)
                .first()
            )
            if escalation is None:
                continue
            escalation.status = ElderEscalation.Status.ESCALATED
            escalation.escalated_at = now
            escalation.work_order = _in_person_check(escalation, now)
            escalation.save(update_fields=["status", "escalated_at", "work_order", "updated"])
            _audit(
                escalation,
                "elder_escalation_escalate",
                None,
                work_order=escalation.work_order.number if escalation.work_order else "",
            )
            counts["escalated"] += 1
            resident = escalation.elder.resident
            for head in center_heads():
                if notify(
                    recipient=head,
                    kind="elder.escalated",
                    title=_("Urgent: %(name)s (%(unit)s) still not reached")
                    % {"name": resident.name, "unit": resident.unit},
                    body=_("Security has been sent for an in-person check (work order %(number)s).")
                    % {"number": escalation.work_order.number if escalation.work_order else "—"},
                    url=escalation_url(escalation),
                    dedupe_key=f"elderesc:{escalation.pk}:escalated",
                    sms=True,
                ):
                    counts["notified"] += 1
            _figures(escalation)
    return counts


@transaction.atomic
def elder_escalation_resolve(
    *,
    escalation: ElderEscalation,
    outcome: str,
    note: str = "",
    paused_until: dt.date | None = None,
    acting_user,
) -> ElderEscalation:
    """End the escalation with its outcome. In hospital also changes the elder's status (visits
    paused until ``paused_until``); a security check not yet under way is cancelled."""
    from operations.models import Elder
    from operations.services.elders import elder_status_change
    from operations.services.work_orders import work_order_cancel

    escalation = _lock(escalation)
    _refuse_if_resolved(escalation)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome not in ElderEscalation.Outcome.values:
        errors.setdefault("outcome", []).append(_("Choose how the elder was found."))
    elif outcome in NOTE_REQUIRED and not note:
        errors.setdefault("note", []).append(_("Say what happened."))
    if len(note) > 300:
        errors.setdefault("note", []).append(_("Keep the note within 300 characters."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    escalation.status = ElderEscalation.Status.RESOLVED
    escalation.outcome = outcome
    escalation.outcome_note = note
    escalation.resolved_at = now
    escalation.resolved_by = acting_user
    escalation.save(
        update_fields=["status", "outcome", "outcome_note", "resolved_at", "resolved_by", "updated"]
    )
    work_order = escalation.work_order
    if work_order and work_order.status in (WorkOrder.Status.PENDING, WorkOrder.Status.DISPATCHED):
        work_order_cancel(
            work_order=work_order,
            acting_user=acting_user,
            reason=_("The elder was found: %(outcome)s") % {"outcome": escalation.get_outcome_display()},
        )
    _audit(escalation, "elder_escalation_resolve", acting_user, outcome=outcome)
    if outcome == ElderEscalation.Outcome.IN_HOSPITAL and escalation.elder.status == Elder.Status.ACTIVE:
        elder_status_change(
            elder=escalation.elder,
            status=Elder.Status.IN_HOSPITAL,
            paused_until=paused_until,
            note=note,
            acting_user=acting_user,
        )
    _figures(escalation)
    return escalation


def elder_escalations_reached(*, visit: ElderVisit, acting_user) -> list[ElderEscalation]:
    """A visit or call that reached the elder ends the escalations still running ("found well");
    called by ``elder_visit_record`` inside its transaction."""
    resolved = []
    running = ElderEscalation.objects.filter(
        elder=visit.elder, status__in=ACTIVE_STATUSES, visit__visited_at__lte=visit.visited_at
    )
    for escalation in running:
        resolved.append(
            elder_escalation_resolve(
                escalation=escalation,
                outcome=ElderEscalation.Outcome.FOUND_WELL,
                note=_("Reached at the %(kind)s of %(time)s")
                % {
                    "kind": visit.get_kind_display(),
                    "time": timezone.localtime(visit.visited_at).strftime("%m-%d %H:%M"),
                },
                acting_user=acting_user,
            )
        )
    return resolved
