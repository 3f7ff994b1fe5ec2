"""Elders living alone (独居老人关怀): the registry, consents, contacts, tiers, status and visits.

Every change goes through these functions, is atomic and audited on the elder; changes to
sensitive fields (health notes, phones, contacts) name the fields with the values masked.
Escalations of not-reached visits live in ``elder_escalations``, care alerts in ``elder_alerts``,
needs turned into work orders in ``elder_needs``, head office's monthly figures in ``elder_figures``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.models import (
    Elder,
    ElderCareSettings,
    ElderConsent,
    ElderContact,
    ElderNeed,
    ElderVisit,
    NeedKind,
    Resident,
    RiskReason,
    RiskTier,
    Unit,
)
from operations.services.common import audit_record
from operations.services.elder_alerts import care_alerts_visit_recorded
from operations.services.elder_escalations import elder_escalation_open, elder_escalations_reached
from operations.services.elder_figures import elder_figures_refresh
from operations.services.residents import phone_clean, resident_create

ELDER_MIN_AGE = 60
MASKED = "***"
GENERAL_FIELDS = (
    "birth_date",
    "gender",
    "phone",
    "home_phone",
    "living",
    "living_note",
    "mobility",
    "manager",
)
SENSITIVE_AUDIT = {"health_notes", "phone", "home_phone"}


def elder_care_settings() -> ElderCareSettings:
    """The center's care rules (one row, created with the company's defaults the first time)."""
    settings = ElderCareSettings.objects.order_by("pk").first()
    if settings is None:
        settings, _created = ElderCareSettings.objects.get_or_create(pk=1)
    return settings


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _text(value) -> str:
    return str(value or "").strip()


def _errors_raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _lock(elder: Elder) -> Elder:
    return Elder.objects.select_for_update().select_related("resident__unit").get(pk=elder.pk)


def _check_manager(user, errors: dict, field: str = "manager") -> None:
    if user is None:
        errors.setdefault(field, []).append(_("Choose the customer manager who visits the elder."))
    elif not user.is_active or not user.has_perm("operations.add_eldervisit"):
        errors.setdefault(field, []).append(
            _("%(name)s cannot visit elders: choose a customer manager.")
            % {"name": user.get_full_name() or user}
        )


def _check_tier(tier: str, reasons: list[str], errors: dict) -> list[str]:
    if tier not in RiskTier.values:
        errors.setdefault("risk_tier", []).append(_("Choose the risk tier."))
    unknown = [r for r in reasons if r not in RiskReason.values]
    if unknown:
        errors.setdefault("risk_reasons", []).append(_("Unknown risk reason."))
    if tier in (RiskTier.HIGH, RiskTier.PRIORITY) and not reasons:
        errors.setdefault("risk_reasons", []).append(
            _("Tick at least one reason for a high-risk or priority elder.")
        )
    return sorted(set(reasons), key=RiskReason.values.index) if not unknown else reasons


def _consent_clean(kind: str, data: dict | None, today: dt.date, errors: dict, field: str) -> dict | None:
    """``{"given_on", "method", "witness", "scan"}`` checked; None when no consent is given."""
    if not data:
        return None
    given_on = data.get("given_on") or today
    method = data.get("method") or ""
    witness = _text(data.get("witness"))
    if given_on > today:
        errors.setdefault(field, []).append(_("A consent cannot be dated in the future."))
    if method not in ElderConsent.Method.values:
        errors.setdefault(field, []).append(_("Say how the consent was given: signed form or oral."))
    elif method == ElderConsent.Method.ORAL and not witness:
        errors.setdefault(field, []).append(_("An oral consent needs the name of a witness."))
    return {
        "kind": kind,
        "given_on": given_on,
        "method": method,
        "witness": witness,
        "scan": data.get("scan"),
    }


def _contact_clean(data: dict, errors: dict, field: str = "contacts") -> dict:
    name, relation = _text(data.get("name")), _text(data.get("relation"))
    phone = ""
    if not name or not relation:
        errors.setdefault(field, []).append(_("Give the contact's name and relation."))
    try:
        phone = phone_clean(data.get("phone"))
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.message_dict["phone"])
    if not phone and not errors.get(field):
        errors.setdefault(field, []).append(_("Give the contact's phone number."))
    return {
        "name": name,
        "relation": relation,
        "phone": phone,
        "may_be_told": bool(data.get("may_be_told", True)),
    }


def _phones_clean(fields: dict, errors: dict) -> None:
    for key in ("phone", "home_phone"):
        if key in fields:
            try:
                fields[key] = phone_clean(fields[key])
            except ValidationError as exc:
                errors.setdefault(key, []).extend(exc.message_dict["phone"])


def _birth_date_clean(birth_date, today: dt.date, errors: dict) -> None:
    if birth_date is None:
        errors.setdefault("birth_date", []).append(_("Enter the elder's birth date."))
    elif birth_date > today:
        errors.setdefault("birth_date", []).append(_("The birth date cannot be in the future."))
    elif age_on(birth_date, today) < ELDER_MIN_AGE:
        errors.setdefault("birth_date", []).append(
            _("The registry is for elders aged %(age)d or over.") % {"age": ELDER_MIN_AGE}
        )


# The registry --------------------------------------------------------------------------------


@transaction.atomic
def elder_register(
    *,
    acting_user,
    birth_date: dt.date,
    gender: str,
    manager,
    registry_consent: dict | None,
    resident: Resident | None = None,
    unit: Unit | None = None,
    name: str = "",
    phone: str = "",
    home_phone: str = "",
    living: str = Elder.Living.ALONE,
    living_note: str = "",
    mobility: str = Elder.Mobility.INDEPENDENT,
    risk_tier: str = RiskTier.GENERAL,
    risk_reasons: list[str] | None = None,
    health_consent: dict | None = None,
    health_notes: str = "",
    contacts: list[dict] | None = None,
    registered_on: dt.date | None = None,
) -> Elder:
    """Put an elder on the registry (独居老人档案), with the registry consent and, when given, the
    health consent; the resident is ``resident`` or created from ``unit`` and ``name``.

    Aged 80 or over ticks that risk reason itself. Health notes need the health consent. Raises
    ValidationError (messages in the active language); nothing is written then.
    """
    today = timezone.localdate()
    registered_on = registered_on or today
    errors: dict[str, list[str]] = {}
    name = _text(name)
    if resident is None:
        if unit is None or not name:
            errors.setdefault("name", []).append(_("Give the elder's unit and name."))
        else:
            resident = Resident.objects.filter(unit=unit, name=name).first()
    if resident is not None and Elder.objects.filter(resident=resident).exists():
        errors.setdefault("name", []).append(_("%(name)s is already on the registry.") % {"name": resident})
    _birth_date_clean(birth_date, today, errors)
    if gender not in Elder.Gender.values:
        errors.setdefault("gender", []).append(_("Choose the gender."))
    if registered_on > today:
        errors.setdefault("registered_on", []).append(_("The registration date cannot be in the future."))
    _check_manager(manager, errors)
    reasons = list(risk_reasons or [])
    if (
        birth_date
        and birth_date <= today
        and age_on(birth_date, today) >= 80
        and RiskReason.AGE_80 not in reasons
    ):
        reasons.append(RiskReason.AGE_80)
    reasons = _check_tier(risk_tier, reasons, errors)
    phones = {"phone": phone, "home_phone": home_phone}
    _phones_clean(phones, errors)
    consents = []
    registry = _consent_clean(ElderConsent.Kind.REGISTRY, registry_consent, today, errors, "registry_consent")
    if registry is None:
        errors.setdefault("registry_consent", []).append(
            _("The elder (or a guardian) must consent to being on the registry.")
        )
    else:
        consents.append(registry)
    health = _consent_clean(ElderConsent.Kind.HEALTH, health_consent, today, errors, "health_consent")
    if health is not None:
        consents.append(health)
    health_notes = _text(health_notes)
    if health_notes and health is None:
        errors.setdefault("health_notes", []).append(
            _("Health notes can be kept only with the elder's consent to health notes.")
        )
    cleaned_contacts = [
        _contact_clean(c, errors) for c in (contacts or []) if any(_text(v) for v in c.values())
    ]
    _errors_raise(errors)

    if resident is None:
        resident = resident_create(
            unit=unit, name=name, phone=phones["phone"], birth_date=birth_date, acting_user=acting_user
        )
    elder = Elder(
        resident=resident,
        birth_date=birth_date,
        gender=gender,
        phone=phones["phone"],
        home_phone=phones["home_phone"],
        living=living,
        living_note=_text(living_note),
        mobility=mobility,
        health_notes=health_notes,
        manager=manager,
        risk_tier=risk_tier,
        risk_reasons=reasons,
        status=Elder.Status.ACTIVE,
        status_since=registered_on,
        registered_on=registered_on,
        registry_consent=True,
        health_consent=health is not None,
    )
    elder.full_clean()
    elder.save()
    for consent in consents:
        ElderConsent.objects.create(elder=elder, recorded_by=acting_user, **consent)
    for order, contact in enumerate(cleaned_contacts, start=1):
        ElderContact.objects.create(elder=elder, order=order, **contact)
    audit_record(
        instance=elder,
        action="elder_register",
        acting_user=acting_user,
        changes={
            "risk_tier": risk_tier,
            "manager": manager.pk,
            "consents": [c["kind"] for c in consents],
            "contacts": len(cleaned_contacts),
        }
        | ({"health_notes": [None, MASKED]} if health_notes else {}),
    )
    elder_figures_refresh()
    return elder


@transaction.atomic
def elder_update(*, elder: Elder, acting_user, **fields) -> Elder:
    """Change the elder's details (``GENERAL_FIELDS`` and ``health_notes``); tier, status,
    consents and contacts have their own functions. Health notes need the health consent."""
    today = timezone.localdate()
    elder = _lock(elder)
    data = {k: v for k, v in fields.items() if k in (*GENERAL_FIELDS, "health_notes")}
    errors: dict[str, list[str]] = {}
    for key in ("living_note", "health_notes"):
        if key in data:
            data[key] = _text(data[key])
    _phones_clean(data, errors)
    if "birth_date" in data:
        _birth_date_clean(data["birth_date"], today, errors)
    if "gender" in data and data["gender"] not in Elder.Gender.values:
        errors.setdefault("gender", []).append(_("Choose the gender."))
    if "manager" in data and data["manager"] != elder.manager:
        _check_manager(data["manager"], errors)
    if data.get("health_notes") and not elder.health_consent:
        errors.setdefault("health_notes", []).append(
            _("Health notes can be kept only with the elder's consent to health notes.")
        )
    _errors_raise(errors)
    changes = {}
    for key, new in data.items():
        old = getattr(elder, key)
        if old == new:
            continue
        if key in SENSITIVE_AUDIT:
            changes[key] = [MASKED if old else None, MASKED if new else None]
        elif key == "manager":
            changes[key] = [old.pk if old else None, new.pk if new else None]
        else:
            changes[key] = [
                old.isoformat() if hasattr(old, "isoformat") else old,
                new.isoformat() if hasattr(new, "isoformat") else new,
            ]
        setattr(elder, key, new)
    if not changes:
        return elder
    elder.full_clean()
    elder.save()
    audit_record(instance=elder, action="elder_update", acting_user=acting_user, changes=changes)
    return elder


@transaction.atomic
def elder_tier_change(
    *, elder: Elder, risk_tier: str, risk_reasons: list[str], note: str, acting_user
) -> Elder:
    """Move the elder to another risk tier (or change the reasons), saying why."""
    elder = _lock(elder)
    errors: dict[str, list[str]] = {}
    note = _text(note)
    reasons = _check_tier(risk_tier, list(risk_reasons or []), errors)
    if not note:
        errors.setdefault("note", []).append(_("Say why the tier changes."))
    if risk_tier == elder.risk_tier and reasons == list(elder.risk_reasons):
        errors.setdefault("risk_tier", []).append(_("Nothing changes: choose another tier or other reasons."))
    _errors_raise(errors)
    changes = {
        "risk_tier": [elder.risk_tier, risk_tier],
        "risk_reasons": [elder.risk_reasons, reasons],
        "note": note,
    }
    elder.risk_tier, elder.risk_reasons = risk_tier, reasons
    elder.save(update_fields=["risk_tier", "risk_reasons", "updated"])
    audit_record(instance=elder, action="elder_tier_change", acting_user=acting_user, changes=changes)
    elder_figures_refresh()
    return elder


STATUS_MOVES = {
    Elder.Status.ACTIVE: {
        Elder.Status.IN_HOSPITAL,
        Elder.Status.CARE_HOME,
        Elder.Status.MOVED,
        Elder.Status.DECEASED,
    },
    Elder.Status.IN_HOSPITAL: {
        Elder.Status.ACTIVE,
        Elder.Status.CARE_HOME,
        Elder.Status.MOVED,
        Elder.Status.DECEASED,
    },
    Elder.Status.CARE_HOME: {Elder.Status.ACTIVE, Elder.Status.MOVED, Elder.Status.DECEASED},
    Elder.Status.MOVED: {Elder.Status.ACTIVE},
    Elder.Status.DECEASED: set(),
}


@transaction.atomic
def elder_status_change(
    *,
    elder: Elder,
    status: str,
    on: dt.date | None = None,
    paused_until: dt.date | None = None,
    note: str = "",
    acting_user,
) -> Elder:
    """Change the elder's status, dated ``on`` (default today); nothing is ever deleted.

    In hospital pauses visits until ``paused_until`` (optional); back to active from hospital makes
    a visit due within 24 hours; deceased is final and needs the date of death.
    """
    today = timezone.localdate()
    on = on or today
    elder = _lock(elder)
    errors: dict[str, list[str]] = {}
    note = _text(note)
    if status not in Elder.Status.values:
        errors.setdefault("status", []).append(_("Choose the new status."))
    elif status not in STATUS_MOVES[elder.status]:
        errors.setdefault("status", []).append(
            _("An elder who is “%(old)s” cannot become “%(new)s”.")
            % {"old": elder.get_status_display(), "new": Elder.Status(status).label}
        )
    if on > today:
        errors.setdefault("on", []).append(_("The date cannot be in the future."))
    if on < elder.status_since:
        errors.setdefault("on", []).append(
            _("The date cannot be before the current status began (%(date)s).") % {"date": elder.status_since}
        )
    if paused_until and status != Elder.Status.IN_HOSPITAL:
        paused_until = None
    if paused_until and paused_until < on:
        errors.setdefault("paused_until", []).append(
            _("Visits cannot be paused until a day before the stay began.")
        )
    _errors_raise(errors)
    old = elder.status
    changes = {"status": [old, status], "on": on.isoformat()} | ({"note": note} if note else {})
    elder.status, elder.status_since = status, on
    elder.paused_until = paused_until if status == Elder.Status.IN_HOSPITAL else None
    if paused_until:
        changes["paused_until"] = paused_until.isoformat()
    if old == Elder.Status.IN_HOSPITAL and status == Elder.Status.ACTIVE:
        elder.returned_at = timezone.now()
    elif status != Elder.Status.ACTIVE:
        elder.returned_at = None
    elder.deceased_on = on if status == Elder.Status.DECEASED else None
    elder.save()
    audit_record(instance=elder, action="elder_status_change", acting_user=acting_user, changes=changes)
    elder_figures_refresh()
    return elder


@transaction.atomic
def elder_consent_record(
    *, elder: Elder, kind: str, given_on: dt.date, method: str, witness: str = "", scan=None, acting_user
) -> ElderConsent:
    """Record a consent (to the registry or to health notes) the elder gave, e.g. again after a withdrawal."""
    today = timezone.localdate()
    elder = _lock(elder)
    errors: dict[str, list[str]] = {}
    if kind not in ElderConsent.Kind.values:
        errors.setdefault("kind", []).append(_("Choose what the consent is for."))
    data = _consent_clean(
        kind,
        {"given_on": given_on, "method": method, "witness": witness, "scan": scan},
        today,
        errors,
        "given_on",
    )
    if (
        kind in ElderConsent.Kind.values
        and elder.consents.filter(kind=kind, withdrawn_on__isnull=True).exists()
    ):
        errors.setdefault("kind", []).append(_("This consent is already given and not withdrawn."))
    _errors_raise(errors)
    consent = ElderConsent.objects.create(elder=elder, recorded_by=acting_user, **data)
    field = "registry_consent" if kind == ElderConsent.Kind.REGISTRY else "health_consent"
    setattr(elder, field, True)
    elder.save(update_fields=[field, "updated"])
    audit_record(
        instance=elder,
        action="elder_consent_record",
        acting_user=acting_user,
        changes={"kind": kind, "method": data["method"], "given_on": data["given_on"].isoformat()},
    )
    return consent


@transaction.atomic
def elder_consent_withdraw(
    *, consent: ElderConsent, withdrawn_on: dt.date | None = None, acting_user
) -> ElderConsent:
    """The elder withdraws a consent. Withdrawing the health consent erases the health notes (and
    clinic observations); withdrawing the registry consent takes the elder off the visit lists."""
    today = timezone.localdate()
    withdrawn_on = withdrawn_on or today
    consent = ElderConsent.objects.select_for_update().get(pk=consent.pk)
    elder = _lock(consent.elder)
    if consent.withdrawn_on is not None:
        raise ValidationError(
            _("This consent was already withdrawn on %(date)s.") % {"date": consent.withdrawn_on}
        )
    if withdrawn_on > today or withdrawn_on < consent.given_on:
        raise ValidationError(
            {"withdrawn_on": _("The withdrawal must be dated between the consent and today.")}
        )
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    changes = {"kind": consent.kind, "withdrawn_on": withdrawn_on.isoformat()}
    if consent.kind == ElderConsent.Kind.HEALTH:
        if elder.health_notes:
            changes["health_notes"] = [MASKED, None]
        elder.health_notes = ""
        elder.health_consent = False
        erased = elder.clinic_observations.all().delete()[0]
        if erased:
            changes["clinic_observations_erased"] = erased
        elder.save(update_fields=["health_notes", "health_consent", "updated"])
    else:
        elder.registry_consent = False
        elder.save(update_fields=["registry_consent", "updated"])
    audit_record(instance=elder, action="elder_consent_withdraw", acting_user=acting_user, changes=changes)
    elder_figures_refresh()
    return consent


@transaction.atomic
def elder_contact_add(
    *, elder: Elder, name: str, relation: str, phone: str, may_be_told: bool = True, acting_user
) -> ElderContact:
    """Add an emergency contact, called after the ones already listed."""
    elder = _lock(elder)
    errors: dict[str, list[str]] = {}
    data = _contact_clean(
        {"name": name, "relation": relation, "phone": phone, "may_be_told": may_be_told}, errors, "name"
    )
    _errors_raise(errors)
    order = (
        elder.contacts.filter(is_active=True).order_by("-order").values_list("order", flat=True).first() or 0
    ) + 1
    contact = ElderContact.objects.create(elder=elder, order=order, **data)
    audit_record(
        instance=elder,
        action="elder_contact_add",
        acting_user=acting_user,
        changes={
            "contact": contact.pk,
            "relation": data["relation"],
            "name": [None, data["name"]],
            "phone": [None, data["phone"]],
        },
    )
    return contact


@transaction.atomic
def elder_contact_remove(*, contact: ElderContact, acting_user) -> ElderContact:
    """Take a contact off the call list (kept for the record, never deleted)."""
    contact = ElderContact.objects.select_for_update().get(pk=contact.pk)
    if not contact.is_active:
        raise ValidationError(_("This contact is already off the list."))
    contact.is_active = False
    contact.save(update_fields=["is_active"])
    audit_record(
        instance=contact.elder,
        action="elder_contact_remove",
        acting_user=acting_user,
        changes={"contact": contact.pk, "relation": contact.relation, "name": [contact.name, None]},
    )
    return contact


@transaction.atomic
def elder_delegate_set(
    *, elder: Elder, delegate, starts: dt.date | None, ends: dt.date | None, acting_user
) -> Elder:
    """Let a colleague stand in for the manager for a period (leave); ``delegate=None`` ends it."""
    elder = _lock(elder)
    errors: dict[str, list[str]] = {}
    if delegate is not None:
        _check_manager(delegate, errors, "delegate")
        if delegate == elder.manager:
            errors.setdefault("delegate", []).append(
                _("The delegate must be someone other than the manager.")
            )
        if not starts or not ends:
            errors.setdefault("ends", []).append(_("Give the first and last day of the delegation."))
        elif ends < starts:
            errors.setdefault("ends", []).append(_("The delegation cannot end before it starts."))
        elif ends < timezone.localdate():
            errors.setdefault("ends", []).append(_("The delegation would already be over."))
    _errors_raise(errors)
    changes = {
        "delegate": [elder.delegate_id, delegate.pk if delegate else None],
        "period": [starts.isoformat(), ends.isoformat()] if delegate else None,
    }
    elder.delegate = delegate
    elder.delegate_from, elder.delegate_until = (starts, ends) if delegate else (None, None)
    elder.save(update_fields=["delegate", "delegate_from", "delegate_until", "updated"])
    audit_record(instance=elder, action="elder_delegate_set", acting_user=acting_user, changes=changes)
    return elder


# Visits --------------------------------------------------------------------------------------


@transaction.atomic
def elder_visit_record(
    *,
    elder: Elder,
    visited_at: dt.datetime,
    kind: str = ElderVisit.Kind.HOME,
    reached: bool = True,
    concerns: list[str] | None = None,
    observations: str = "",
    card_given: bool = False,
    needs: list[dict] | None = None,
    visitor=None,
    acting_user,
) -> ElderVisit:
    """Record a visit or call (a paper visit can be entered later with the time it happened).

    ``needs`` are ``{"kind": NeedKind, "detail": str}``. A visit that does not reach the elder opens
    a not-reached escalation; a reached one counts toward an open care alert. The first reached
    home visit records the contact card given (5.2.2 b). Refused for an elder who moved away, is in
    a care home or died, in the future, before the registration.
    """
    now = timezone.now()
    elder = _lock(elder)
    visitor = visitor or acting_user
    errors: dict[str, list[str]] = {}
    if elder.status in Elder.CLOSED_STATUSES:
        errors.setdefault("elder", []).append(
            _("%(name)s is “%(status)s”: no visit can be recorded.")
            % {"name": elder.resident.name, "status": elder.get_status_display()}
        )
    if visited_at is None:
        errors.setdefault("visited_at", []).append(_("Enter when the visit took place."))
    elif visited_at > now + dt.timedelta(minutes=5):
        errors.setdefault("visited_at", []).append(_("A visit cannot be recorded in the future."))
    elif timezone.localtime(visited_at).date() < elder.registered_on:
        errors.setdefault("visited_at", []).append(
            _("The elder was registered on %(date)s: a visit cannot be before that.")
            % {"date": elder.registered_on}
        )
    if kind not in ElderVisit.Kind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of visit."))
    concerns = [c for c in (concerns or []) if c]
    if any(c not in ElderVisit.Check.values for c in concerns):
        errors.setdefault("concerns", []).append(_("Unknown checklist item."))
    needs = [n for n in (needs or []) if n.get("kind")]
    if any(n["kind"] not in NeedKind.values for n in needs):
        errors.setdefault("needs", []).append(_("Unknown kind of need."))
    if not reached and (needs or concerns):
        errors.setdefault("reached", []).append(
            _("Needs and checklist items are recorded only when the elder was reached.")
        )
    first_home = (
        kind == ElderVisit.Kind.HOME
        and reached
        and elder.card_given_on is None
        and not elder.visits.filter(kind=ElderVisit.Kind.HOME, reached=True).exists()
    )
    if first_home and not card_given:
        errors.setdefault("card_given", []).append(
            _("At the first home visit the elder is given the manager's contact card: tick it once given.")
        )
    _errors_raise(errors)
    visit = ElderVisit.objects.create(
        elder=elder,
        visited_at=visited_at,
        visitor=visitor,
        kind=kind,
        reached=reached,
        concerns=concerns,
        observations=_text(observations),
        card_given=bool(card_given),
        created_by=acting_user,
    )
    for need in needs:
        ElderNeed.objects.create(
            visit=visit, elder=elder, kind=need["kind"], detail=_text(need.get("detail"))[:300]
        )
    if card_given and elder.card_given_on is None:
        elder.card_given_on = timezone.localtime(visited_at).date()
        elder.save(update_fields=["card_given_on", "updated"])
    audit_record(
        instance=elder,
        action="elder_visit_record",
        acting_user=acting_user,
        changes={
            "visit": visit.pk,
            "kind": kind,
            "reached": reached,
            "visited_at": visited_at.isoformat(),
            "needs": len(needs),
        },
    )
    if not reached:
        elder_escalation_open(visit=visit, acting_user=acting_user)
    else:
        elder_escalations_reached(visit=visit, acting_user=acting_user)
        care_alerts_visit_recorded(visit=visit)
    elder_figures_refresh(day=timezone.localtime(visited_at).date())
    return visit
