"""The head-office approval inbox pages: list, filters, detail with snapshot, decisions."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

import pytest

from portal import decisions, views_inbox
from portal.models import Submission
from portal.services import submission_submit
from tenants.models import ServiceCenter
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []
LINES = [
    {"description": "创可贴", "quantity": 2, "unit": "盒", "reason": "低于最低库存", "note": "补到目标"},
    {"description": "螺丝刀", "quantity": 1, "unit": "把", "reason": "损坏", "note": ""},
]


def fake_handler(**kwargs):
    CALLS.append(kwargs)


def url(name, *args):
    return reverse(f"portal:{name}", args=args, urlconf="portal.urls")


@pytest.fixture
def hq(head_office_client, head_office_admin, monkeypatch):
    CALLS.clear()
    monkeypatch.setitem(decisions.DECISION_HANDLERS, "purchase_request", fake_handler)
    head_office_client.login(username="hq", password=TEST_PASSWORD)
    return head_office_client


def submit(in_center, center, reference="1", kind="purchase_request", title=None, snapshot=None):
    with in_center(center):
        return submission_submit(
            center=center,
            kind=kind,
            reference=reference,
            title=title or f"{center.name} 2026年11月申购单",
            snapshot=snapshot if snapshot is not None else {"month": "2026-11", "lines": LINES},
            submitted_by_name="王主任",
        )


def test_inbox_lists_pending_submissions_of_all_centers(hq, in_center, center_a, center_b):
    submit(in_center, center_a)
    submit(in_center, center_b)
    decided = submit(in_center, center_b, reference="2", title="已处理的申购单")
    Submission.objects.filter(pk=decided.pk).update(status="approved")
    body = hq.get(url("inbox_list")).content.decode()
    assert "审批收件箱" in body
    assert center_a.name in body and center_b.name in body
    assert "已处理的申购单" not in body  # pending by default
    body = hq.get(url("inbox_list"), {"status": "all"}).content.decode()
    assert "已处理的申购单" in body


def test_inbox_filters_by_kind_center_and_title(hq, in_center, center_a, center_b):
    submit(in_center, center_a, title="阿尔法申购")
    submit(in_center, center_b, title="贝塔申购")
    submit(
        in_center,
        center_b,
        reference="9",
        kind="service_project",
        title="贝塔书法班",
        snapshot={"名称": "书法班"},
    )
    body = hq.get(url("inbox_list"), {"kind": "service_project"}).content.decode()
    assert "贝塔书法班" in body and "贝塔申购" not in body and "阿尔法申购" not in body
    body = hq.get(url("inbox_list"), {"center": center_a.pk}).content.decode()
    assert "阿尔法申购" in body and "贝塔申购" not in body
    body = hq.get(url("inbox_list"), {"q": "书法"}).content.decode()
    assert "贝塔书法班" in body and "阿尔法申购" not in body
    response = hq.get(url("inbox_list"), {"center": "abc", "kind": "x", "status": "nonsense"})
    assert response.status_code == 200


def test_inbox_is_paginated(hq, in_center, center_a, monkeypatch):
    monkeypatch.setattr(views_inbox, "SUBMISSIONS_PER_PAGE", 1)
    submit(in_center, center_a, reference="1")
    submit(in_center, center_a, reference="2")
    first = hq.get(url("inbox_list")).content.decode()
    assert "第 1 页，共 2 页" in first
    second = hq.get(url("inbox_list"), {"page": 2}).content.decode()
    assert "第 2 页" in second


def test_inbox_with_1000_centers_and_5000_pending_stays_within_15_queries(hq, django_assert_max_num_queries):
    ServiceCenter.objects.bulk_create(
        ServiceCenter(schema_name=f"load{i:04d}", code=f"load{i:04d}", name=f"负载中心{i}")
        for i in range(1000)
    )
    centers = list(ServiceCenter.objects.filter(code__startswith="load"))
    Submission.objects.bulk_create(
        Submission(
            center=centers[i % 1000],
            kind="purchase_request",
            reference=str(i),
            title=f"申购单 {i}",
            snapshot={"lines": LINES * 10},
            submitted_by_name="主任",
        )
        for i in range(5000)
    )
    with django_assert_max_num_queries(15):
        response = hq.get(url("inbox_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 5000
    with django_assert_max_num_queries(15):
        response = hq.get(url("inbox_list"), {"page": 100, "q": "申购"})
    assert len(response.context["page"].object_list) == 50


def test_detail_shows_the_purchase_request_lines_and_history(hq, in_center, center_a):
    submission = submit(in_center, center_a)
    response = hq.get(url("inbox_detail", submission.pk))
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "创可贴",
        "低于最低库存",
        "补到目标",
        "螺丝刀",
        "损坏",
        "盒",
        "王主任",
        "已提交",
        "2026-11",
        "月份",
    ):
        assert text in body
    assert response.context["lines"][0] == ["创可贴", 2, "盒", "低于最低库存", "补到目标"]
    assert "同意" in body and "退回修改" in body and "驳回" in body


def test_detail_renders_other_kinds_as_key_value(hq, in_center, center_a):
    submission = submit(
        in_center, center_a, kind="major_complaint", snapshot={"投诉人": "张**", "摘要": "电梯长期故障"}
    )
    body = hq.get(url("inbox_detail", submission.pk)).content.decode()
    assert "投诉人" in body and "电梯长期故障" in body


def test_detail_of_a_missing_submission_is_404(hq):
    assert hq.get(url("inbox_detail", 999999)).status_code == 404


def test_approve_from_the_detail_page(hq, in_center, center_a):
    submission = submit(in_center, center_a)
    response = hq.post(
        url("inbox_decide", submission.pk), {"decision": "approved", "comment": ""}, follow=True
    )
    assert "已批准" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == "approved" and submission.decided_by_name == "总部"
    assert CALLS == [{"reference": "1", "decision": "approved", "comment": "", "decided_by_name": "总部"}]


def test_approve_twice_shows_a_chinese_error(hq, in_center, center_a):
    submission = submit(in_center, center_a)
    hq.post(url("inbox_decide", submission.pk), {"decision": "approved"})
    response = hq.post(url("inbox_decide", submission.pk), {"decision": "approved"})
    assert response.status_code == 200
    assert "已经审批过" in response.content.decode()
    assert submission.events.filter(action="approved").count() == 1
    assert len(CALLS) == 1


@pytest.mark.parametrize("decision", ["rejected", "returned"])
def test_reject_or_return_without_comment_shows_a_chinese_error(hq, in_center, center_a, decision):
    submission = submit(in_center, center_a)
    response = hq.post(url("inbox_decide", submission.pk), {"decision": decision, "comment": ""})
    assert response.status_code == 200
    assert "请说明驳回或退回的原因" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == "pending"
    assert CALLS == []


def test_return_with_a_comment(hq, in_center, center_a):
    submission = submit(in_center, center_a)
    hq.post(url("inbox_decide", submission.pk), {"decision": "returned", "comment": "糖果超出标准"})
    submission.refresh_from_db()
    assert (submission.status, submission.comment) == ("returned", "糖果超出标准")
    body = hq.get(url("inbox_detail", submission.pk)).content.decode()
    assert "糖果超出标准" in body and "退回修改" in body


def test_bad_decision_value_is_refused(hq, in_center, center_a):
    submission = submit(in_center, center_a)
    response = hq.post(url("inbox_decide", submission.pk), {"decision": "pending"})
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.status == "pending"


def test_decide_needs_post(hq, in_center, center_a):
    submission = submit(in_center, center_a)
    assert hq.get(url("inbox_decide", submission.pk)).status_code == 405


def test_inbox_needs_permissions(head_office_client, in_center, center_a):
    submission = submit(in_center, center_a)
    assert head_office_client.get(url("inbox_list")).status_code == 302  # not signed in
    viewer = get_user_model().objects.create_user(username="viewer", password=TEST_PASSWORD)
    head_office_client.login(username="viewer", password=TEST_PASSWORD)
    assert head_office_client.get(url("inbox_list")).status_code == 403
    viewer.user_permissions.add(Permission.objects.get(codename="view_submission"))
    assert head_office_client.get(url("inbox_list")).status_code == 200
    detail = head_office_client.get(url("inbox_detail", submission.pk)).content.decode()
    assert "创可贴" in detail and 'name="decision"' not in detail  # may read, may not decide
    response = head_office_client.post(url("inbox_decide", submission.pk), {"decision": "approved"})
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.status == "pending"


def test_nav_links_to_the_inbox(hq):
    assert url("inbox_list") in hq.get(url("center_list")).content.decode()


def test_approve_in_the_inbox_updates_the_centers_purchase_request(
    head_office_client, head_office_admin, in_center, center_a
):
    """End to end with the real handler: the center submits, head office approves in the portal."""
    from operations.services.purchasing import (
        purchase_request_draft,
        purchase_request_line_set,
        purchase_request_submit,
    )

    with in_center(center_a):
        head = get_user_model().objects.get(username="admin")
        request = purchase_request_draft(acting_user=head)
        purchase_request_line_set(
            request=request,
            description="测试用温度计",
            quantity=3,
            unit="支",
            reason="other",
            acting_user=head,
        )
        purchase_request_submit(request=request, acting_user=head)
    submission = Submission.objects.get(center=center_a, reference=str(request.pk))
    head_office_client.login(username="hq", password=TEST_PASSWORD)
    detail = head_office_client.get(url("inbox_detail", submission.pk)).content.decode()
    assert "测试用温度计" in detail and "支" in detail
    head_office_client.post(
        url("inbox_decide", submission.pk), {"decision": "approved", "comment": "同意采购"}
    )
    with in_center(center_a):
        request.refresh_from_db()
        assert request.status == "approved"
        assert request.comment == "同意采购"
        assert request.decided_by_name == "总部"
