"""The head-office inbox services: submit from a center, decide at head office, apply in the center."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

import pytest

from operations.models import NumberCounter
from operations.services.complaints import complaint_head_office_answer
from operations.services.proposals import proposal_apply_decision
from operations.services.purchasing import purchase_request_apply_decision
from portal import decisions
from portal.models import Submission, SubmissionEvent
from portal.services import submission_decide, submission_submit
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db

HANDLER_CALLS: list[dict] = []
SNAPSHOT = {
    "month": "2026-11",
    "lines": [{"description": "创可贴", "quantity": 2, "unit": "盒", "reason": "低于最低库存", "note": ""}],
}


def recording_handler(*, reference, decision, comment, decided_by_name):
    """Stands in for the purchase-request handler: notes where it ran and writes a center row."""
    HANDLER_CALLS.append(
        {
            "schema": connection.schema_name,
            "reference": reference,
            "decision": decision,
            "comment": comment,
            "decided_by_name": decided_by_name,
        }
    )
    NumberCounter.objects.create(prefix=f"T{reference}"[:8], day="2026-11-27", last=1)


def failing_handler(*, reference, decision, comment, decided_by_name):
    NumberCounter.objects.create(prefix="FAIL", day="2026-11-27", last=1)
    raise ValidationError("申购单不存在。")


@pytest.fixture
def handler(monkeypatch):
    HANDLER_CALLS.clear()
    monkeypatch.setitem(decisions.DECISION_HANDLERS, "purchase_request", recording_handler)
    return HANDLER_CALLS


@pytest.fixture
def hq_user(head_office_admin):
    return head_office_admin


def submit(in_center, center, reference="17", **kwargs):
    values = {
        "kind": "purchase_request",
        "reference": reference,
        "title": "2026年11月申购单",
        "snapshot": SNAPSHOT,
        "submitted_by_name": "王主任",
        **kwargs,
    }
    with in_center(center):
        return submission_submit(center=center, **values)


def test_submit_from_the_center_creates_a_pending_submission_with_history(in_center, center_a, zh):
    submission = submit(in_center, center_a)
    assert submission.status == Submission.Status.PENDING
    assert submission.center == center_a
    assert submission.snapshot["lines"][0]["description"] == "创可贴"
    assert list(submission.events.values_list("action", "actor_name")) == [("submitted", "王主任")]


def test_submitting_a_pending_record_again_is_refused(in_center, center_a, zh):
    submit(in_center, center_a)
    with pytest.raises(ValidationError, match="已在等待总部审批"):
        submit(in_center, center_a)
    assert Submission.objects.count() == 1
    assert SubmissionEvent.objects.count() == 1


def test_a_returned_submission_is_resubmitted_with_the_new_snapshot(
    in_center, center_a, hq_user, handler, zh
):
    submission = submit(in_center, center_a)
    submission_decide(submission=submission, decision="returned", comment="糖果数量偏多", acting_user=hq_user)
    again = submit(in_center, center_a, snapshot={"lines": []}, submitted_by_name="李主任")
    assert again.pk == submission.pk
    assert again.status == Submission.Status.PENDING
    assert again.snapshot == {"lines": []}
    assert again.comment == "" and again.decided_at is None
    assert list(again.events.values_list("action", flat=True)) == ["submitted", "returned", "resubmitted"]


def test_a_decided_submission_cannot_be_submitted_again(in_center, center_a, hq_user, handler, zh):
    submission = submit(in_center, center_a)
    submission_decide(submission=submission, decision="approved", comment="", acting_user=hq_user)
    with pytest.raises(ValidationError, match="总部已"):
        submit(in_center, center_a)


def test_submit_with_bad_kind_writes_nothing(in_center, center_a, zh):
    with pytest.raises(ValidationError):
        submit(in_center, center_a, kind="holiday")
    assert not Submission.objects.exists()


def test_approve_runs_the_handler_inside_the_centers_schema(in_center, center_a, hq_user, handler):
    submission = submit(in_center, center_a)
    result = submission_decide(
        submission=submission, decision="approved", comment="同意", acting_user=hq_user
    )
    assert result.status == Submission.Status.APPROVED
    assert result.decided_by_name == "总部"
    assert result.decided_at is not None
    assert submission.status == Submission.Status.APPROVED  # the caller's object is refreshed
    assert handler == [
        {
            "schema": center_a.schema_name,
            "reference": "17",
            "decision": "approved",
            "comment": "同意",
            "decided_by_name": "总部",
        }
    ]
    assert connection.schema_name == "public"  # head office is back in its own schema
    event = result.events.last()
    assert (event.action, event.actor_name, event.comment) == ("approved", "总部", "同意")


def test_approve_twice_is_refused_in_chinese(in_center, center_a, hq_user, handler, zh):
    submission = submit(in_center, center_a)
    stale = Submission.objects.get(pk=submission.pk)
    submission_decide(submission=submission, decision="approved", comment="", acting_user=hq_user)
    with pytest.raises(ValidationError, match="已经审批过"):
        submission_decide(submission=stale, decision="approved", comment="", acting_user=hq_user)
    assert len(handler) == 1
    assert submission.events.filter(action="approved").count() == 1


@pytest.mark.parametrize("decision", ["rejected", "returned"])
def test_reject_or_return_needs_a_comment(in_center, center_a, hq_user, handler, decision, zh):
    submission = submit(in_center, center_a)
    with pytest.raises(ValidationError) as info:
        submission_decide(submission=submission, decision=decision, comment="  ", acting_user=hq_user)
    assert "请说明" in info.value.message_dict["comment"][0]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PENDING
    assert handler == []


def test_unknown_decision_is_refused(in_center, center_a, hq_user, handler, zh):
    submission = submit(in_center, center_a)
    with pytest.raises(ValidationError, match="请选择"):
        submission_decide(submission=submission, decision="pending", comment="", acting_user=hq_user)


def test_deciding_needs_the_permission(in_center, center_a, handler, zh):
    clerk = get_user_model().objects.create_user(username="clerk", password=TEST_PASSWORD)
    submission = submit(in_center, center_a)
    with pytest.raises(ValidationError, match="无权"):
        submission_decide(submission=submission, decision="approved", comment="", acting_user=clerk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PENDING


def test_a_failing_handler_rolls_back_the_decision(in_center, center_a, hq_user, monkeypatch, zh):
    monkeypatch.setitem(decisions.DECISION_HANDLERS, "purchase_request", failing_handler)
    submission = submit(in_center, center_a)
    with pytest.raises(ValidationError, match="申购单不存在"):
        submission_decide(submission=submission, decision="approved", comment="", acting_user=hq_user)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PENDING
    assert submission.decided_at is None
    assert list(submission.events.values_list("action", flat=True)) == ["submitted"]
    with in_center(center_a):
        assert not NumberCounter.objects.filter(prefix="FAIL").exists()


def test_kinds_without_a_handler_are_only_recorded(in_center, center_a, hq_user, handler, monkeypatch):
    monkeypatch.delitem(decisions.DECISION_HANDLERS, "service_project")
    submission = submit(in_center, center_a, kind="service_project", snapshot={"名称": "老年书法班"})
    submission_decide(submission=submission, decision="rejected", comment="预算不足", acting_user=hq_user)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.REJECTED
    assert handler == []


def test_the_handlers_are_registered_by_operations():
    assert decisions.decision_handler("purchase_request") is purchase_request_apply_decision
    assert decisions.decision_handler("major_complaint") is complaint_head_office_answer
    assert decisions.decision_handler("service_project") is proposal_apply_decision
