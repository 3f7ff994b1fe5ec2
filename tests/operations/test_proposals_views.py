"""The proposals' admin: drafting through the service (refusals on the form in Chinese), the record
with its actions in the procedure's order and its history in words, the submission, who may do what."""

import datetime as dt

from django.test import Client
from django.utils import timezone

import pytest

from operations.models import AuditEntry, Department, ServiceProposal
from portal.models import Submission
from tests.base import TEST_PASSWORD
from tests.factories import make_user
from tests.operations.test_proposals_services import REPORT

pytestmark = pytest.mark.usefixtures("alpha")

TODAY = timezone.localdate()


def client_for(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


@pytest.fixture
def head(alpha):
    return make_user("zhuren", "中心负责人", "张主任")


def form_data(**overrides):
    return {
        "title": "代收快递",
        "need": "住户白天不在家，快递无人签收。",
        "requested_by": "业主委员会",
        "households": "120",
        "description": "前台代收快递并短信通知。",
        "target_group": "全体住户",
        "start_date": (TODAY + dt.timedelta(days=30)).isoformat(),
        "department": str(Department.objects.get(code="service").pk),
        "review_after_months": "3",
        **overrides,
    }


def test_the_center_head_drafts_discusses_reports_and_submits(zh, head):
    client = client_for(head)
    assert client.get("/admin/operations/proposals/new/").status_code == 200
    refused = client.post("/admin/operations/proposals/new/", form_data(price="20"))
    assert refused.status_code == 200 and "免费服务不收费" in refused.content.decode()
    assert 'value="代收快递"' in refused.content.decode()  # nothing lost
    assert not ServiceProposal.objects.exists()
    response = client.post("/admin/operations/proposals/new/", form_data())
    proposal = ServiceProposal.objects.get()
    assert response.status_code == 302
    page = client.get(f"/admin/operations/proposals/inspect/{proposal.pk}/").content.decode()
    assert 'id="action-meeting"' in page and 'id="action-submit"' not in page
    base = f"/admin/operations/proposals/action/{proposal.pk}"
    response = client.post(
        f"{base}/meeting/",
        {"held_on": TODAY.isoformat(), "attendees": "张主任、刘经理", "minutes": "可行", "decision": "go_on"},
    )
    assert response.status_code == 302
    assert client.post(f"{base}/report/", {**REPORT, "report_risks": ""}).status_code == 400
    assert client.post(f"{base}/report/", REPORT).status_code == 302
    assert client.post(f"{base}/submit/", {}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ServiceProposal.Status.SUBMITTED
    assert Submission.objects.filter(kind="service_project", reference=str(proposal.pk)).exists()
    page = client.get(f"/admin/operations/proposals/inspect/{proposal.pk}/").content.decode()
    assert "已报送总部" in page and "已提交" in page  # the status and the inbox's history
    assert "实施方案" in page and "活动方案" not in page  # the report's plan, not an activity's
    for action in AuditEntry.objects.values_list("action", flat=True):
        from operations.history import action_label

        assert action_label(action) != action, action


def test_staff_without_the_permission_cannot_draft_or_submit(zh, head):
    desk = make_user("qiantai", "前台客服", "刘敏")
    assert client_for(desk).get("/admin/operations/proposals/new/").status_code in (302, 403)
    service_head = make_user("kefu", "客户服务部负责人", "刘经理")
    client = client_for(service_head)
    client_for(head).post("/admin/operations/proposals/new/", form_data())
    proposal = ServiceProposal.objects.get()
    ServiceProposal.objects.filter(pk=proposal.pk).update(status=ServiceProposal.Status.FEASIBILITY, **REPORT)
    response = client.post(f"/admin/operations/proposals/action/{proposal.pk}/submit/", {})
    assert response.status_code in (302, 403)
    proposal.refresh_from_db()
    assert proposal.status == ServiceProposal.Status.FEASIBILITY
