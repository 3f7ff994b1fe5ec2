"""State changes of the head-office inbox and the per-center figures.

``submission_submit`` and ``center_kpi_set`` are called by a center's services while the
connection is in that center's schema (the public tables are on the search path, same
transaction). ``submission_decide`` is head office's only way to change a center's records:
it runs the kind's handler (portal.decisions) inside the center's schema.
"""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from django_tenants.utils import get_public_schema_name, schema_context

from portal.decisions import decision_handler
from portal.kpis import KPI_BY_CODE, RATE
from portal.models import (
    CenterDay,
    CenterKpi,
    CenterMonth,
    KpiThreshold,
    Submission,
    SubmissionAttachment,
    SubmissionEvent,
)
from tenants.models import ServiceCenter

DECISION_ACTIONS = {
    Submission.Status.APPROVED: SubmissionEvent.Action.APPROVED,
    Submission.Status.REJECTED: SubmissionEvent.Action.REJECTED,
    Submission.Status.RETURNED: SubmissionEvent.Action.RETURNED,
    Submission.Status.ACKNOWLEDGED: SubmissionEvent.Action.ACKNOWLEDGED,
}
#: What head office may answer, per kind: a major complaint's report is acknowledged or returned
#: with a request for more; everything else is approved, rejected or returned.
DECISIONS_BY_KIND = {
    Submission.Kind.MAJOR_COMPLAINT: (Submission.Status.ACKNOWLEDGED, Submission.Status.RETURNED),
    Submission.Kind.SERVICE_REVIEW: (Submission.Status.ACKNOWLEDGED,),
}
DEFAULT_DECISIONS = (Submission.Status.APPROVED, Submission.Status.REJECTED, Submission.Status.RETURNED)
#: Reports that stay open after head office's answer: the center keeps sending updates.
FOLLOWED_KINDS = (Submission.Kind.MAJOR_COMPLAINT,)


def decisions_for(kind: str) -> tuple[str, ...]:
    return DECISIONS_BY_KIND.get(kind, DEFAULT_DECISIONS)


def _user_name(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username())[:150]


@transaction.atomic
def submission_submit(
    *, center: ServiceCenter, kind: str, reference: str, title: str, snapshot: dict, submitted_by_name: str
) -> Submission:
    """Send a record of ``center`` to the head-office inbox, or send a returned one again.

    Only the center itself may submit: the connection must be in its schema. A record that is
    pending or already decided (approved, rejected) is refused.
    """
    if connection.schema_name != center.schema_name:
        raise ValidationError(_("A service center can only submit its own records."))
    reference = str(reference)
    existing = (
        Submission.objects.select_for_update().filter(center=center, kind=kind, reference=reference).first()
    )
    if existing is None:
        submission = Submission(
            center=center,
            kind=kind,
            reference=reference,
            title=title,
            snapshot=snapshot,
            submitted_by_name=submitted_by_name,
        )
        action = SubmissionEvent.Action.SUBMITTED
    elif existing.status == Submission.Status.PENDING:
        raise ValidationError(_("This record is already waiting for head office's decision."))
    elif existing.status != Submission.Status.RETURNED:
        raise ValidationError(
            _("Head office has already decided this record (%(status)s); it cannot be submitted again.")
            % {"status": existing.get_status_display()}
        )
    else:
        submission = existing
        submission.title = title
        submission.snapshot = snapshot
        submission.submitted_by_name = submitted_by_name
        submission.status = Submission.Status.PENDING
        submission.created = timezone.now()  # "submitted": the inbox shows and sorts by the latest sending
        submission.decided_at = None
        submission.decided_by_name = ""
        submission.comment = ""
        action = SubmissionEvent.Action.RESUBMITTED
    submission.full_clean()
    submission.save()
    SubmissionEvent.objects.create(submission=submission, action=action, actor_name=submitted_by_name)
    return submission


def _own_submission(*, center: ServiceCenter, kind: str, reference) -> Submission:
    if connection.schema_name != center.schema_name:
        raise ValidationError(_("A service center can only submit its own records."))
    submission = (
        Submission.objects.select_for_update()
        .filter(center=center, kind=kind, reference=str(reference))
        .first()
    )
    if submission is None:
        raise ValidationError(_("This record has not been reported to head office."))
    if submission.status == Submission.Status.CLOSED:
        raise ValidationError(_("This report to head office is closed."))
    return submission


@transaction.atomic
def submission_update(
    *,
    center: ServiceCenter,
    kind: str,
    reference,
    title: str,
    snapshot: dict,
    note: str,
    submitted_by_name: str,
) -> Submission:
    """A center sends head office what changed in a report it follows (a major complaint's
    investigation, actions, reply): the snapshot is replaced, the note kept in the history, and
    the report waits for head office's attention again."""
    submission = _own_submission(center=center, kind=kind, reference=reference)
    submission.title = title
    return _follow_up(
        submission,
        Submission.Status.PENDING,
        SubmissionEvent.Action.UPDATED,
        snapshot,
        note,
        submitted_by_name,
    )


@transaction.atomic
def submission_close(
    *, center: ServiceCenter, kind: str, reference, snapshot: dict, note: str, submitted_by_name: str
) -> Submission:
    """The center closed the record it reported (the complaint is closed): so is the report."""
    submission = _own_submission(center=center, kind=kind, reference=reference)
    return _follow_up(
        submission, Submission.Status.CLOSED, SubmissionEvent.Action.CLOSED, snapshot, note, submitted_by_name
    )


def _follow_up(
    submission: Submission, status: str, action: str, snapshot: dict, note: str, name: str
) -> Submission:
    """The new snapshot and status of a followed report, with the center's note in its history."""
    submission.snapshot = snapshot
    submission.status = status
    submission.full_clean()
    submission.save()
    SubmissionEvent.objects.create(submission=submission, action=action, actor_name=name, comment=note)
    return submission


@transaction.atomic
def submission_decide(*, submission: Submission, decision: str, comment: str, acting_user) -> Submission:
    """Approve, reject or return a pending submission and apply the decision in its center.

    Rejecting or returning needs a comment. The center's handler runs in the center's schema
    in this transaction: if it fails, the decision is not recorded either.
    """
    if not acting_user.has_perm("portal.decide_submission"):
        raise ValidationError(_("You may not decide submissions."))
    locked = Submission.objects.select_for_update().select_related("center").get(pk=submission.pk)
    if decision not in decisions_for(locked.kind):
        if locked.kind == Submission.Kind.MAJOR_COMPLAINT:
            raise ValidationError(_("Acknowledge the report or ask the center for more."))
        if locked.kind == Submission.Kind.SERVICE_REVIEW:
            raise ValidationError(_("A service project's review is acknowledged."))
        raise ValidationError(_("Choose approve, reject or return."))
    comment = (comment or "").strip()
    if decision in (Submission.Status.REJECTED, Submission.Status.RETURNED) and not comment:
        if locked.kind == Submission.Kind.MAJOR_COMPLAINT:
            raise ValidationError({"comment": _("Say what more head office needs to know.")})
        raise ValidationError({"comment": _("Say why the submission is rejected or returned.")})
    if locked.status != Submission.Status.PENDING:
        raise ValidationError(
            _("This submission has already been decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    name = _user_name(acting_user)
    locked.status = decision
    locked.comment = comment
    locked.decided_at = timezone.now()
    locked.decided_by_name = name
    locked.full_clean()
    locked.save()
    SubmissionEvent.objects.create(
        submission=locked, action=DECISION_ACTIONS[decision], actor_name=name, comment=comment
    )
    handler = decision_handler(locked.kind)
    if handler is not None:
        with schema_context(locked.center.schema_name):
            handler(reference=locked.reference, decision=decision, comment=comment, decided_by_name=name)
    submission.refresh_from_db()
    return locked


@transaction.atomic
def center_kpi_set(*, center: ServiceCenter, **values) -> CenterKpi:
    """Store figures a center's job computed (``overdue_loans=3``); creates the row the first time."""
    fields = {f.name for f in CenterKpi._meta.concrete_fields} - {"id", "center", "updated"}
    unknown = set(values) - fields
    if unknown:
        raise ValueError(f"Unknown center figures: {', '.join(sorted(unknown))}")
    kpi = CenterKpi.objects.select_for_update().filter(center=center).first() or CenterKpi(center=center)
    for field, value in values.items():
        setattr(kpi, field, value)
    kpi.full_clean()
    kpi.save()
    return kpi


@transaction.atomic
def center_month_set(*, center: ServiceCenter, month, **values) -> CenterMonth:
    """Store a center's figures for ``month`` (any day of it); creates the row the first time."""
    return _figures_set(CenterMonth, values, center=center, month=month.replace(day=1))


@transaction.atomic
def center_day_set(*, center: ServiceCenter, day, **values) -> CenterDay:
    """Store a center's figures for one local ``day``; creates the row the first time."""
    return _figures_set(CenterDay, values, center=center, day=day)


def _figures_set(model, values: dict, **key):
    """Create or update the figures row of ``key`` (a center and its period); unknown figures are a bug."""
    fields = {f.name for f in model._meta.concrete_fields} - {"id", "updated", *key}
    unknown = set(values) - fields
    if unknown:
        raise ValueError(f"Unknown center figures: {', '.join(sorted(unknown))}")
    row, _created = model.objects.select_for_update().get_or_create(**key)
    for field, value in values.items():
        setattr(row, field, value)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def kpi_thresholds_set(*, marks: dict, acting_username: str = "") -> list[KpiThreshold]:
    """Store head office's amber and red marks (``{code: (amber, red)}``) for the dashboard's figures.

    A figure that is better high (a rate) turns red below its red mark, which must not be above
    the amber one; a figure that is better low turns red from its red mark, which must not be below
    the amber one. Rates are percentages, at most 100. Nothing is saved if any mark is wrong.
    """
    errors: dict[str, list] = {}
    for code, (amber, red) in marks.items():
        kpi = KPI_BY_CODE.get(code)
        if kpi is None:
            raise ValueError(f"Unknown figure: {code}")
        for name, mark in (("amber", amber), ("red", red)):
            if mark is not None and kpi.kind == RATE and not 0 <= mark <= 100:
                errors.setdefault(f"{code}__{name}", []).append(
                    _("A rate's mark is a percentage from 0 to 100.")
                )
        if amber is not None and red is not None:
            wrong = red > amber if kpi.higher_is_better else red < amber
            if wrong:
                errors.setdefault(f"{code}__red", []).append(
                    _("The red mark must be worse than the amber one (lower for %(figure)s).")
                    % {"figure": kpi.label}
                    if kpi.higher_is_better
                    else _("The red mark must be worse than the amber one (higher for %(figure)s).")
                    % {"figure": kpi.label}
                )
    if errors:
        raise ValidationError(errors)
    saved = []
    for code, (amber, red) in marks.items():
        row, _created = KpiThreshold.objects.select_for_update().get_or_create(code=code)
        if (row.amber, row.red) != (amber, red) or _created:
            row.amber, row.red, row.updated_by_name = amber, red, acting_username
            row.full_clean()
            row.save()
        saved.append(row)
    return saved


@transaction.atomic
def submission_mark_model(*, submission: Submission, is_model: bool, acting_user) -> Submission:
    """Hold an approved service project up as a model for the other centers (or stop doing so)."""
    if not acting_user.has_perm("portal.decide_submission"):
        raise ValidationError(_("You may not decide submissions."))
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.kind != Submission.Kind.SERVICE_PROJECT or locked.status != Submission.Status.APPROVED:
        raise ValidationError(_("Only an approved service project can be a model for the other centers."))
    locked.is_model = bool(is_model)
    locked.save(update_fields=["is_model", "updated"])
    return locked


def submission_attach(
    *, submission: Submission, title: str, filename: str, content: bytes
) -> SubmissionAttachment:
    """Copy a center's file into head office's storage (the public schema's media), for the inbox."""
    with schema_context(get_public_schema_name()):
        attachment = SubmissionAttachment(submission=submission, title=title[:255])
        attachment.file.save(filename, ContentFile(content), save=False)
        attachment.save()
    return attachment
