"""The elders' admin: registry index, registration form, the record (need to know, views logged),
actions, visits, the due list and the exports."""

import datetime as dt
import io

from django.test import Client
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from operations.models import AuditEntry, Elder, ElderAccess, ElderEscalation, ElderVisit
from tests.base import TEST_PASSWORD
from tests.factories import make_elder, make_manager, make_unit, make_user

pytestmark = pytest.mark.usefixtures("alpha")


def client_for(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


@pytest.fixture
def manager(alpha):
    return make_manager()


@pytest.fixture
def colleague(alpha):
    """Another customer manager: no need to know the manager's elders."""
    return make_user("kehu2", "客户主任", "周主任")


@pytest.fixture
def elder(manager):
    return make_elder(
        manager=manager,
        phone="13812345678",
        health_consent=True,
        health_notes="高血压，每日服药",
        card_given_on=timezone.localdate(),
    )


def test_index_lists_the_registry_without_sensitive_fields(
    zh, elder, colleague, django_assert_max_num_queries
):
    for n in range(8):
        make_elder(f"老人{n}", manager=elder.manager)
    client = client_for(colleague)
    client.get("/admin/operations/elders/")
    with django_assert_max_num_queries(16):
        response = client.get("/admin/operations/elders/")
    body = response.content.decode()
    assert response.status_code == 200 and "李秀英" in body
    assert "13812345678" not in body and "高血压" not in body


def test_register_form_creates_the_elder_and_refuses_health_notes_without_consent(zh, manager, admin_client):
    make_unit(room="0802")
    data = {
        "unit": "3号楼-2单元-0802",
        "name": "孙桂芝",
        "birth_date": "1940-02-03",
        "gender": "female",
        "living": "alone",
        "mobility": "aid",
        "manager": manager.pk,
        "risk_tier": "general",
        "registry_consent_method": "signed",
        "health_notes": "糖尿病",
    }
    response = admin_client.post("/admin/operations/elders/new/", data)
    assert response.status_code == 200
    assert "同意" in response.content.decode() and not Elder.objects.exists()
    response = admin_client.post("/admin/operations/elders/new/", data | {"health_consent_method": "signed"})
    elder = Elder.objects.get()
    assert response.status_code == 302 and response.url.endswith(
        f"/admin/operations/elders/inspect/{elder.pk}/"
    )
    assert elder.health_notes == "糖尿病" and elder.health_consent


def test_record_is_masked_for_a_colleague_and_logged_for_the_manager(zh, elder, colleague):
    body = client_for(colleague).get(f"/admin/operations/elders/inspect/{elder.pk}/").content.decode()
    assert "13812345678" not in body and "高血压" not in body and "138****5678" in body
    assert not ElderAccess.objects.exists()
    body = client_for(elder.manager).get(f"/admin/operations/elders/inspect/{elder.pk}/").content.decode()
    assert "13812345678" in body and "高血压" in body
    access = ElderAccess.objects.get()
    assert access.user == elder.manager and access.context == "page" and "health_notes" in access.fields


def test_edit_is_for_need_to_know_only(zh, elder, colleague):
    assert client_for(colleague).get(f"/admin/operations/elders/edit/{elder.pk}/").status_code in (403, 302)
    response = client_for(elder.manager).get(f"/admin/operations/elders/edit/{elder.pk}/")
    assert response.status_code == 200


def test_tier_action_and_refusal(zh, elder):
    client = client_for(elder.manager)
    url = f"/admin/operations/elders/action/{elder.pk}/tier/"
    response = client.post(url, {"risk_tier": "high", "risk_reasons": ["dementia"], "note": ""})
    assert response.status_code == 400
    response = client.post(url, {"risk_tier": "high", "risk_reasons": ["dementia"], "note": "记忆力明显下降"})
    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.risk_tier == "high"
    body = client.get(f"/admin/operations/elders/inspect/{elder.pk}/").content.decode()
    assert "记忆力明显下降" in body  # the history says why


def test_record_a_visit_with_needs_and_one_not_reached(zh, elder):
    client = client_for(elder.manager)
    assert client.get(f"/admin/operations/elders/visits/new/?elder={elder.pk}").status_code == 200
    now = timezone.localtime()
    data = {
        "elder": elder.pk,
        "visited_at": now.strftime("%Y-%m-%d %H:%M"),
        "kind": "home",
        "reached": "1",
        "concerns": ["gas"],
        "observations": "燃气灶打不着火",
        "need_1_kind": "utilities",
        "need_1_detail": "检查燃气灶",
    }
    response = client.post("/admin/operations/elders/visits/new/", data)
    visit = ElderVisit.objects.get()
    assert response.status_code == 302 and visit.needs.get().kind == "utilities"
    response = client.post(
        "/admin/operations/elders/visits/new/", data | {"reached": "0", "concerns": [], "need_1_kind": ""}
    )
    assert response.status_code == 302 and ElderEscalation.objects.count() == 1
    future = (now + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    response = client.post("/admin/operations/elders/visits/new/", data | {"visited_at": future})
    assert response.status_code == 200 and "将来" in response.content.decode()
    assert ElderVisit.objects.count() == 2


def test_due_list_shows_the_managers_elders_late_first(zh, elder, colleague):
    make_elder("钱大爷", manager=colleague)
    body = client_for(elder.manager).get("/admin/operations/elders/due/").content.decode()
    assert "李秀英" in body and "钱大爷" not in body
    assert client_for(make_user("qiantai", "前台客服")).get("/admin/operations/elders/due/").status_code in (
        302,
        403,
    )


def test_export_masks_phones_per_row_and_the_health_export_asks_for_a_reason(zh, elder, colleague):
    response = client_for(colleague).get("/admin/operations/elders/?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "138****5678" in values and "13812345678" not in values
    assert client_for(colleague).get("/admin/operations/elders/export-health/").status_code in (302, 403)
    head = make_user("zhuren", "中心负责人", "张主任")
    client = client_for(head)
    assert client.post("/admin/operations/elders/export-health/", {"reason": ""}).status_code == 200
    response = client.post("/admin/operations/elders/export-health/", {"reason": "区民政局年度核查"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "高血压，每日服药" in [cell.value for row in sheet.iter_rows() for cell in row]
    access = ElderAccess.objects.get(context="export")
    assert access.reason == "区民政局年度核查" and access.user == head


def test_every_elder_audit_action_has_a_history_label():
    from operations.history import action_label

    for action in AuditEntry.objects.values_list("action", flat=True):
        assert action_label(action) != action


def test_due_list_stays_within_ten_queries(zh, elder, django_assert_max_num_queries):
    for n in range(10):
        make_elder(f"老人{n}", manager=elder.manager)
    client = client_for(elder.manager)
    client.get("/admin/operations/elders/due/")
    # 2 of ours (the care settings, the elders with their cadence); the rest is the session,
    # the user, permissions and the admin's chrome, the same on every admin page.
    with django_assert_max_num_queries(11):
        response = client.get("/admin/operations/elders/due/")
    assert response.content.decode().count("记录拜访") >= 11


def test_due_list_pages_and_counts_what_is_due(zh, elder, monkeypatch):
    from operations.views.elders import ElderDueView

    monkeypatch.setattr(ElderDueView, "per_page", 2)
    for n in range(3):
        make_elder(f"老人{n}", manager=elder.manager)
    client = client_for(elder.manager)
    first = client.get("/admin/operations/elders/due/").content.decode()
    assert "4 位老人有待办" in first and first.count("记录拜访</a>") == 2
    second = client.get("/admin/operations/elders/due/?p=2").content.decode()
    assert second.count("记录拜访</a>") == 2
    assert client.get("/admin/operations/elders/due/?p=99").status_code == 200  # the last page


def test_the_elders_pages_read_as_staff_write(zh, elder):
    """Words shared with other areas take the elders' meaning: a deadline, a visitor, a person's
    name, an elder's active status (found on a walk-through: 操作人, 来访人, 名称, 运营中)."""
    client = client_for(elder.manager)
    due = client.get("/admin/operations/elders/due/").content.decode()
    assert "截止" in due and "操作人" not in due
    record = client.get(f"/admin/operations/elders/inspect/{elder.pk}/").content.decode()
    assert "姓名" in record and "正常" in record and "运营中" not in record
    sheet = client.get(f"/admin/operations/elders/{elder.pk}/print/visit-form/").content.decode()
    assert "拜访人" in sheet and "来访人" not in sheet and "姓名" in sheet
