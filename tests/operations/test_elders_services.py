"""The elders' registry and visits: registration with consents, details, tiers, status, consents,
contacts, delegates and visits (operations.services.elders), and the cadence (selectors.elders)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from operations.models import (
    AuditEntry,
    Elder,
    ElderConsent,
    ElderEscalation,
    ElderNeed,
    ElderVisit,
    RiskTier,
)
from operations.selectors.elders import elder_due_list
from operations.services.elders import (
    elder_consent_record,
    elder_consent_withdraw,
    elder_contact_add,
    elder_contact_remove,
    elder_delegate_set,
    elder_register,
    elder_status_change,
    elder_tier_change,
    elder_update,
    elder_visit_record,
)
from tests.factories import make_elder, make_manager, make_unit, make_user

pytestmark = pytest.mark.usefixtures("alpha")

SIGNED = {"given_on": None, "method": "signed"}


def register(**overrides):
    data = {
        "unit": make_unit(room="0501"),
        "name": "王秀兰",
        "birth_date": dt.date(1938, 6, 1),
        "gender": Elder.Gender.FEMALE,
        "manager": make_manager(),
        "registry_consent": SIGNED,
        "acting_user": None,
    }
    return elder_register(**(data | overrides))


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_register_creates_the_resident_consent_contacts_and_ticks_age_80():
    elder = register(
        phone="13800001111",
        contacts=[{"name": "王强", "relation": "儿子", "phone": "13900002222"}],
        health_consent={"method": "oral", "witness": "张护士"},
        health_notes="高血压，按时服药",
    )
    assert elder.resident.name == "王秀兰" and str(elder.resident.unit) == "3号楼-2单元-0501"
    assert elder.registry_consent and elder.health_consent
    assert "age_80" in elder.risk_reasons
    assert elder.contacts.get().order == 1
    assert set(elder.consents.values_list("kind", flat=True)) == {"registry", "health"}
    entry = AuditEntry.objects.get(action="elder_register")
    assert entry.changes["health_notes"] == [None, "***"]  # the note itself never in the log


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"registry_consent": None}, "registry_consent"),
        ({"health_notes": "糖尿病"}, "health_notes"),
        ({"birth_date": dt.date(1990, 1, 1)}, "birth_date"),
        ({"phone": "12345"}, "phone"),
        ({"risk_tier": RiskTier.HIGH, "birth_date": dt.date(1950, 1, 1)}, "risk_reasons"),
        ({"registry_consent": {"method": "oral"}}, "registry_consent"),
        ({"contacts": [{"name": "王强", "relation": "儿子", "phone": "abc"}]}, "contacts"),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(zh, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        register(**overrides)
    assert field in errors_of(excinfo)
    assert not Elder.objects.exists() and not AuditEntry.objects.filter(action="elder_register").exists()


def test_register_refuses_the_same_resident_twice(zh):
    register()
    with pytest.raises(ValidationError) as excinfo:
        register()
    assert "已在" in " ".join(errors_of(excinfo)["name"])


def test_a_health_note_needs_the_health_consent(zh):
    elder = make_elder()
    with pytest.raises(ValidationError) as excinfo:
        elder_update(elder=elder, health_notes="心脏病", acting_user=None)
    assert "同意" in " ".join(errors_of(excinfo)["health_notes"])
    elder_consent_record(
        elder=elder, kind="health", given_on=timezone.localdate(), method="signed", acting_user=None
    )
    elder_update(elder=elder, health_notes="心脏病", acting_user=None)
    elder.refresh_from_db()
    assert elder.health_notes == "心脏病"
    assert AuditEntry.objects.filter(action="elder_update").get().changes == {"health_notes": [None, "***"]}


def test_withdrawing_the_health_consent_erases_the_notes():
    elder = make_elder(health_consent=True, health_notes="哮喘")
    consent = elder.consents.get(kind=ElderConsent.Kind.HEALTH)
    elder_consent_withdraw(consent=consent, acting_user=None)
    elder.refresh_from_db()
    assert elder.health_notes == "" and not elder.health_consent
    with pytest.raises(ValidationError):
        elder_consent_withdraw(consent=consent, acting_user=None)


def test_withdrawing_the_registry_consent_takes_the_elder_off_the_due_list():
    manager = make_manager()
    elder = make_elder(manager=manager)
    assert [row.elder for row in elder_due_list(user=manager)] == [elder]
    elder_consent_withdraw(consent=elder.consents.get(kind="registry"), acting_user=None)
    assert elder_due_list(user=manager) == []


def test_tier_change_needs_a_reason_and_is_recorded(zh):
    elder = make_elder()
    with pytest.raises(ValidationError) as excinfo:
        elder_tier_change(
            elder=elder, risk_tier=RiskTier.HIGH, risk_reasons=["dementia"], note="", acting_user=None
        )
    assert "note" in errors_of(excinfo)
    elder_tier_change(
        elder=elder,
        risk_tier=RiskTier.HIGH,
        risk_reasons=["dementia"],
        note="确诊阿尔茨海默病",
        acting_user=None,
    )
    entry = AuditEntry.objects.get(action="elder_tier_change")
    assert entry.changes["risk_tier"] == ["general", "high"] and entry.changes["note"] == "确诊阿尔茨海默病"


def test_status_hospital_then_back_makes_a_visit_due_within_24_hours(zh):
    manager = make_manager()
    elder = make_elder(manager=manager, registered_on=timezone.localdate() - dt.timedelta(days=30))
    today = timezone.localdate()
    elder_status_change(
        elder=elder,
        status=Elder.Status.IN_HOSPITAL,
        paused_until=today + dt.timedelta(days=7),
        acting_user=None,
    )
    assert elder_due_list(user=manager) == []  # paused
    elder_status_change(elder=elder, status=Elder.Status.ACTIVE, acting_user=None)
    row = elder_due_list(user=manager)[0]
    assert "return" in {due.kind for due in row.dues}
    elder_visit_record(elder=elder, visited_at=timezone.now(), kind="phone", acting_user=manager)
    assert "return" not in {due.kind for due in elder_due_list(user=manager)[0].dues}


def test_status_refusals(zh):
    elder = make_elder()
    elder_status_change(elder=elder, status=Elder.Status.DECEASED, acting_user=None)
    with pytest.raises(ValidationError) as excinfo:
        elder_status_change(elder=elder, status=Elder.Status.ACTIVE, acting_user=None)
    assert "status" in errors_of(excinfo)
    other = make_elder("赵大爷")
    with pytest.raises(ValidationError) as excinfo:
        elder_status_change(
            elder=other,
            status=Elder.Status.MOVED,
            on=timezone.localdate() + dt.timedelta(days=1),
            acting_user=None,
        )
    assert "on" in errors_of(excinfo)


def test_contacts_are_called_in_order_and_kept_when_removed():
    elder = make_elder()
    first = elder_contact_add(
        elder=elder, name="李明", relation="儿子", phone="13911112222", acting_user=None
    )
    second = elder_contact_add(
        elder=elder, name="李红", relation="女儿", phone="13933334444", acting_user=None
    )
    assert (first.order, second.order) == (1, 2)
    elder_contact_remove(contact=first, acting_user=None)
    assert elder.contacts.count() == 2 and list(elder.contacts.filter(is_active=True)) == [second]
    entry = AuditEntry.objects.filter(action="elder_contact_add").first()
    assert "1391" not in str(entry.changes)  # masked


def test_delegate_period_is_checked_and_gives_the_delegate_the_elder(zh):
    elder = make_elder()
    stand_in = make_user("kehu2", "客户主任", "周主任")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        elder_delegate_set(
            elder=elder, delegate=stand_in, starts=today, ends=today - dt.timedelta(days=1), acting_user=None
        )
    assert "ends" in errors_of(excinfo)
    elder_delegate_set(
        elder=elder, delegate=stand_in, starts=today, ends=today + dt.timedelta(days=10), acting_user=None
    )
    assert [row.elder for row in elder_due_list(user=stand_in)] == [elder]


def test_visit_records_needs_and_the_card_at_the_first_home_visit(zh):
    elder = make_elder()
    manager = elder.manager
    with pytest.raises(ValidationError) as excinfo:
        elder_visit_record(elder=elder, visited_at=timezone.now(), acting_user=manager)
    assert "card_given" in errors_of(excinfo)
    visit = elder_visit_record(
        elder=elder,
        visited_at=timezone.now() - dt.timedelta(hours=1),
        concerns=["gas"],
        observations="燃气灶打火困难",
        card_given=True,
        needs=[{"kind": "shopping", "detail": "每周买米"}, {"kind": "utilities", "detail": "检查燃气灶"}],
        acting_user=manager,
    )
    elder.refresh_from_db()
    assert elder.card_given_on == timezone.localtime(visit.visited_at).date()
    assert ElderNeed.objects.filter(visit=visit).count() == 2
    assert visit.visitor == manager


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"visited_at": timezone.now() + dt.timedelta(days=1)}, "visited_at"),
        ({"reached": False, "needs": [{"kind": "shopping"}]}, "reached"),
        ({"kind": "letter"}, "kind"),
    ],
)
def test_visit_refusals(zh, overrides, field):
    elder = make_elder(card_given_on=timezone.localdate())
    with pytest.raises(ValidationError) as excinfo:
        elder_visit_record(
            **({"elder": elder, "visited_at": timezone.now(), "acting_user": None} | overrides)
        )
    assert field in errors_of(excinfo)
    assert not ElderVisit.objects.exists()


def test_no_visit_for_a_moved_elder(zh):
    elder = make_elder(card_given_on=timezone.localdate())
    elder_status_change(elder=elder, status=Elder.Status.MOVED, acting_user=None)
    with pytest.raises(ValidationError) as excinfo:
        elder_visit_record(elder=elder, visited_at=timezone.now(), acting_user=None)
    assert "搬离" in " ".join(errors_of(excinfo)["elder"])


def test_a_visit_not_reached_opens_an_escalation():
    elder = make_elder(card_given_on=timezone.localdate())
    visit = elder_visit_record(elder=elder, visited_at=timezone.now(), reached=False, acting_user=None)
    assert ElderEscalation.objects.get().visit == visit


def test_cadence_two_home_visits_a_month_and_weekly_contact_for_high_risk():
    manager = make_manager()
    elder = make_elder(
        manager=manager,
        risk_tier=RiskTier.HIGH,
        risk_reasons=["dementia"],
        card_given_on=timezone.localdate(),
    )
    kinds = {due.kind for due in elder_due_list(user=manager)[0].dues}
    assert kinds == {"month", "week"}
    elder_visit_record(elder=elder, visited_at=timezone.now(), kind="phone", acting_user=manager)
    assert {due.kind for due in elder_due_list(user=manager)[0].dues} == {"month"}  # a call is a contact
    elder_visit_record(elder=elder, visited_at=timezone.now(), acting_user=manager)
    row = elder_due_list(user=manager)[0]
    assert [due.kind for due in row.dues] == ["month"] and "2" in row.dues[0].label
    elder_visit_record(elder=elder, visited_at=timezone.now(), acting_user=manager)
    assert elder_due_list(user=manager) == []


def test_due_list_is_two_queries_whatever_the_number_of_elders(django_assert_max_num_queries):
    manager = make_manager()
    for n in range(6):
        make_elder(f"老人{n}", manager=manager)
    elder_due_list(user=manager)  # settings row created
    with django_assert_max_num_queries(2):
        rows = elder_due_list(user=manager)
    assert len(rows) == 6
