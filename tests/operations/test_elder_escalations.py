"""Not reached: calls to contacts, escalation past the deadline (center head + security), the
outcome, the end by a later reached visit; care alerts raised and closed; their admin pages."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import pytest

from operations.models import (
    CareAlert,
    Elder,
    ElderAccess,
    ElderContact,
    ElderEscalation,
    ElderVisit,
    Notification,
    RiskTier,
    WorkOrder,
)
from operations.services.elder_alerts import care_alert_close, care_alert_raise
from operations.services.elder_escalations import (
    elder_escalation_call_record,
    elder_escalation_resolve,
    elder_escalations_check,
)
from operations.services.elders import elder_visit_record
from tests.base import TEST_PASSWORD
from tests.factories import make_elder, make_manager, make_user

pytestmark = pytest.mark.usefixtures("alpha")


@pytest.fixture
def manager(alpha):
    return make_manager()


@pytest.fixture
def head(alpha):
    return make_user("zhuren", "中心负责人", "张主任")


def client_for(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def not_reached(manager, *, hours_ago=1, name="王桂兰", **elder_fields):
    elder = make_elder(name, manager=manager, card_given_on=timezone.localdate(), **elder_fields)
    ElderContact.objects.create(elder=elder, name="王小明", relation="儿子", phone="13900001111", order=1)
    ElderContact.objects.create(elder=elder, name="赵阿姨", relation="邻居", phone="13900002222", order=2)
    visit = elder_visit_record(
        elder=elder,
        visited_at=timezone.now() - dt.timedelta(hours=hours_ago),
        reached=False,
        acting_user=manager,
    )
    return visit.escalation


class TestCalls:
    def test_calls_are_recorded_in_order_and_answered_needs_a_note(self, zh, manager):
        escalation = not_reached(manager)
        son, neighbour = escalation.elder.contacts.order_by("order")
        elder_escalation_call_record(escalation=escalation, contact=son, answered=False, acting_user=manager)
        with pytest.raises(ValidationError) as refused:
            elder_escalation_call_record(
                escalation=escalation, contact=neighbour, answered=True, acting_user=manager
            )
        assert "联系人" in " ".join(refused.value.messages)
        assert escalation.calls.count() == 1
        elder_escalation_call_record(
            escalation=escalation,
            contact=neighbour,
            answered=True,
            note="她说老人去女儿家了",
            acting_user=manager,
        )
        assert [c.contact.relation for c in escalation.calls.all()] == ["儿子", "邻居"]

    def test_a_contact_of_another_elder_or_a_future_call_is_refused(self, zh, manager):
        escalation = not_reached(manager)
        other = not_reached(manager, name="刘大爷")
        stranger = other.elder.contacts.first()
        with pytest.raises(ValidationError):
            elder_escalation_call_record(
                escalation=escalation, contact=stranger, answered=False, acting_user=manager
            )
        with pytest.raises(ValidationError) as refused:
            elder_escalation_call_record(
                escalation=escalation,
                contact=escalation.elder.contacts.first(),
                answered=False,
                called_at=timezone.now() + dt.timedelta(hours=2),
                acting_user=manager,
            )
        assert "将来" in " ".join(refused.value.messages)
        assert not escalation.calls.exists()

    def test_a_second_miss_joins_the_running_escalation(self, manager):
        escalation = not_reached(manager)
        elder_visit_record(
            elder=escalation.elder,
            visited_at=timezone.now(),
            kind=ElderVisit.Kind.PHONE,
            reached=False,
            acting_user=manager,
        )
        assert ElderEscalation.objects.filter(elder=escalation.elder).count() == 1


class TestEscalate:
    def test_past_the_deadline_the_head_is_told_and_security_sent_once(self, head, manager):
        escalation = not_reached(manager, hours_ago=5)
        early = elder_escalations_check(now=escalation.deadline - dt.timedelta(minutes=1))
        assert early == {"escalated": 0, "notified": 0}
        counts = elder_escalations_check(now=escalation.deadline + dt.timedelta(minutes=1))
        assert counts["escalated"] == 1 and counts["notified"] >= 1
        escalation.refresh_from_db()
        assert escalation.status == ElderEscalation.Status.ESCALATED
        order = escalation.work_order
        assert order.department.code == "security" and order.is_urgent
        assert order.unit == escalation.elder.resident.unit
        assert Notification.objects.filter(recipient=head, kind="elder.escalated").count() == 1
        again = elder_escalations_check(now=escalation.deadline + dt.timedelta(minutes=2))
        assert again == {"escalated": 0, "notified": 0}
        assert WorkOrder.objects.filter(department__code="security").count() == 1

    def test_run_center_jobs_escalates(self, head, manager, alpha):
        escalation = not_reached(manager, hours_ago=6)
        ElderEscalation.objects.filter(pk=escalation.pk).update(
            deadline=timezone.now() - dt.timedelta(minutes=1)
        )
        from django.db import connection

        connection.set_schema_to_public()
        call_command("run_center_jobs", stdout=__import__("io").StringIO())
        connection.set_tenant(alpha)
        escalation.refresh_from_db()
        assert escalation.status == ElderEscalation.Status.ESCALATED


class TestResolve:
    def test_found_well_cancels_a_security_check_not_under_way(self, head, manager):
        escalation = not_reached(manager, hours_ago=5)
        elder_escalations_check(now=escalation.deadline + dt.timedelta(minutes=1))
        escalation.refresh_from_db()
        elder_escalation_resolve(
            escalation=escalation, outcome=ElderEscalation.Outcome.WITH_FAMILY, acting_user=head
        )
        escalation.refresh_from_db()
        assert escalation.status == ElderEscalation.Status.RESOLVED and escalation.resolved_by == head
        assert escalation.work_order.status == WorkOrder.Status.CANCELLED
        with pytest.raises(ValidationError):
            elder_escalation_resolve(
                escalation=escalation, outcome=ElderEscalation.Outcome.FOUND_WELL, acting_user=head
            )

    def test_in_hospital_changes_the_status_and_other_needs_a_note(self, zh, head, manager):
        escalation = not_reached(manager)
        with pytest.raises(ValidationError) as refused:
            elder_escalation_resolve(
                escalation=escalation, outcome=ElderEscalation.Outcome.OTHER, acting_user=head
            )
        assert "说明" in " ".join(refused.value.messages)
        until = timezone.localdate() + dt.timedelta(days=10)
        elder_escalation_resolve(
            escalation=escalation,
            outcome=ElderEscalation.Outcome.IN_HOSPITAL,
            note="市一医院心内科",
            paused_until=until,
            acting_user=head,
        )
        elder = Elder.objects.get(pk=escalation.elder_id)
        assert elder.status == Elder.Status.IN_HOSPITAL and elder.paused_until == until

    def test_a_later_reached_call_ends_it(self, manager):
        escalation = not_reached(manager, hours_ago=2)
        elder_visit_record(
            elder=escalation.elder, visited_at=timezone.now(), kind=ElderVisit.Kind.PHONE, acting_user=manager
        )
        escalation.refresh_from_db()
        assert escalation.status == ElderEscalation.Status.RESOLVED
        assert escalation.outcome == ElderEscalation.Outcome.FOUND_WELL


class TestCareAlerts:
    def test_raise_lists_high_risk_elders_tells_managers_and_closes_when_all_reached(self, zh, head, manager):
        high = make_elder("周奶奶", manager=manager, risk_tier=RiskTier.HIGH, risk_reasons=["age_80"])
        make_elder("孙大爷", manager=manager)  # general tier: not on the alert
        alert = care_alert_raise(acting_user=head, kind=CareAlert.Kind.HEAT, title="高温预警")
        assert list(alert.elders.all()) == [high]
        assert Notification.objects.filter(recipient=manager, kind="elder.care_alert").exists()
        with pytest.raises(ValidationError) as refused:
            care_alert_raise(acting_user=head, kind=CareAlert.Kind.HEAT, title="又一个")
        assert "已" in " ".join(refused.value.messages)
        elder_visit_record(
            elder=high, visited_at=timezone.now(), kind=ElderVisit.Kind.PHONE, acting_user=manager
        )
        alert.refresh_from_db()
        assert alert.closed_at is not None

    def test_no_high_risk_elder_no_alert_and_manual_close_needs_a_note(self, zh, head, manager):
        with pytest.raises(ValidationError):
            care_alert_raise(acting_user=head, kind=CareAlert.Kind.COLD, title="寒潮")
        make_elder("周奶奶", manager=manager, risk_tier=RiskTier.HIGH, risk_reasons=["age_80"])
        alert = care_alert_raise(acting_user=head, kind=CareAlert.Kind.COLD, title="寒潮")
        with pytest.raises(ValidationError):
            care_alert_close(alert=alert, note="", acting_user=head)
        care_alert_close(alert=alert, note="预警已解除", acting_user=head)
        alert.refresh_from_db()
        assert alert.closed_by == head and alert.close_note == "预警已解除"


class TestPages:
    def test_the_escalation_page_shows_the_timeline_and_logs_the_contacts_view(self, zh, manager):
        escalation = not_reached(manager)
        client = client_for(manager)
        url = f"/admin/operations/elders/escalations/inspect/{escalation.pk}/"
        body = client.get(url).content.decode()
        assert "王小明" in body and "13900001111" in body
        assert ElderAccess.objects.filter(elder=escalation.elder, context="escalation").exists()
        son = escalation.elder.contacts.get(order=1)
        response = client.post(
            f"/admin/operations/elders/escalations/action/{escalation.pk}/call/",
            {"contact": son.pk, "answered": "on", "note": ""},
        )
        assert response.status_code == 400 and "联系人" in response.content.decode()
        response = client.post(
            f"/admin/operations/elders/escalations/action/{escalation.pk}/call/",
            {"contact": son.pk, "note": "无人接听"},
        )
        assert response.status_code == 302
        body = client.get(url).content.decode()
        assert "无人接听" in body
        response = client.post(
            f"/admin/operations/elders/escalations/action/{escalation.pk}/resolve/", {"outcome": "found_well"}
        )
        assert response.status_code == 302
        assert ElderEscalation.objects.get(pk=escalation.pk).status == ElderEscalation.Status.RESOLVED

    def test_a_colleague_without_need_to_know_sees_masked_phones(self, manager):
        escalation = not_reached(manager)
        colleague = make_user("kehu2", "客户主任", "另一位主任")
        body = (
            client_for(colleague)
            .get(f"/admin/operations/elders/escalations/inspect/{escalation.pk}/")
            .content.decode()
        )
        assert "13900001111" not in body and "王小明" in body
        assert not ElderAccess.objects.filter(user=colleague).exists()

    def test_index_home_panel_and_care_alert_pages(self, zh, head, manager):
        escalation = not_reached(manager)
        make_elder("周奶奶", manager=manager, risk_tier=RiskTier.HIGH, risk_reasons=["age_80"])
        client = client_for(head)
        assert "王桂兰" in client.get("/admin/operations/elders/escalations/?scope=running").content.decode()
        home = client.get("/admin/").content.decode()
        assert f"/admin/operations/elders/escalations/inspect/{escalation.pk}/" in home
        response = client.post(
            "/admin/operations/elders/care-alerts/new/",
            {"kind": "heat", "title": "高温预警", "note": "多喝水"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        alert = CareAlert.objects.get()
        page = client.get(f"/admin/operations/elders/care-alerts/inspect/{alert.pk}/").content.decode()
        assert "周奶奶" in page
        assert "高温预警" in client.get("/admin/operations/elders/care-alerts/").content.decode()
        assert "高温预警" in client.get("/admin/").content.decode()
