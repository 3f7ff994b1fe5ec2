"""Demo elders: thirty on the registry per center, a realistic current month and its history; twice = once."""

import datetime as dt
import random
from types import SimpleNamespace

from django.utils import timezone

import pytest

from demo.elders import DEMO_NEEDS, ELDERS, HIGH_RISK, PRIORITY, ElderPlan, elders_demo_data_install, schedule
from operations.models import (
    Activity,
    ActivityParticipant,
    AuditEntry,
    CareAlert,
    Elder,
    ElderEscalation,
    ElderNeed,
    ElderVisit,
    RiskTier,
    WorkOrder,
)
from operations.selectors.elder_compliance import compliance_total, elder_compliance
from operations.selectors.elders import local_midnight
from operations.services.activities import activity_create, quarter_of
from portal.models import CenterMonth


def _counts():
    return tuple(
        model.objects.count()
        for model in (
            Elder,
            ElderVisit,
            ElderNeed,
            WorkOrder,
            ElderEscalation,
            CareAlert,
            ActivityParticipant,
        )
    )


def _quarter_months(today):
    return [3 * (quarter_of(today) - 1) + i for i in (1, 2, 3)]


@pytest.fixture
def party(alpha) -> Activity:
    """This quarter's group birthday party, still open (the demo plan leaves Q2 out: made here)."""
    today = timezone.localdate()
    starts_at = timezone.make_aware(dt.datetime(today.year, _quarter_months(today)[1], 15, 9, 0))
    return activity_create(
        acting_user=None,
        kind=Activity.Kind.BIRTHDAY_PARTY,
        title="本季度集体生日会",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=3),
        place="服务中心广场",
    )


def test_demo_elders_tell_a_realistic_month_and_twice_is_once(party, center_a):
    installed = elders_demo_data_install()
    counts, audits = _counts(), AuditEntry.objects.count()
    again = elders_demo_data_install()
    assert set(again.values()) == {0}
    assert _counts() == counts and AuditEntry.objects.count() == audits

    _assert_registry(installed)
    _assert_visits()
    _assert_escalations_and_care_alert(installed)
    _assert_needs(installed)
    _assert_birthday_invitees(installed, party)
    _assert_head_office_figures(center_a)


def _assert_registry(installed):
    """Thirty elders in three tiers, with consents, contacts, managers, some born this quarter."""
    assert installed["elders"] == Elder.objects.count() == ELDERS
    tiers = {tier: Elder.objects.filter(risk_tier=tier).count() for tier in RiskTier.values}
    assert tiers == {RiskTier.HIGH: HIGH_RISK, RiskTier.PRIORITY: PRIORITY, RiskTier.GENERAL: ELDERS - 16}
    assert not Elder.objects.exclude(risk_tier=RiskTier.GENERAL).filter(risk_reasons=[]).exists()
    assert {e.manager.username for e in Elder.objects.select_related("manager")} == {"wangqiang", "chenfang"}
    today = timezone.localdate()
    for elder in Elder.objects.prefetch_related("consents", "contacts").select_related("resident"):
        assert elder.registry_consent and 1 <= len(elder.contacts.all()) <= 2
        assert elder.resident.birth_date == elder.birth_date
        assert today.year - elder.birth_date.year >= 60
        assert elder.registered_on < today.replace(day=1)
        assert bool(elder.health_notes) == elder.health_consent
    assert Elder.objects.filter(health_consent=True).exists()
    assert Elder.objects.filter(health_consent=False).exists()
    assert Elder.objects.filter(birth_date__month__in=_quarter_months(today)).count() >= 3
    # The history is dated as it happened: registered on the registration day.
    elders = {str(e.pk): e for e in Elder.objects.all()}
    for entry in AuditEntry.objects.filter(action="elder_register"):
        assert timezone.localdate(entry.created) == elders[entry.object_id].registered_on


def _assert_visits():
    """Past months mostly complete, this month partial, nothing after now, the card at the first visit."""
    now = timezone.now()
    assert not ElderVisit.objects.filter(visited_at__gt=now).exists()
    assert not ElderVisit.objects.filter(created__gt=now).exists()
    for elder in Elder.objects.all():
        first = elder.visits.filter(kind=ElderVisit.Kind.HOME, reached=True).order_by("visited_at").first()
        assert first.card_given and elder.card_given_on == timezone.localdate(first.visited_at)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    total = compliance_total(elder_compliance(month=last_month, required=2))
    assert total.required and total.done >= 0.9 * total.required
    this_month = compliance_total(elder_compliance(month=today, required=2))
    assert this_month.fully_visited < ELDERS
    since = local_midnight(today.replace(day=1))
    visited = ElderVisit.objects.filter(kind=ElderVisit.Kind.HOME, reached=True, visited_at__gte=since)
    assert visited.values("elder").distinct().count() < ELDERS  # some not visited yet
    assert ElderVisit.objects.filter(kind=ElderVisit.Kind.PHONE, elder__risk_tier=RiskTier.HIGH).exists()


def _assert_escalations_and_care_alert(installed):
    now = timezone.now()
    running = ElderEscalation.objects.get(status=ElderEscalation.Status.OPEN)
    assert now - dt.timedelta(hours=3) < running.visit.visited_at < now - dt.timedelta(hours=1)
    assert running.deadline > now
    call = running.calls.get()
    assert not call.answered and call.contact.order == 1
    resolved = ElderEscalation.objects.get(status=ElderEscalation.Status.RESOLVED)
    assert resolved.outcome == ElderEscalation.Outcome.WITH_FAMILY
    assert resolved.calls.filter(answered=True).count() == 1
    assert resolved.resolved_at < now - dt.timedelta(days=1)
    assert installed["escalations"] == ElderEscalation.objects.count() == 2

    alert = CareAlert.objects.get()
    assert alert.raised_at < local_midnight(timezone.localdate().replace(day=1))
    assert alert.closed_at is not None and alert.closed_by is not None and alert.raised_at < alert.closed_at
    assert alert.elders.count() == HIGH_RISK
    assert alert.visits.filter(reached=True).values("elder").distinct().count() == HIGH_RISK - 1


def _assert_needs(installed):
    """Needs sent as special services: two done and replied to, one done with the reply due, two
    under way; the others answered on the spot, declined or still open."""
    assert installed["needs"] == ElderNeed.objects.count() == len(DEMO_NEEDS)
    assert set(ElderNeed.objects.values_list("status", flat=True)) == set(ElderNeed.Status.values)
    ordered = ElderNeed.objects.exclude(work_order=None).select_related("work_order", "visit")
    assert ordered.count() == installed["work_orders"] == 5
    for need in ordered:
        assert need.work_order.kind == WorkOrder.Kind.SPECIAL_SERVICE
        assert need.work_order.source == WorkOrder.Source.ELDER_VISIT
    assert ordered.filter(status=ElderNeed.Status.ORDERED).count() == 2
    closed = ordered.filter(work_order__status=WorkOrder.Status.CLOSED)
    assert closed.filter(status=ElderNeed.Status.HANDLED, replied_on__isnull=False).count() == 2
    due = closed.get(replied_on__isnull=True)
    assert due.status == ElderNeed.Status.HANDLED and due.work_order.closed_at == due.handled_at
    for need in closed:
        assert need.visit.visited_at < need.work_order.created < need.work_order.closed_at < timezone.now()


def _assert_birthday_invitees(installed, party):
    months = _quarter_months(timezone.localdate())
    born = set(Elder.objects.filter(birth_date__month__in=months).values_list("resident", flat=True))
    invited = set(party.participants.filter(invited=True).values_list("resident", flat=True))
    assert born and born <= invited and installed["invited"] == len(born)


def _assert_head_office_figures(center):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    row = CenterMonth.objects.get(center=center, month=last_month)
    assert (row.elders_high, row.elders_priority) == (HIGH_RISK, PRIORITY)
    assert row.elder_visits_done >= 0.9 * row.elder_visits_required > 0
    assert row.escalations_resolved == 1 and row.escalations_opened >= 1  # (2 just after midnight on the 1st)
    assert row.special_services_done >= 1
    assert CenterMonth.objects.filter(center=center, month=today.replace(day=1)).exists()


def _plans(n=ELDERS):
    plans = []
    for i in range(n):
        plan = ElderPlan(
            resident=SimpleNamespace(name="王建国"),
            birth_date=dt.date(1945, 1, 1),
            gender="male",
            manager=None,
            registered_on=dt.date(2025, 12, 1) + dt.timedelta(days=i % 25),
            tier=RiskTier.HIGH if i < HIGH_RISK else RiskTier.PRIORITY if i < 16 else RiskTier.GENERAL,
            contacts=[{}, {}],
        )
        plans.append(plan)
    return plans


@pytest.mark.parametrize("hour", [0, 8, 12, 23])
def test_the_schedule_never_runs_ahead_of_now_on_the_first_of_a_month(hour):
    now = timezone.make_aware(dt.datetime(2026, 3, 1, hour, 5))
    plans = _plans()
    story = schedule(plans, random.Random(hour), now=now)
    visits = [visit for plan in plans for visit in plan.visits]
    assert visits and all(visit.at <= now for visit in visits)
    assert story.alert_raised < story.alert_closed < local_midnight(dt.date(2026, 3, 1))
    assert story.open is not None and [v.reached for v in story.open.visits if v.story == "open"] == [False]
    assert sum(1 for visit in visits if visit.need) == len(DEMO_NEEDS)
