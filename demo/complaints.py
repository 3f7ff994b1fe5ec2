"""Demo data for complaints and surveys in the current center's schema (idempotent).

Called by ``seed_demo`` with the tenant set. Everything goes through the services; only the
dates of the overdue example are moved into the past afterwards, as a demo needs history.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from operations.models import Complaint, Department, Survey, SurveyQuestion, SurveyResponse
from operations.services import complaints as complaint_services
from operations.services import surveys as survey_services

DEMO_SURVEY_TITLE = "年度服务满意度调查（演示）"

DEMO_COMPLAINTS = [
    # key, kwargs for complaint_create, what happens next
    (
        "oral",
        {
            "channel": Complaint.Channel.ORAL,
            "complainant_name": "李秀英",
            "complainant_phone": "13812345678",
            "subject_kind": Complaint.SubjectKind.DEPARTMENT,
            "department_code": "cleaning",
            "content": "3号楼电梯厅垃圾桶连续两天没有清理，气味很大。",
        },
        "closed_oral",
    ),
    (
        "phone",
        {
            "channel": Complaint.Channel.PHONE,
            "complainant_name": "王建国",
            "complainant_phone": "13987654321",
            "subject_kind": Complaint.SubjectKind.DEPARTMENT,
            "department_code": "security",
            "content": "晚上十点以后小区东门经常无人值守，外来车辆随意进出。",
        },
        "investigating",
    ),
    (
        "written",
        {
            "channel": Complaint.Channel.WRITTEN,
            "complainant_name": "张丽",
            "complainant_phone": "021-5088 6601",
            "subject_kind": Complaint.SubjectKind.DEPARTMENT,
            "department_code": "engineering",
            "content": "5号楼2单元楼道灯损坏已报修两次，至今未修好，老人夜间出行不便，特来信反映。",
        },
        "replied_written",
    ),
    (
        "major",
        {
            "channel": Complaint.Channel.WRITTEN,
            "is_major": True,
            "complainant_name": "陈志明",
            "complainant_phone": "13611112222",
            "subject_kind": Complaint.SubjectKind.OTHER,
            "subject_text": "地下车库消防通道",
            "content": "地下车库消防通道长期被杂物和车辆占用，存在严重安全隐患，多次口头反映未见整改，现书面投诉，请中心领导重视。",
        },
        "assigned",
    ),
    (
        "overdue",
        {
            "channel": Complaint.Channel.PHONE,
            "complainant_name": "赵敏",
            "complainant_phone": "13755556666",
            "subject_kind": Complaint.SubjectKind.OTHER,
            "subject_text": "维修收费",
            "content": "更换水龙头收费与前台告知的价格不一致，希望给个说法。",
        },
        "overdue",
    ),
    (
        "suggestion",
        {
            "kind": Complaint.Kind.SUGGESTION,
            "channel": Complaint.Channel.ONLINE,
            "subject_kind": Complaint.SubjectKind.OTHER,
            "subject_text": "便民服务",
            "content": "建议在服务中心增设老花镜和雨伞借用，方便老年住户。",
        },
        "received",
    ),
]

COMMENTS = [
    "前台服务很热情，办事效率高。",
    "维修师傅上门很及时，点赞！",
    "希望夜间保安巡逻再加强一些。",
    "垃圾清运时间能否固定，早上太吵了。",
    "工具借用很方便，谢谢。",
    "",
    "",
    "",
]


def _staff_user():
    User = get_user_model()
    return User.objects.filter(is_active=True).order_by("-is_superuser", "pk").first()


def _demo_complaints(user) -> None:
    for _key, spec, outcome in DEMO_COMPLAINTS:
        if Complaint.objects.filter(content=spec["content"]).exists():
            continue
        spec = dict(spec)
        department_code = spec.pop("department_code", None)
        department = Department.objects.filter(code=department_code).first() if department_code else None
        if spec.get("subject_kind") == Complaint.SubjectKind.DEPARTMENT and department is None:
            spec["subject_kind"] = Complaint.SubjectKind.OTHER
        complaint = complaint_services.complaint_create(
            acting_user=user, subject_department=department, **spec
        )
        if outcome == "overdue":
            past = timezone.localdate() - dt.timedelta(days=6)
            Complaint.objects.filter(pk=complaint.pk).update(
                created=timezone.now() - dt.timedelta(days=8), reply_due=past
            )
            continue
        if outcome == "received" or user is None:
            continue
        complaint = complaint_services.complaint_assign(complaint=complaint, handler=user, acting_user=user)
        if outcome == "assigned":
            continue
        complaint = complaint_services.complaint_investigate(
            complaint=complaint,
            acting_user=user,
            investigation_notes="已到现场核实，情况属实。",
            finding="责任部门巡查不到位。",
            action_taken="已责成责任部门整改，并加强日常巡查。",
        )
        if outcome == "investigating":
            continue
        if outcome == "closed_oral":
            complaint = complaint_services.complaint_reply(
                complaint=complaint,
                method=Complaint.ReplyMethod.ORAL,
                note="已电话告知业主整改情况，业主表示满意。",
                acting_user=user,
            )
            complaint_services.complaint_close(complaint=complaint, acting_user=user)
        elif outcome == "replied_written":
            complaint_services.complaint_reply(
                complaint=complaint,
                method=Complaint.ReplyMethod.WRITTEN,
                text="您反映的楼道灯损坏问题，经核实属实。工程部已于次日更换全部损坏灯具，并将该楼栋纳入每周巡检。"
                "感谢您对我们工作的监督，如仍有问题请随时与服务中心联系。",
                acting_user=user,
            )


def _demo_survey(user) -> None:
    if Survey.objects.filter(title=DEMO_SURVEY_TITLE).exists():
        return
    template = survey_services.surveys_install_defaults()
    today = timezone.localdate()
    survey = survey_services.survey_create(
        title=DEMO_SURVEY_TITLE,
        template=template,
        scope=Survey.Scope.CENTER,
        period_start=today - dt.timedelta(days=20),
        period_end=today + dt.timedelta(days=10),
        acting_user=user,
    )
    questions = list(template.questions.all())
    rng = random.Random(20261127)  # noqa: S311 - demo data, not security
    invitations = survey_services.survey_invite(survey=survey, count=25, acting_user=user)
    for n in range(30):
        answers = {}
        for question in questions:
            if question.kind == SurveyQuestion.Kind.RATING:
                answers[question.pk] = rng.choices([5, 4, 3, 2, 1], weights=[45, 35, 12, 5, 3])[0]
            elif question.kind == SurveyQuestion.Kind.SINGLE:
                answers[question.pk] = rng.choice(question.option_list)
            elif question.kind == SurveyQuestion.Kind.MULTIPLE:
                answers[question.pk] = rng.sample(question.option_list, k=rng.randint(1, 2))
            else:
                answers[question.pk] = rng.choice(COMMENTS)
        if n < 20:  # answered through their links, five links left unanswered
            survey_services.survey_answer_by_token(token=invitations[n].token, answers=answers)
        else:
            survey_services.survey_response_enter(
                survey=survey, answers=answers, source=SurveyResponse.Source.PAPER, acting_user=user
            )


@transaction.atomic
def complaints_demo_data_install() -> None:
    """Demo complaints (oral, phone, written, a major one, an overdue one, a suggestion) and a survey with 30 answers."""
    survey_services.surveys_install_defaults()
    user = _staff_user()
    _demo_complaints(user)
    _demo_survey(user)
