"""The center's elder-care rules (ElderCareSettings): a center may tighten the company's rules,
never loosen them (DESIGN §11), and may send a kind of need to another of its departments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from operations.models import Department, ElderCareSettings, NeedKind
from operations.services.common import audit_record

#: The company's rules (公司《独居老人关爱服务制度》): the loosest a center may have.
COMPANY_RULES = {
    "home_visits_per_month": 2,
    "high_risk_contacts_per_week": 1,
    "first_visit_by_day": 15,
    "escalation_hours": 4,
}
#: Beyond these a rule is a typing mistake rather than a stricter programme.
LIMITS = {
    "home_visits_per_month": (2, 8),
    "high_risk_contacts_per_week": (1, 7),
    "first_visit_by_day": (1, 15),
    "escalation_hours": (1, 4),
}


def _rule_errors(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    messages = {
        "home_visits_per_month": _(
            "The company requires at least %(min)d home visits a month (at most %(max)d)."
        ),
        "high_risk_contacts_per_week": _(
            "High-risk elders need at least %(min)d contact a week (at most %(max)d)."
        ),
        "first_visit_by_day": _(
            "The first visit of the month must be by day %(max)d at the latest (from day %(min)d)."
        ),
        "escalation_hours": _(
            "A not-reached elder is escalated after at most %(max)d hours (at least %(min)d)."
        ),
    }
    for field, (low, high) in LIMITS.items():
        value = values.get(field)
        if value is None or not low <= value <= high:
            errors[field] = [messages[field] % {"min": low, "max": high}]
    return errors


@transaction.atomic
def elder_care_settings_update(
    *,
    acting_user,
    home_visits_per_month: int,
    high_risk_contacts_per_week: int,
    first_visit_by_day: int,
    escalation_hours: int,
    need_departments: dict[str, str] | None = None,
) -> ElderCareSettings:
    """Change the center's rules. Looser than the company's rules, or a need sent to a department
    the center does not have (or has retired), is refused with nothing written. Audited."""
    from operations.services.elders import elder_care_settings

    values = {
        "home_visits_per_month": home_visits_per_month,
        "high_risk_contacts_per_week": high_risk_contacts_per_week,
        "first_visit_by_day": first_visit_by_day,
        "escalation_hours": escalation_hours,
    }
    errors = _rule_errors(values)
    mapping = {kind: code for kind, code in (need_departments or {}).items() if code}
    active = set(Department.objects.filter(is_active=True).values_list("code", flat=True))
    for kind, code in mapping.items():
        if kind not in NeedKind.values:
            errors.setdefault("need_departments", []).append(
                _("Unknown kind of need: %(kind)s") % {"kind": kind}
            )
        elif code not in active:
            errors.setdefault(f"need_{kind}", []).append(_("Choose one of the center's active departments."))
    if errors:
        raise ValidationError(errors)
    settings = ElderCareSettings.objects.select_for_update().get(pk=elder_care_settings().pk)
    before = {field: getattr(settings, field) for field in [*values, "need_departments"]}
    for field, value in values.items():
        setattr(settings, field, value)
    settings.need_departments = mapping
    settings.save()
    changes = {
        field: [before[field], getattr(settings, field)]
        for field in before
        if before[field] != getattr(settings, field)
    }
    audit_record(
        instance=settings, action="elder_care_settings_update", acting_user=acting_user, changes=changes
    )
    return settings
