"""Demo service projects (5.1), through the real services: 阳光花园's 代收快递 went the whole way —
discussed, surveyed, reported, approved, in service for three months, reviewed (继续) and marked
by head office as a model; 翠湖苑 started 家电清洗 from that model and it waits at head office;
锦绣华庭 has 老年助浴 as a draft. Safe to run twice: a center with proposals is left alone."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from django_tenants.utils import schema_context

from operations.models import Department, ProposalMeeting, ServiceProposal, Survey, SurveyTemplate
from operations.services import proposals as services
from operations.services.work_orders import work_order_create
from portal.models import Submission
from portal.services import submission_decide, submission_mark_model

REPORT = {
    "report_need": "3号楼、5号楼双职工家庭多，白天快递无人签收，前台每月被问 40 余次。",
    "report_plan": "前台设代收点，工作日 8:00–20:00 代收，登记后短信通知取件，超过 7 天退回。",
    "report_resources": "前台客服 2 人轮值，货架 2 组，登记本一册。",
    "report_cost": "货架 1,200 元一次性，由物业年度预算列支；服务免费。",
    "report_risks": "贵重物品丢失、错领：登记签收，凭取件码领取。",
    "report_measures": "月代收量、7 日内取件率、满意度不低于 90%。",
}


def _head_office_user():
    with schema_context("public"):
        return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def _meeting(proposal, head, decision=ProposalMeeting.Decision.GO_ON):
    services.proposal_meeting_record(
        proposal=proposal,
        acting_user=head,
        held_on=timezone.localdate(),
        attendees="中心负责人、客户服务部负责人、前台主管",
        minutes="需求明确，前台有空间和人手，可以试行。",
        decision=decision,
    )


def proposals_demo_data_install(*, center_code: str, acting_user) -> dict[str, int]:
    if ServiceProposal.objects.exists():
        return {"proposals": 0}
    head = acting_user
    today = timezone.localdate()
    service = Department.objects.filter(code="service").first()
    if center_code == "yangguang":
        proposal = services.proposal_create(
            acting_user=head,
            title="代收快递",
            need="住户白天上班，快递无人签收，前台每月被问 40 余次。",
            requested_by="业主委员会",
            households=320,
            description="前台代收快递，登记后短信通知住户取件。",
            target_group="全体住户",
            start_date=today + dt.timedelta(days=1),
            department=service,
        )
        _meeting(proposal, head)
        survey = Survey.objects.create(
            title="代收快递需求调查", template=SurveyTemplate.objects.order_by("pk").first(), is_open=False
        )
        services.proposal_survey_attach(proposal=proposal, survey=survey, acting_user=head)
        services.proposal_survey_summarise(
            proposal=proposal, summary="回收问卷 86 份，八成住户需要代收，晚间取件为主。", acting_user=head
        )
        services.proposal_report_write(proposal=proposal, acting_user=head, **REPORT)
        services.proposal_submit(proposal=proposal, acting_user=head)
        hq = _head_office_user()
        submission = Submission.objects.get(kind="service_project", reference=str(proposal.pk))
        if hq is not None:
            submission_decide(
                submission=submission, decision="approved", comment="同意试行三个月。", acting_user=hq
            )
            proposal.refresh_from_db()
            proposal = services.proposal_launch(
                proposal=proposal,
                acting_user=head,
                owner=head,
                start_date=today - dt.timedelta(days=95),
                procedure="到前台报房号\n出示取件短信\n签字领取",
                time_limit_value=1,
            )
            for n in range(6):
                work_order_create(
                    acting_user=head,
                    kind="other",
                    description=f"代收快递登记（{n + 1}）",
                    service_item=proposal.service_item,
                    contact_name="住户",
                    contact_phone="13800138000",
                )
            services.proposal_review(
                proposal=proposal,
                acting_user=head,
                conclusion="continue",
                note="三个月代收 1,100 余件，7 日内取件率 97%，住户满意，继续提供。",
            )
            submission_mark_model(submission=submission, is_model=True, acting_user=hq)
        return {"proposals": 1}
    if center_code == "cuihu":
        proposal = services.proposal_create(
            acting_user=head,
            title="家电清洗",
            need="参考阳光花园服务中心的示范项目：代收快递。住户反映空调、油烟机清洗难找可靠师傅。",
            requested_by="前台首问登记",
            households=85,
            description="与家政公司合作，上门清洗空调、油烟机、洗衣机。",
            target_group="有需要的住户",
            is_paid=True,
            price="80",
            start_date=today + dt.timedelta(days=30),
            department=Department.objects.filter(code="cleaning").first(),
        )
        _meeting(proposal, head)
        services.proposal_report_write(
            proposal=proposal,
            acting_user=head,
            report_need="近三个月首问登记中询问家电清洗 23 次。",
            report_plan="与两家家政公司签约，中心统一受理、派单、回访。",
            report_resources="客服部受理，保洁部跟进质量。",
            report_cost="空调 80 元/台，油烟机 120 元/台，中心不加价。",
            report_risks="上门安全：工人持证上岗，中心登记备案。",
            report_measures="月受理量、投诉率、回访满意度。",
        )
        services.proposal_submit(proposal=proposal, acting_user=head)
        return {"proposals": 1}
    if center_code == "jinxiu":
        services.proposal_create(
            acting_user=head,
            title="老年助浴",
            need="独居老人洗澡困难，家属多次询问。",
            requested_by="独居老人家属",
            households=18,
            description="每月两次上门助浴，由专业护理员完成。",
            target_group="行动不便的独居老人",
            start_date=today + dt.timedelta(days=45),
            department=service,
        )
        return {"proposals": 1}
    return {"proposals": 0}
