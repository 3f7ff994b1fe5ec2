"""The needs' admin (send to a department in one click, handle, decline, reply visit), the
compliance screen and the center's care rules."""

import datetime as dt

from django.test import Client
from django.utils import timezone

import pytest

from operations.models import AuditEntry, ElderCareSettings, ElderNeed, ElderVisit, NeedKind, WorkOrder
from operations.services.elders import elder_care_settings, elder_visit_record
from tests.base import TEST_PASSWORD
from tests.factories import make_elder, make_manager, make_user

pytestmark = pytest.mark.usefixtures("alpha")


def client_for(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


@pytest.fixture
def manager(alpha):
    return make_manager()


@pytest.fixture
def head(alpha):
    return make_user("zhuren", "中心负责人", "张主任")


def need_of(manager, kind=NeedKind.UTILITIES, detail="厨房插座没电", name="李秀英", hours=2):
    elder = make_elder(name, manager=manager, card_given_on=timezone.localdate())
    visit = elder_visit_record(
        elder=elder,
        visited_at=timezone.now() - dt.timedelta(hours=hours),
        needs=[{"kind": kind, "detail": detail}],
        acting_user=manager,
    )
    return visit.needs.get()


def test_the_need_page_prefills_the_work_order_for_its_department(zh, manager):
    need = need_of(manager)
    response = client_for(manager).get(f"/admin/operations/elders/needs/inspect/{need.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "厨房插座没电" in body and "工程部" in body
    assert 'id="action-order"' in body or "action-order" in body


def test_one_click_sends_it_and_the_need_shows_its_work_order(zh, manager):
    need = need_of(manager)
    client = client_for(manager)
    page = client.get(f"/admin/operations/elders/needs/inspect/{need.pk}/").content.decode()
    assert "独居老人特殊服务" in page or "特殊服务" in page
    from operations.forms.elder_needs import NeedOrderForm

    form = NeedOrderForm(need=need, settings=elder_care_settings())
    data = {"description": form["description"].initial, "department": form["department"].initial}
    response = client.post(f"/admin/operations/elders/needs/action/{need.pk}/order/", data)
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == ElderNeed.Status.ORDERED
    assert need.work_order.department.code == "engineering"
    page = client.get(f"/admin/operations/elders/needs/inspect/{need.pk}/").content.decode()
    assert need.work_order.number in page and "需求已转特殊服务" in page


def test_family_told_without_how_is_refused_in_chinese(zh, manager):
    need = need_of(manager)
    response = client_for(manager).post(
        f"/admin/operations/elders/needs/action/{need.pk}/order/",
        {"description": "检查插座", "department": need_department_pk(), "family_told": "on"},
    )
    assert response.status_code == 400
    assert "家属" in response.content.decode()
    assert not WorkOrder.objects.exists()


def need_department_pk():
    from operations.models import Department

    return Department.objects.get(code="engineering").pk


def test_the_reply_visit_is_due_on_the_due_list_then_recorded(zh, manager):
    need = need_of(manager, kind=NeedKind.ENQUIRY, detail="问养老金认证")
    client = client_for(manager)
    client.post(f"/admin/operations/elders/needs/action/{need.pk}/handle/", {"note": "当场教会手机认证"})
    ElderNeed.objects.filter(pk=need.pk).update(handled_at=timezone.now() - dt.timedelta(hours=50))
    due = client.get("/admin/operations/elders/due/").content.decode()
    assert "上门回复" in due
    listed = client.get("/admin/operations/elders/needs/?scope=reply").content.decode()
    assert "问养老金认证" in listed and "row--flagged" in listed
    response = client.post(
        f"/admin/operations/elders/needs/action/{need.pk}/reply/",
        {"replied_on": timezone.localdate().isoformat(), "note": "已上门确认认证成功"},
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.replied_on == timezone.localdate()
    assert "问养老金认证" not in client.get("/admin/operations/elders/needs/?scope=reply").content.decode()


def test_a_reply_in_the_future_is_refused_and_nothing_written(zh, manager):
    need = need_of(manager, kind=NeedKind.ENQUIRY)
    client = client_for(manager)
    client.post(f"/admin/operations/elders/needs/action/{need.pk}/handle/", {"note": "已答复"})
    response = client.post(
        f"/admin/operations/elders/needs/action/{need.pk}/reply/",
        {"replied_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(), "note": "x"},
    )
    assert response.status_code == 400 and "将来" in response.content.decode()
    need.refresh_from_db()
    assert need.replied_on is None


def test_needs_index_and_export(zh, manager, django_assert_max_num_queries):
    for n in range(6):
        need_of(manager, name=f"老人{n}", detail=f"需求{n}")
    client = client_for(manager)
    client.get("/admin/operations/elders/needs/")
    with django_assert_max_num_queries(14):
        response = client.get("/admin/operations/elders/needs/")
    assert response.status_code == 200 and "需求5" in response.content.decode()
    export = client.get("/admin/operations/elders/needs/?export=xlsx")
    assert export.status_code == 200


def test_a_front_desk_clerk_cannot_act_on_needs(zh, manager):
    need = need_of(manager)
    desk = make_user("desk", "前台客服", "前台小李")
    response = client_for(desk).post(
        f"/admin/operations/elders/needs/action/{need.pk}/handle/", {"note": "x"}
    )
    assert response.status_code in (302, 403)
    need.refresh_from_db()
    assert need.status == ElderNeed.Status.OPEN


def test_compliance_by_manager_for_the_center_head_and_own_row_for_a_manager(zh, manager, head):
    wang = make_manager("wangqiang", "王主任")
    mine = make_elder("李秀英", manager=manager)
    make_elder("王桂兰", manager=wang)
    ElderVisit.objects.create(
        elder=mine, visitor=manager, kind=ElderVisit.Kind.HOME, reached=True, visited_at=timezone.now()
    )
    body = client_for(head).get("/admin/operations/elders/compliance/").content.decode()
    assert "陈主任" in body and "王主任" in body and "全中心" in body
    assert "李秀英" not in body  # no personal data
    own = client_for(manager).get("/admin/operations/elders/compliance/").content.decode()
    assert "陈主任" in own and "王主任" not in own
    assert client_for(head).get("/admin/operations/elders/compliance/?month=2099-01").status_code == 200
    assert client_for(head).get("/admin/operations/elders/compliance/?month=abc").status_code == 200


def test_care_rules_can_be_tightened_not_loosened(zh, head):
    client = client_for(head)
    page = client.get("/admin/operations/elders/care-rules/")
    assert page.status_code == 200
    data = {
        "home_visits_per_month": 1,
        "high_risk_contacts_per_week": 2,
        "first_visit_by_day": 10,
        "escalation_hours": 2,
        **{f"need_{kind}": "service" for kind in NeedKind.values},
    }
    response = client.post("/admin/operations/elders/care-rules/", data)
    assert response.status_code == 400 and "至少" in response.content.decode()
    assert elder_care_settings().home_visits_per_month == 2
    response = client.post(
        "/admin/operations/elders/care-rules/",
        data | {"home_visits_per_month": 3, "need_carrying": "security"},
    )
    assert response.status_code == 302
    settings = ElderCareSettings.objects.get()
    assert (settings.home_visits_per_month, settings.escalation_hours) == (3, 2)
    assert settings.need_departments["carrying"] == "security"
    assert AuditEntry.objects.filter(action="elder_care_settings_update").exists()


def test_a_manager_cannot_change_the_rules(zh, manager):
    assert client_for(manager).get("/admin/operations/elders/care-rules/").status_code in (302, 403)


@pytest.mark.parametrize("prefix", ["needs", "escalations"])
def test_needs_and_escalations_have_no_add_view(zh, head, prefix):
    """A need is recorded with its visit and an escalation starts from a missed one: their lists
    offer no "add" button and the add address does not exist."""
    client = client_for(head)
    index = client.get(f"/admin/operations/elders/{prefix}/").content.decode()
    assert f"/admin/operations/elders/{prefix}/new/" not in index
    assert client.get(f"/admin/operations/elders/{prefix}/new/").status_code == 404
