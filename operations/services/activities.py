"""Community activity services: plan, publicise, hold, report or cancel; participants; repair days;
photos of the day; the residents' notice; the satisfaction survey after the activity."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import uuid

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission

from PIL import Image as PILImage

from operations.hooks import activity_website
from operations.models import (
    Activity,
    ActivityParticipant,
    ActivityPublicity,
    ActivityRepairItem,
    Department,
    Resident,
    Survey,
    SurveyTemplate,
    Unit,
    WorkOrder,
)
from operations.services.common import audit_record, diff_fields, next_number, user_or_none
from operations.services.surveys import (
    DEFAULT_TEMPLATE_NAME,
    MAX_INVITATIONS_AT_ONCE,
    survey_create,
    survey_invite,
    surveys_install_defaults,
)
from operations.services.work_orders import work_order_create
from operations.sms import sms_queue
from operations.validators import normalize_phone, validate_phone
from portal.uploads import image_clean
from tenants.roles import WEBSITE_MEDIA_COLLECTION
from tenants.selectors import center_base_url

logger = logging.getLogger("bianmin.activities")

EDITABLE_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "festival",
    "partner_name",
    "partner_contact",
    "partner_phone",
    "organiser",
    "plan_text",
    "plan_document",
    "execution_plan_text",
    "execution_plan_document",
)

S = Activity.Status
ALLOWED = {
    S.PLANNED: {S.PUBLICISED, S.CANCELLED},
    S.PUBLICISED: {S.HELD, S.CANCELLED},
    S.HELD: {S.REPORTED},
    S.REPORTED: set(),
    S.CANCELLED: set(),
}


def activity_allowed_transitions(activity: Activity) -> list[str]:
    return [s for s in S.values if s in ALLOWED[S(activity.status)]]


def _check_transition(activity: Activity, target: str) -> None:
    if target not in ALLOWED[S(activity.status)]:
        raise ValidationError(
            _("An activity cannot go from “%(old)s” to “%(new)s”.")
            % {"old": S(activity.status).label, "new": S(target).label}
        )


def _set_status(activity: Activity, target: str, *, acting_user, extra: dict | None = None) -> Activity:
    old = activity.status
    activity.status = target
    for field, value in (extra or {}).items():
        setattr(activity, field, value)
    activity.full_clean()
    activity.save()
    audit_record(
        instance=activity,
        action=f"activity_{target}",
        acting_user=acting_user,
        changes={"status": [old, target], **{k: [None, v] for k, v in (extra or {}).items()}},
    )
    return activity


def _clean_data(data: dict) -> dict:
    data = dict(data)
    for key in ("title", "place", "partner_name", "partner_contact", "plan_text", "execution_plan_text"):
        if key in data:
            data[key] = (data[key] or "").strip()
    if "partner_phone" in data:
        data["partner_phone"] = normalize_phone(data["partner_phone"] or "")
    if "festival" in data and data["festival"] is None:
        data["festival"] = ""
    return data


def _validate_times(activity: Activity) -> None:
    if activity.starts_at and activity.ends_at and activity.ends_at < activity.starts_at:
        raise ValidationError({"ends_at": _("The activity cannot end before it starts.")})


@transaction.atomic
def activity_create(
    *,
    acting_user,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str,
    festival: str = "",
    partner_name: str = "",
    partner_contact: str = "",
    partner_phone: str = "",
    organiser=None,
    plan_text: str = "",
    plan_document=None,
    execution_plan_text: str = "",
    execution_plan_document=None,
) -> Activity:
    """Plan an activity (status planned). Raises ValidationError on bad input; nothing is written then."""
    data = _clean_data(
        {
            "kind": kind,
            "title": title,
            "starts_at": starts_at,
            "ends_at": ends_at or starts_at,
            "place": place,
            "festival": festival,
            "partner_name": partner_name,
            "partner_contact": partner_contact,
            "partner_phone": partner_phone,
            "organiser": organiser if organiser is not None else acting_user,
            "plan_text": plan_text,
            "plan_document": plan_document,
            "execution_plan_text": execution_plan_text,
            "execution_plan_document": execution_plan_document,
        }
    )
    if data["organiser"] is not None and not getattr(data["organiser"], "is_authenticated", False):
        data["organiser"] = None
    activity = Activity(number="HD-pending", **data)
    activity.full_clean(exclude=["number"])
    _validate_times(activity)
    activity.number = next_number("HD")
    activity.save()
    audit_record(instance=activity, action="activity_create", acting_user=acting_user)
    return activity


@transaction.atomic
def activity_update(*, acting_user, activity: Activity, **fields) -> Activity:
    """Change the plan of an activity that is not finished (reported or cancelled)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status in (S.REPORTED, S.CANCELLED):
        raise ValidationError(
            _("A %(status)s activity can no longer be changed.") % {"status": S(activity.status).label}
        )
    data = _clean_data(fields)
    changes = diff_fields(activity, data)
    for key, value in data.items():
        setattr(activity, key, value)
    activity.full_clean()
    _validate_times(activity)
    activity.save()
    if changes:
        audit_record(instance=activity, action="activity_update", acting_user=acting_user, changes=changes)
    return activity


@transaction.atomic
def activity_publicity_tick(
    *, acting_user, activity: Activity, channel: str, note: str = "", done_at: dt.datetime | None = None
) -> ActivityPublicity:
    """Tick one publicity channel with who and when; a channel is ticked once."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if channel not in ActivityPublicity.Channel.values:
        raise ValidationError({"channel": _("Choose a publicity channel.")})
    if activity.status not in (S.PLANNED, S.PUBLICISED):
        raise ValidationError(
            _("Publicity cannot be ticked on a %(status)s activity.") % {"status": S(activity.status).label}
        )
    if activity.publicity.filter(channel=channel).exists():
        raise ValidationError(
            _("The channel “%(channel)s” is already ticked for this activity.")
            % {"channel": ActivityPublicity.Channel(channel).label}
        )
    tick = ActivityPublicity(
        activity=activity,
        channel=channel,
        done_by=user_or_none(acting_user),
        done_at=done_at or timezone.now(),
        note=(note or "").strip(),
    )
    tick.full_clean()
    tick.save()
    audit_record(
        instance=activity,
        action="activity_publicity_tick",
        acting_user=acting_user,
        changes={"channel": channel},
    )
    if channel == ActivityPublicity.Channel.NOTICE:
        _notice_if_missing(acting_user=acting_user, activity=activity)
    return tick


@transaction.atomic
def activity_publicise(*, acting_user, activity: Activity) -> Activity:
    """Planned → publicised; at least one publicity channel must be ticked.

    The residents' 活动预告 notice is created (and published) unless one is linked already.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _check_transition(activity, S.PUBLICISED)
    if not activity.publicity.exists():
        raise ValidationError(_("Tick at least one publicity channel before publicising the activity."))
    _notice_if_missing(acting_user=acting_user, activity=activity)
    return _set_status(activity, S.PUBLICISED, acting_user=acting_user)


@transaction.atomic
def activity_hold(*, acting_user, activity: Activity) -> Activity:
    """Publicised → held, once the activity has started."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _check_transition(activity, S.HELD)
    if timezone.now() < activity.starts_at:
        raise ValidationError(_("The activity has not started yet; it cannot be marked as held."))
    return _set_status(activity, S.HELD, acting_user=acting_user)


@transaction.atomic
def activity_cancel(*, acting_user, activity: Activity, reason: str) -> Activity:
    """Planned or publicised → cancelled, with the reason."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _check_transition(activity, S.CANCELLED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancel_reason": _("Give the reason for cancelling the activity.")})
    return _set_status(activity, S.CANCELLED, acting_user=acting_user, extra={"cancel_reason": reason})


@transaction.atomic
def activity_mark_reported(*, acting_user, activity: Activity) -> Activity:
    """Held → reported (the activity report is published)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _check_transition(activity, S.REPORTED)
    return _set_status(activity, S.REPORTED, acting_user=acting_user)


def _check_open(activity: Activity) -> None:
    if activity.status in (S.REPORTED, S.CANCELLED):
        raise ValidationError(
            _("A %(status)s activity can no longer be changed.") % {"status": S(activity.status).label}
        )


@transaction.atomic
def activity_participant_add(
    *,
    acting_user,
    activity: Activity,
    resident: Resident | None = None,
    name: str = "",
    phone: str = "",
    unit: Unit | None = None,
    invited: bool = False,
    attended: bool = False,
    note: str = "",
) -> ActivityParticipant:
    """Add a participant: a registered resident, or a name (phone and unit optional)."""
    _check_open(activity)
    name = (name or "").strip()
    if resident is None and not name:
        raise ValidationError({"name": _("Choose a resident or enter the participant's name.")})
    if resident is not None:
        if activity.participants.filter(resident=resident).exists():
            raise ValidationError(_("This resident is already a participant of the activity."))
        name = name or resident.name
        unit = unit or resident.unit
    participant = ActivityParticipant(
        activity=activity,
        resident=resident,
        name=name,
        phone=normalize_phone(phone or ""),
        unit=unit,
        invited=invited,
        attended=attended,
        note=(note or "").strip(),
    )
    participant.full_clean()
    participant.save()
    audit_record(
        instance=participant,
        action="activity_participant_add",
        acting_user=acting_user,
        changes={"name": [None, name], "phone": [None, participant.phone]} if participant.phone else {},
    )
    return participant


@transaction.atomic
def activity_attendance_set(
    *, acting_user, participant: ActivityParticipant, attended: bool
) -> ActivityParticipant:
    """Record whether a participant came."""
    _check_open(participant.activity)
    if participant.attended != attended:
        old = participant.attended
        participant.attended = attended
        participant.save(update_fields=["attended"])
        audit_record(
            instance=participant,
            action="activity_attendance_set",
            acting_user=acting_user,
            changes={"attended": [old, attended]},
        )
    return participant


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


@transaction.atomic
def activity_birthday_invitees_propose(*, acting_user, activity: Activity) -> list[ActivityParticipant]:
    """For a birthday party: invite the active residents whose birthday falls in the activity's quarter.

    Idempotent: residents already on the list are skipped. Returns the participants added.
    """
    if activity.kind != Activity.Kind.BIRTHDAY_PARTY:
        raise ValidationError(_("Invitees are proposed only for a group birthday party."))
    _check_open(activity)
    quarter = quarter_of(timezone.localtime(activity.starts_at).date())
    months = [3 * (quarter - 1) + i for i in (1, 2, 3)]
    existing = set(activity.participants.exclude(resident=None).values_list("resident_id", flat=True))
    residents = (
        Resident.objects.filter(is_active=True, birth_date__month__in=months)
        .exclude(pk__in=existing)
        .select_related("unit")
        .order_by("birth_date__month", "birth_date__day", "name")
    )
    added = [
        ActivityParticipant(
            activity=activity, resident=r, name=r.name, phone=r.phone, unit=r.unit, invited=True
        )
        for r in residents
    ]
    ActivityParticipant.objects.bulk_create(added)
    if added:
        audit_record(
            instance=activity,
            action="activity_birthday_invitees_propose",
            acting_user=acting_user,
            changes={"invited": len(added)},
        )
    return added


@transaction.atomic
def activity_repair_intake(
    *,
    acting_user,
    activity: Activity,
    description: str,
    out_of_scope: bool = False,
    advice: str = "",
    unit: Unit | None = None,
    resident: Resident | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> ActivityRepairItem:
    """Take a request at a repair day.

    In scope: a work order (source activity day) dispatched to the engineering department, linked
    through an ActivityRepairItem. Out of scope (structural, 房屋质量问题): no work order; the advice or
    referral given is recorded on the item and as a participant note.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.kind != Activity.Kind.REPAIR_DAY:
        raise ValidationError(_("Repair requests are taken only at a volunteer repair day."))
    if activity.status not in (S.PUBLICISED, S.HELD):
        raise ValidationError(
            _("Repair requests cannot be taken at a %(status)s activity.")
            % {"status": S(activity.status).label}
        )
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe what needs to be done.")})
    if out_of_scope:
        advice = (advice or "").strip()
        if not advice:
            raise ValidationError(
                {"advice": _("Record the advice or referral given for an out-of-scope item.")}
            )
        item = ActivityRepairItem(
            activity=activity, description=description, out_of_scope=True, advice=advice
        )
        item.full_clean()
        item.save()
        name = (contact_name or "").strip() or (resident.name if resident else "")
        if name or resident is not None:
            participant = activity.participants.filter(resident=resident).first() if resident else None
            note = _("Out of scope: %(description)s — %(advice)s") % {
                "description": description,
                "advice": advice,
            }
            if participant is not None:
                participant.note = note[:200]
                participant.save(update_fields=["note"])
            else:
                activity_participant_add(
                    acting_user=acting_user,
                    activity=activity,
                    resident=resident,
                    name=name,
                    phone=contact_phone,
                    unit=unit,
                    attended=True,
                    note=note[:200],
                )
        audit_record(instance=item, action="activity_repair_out_of_scope", acting_user=acting_user)
        return item
    engineering = Department.objects.filter(code="engineering").first()
    if engineering is None:
        raise ValidationError(_("The engineering department is missing; set up the departments first."))
    order = work_order_create(
        acting_user=acting_user,
        description=description,
        kind=WorkOrder.Kind.REPAIR,
        source=WorkOrder.Source.ACTIVITY_DAY,
        unit=unit,
        resident=resident,
        contact_name=contact_name,
        contact_phone=contact_phone,
        department=engineering,
        note=_("Taken at activity %(number)s") % {"number": activity.number},
    )
    item = ActivityRepairItem(activity=activity, work_order=order, description=description)
    item.full_clean()
    item.save()
    audit_record(
        instance=item,
        action="activity_repair_intake",
        acting_user=acting_user,
        changes={"work_order": order.number},
    )
    return item


# --- photos of the day ------------------------------------------------------------------------

PHOTO_ROOT_COLLECTION = "活动照片"
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_PIXELS = 50_000_000
#: Pillow format → file extension of the photos accepted.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _photo_root_collection():
    """The "活动照片" collection under the root, created with the website-media grants.

    The roles that manage the website's media (the activity officer) get the same permissions
    on it, so they find the photos in Wagtail's image library and in the report's image chooser.
    """
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=PHOTO_ROOT_COLLECTION).first()
    if existing is not None:
        return existing
    collection = root.add_child(name=PHOTO_ROOT_COLLECTION)
    website = root.get_children().filter(name=WEBSITE_MEDIA_COLLECTION).first()
    if website is not None:
        GroupCollectionPermission.objects.bulk_create(
            GroupCollectionPermission(
                group_id=grant.group_id, collection=collection, permission_id=grant.permission_id
            )
            for grant in GroupCollectionPermission.objects.filter(collection=website)
        )
    return collection


@transaction.atomic
def activity_photo_collection_ensure(*, acting_user, activity: Activity):
    """The activity's own Wagtail collection ("<number> <title>" under "活动照片"), created once."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.photo_collection_id:
        collection = Collection.objects.filter(pk=activity.photo_collection_id).first()
        if collection is not None:
            return collection
    parent = _photo_root_collection()
    name = str(activity)[:255]
    collection = parent.get_children().filter(name=name).first() or parent.add_child(name=name)
    activity.photo_collection = collection
    activity.save(update_fields=["photo_collection", "updated"])
    audit_record(
        instance=activity,
        action="activity_photo_collection_ensure",
        acting_user=acting_user,
        changes={"photo_collection": collection.pk},
    )
    return collection


def activity_photo_check(file) -> str:
    """Check an uploaded photo: JPEG, PNG or WebP that Pillow can read, at most 10 MB.

    Returns the file extension for its format; raises ValidationError naming the file.
    """
    name = getattr(file, "name", "") or _("(no name)")
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if not size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    if size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than 10 MB; make the photo smaller and upload it again.")
            % {"name": name},
            code="too_large",
        )
    try:
        file.seek(0)
        with PILImage.open(file) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of errors for bad files
        raise ValidationError(
            _("“%(name)s” is not a readable image: upload a JPEG, PNG or WebP photo.") % {"name": name},
            code="unreadable",
        ) from None
    finally:
        file.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(
            _("“%(name)s” is not a JPEG, PNG or WebP photo.") % {"name": name}, code="format"
        )
    if width * height > PHOTO_MAX_PIXELS:
        raise ValidationError(
            _("“%(name)s” has too many pixels; make the photo smaller and upload it again.") % {"name": name},
            code="too_large",
        )
    return PHOTO_FORMATS[kind]


@transaction.atomic
def activity_photo_add(*, acting_user, activity: Activity, file, title: str = ""):
    """Store a photo of the activity in its Wagtail collection (created on the first photo)."""
    activity = Activity.objects.get(pk=activity.pk)
    if activity.status == S.CANCELLED:
        raise ValidationError(_("Photos cannot be added to a cancelled activity."))
    extension = activity_photo_check(file)
    try:  # decoded in full, re-encoded upright without EXIF/GPS (portal.uploads)
        image_clean(file, formats=set(PHOTO_FORMATS), max_pixels=PHOTO_MAX_PIXELS)
    except ValidationError:
        raise ValidationError(
            _("“%(name)s” is not a readable image: upload a JPEG, PNG or WebP photo.")
            % {"name": getattr(file, "name", "") or _("(no name)")},
            code="unreadable",
        ) from None
    collection = activity_photo_collection_ensure(acting_user=acting_user, activity=activity)
    original = os.path.basename(getattr(file, "name", "") or "")
    title = (title or "").strip() or os.path.splitext(original)[0].strip() or activity.title
    image = get_image_model()(
        title=title[:255],
        description=activity.title[:255],
        collection=collection,
        uploaded_by_user=user_or_none(acting_user),
        file=File(file, name=f"{activity.number.lower()}-{uuid.uuid4().hex[:12]}.{extension}"),
    )
    image._set_image_file_metadata()
    image.full_clean()
    image.save()
    audit_record(
        instance=activity,
        action="activity_photo_add",
        acting_user=acting_user,
        changes={"image": image.pk},
    )
    return image


# --- the residents' notice --------------------------------------------------------------------


@transaction.atomic
def activity_notice_link(*, acting_user, activity: Activity, notice) -> Activity:
    """Link an existing 活动预告 notice to the activity (instead of creating one)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == S.CANCELLED:
        raise ValidationError(_("A notice cannot be linked to a cancelled activity."))
    if notice is None or activity_website().notice_find(pk=notice.pk) is None:
        raise ValidationError({"notice": _("Choose a notice of this center.")})
    old = activity.notice_page_id
    activity.notice_page_id = notice.pk
    activity.save(update_fields=["notice_page", "updated"])
    audit_record(
        instance=activity,
        action="activity_notice_link",
        acting_user=acting_user,
        changes={"notice_page": [old, notice.pk]},
    )
    return activity


def _notice_if_missing(*, acting_user, activity: Activity) -> None:
    """Create the activity's notice when none is linked; a center without a notice list keeps going."""
    if activity.notice_page_id:
        return
    # Without a 通知公告 list on the center's site the officer creates or links a notice later.
    with contextlib.suppress(ValidationError):
        activity_website().notice_publish(acting_user=acting_user, activity=activity)
    activity.refresh_from_db(fields=["notice_page"])


# --- satisfaction survey after the activity ---------------------------------------------------


def _survey_recipients(activity: Activity) -> list[dict]:
    participants = list(activity.participants.exclude(phone="").select_related("unit"))
    if any(p.attended for p in participants):
        participants = [p for p in participants if p.attended]
    recipients, seen = [], set()
    for participant in participants:
        try:
            validate_phone(participant.phone)
        except ValidationError:
            continue
        phone = normalize_phone(participant.phone)
        if phone in seen:
            continue
        seen.add(phone)
        recipients.append({"name": participant.name, "phone": phone, "unit": participant.unit})
    return recipients


@transaction.atomic
def activity_survey_start(*, acting_user, activity: Activity, send_sms: bool = True):
    """The satisfaction survey of a held activity: open, public, with an invitation per participant.

    Participants who came (or everyone registered, when attendance was not taken) and have a
    phone get a one-time link, by SMS once the transaction commits (unless ``send_sms`` is
    False: demo data). One survey per activity.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status not in (S.HELD, S.REPORTED):
        raise ValidationError(
            _("A satisfaction survey can be started only after the activity has been held.")
        )
    if Survey.objects.filter(activity=activity).exists():
        raise ValidationError(_("This activity already has a satisfaction survey."))
    template = SurveyTemplate.objects.filter(name=DEFAULT_TEMPLATE_NAME, is_active=True).first()
    if template is None:
        template = surveys_install_defaults()
    survey = survey_create(
        title=(_("Satisfaction survey: %(title)s") % {"title": activity.title})[:100],
        template=template,
        scope=Survey.Scope.ACTIVITY,
        activity=activity,
        is_public=True,
        acting_user=acting_user,
    )
    recipients = _survey_recipients(activity)[:MAX_INVITATIONS_AT_ONCE]
    invitations = (
        survey_invite(survey=survey, recipients=recipients, acting_user=acting_user) if recipients else []
    )
    audit_record(
        instance=activity,
        action="activity_survey_start",
        acting_user=acting_user,
        changes={"survey": survey.pk, "invitations": len(invitations)},
    )
    base_url = center_base_url() if send_sms else ""
    messages = [
        (
            invitation.recipient_phone,
            _("Thank you for coming to “%(title)s”. Please tell us what you thought: %(url)s")
            % {
                "title": activity.title,
                "url": base_url + reverse("public_survey_answer", args=[invitation.token]),
            },
        )
        for invitation in invitations
        if invitation.recipient_phone and send_sms
    ]

    for phone, message in messages:
        sms_queue(phone=phone, message=message, kind="survey_invitation")
    return survey
