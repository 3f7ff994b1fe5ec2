"""Care activities for elders living alone (关爱活动, 5.2.4 of the procedure).

The quarterly group birthday party invites the elders on the registry whose birthday falls in
the party's quarter; a free clinic (义诊, at least twice a year) records each elder who came and,
only with the health consent, what the doctors observed. Invitations and attendance are the
activity's participants (the elder's resident), so the activity's own pages show them and the
elder's record reads them back; observations stay with the elder's sensitive data.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.models import Activity, ActivityParticipant, ClinicObservation, Elder
from operations.permissions import can_see_elder_sensitive
from operations.selectors.elders import on_visit_lists
from operations.services.activities import _check_open, activity_attendance_set, quarter_of
from operations.services.common import audit_record

MASKED = "***"
OBSERVATIONS_MAX = 300


def _quarter_months(activity: Activity) -> list[int]:
    quarter = quarter_of(timezone.localtime(activity.starts_at).date())
    return [3 * (quarter - 1) + i for i in (1, 2, 3)]


@transaction.atomic
def elder_birthday_invite(*, acting_user, activity: Activity) -> list[ActivityParticipant]:
    """Invite to a group birthday party the elders on the visit lists born in its quarter.

    Idempotent: elders already on the participant list are skipped. Returns the participants added.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.kind != Activity.Kind.BIRTHDAY_PARTY:
        raise ValidationError(_("Elders are invited only to a group birthday party."))
    _check_open(activity)
    existing = set(activity.participants.exclude(resident=None).values_list("resident_id", flat=True))
    elders = (
        Elder.objects.filter(on_visit_lists(), birth_date__month__in=_quarter_months(activity))
        .exclude(resident_id__in=existing)
        .select_related("resident__unit")
        .order_by("birth_date__month", "birth_date__day", "resident__name")
    )
    added = [
        ActivityParticipant(
            activity=activity,
            resident=elder.resident,
            name=elder.resident.name,
            phone=elder.resident.phone,
            unit=elder.resident.unit,
            invited=True,
        )
        for elder in elders
    ]
    ActivityParticipant.objects.bulk_create(added)
    if added:
        audit_record(
            instance=activity,
            action="activity_birthday_elders_invite",
            acting_user=acting_user,
            changes={"invited": len(added)},
        )
    return added


@transaction.atomic
def elder_clinic_record(
    *, acting_user, elder: Elder, activity: Activity, observations: str = ""
) -> ActivityParticipant:
    """Record that the elder came to a free clinic, with what was observed (health consent only).

    Recording again for the same clinic replaces the observations (an empty text keeps them).
    """
    elder = Elder.objects.select_for_update().select_related("resident__unit").get(pk=elder.pk)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    errors: dict[str, list] = {}
    observations = (observations or "").strip()
    if activity.kind != Activity.Kind.FREE_CLINIC:
        errors.setdefault("activity", []).append(_("Choose a free clinic."))
    elif activity.starts_at > timezone.now():
        errors.setdefault("activity", []).append(
            _("The free clinic has not started yet: record who came once it is under way.")
        )
    if elder.status in Elder.CLOSED_STATUSES:
        errors.setdefault("__all__", []).append(
            _("The elder is %(status)s: attendance cannot be recorded.")
            % {"status": Elder.Status(elder.status).label}
        )
    if observations and not elder.health_consent:
        errors.setdefault("observations", []).append(
            _(
                "The elder has not consented to health notes: record the attendance only, "
                "without observations."
            )
        )
    elif observations and acting_user is not None and not can_see_elder_sensitive(acting_user, elder):
        errors.setdefault("observations", []).append(
            _("Only the center head, the elder's customer manager or the delegate records observations.")
        )
    if len(observations) > OBSERVATIONS_MAX:
        errors.setdefault("observations", []).append(
            _("Keep the observations within %(n)d characters.") % {"n": OBSERVATIONS_MAX}
        )
    if errors:
        raise ValidationError(errors)
    _check_open(activity)
    participant = activity.participants.filter(resident=elder.resident).first()
    if participant is None:
        participant = ActivityParticipant.objects.create(
            activity=activity,
            resident=elder.resident,
            name=elder.resident.name,
            phone=elder.resident.phone,
            unit=elder.resident.unit,
            attended=True,
        )
        audit_record(
            instance=participant,
            action="activity_participant_add",
            acting_user=acting_user,
            changes={"name": [None, participant.name]},
        )
    else:
        activity_attendance_set(acting_user=acting_user, participant=participant, attended=True)
    changes: dict = {"activity": activity.title}
    if observations:
        observation = ClinicObservation.objects.filter(elder=elder, activity=activity).first()
        if observation is None:
            ClinicObservation.objects.create(
                elder=elder, activity=activity, observations=observations, recorded_by=acting_user
            )
            changes["observations"] = [None, MASKED]
        elif observation.observations != observations:
            observation.observations = observations
            observation.recorded_by = acting_user
            observation.save(update_fields=["observations", "recorded_by"])
            changes["observations"] = [MASKED, MASKED]
    audit_record(instance=elder, action="elder_clinic_record", acting_user=acting_user, changes=changes)
    return participant
