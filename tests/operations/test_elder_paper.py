"""Paper: the 独居老人拜访表 (CZC-BG-GK20-02) blank for one elder or a paper round, filled from a
recorded visit, and the elder's contact card; masked for staff who need not know, each print of
sensitive data logged."""

import datetime as dt

from django.test import Client
from django.utils import timezone

import pytest

from operations.models import ElderAccess, ElderContact, StaffProfile
from operations.services.elders import elder_visit_record
from tests.base import TEST_PASSWORD
from tests.factories import make_elder, make_manager, make_user

pytestmark = pytest.mark.usefixtures("alpha")


def client_for(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


@pytest.fixture
def manager(alpha):
    manager = make_manager()
    StaffProfile.objects.update_or_create(user=manager, defaults={"phone": "13700007777"})
    return manager


@pytest.fixture
def elder(manager):
    elder = make_elder(
        manager=manager,
        phone="13812345678",
        health_consent=True,
        health_notes="高血压，每日服药",
        card_given_on=timezone.localdate() - dt.timedelta(days=20),
    )
    ElderContact.objects.create(elder=elder, name="王小明", relation="儿子", phone="13900001111", order=1)
    return elder


@pytest.fixture
def colleague(alpha):
    return make_user("kehu2", "客户主任", "周主任")


def test_a_blank_visit_form_is_pre_filled_for_the_manager_and_the_print_logged(zh, elder, manager):
    body = client_for(manager).get(f"/admin/operations/elders/{elder.pk}/print/visit-form/").content.decode()
    assert "独居老人拜访表" in body and "CZC-BG-GK20-02" in body
    assert "李秀英" in body and str(elder.resident.unit) in body and "陈主任" in body
    assert "13812345678" in body and "王小明" in body and "高血压，每日服药" in body
    assert "☐" in body  # boxes to tick on paper
    access = ElderAccess.objects.get(elder=elder, context="print")
    assert access.user == manager and "health_notes" in access.fields


def test_a_colleague_prints_it_masked_and_nothing_is_logged(zh, elder, colleague):
    response = client_for(colleague).get(f"/admin/operations/elders/{elder.pk}/print/visit-form/")
    body = response.content.decode()
    assert response.status_code == 200 and "李秀英" in body
    assert "13812345678" not in body and "王小明" not in body and "高血压" not in body
    assert "138****5678" in body
    assert not ElderAccess.objects.filter(context="print").exists()


def test_the_form_filled_from_a_visit_ticks_the_checklist_and_lists_the_needs(zh, elder, manager):
    visit = elder_visit_record(
        elder=elder,
        visited_at=timezone.now() - dt.timedelta(hours=1),
        concerns=["gas"],
        observations="燃气灶打火困难",
        needs=[{"kind": "shopping", "detail": "每周买米"}],
        acting_user=manager,
    )
    body = client_for(manager).get(f"/admin/operations/elders/visits/{visit.pk}/print/").content.decode()
    assert "☑" in body and "燃气灶打火困难" in body and "每周买米" in body
    assert timezone.localtime(visit.visited_at).strftime("%Y-%m-%d %H:%M") in body
    visit_page = client_for(manager).get(f"/admin/operations/elders/visits/inspect/{visit.pk}/")
    assert f"/admin/operations/elders/visits/{visit.pk}/print/" in visit_page.content.decode()


def test_a_paper_round_prints_one_sheet_per_elder_due_of_mine_only(zh, elder, manager, colleague):
    make_elder("赵淑珍", manager=manager)
    make_elder("孙桂芝", manager=colleague)
    client = client_for(manager)
    due = client.get("/admin/operations/elders/due/").content.decode()
    assert "/admin/operations/elders/print/round/" in due
    body = client.get("/admin/operations/elders/print/round/").content.decode()
    assert body.count('class="sheet elder-sheet"') == 2
    assert "李秀英" in body and "赵淑珍" in body and "孙桂芝" not in body
    assert ElderAccess.objects.filter(context="print").count() == 2


def test_the_center_head_prints_a_chosen_managers_round(zh, elder, manager, colleague):
    make_elder("孙桂芝", manager=colleague)
    head = make_user("zhuren", "中心负责人", "张主任")
    body = (
        client_for(head).get(f"/admin/operations/elders/print/round/?manager={colleague.pk}").content.decode()
    )
    assert "孙桂芝" in body and "李秀英" not in body


def test_the_contact_card_has_the_managers_and_the_centers_phone_and_nothing_sensitive(
    zh, elder, manager, alpha
):
    alpha.phone = "0571-88886666"
    alpha.save()
    body = client_for(manager).get(f"/admin/operations/elders/{elder.pk}/print/card/").content.decode()
    assert "陈主任" in body and "13700007777" in body and "0571-88886666" in body
    assert "13812345678" not in body and "高血压" not in body


@pytest.mark.parametrize(
    "path",
    ["{pk}/print/visit-form/", "{pk}/print/card/", "print/round/"],
)
def test_staff_without_the_registry_cannot_print(zh, elder, path):
    desk = make_user("qiantai", "前台客服", "刘敏")
    response = client_for(desk).get("/admin/operations/elders/" + path.format(pk=elder.pk))
    assert response.status_code in (302, 403)
    assert "李秀英" not in response.content.decode()
    anonymous = Client(HTTP_HOST="alpha.localhost").get(f"/admin/operations/elders/{elder.pk}/print/card/")
    assert anonymous.status_code in (302, 403)
    assert not ElderAccess.objects.exists()
