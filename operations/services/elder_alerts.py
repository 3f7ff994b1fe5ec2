"""Care alerts (恶劣天气/突发事件关怀): the center head raises one, every high-risk elder is due
for contact today, and the alert closes itself when everyone has been reached (DESIGN §11)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.models import CareAlert, Elder, ElderVisit, RiskTier
from operations.notify import notify
from operations.services.common import audit_record


@transaction.atomic
def care_alerts_visit_recorded(*, visit: ElderVisit) -> list[CareAlert]:
    """Count a reached visit or call toward the open alerts that list its elder; close an alert
    whose elders are all reached. Called by ``elder_visit_record``; returns the alerts closed."""
    if not visit.reached:
        return []
    closed = []
    alerts = CareAlert.objects.select_for_update().filter(
        closed_at__isnull=True, elders=visit.elder, raised_at__lte=visit.visited_at
    )
    for alert in alerts:
        if visit.care_alert_id is None:
            visit.care_alert = alert
            visit.save(update_fields=["care_alert"])
        reached = ElderVisit.objects.filter(care_alert=alert, reached=True).values("elder").distinct().count()
        if reached >= alert.elders.count():
            alert.closed_at = timezone.now()
            alert.close_note = _("Everyone reached")
            alert.save(update_fields=["closed_at", "close_note"])
            audit_record(instance=alert, action="care_alert_close", changes={"automatic": True})
            closed.append(alert)
    return closed


def care_alert_url(alert: CareAlert) -> str:
    try:
        return reverse("care_alerts:inspect", args=[alert.pk])
    except NoReverseMatch:
        return ""


@transaction.atomic
def care_alert_raise(
    *, acting_user, kind: str, title: str, note: str = "", raised_at: dt.datetime | None = None
) -> CareAlert:
    """Raise a center-wide care alert: every high-risk elder on the visit lists is to be contacted
    today; their managers (or active delegates) are told. Refused while an alert of the same kind is
    open, or when no high-risk elder is on the lists."""
    from operations.selectors.elders import on_visit_lists

    now = timezone.now()
    raised_at = raised_at or now
    title = (title or "").strip()
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in CareAlert.Kind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of alert."))
    elif CareAlert.objects.filter(kind=kind, closed_at__isnull=True).exists():
        errors.setdefault("kind", []).append(
            _("A “%(kind)s” alert is already open: close it first or add to it.")
            % {"kind": CareAlert.Kind(kind).label}
        )
    if not title:
        errors.setdefault("title", []).append(_("Give the alert a title (e.g. 高温预警 7 月 12–14 日)."))
    elif len(title) > 100:
        errors.setdefault("title", []).append(_("Keep the title within 100 characters."))
    if raised_at > now + dt.timedelta(minutes=5):
        errors.setdefault("raised_at", []).append(_("An alert cannot be raised in the future."))
    elders = list(
        Elder.objects.filter(on_visit_lists(), risk_tier=RiskTier.HIGH).select_related("manager", "delegate")
    )
    if not errors and not elders:
        errors.setdefault("kind", []).append(
            _("No high-risk elder is on the visit lists: there is no one to call.")
        )
    if errors:
        raise ValidationError(errors)
    alert = CareAlert.objects.create(
        kind=kind, title=title, note=note, raised_at=raised_at, raised_by=acting_user
    )
    alert.elders.set(elders)
    audit_record(
        instance=alert, action="care_alert_raise", acting_user=acting_user, changes={"elders": len(elders)}
    )
    today = timezone.localdate(raised_at)
    callers: dict[int, tuple] = {}
    for elder in elders:
        caller = elder.manager
        if (
            elder.delegate_id
            and elder.delegate_from
            and elder.delegate_until
            and (elder.delegate_from <= today <= elder.delegate_until)
        ):
            caller = elder.delegate
        if caller is not None:
            user, n = callers.get(caller.pk, (caller, 0))
            callers[caller.pk] = (user, n + 1)
    for user, n in callers.values():
        notify(
            recipient=user,
            kind="elder.care_alert",
            title=_("Care alert “%(title)s”: contact your %(n)d high-risk elders today")
            % {"title": title, "n": n},
            body=note[:200],
            url=care_alert_url(alert),
            dedupe_key=f"carealert:{alert.pk}",
            sms=True,
        )
    return alert


@transaction.atomic
def care_alert_close(*, alert: CareAlert, note: str, acting_user) -> CareAlert:
    """Close an alert by hand (the weather is over); the note says why. Elders not yet contacted
    stay on the record of the alert."""
    alert = CareAlert.objects.select_for_update().get(pk=alert.pk)
    note = (note or "").strip()
    if alert.closed_at is not None:
        raise ValidationError(_("This alert is already closed."))
    if not note:
        raise ValidationError({"note": _("Say why the alert is closed (e.g. 预警已解除).")})
    alert.closed_at = timezone.now()
    alert.closed_by = acting_user
    alert.close_note = note[:200]
    alert.save(update_fields=["closed_at", "closed_by", "close_note"])
    audit_record(
        instance=alert, action="care_alert_close", acting_user=acting_user, changes={"automatic": False}
    )
    return alert
