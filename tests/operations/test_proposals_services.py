"""Service-project proposals (5.1): draft with evidence, meeting, optional survey and its summary,
feasibility report, submission to head office with a snapshot, the decision coming back, a
returned proposal submitted again; illegal moves and bad input refused in Chinese, nothing written."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from operations.models import (
    AuditEntry,
    Department,
    Inquiry,
    ProposalMeeting,
    ServiceProposal,
    Survey,
    SurveyTemplate,
)
from operations.services.proposals import (
    proposal_create,
    proposal_meeting_record,
    proposal_report_write,
    proposal_submit,
    proposal_survey_attach,
    proposal_survey_summarise,
    proposal_update,
)
from portal.models import Submission
from portal.services import submission_decide
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("alpha")

TODAY = timezone.localdate()
S = ServiceProposal.Status
REPORT = {
    "report_need": "3号楼、5号楼住户白天上班，快递无人签收，前台每月被问 40 余次。",
    "report_plan": "前台设代收点，工作日 8:00–20:00 代收，短信通知取件。",
    "report_resources": "前台客服 2 人轮值，货架 2 组。",
    "report_cost": "货架 1,200 元一次性；免费服务。",
    "report_risks": "贵重物品丢失：登记签收，超过 7 天退回。",
    "report_measures": "每月代收量、取件及时率、满意度不低于 90%。",
}


@pytest.fixture
def head(alpha):
    return make_user("zhuren", "中心负责人", "张主任")


@pytest.fixture
def service_head(alpha):
    return make_user("kefu", "客户服务部负责人", "客服部刘经理")


def draft(head, **overrides):
    values = {
        "title": "代收快递",
        "need": "住户白天不在家，快递无人签收。",
        "requested_by": "业主委员会",
        "households": 120,
        "description": "前台代收快递并短信通知。",
        "target_group": "全体住户",
        "start_date": TODAY + dt.timedelta(days=30),
        "department": Department.objects.get(code="service"),
        **overrides,
    }
    return proposal_create(acting_user=head, **values)


def discussed(head):
    proposal = draft(head)
    proposal_meeting_record(
        proposal=proposal,
        acting_user=head,
        held_on=TODAY,
        attendees="张主任、客服部刘经理、前台李敏",
        minutes="需求明确，前台有空间，可以试行。",
        decision=ProposalMeeting.Decision.GO_ON,
    )
    proposal.refresh_from_db()
    return proposal


def test_a_draft_keeps_its_evidence_from_the_centers_records(head):
    inquiry = Inquiry.objects.create(
        number="SW1", visitor_name="王先生", matter="能否代收快递？", first_responder=head
    )
    proposal = draft(head)
    proposal_update(proposal=proposal, acting_user=head, evidence={"evidence_inquiries": [inquiry]})
    assert proposal.number.startswith("XM") and proposal.status == S.DRAFT
    assert list(proposal.evidence_inquiries.all()) == [inquiry]
    assert AuditEntry.objects.filter(action="proposal_create").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"is_paid": False, "price": "10"}, "price"),
        ({"is_paid": True, "price": None}, "price"),
        ({"start_date": TODAY - dt.timedelta(days=1)}, "start_date"),
        ({"title": " "}, "title"),
    ],
)
def test_bad_details_are_refused_in_chinese_and_nothing_is_written(zh, head, overrides, field):
    with pytest.raises(ValidationError) as refused:
        draft(head, **overrides)
    assert field in refused.value.message_dict
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(refused.value.message_dict[field]))
    assert not ServiceProposal.objects.exists()


def test_the_meeting_decides_and_illegal_moves_are_refused(zh, head):
    proposal = draft(head)
    with pytest.raises(ValidationError) as refused:
        proposal_report_write(proposal=proposal, acting_user=head, **REPORT)
    assert "草稿" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        proposal_meeting_record(
            proposal=proposal,
            acting_user=head,
            held_on=TODAY + dt.timedelta(days=1),
            attendees="张主任",
            minutes="—",
            decision="go_on",
        )
    assert not proposal.meetings.exists()
    proposal_meeting_record(
        proposal=proposal,
        acting_user=head,
        held_on=TODAY,
        attendees="张主任",
        minutes="成本太高",
        decision="drop",
    )
    proposal.refresh_from_db()
    assert proposal.status == S.DROPPED
    with pytest.raises(ValidationError):
        proposal_update(proposal=proposal, acting_user=head, title="改名")


def test_the_whole_path_to_head_office_and_back(zh, head, service_head, hq_stand_in):
    proposal = discussed(head)
    assert proposal.status == S.DISCUSSED
    template = SurveyTemplate.objects.first()
    survey = Survey.objects.create(title="代收快递需求调查", template=template, is_open=True)
    proposal_survey_attach(proposal=proposal, survey=survey, acting_user=head)
    with pytest.raises(ValidationError) as refused:
        proposal_survey_summarise(proposal=proposal, summary="八成住户需要", acting_user=service_head)
    assert "调查" in " ".join(refused.value.messages)
    Survey.objects.filter(pk=survey.pk).update(is_open=False)
    proposal_survey_summarise(
        proposal=proposal, summary="八成住户需要代收，工作日晚间取件为主。", acting_user=service_head
    )
    with pytest.raises(ValidationError) as missing:
        proposal_report_write(proposal=proposal, acting_user=head, **{**REPORT, "report_risks": ""})
    assert "report_risks" in missing.value.message_dict
    proposal = proposal_report_write(proposal=proposal, acting_user=head, **REPORT)
    assert proposal.status == S.FEASIBILITY
    proposal = proposal_submit(proposal=proposal, acting_user=head)
    assert proposal.status == S.SUBMITTED
    submission = Submission.objects.get(kind="service_project", reference=str(proposal.pk))
    assert submission.snapshot["service"] == "代收快递" and submission.snapshot["households"] == 120
    assert "八成住户" in submission.snapshot["survey_summary"] and "刘经理" in submission.snapshot["meetings"]

    submission_decide(
        submission=submission, decision="returned", comment="请补充货架费用来源。", acting_user=hq_stand_in
    )
    proposal.refresh_from_db()
    assert proposal.status == S.RETURNED and proposal.decision_comment == "请补充货架费用来源。"
    proposal_report_write(
        proposal=proposal, acting_user=head, **{**REPORT, "report_cost": "货架由物业公司年度预算列支。"}
    )
    proposal_submit(proposal=proposal, acting_user=head)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PENDING
    assert list(submission.events.values_list("action", flat=True)) == [
        "submitted",
        "returned",
        "resubmitted",
    ]
    assert "请补充货架费用来源。" in submission.events.get(action="returned").comment  # kept
    submission_decide(submission=submission, decision="approved", comment="", acting_user=hq_stand_in)
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED


def test_submitting_without_a_meeting_or_a_report_is_refused(zh, head):
    proposal = draft(head)
    ServiceProposal.objects.filter(pk=proposal.pk).update(status=S.FEASIBILITY)
    proposal.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        proposal_submit(proposal=proposal, acting_user=head)
    text = " ".join(refused.value.messages)
    assert "会议" in text and "可行性报告" in text
    assert not Submission.objects.exists()


@pytest.fixture
def hq_stand_in(alpha):
    return make_user("hq_stand_in", perms=("portal.decide_submission",), first_name="总部刘主任")


def test_an_approved_project_goes_into_the_service_guide_with_its_owner_and_review_date(
    zh, head, hq_stand_in
):
    from operations.models import ServiceItem
    from operations.services.proposals import proposal_launch

    proposal = discussed(head)
    proposal_report_write(proposal=proposal, acting_user=head, **REPORT)
    proposal_update(proposal=proposal, acting_user=head, is_paid=True, price="5")
    proposal_submit(proposal=proposal, acting_user=head)
    with pytest.raises(ValidationError):
        proposal_launch(proposal=proposal, acting_user=head, owner=head, start_date=TODAY)  # not approved yet
    submission = Submission.objects.get(kind="service_project", reference=str(proposal.pk))
    submission_decide(submission=submission, decision="approved", comment="", acting_user=hq_stand_in)
    proposal = proposal_launch(
        proposal=proposal,
        acting_user=head,
        owner=head,
        start_date=TODAY,
        procedure="前台登记\n短信通知取件",
        materials="取件短信\n身份证或门禁卡",
        time_limit_value=1,
    )
    item = ServiceItem.objects.get(name="代收快递")
    assert proposal.status == S.LIVE and proposal.service_item == item and item.is_published
    assert item.fee_type == ServiceItem.Fee.PAID and item.fee_amount == 5 and item.category == "convenience"
    assert proposal.review_due > TODAY and proposal.owner == head
    assert [m.name for m in item.materials.order_by("sort_order")] == ["取件短信", "身份证或门禁卡"]
    with pytest.raises(ValidationError):
        proposal_launch(proposal=proposal, acting_user=head, owner=head, start_date=TODAY)  # once


def test_launch_refuses_a_name_already_in_the_guide_and_writes_nothing(zh, head, hq_stand_in):
    from operations.models import ServiceItem
    from operations.services.proposals import proposal_launch

    ServiceItem.objects.create(name="代收快递")
    proposal = discussed(head)
    ServiceProposal.objects.filter(pk=proposal.pk).update(status=S.APPROVED)
    proposal.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        proposal_launch(proposal=proposal, acting_user=head, owner=head, start_date=TODAY)
    assert "代收快递" in " ".join(refused.value.messages)
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED and ServiceItem.objects.filter(name="代收快递").count() == 1


def test_the_review_counts_the_usage_reads_the_survey_and_reports_to_head_office(zh, head, hq_stand_in):
    from operations.models import ServiceItem, WorkOrder
    from operations.services.proposals import proposal_launch, proposal_review
    from operations.services.work_orders import work_order_create

    proposal = discussed(head)
    ServiceProposal.objects.filter(pk=proposal.pk).update(status=S.APPROVED)
    proposal.refresh_from_db()
    proposal = proposal_launch(proposal=proposal, acting_user=head, owner=head, start_date=TODAY)
    item = proposal.service_item
    for n in range(3):
        work_order_create(
            acting_user=head,
            description=f"代收快递 {n}",
            service_item=item,
            contact_name="王",
            contact_phone="13800001111",
        )
    survey = Survey.objects.create(
        title="代收快递满意度", template=SurveyTemplate.objects.first(), is_open=True
    )
    with pytest.raises(ValidationError) as refused:
        proposal_review(proposal=proposal, acting_user=head, conclusion="continue", note="好", survey=survey)
    assert "survey" in refused.value.message_dict
    Survey.objects.filter(pk=survey.pk).update(is_open=False)
    survey.refresh_from_db()
    proposal = proposal_review(
        proposal=proposal, acting_user=head, conclusion="stop", note="使用少，成本高，停止。", survey=survey
    )
    assert proposal.status == S.REVIEWED and proposal.review_usage == 3
    assert not ServiceItem.objects.get(pk=item.pk).is_published  # stopped: out of the guide
    report = Submission.objects.get(kind="service_review", reference=str(proposal.pk))
    assert report.snapshot["usage"] == 3 and "停止" in report.snapshot["conclusion"]
    submission_decide(
        submission=report, decision="acknowledged", comment="同意停止。", acting_user=hq_stand_in
    )
    assert AuditEntry.objects.filter(action="proposal_review_acknowledged").exists()
    assert WorkOrder.objects.filter(service_item=item).count() == 3


def test_the_report_keeps_its_document_for_staff_only_and_the_survey_figures_go_up(zh, head):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wagtail.models import CollectionViewRestriction

    from operations.services.proposals import proposal_snapshot

    proposal = discussed(head)
    survey = Survey.objects.create(
        title="代收快递需求调查", template=SurveyTemplate.objects.first(), is_open=False
    )
    proposal_survey_attach(proposal=proposal, survey=survey, acting_user=head)
    proposal_survey_summarise(proposal=proposal, summary="八成需要。", acting_user=head)
    scan = SimpleUploadedFile("report.pdf", b"%PDF-1.4 feasibility", content_type="application/pdf")
    proposal = proposal_report_write(proposal=proposal, acting_user=head, document_file=scan, **REPORT)
    document = proposal.report_document
    assert document.title.endswith("可行性报告")
    assert CollectionViewRestriction.objects.filter(collection=document.collection).exists()
    assert (
        "代收快递需求调查" in proposal_snapshot(proposal)["survey"]
        and "0" in proposal_snapshot(proposal)["survey"]
    )
