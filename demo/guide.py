"""Demo data of the service guide area: a week of first inquiries in every outcome, a few applications.

``guide_demo_data_install()`` runs in the current center's schema, through the same services the
desk uses, and is idempotent: an inquiry is identified by visitor and matter, an application by
applicant and item, so a second run adds nothing. Units are used when the center has any.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from operations.models import (
    AuditEntry,
    Department,
    Inquiry,
    InquiryFollowUp,
    ServiceApplication,
    ServiceItem,
    Unit,
)
from operations.services.guide import service_application_record, service_guide_install_defaults
from operations.services.inquiries import (
    inquiry_complete,
    inquiry_follow_up,
    inquiry_hand_over,
    inquiry_record,
)

# days ago, hour:minute, visitor, phone, channel, matter, service item, outcome, details
# outcome: answered | handling | handed_user | handed_dept ; details: resolution / completed after hours / follow-up
DEMO_INQUIRIES = [
    (
        6,
        "09:10",
        "王秀英",
        "13812340001",
        "walk_in",
        "咨询装修申请需要准备哪些材料",
        "装修申请",
        "answered",
        {"resolution": "已一次性告知装修申请所需全部材料、流程及垃圾清运费标准，发放《装修申请表》。"},
    ),
    (
        6,
        "14:30",
        "李建国",
        "13912340002",
        "phone",
        "厨房水管漏水，请尽快上门维修",
        "报修",
        "handed_dept",
        {
            "department": "engineering",
            "contact": "工程部值班电话 8001，约定 16:00 上门",
            "complete_after": 3,
            "resolution": "工程部更换角阀，住户签字确认。",
        },
    ),
    (
        5,
        "10:00",
        "张桂兰",
        "13612340003",
        "walk_in",
        "为独居的母亲申请每月代交水电费",
        "独居老人特殊服务",
        "handling",
        {
            "follow_up": "已与老人家属确认缴费卡存放位置。",
            "complete_after": 20,
            "resolution": "已完成本月代缴，凭条交老人保管。",
        },
    ),
    (
        5,
        "15:40",
        "郑芳",
        "13712340004",
        "walk_in",
        "咨询小区地下车位租赁",
        None,
        "handed_dept",
        {
            "department": "service",
            "contact": "客服部 林主管，次日上午回电",
            "follow_up": "客服部已回电告知空余车位。",
            "complete_after": 22,
            "resolution": "已告知车位租赁价格及办理方式。",
        },
    ),
    (
        4,
        "09:30",
        "刘洋",
        "15012340005",
        "phone",
        "询问入住手续办理时间和需要带的材料",
        "入住手续",
        "answered",
        {"resolution": "已告知办理时间（工作日 8:30–17:30）及全部所需材料。"},
    ),
    (
        3,
        "16:00",
        "陈志强",
        "15112340006",
        "walk_in",
        "申请开具居住证明，孩子入学使用",
        "证明开具",
        "handling",
        {"follow_up": "已提交中心负责人审核，负责人外出。"},
    ),
    (
        2,
        "11:00",
        "赵丽",
        "15212340007",
        "walk_in",
        "5号楼2单元楼道灯不亮",
        "报修",
        "handed_user",
        {"contact": "维修师傅电话 8002，今日下班前处理"},
    ),
    (
        1,
        "15:20",
        "孙伟",
        "18612340008",
        "phone",
        "反映楼上夜间噪音扰民",
        "投诉建议",
        "handed_dept",
        {"department": "service", "contact": "客服部 2 个工作日内回复"},
    ),
    (
        0,
        "09:05",
        "周敏",
        "18712340009",
        "walk_in",
        "借用人字梯",
        "工具借用",
        "answered",
        {"resolution": "已登记借用，当日 18:00 前归还。"},
    ),
    (
        0,
        "10:30",
        "吴强",
        "",
        "phone",
        "询问中心能否代收快递",
        None,
        "handling",
        {"follow_up": "已向中心负责人请示，待答复。"},
    ),
]

DEMO_APPLICATIONS = [
    # applicant, phone, item, which materials were brought ("all" or names), refusal reason
    ("黄建华", "13812340101", "装修申请", "all", ""),
    ("林小红", "13912340102", "入住手续", ["业主身份证", "不动产权证书或开发商《交房通知书》"], ""),
    (
        "马明",
        "13612340103",
        "证明开具",
        ["申请人身份证"],
        "申请人非本小区业主或登记住户，且未能提供房屋租赁合同，不符合开具居住证明的条件。",
    ),
]


def _at(now: dt.datetime, days_ago: int, hhmm: str) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    local = timezone.localtime(now) - dt.timedelta(days=days_ago)
    moment = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return min(moment, now - dt.timedelta(minutes=5))


def _backdate_audit(inquiry: Inquiry) -> None:
    """Give the demo's audit entries the times of the events they record (the history reads them)."""
    inquiry.refresh_from_db()
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Inquiry), object_id=str(inquiry.pk)
    )
    entries.filter(action="inquiry_record").update(created=inquiry.created)
    if inquiry.handed_over_at:
        entries.filter(action="inquiry_hand_over").update(created=inquiry.handed_over_at)
    if inquiry.completed_at and inquiry.status == Inquiry.Status.COMPLETED:
        entries.filter(action="inquiry_complete").update(created=inquiry.completed_at)


@transaction.atomic
def guide_demo_data_install() -> dict[str, int]:
    """Install the demo service guide, inquiries and applications; returns how many were created."""
    service_guide_install_defaults()
    users = list(get_user_model().objects.filter(is_active=True).order_by("-is_superuser", "pk")[:2])
    if not users:
        return {"inquiries": 0, "applications": 0}
    responder = users[0]
    colleague = users[1] if len(users) > 1 else None
    items = {item.name: item for item in ServiceItem.objects.prefetch_related("materials")}
    departments = {d.code: d for d in Department.objects.all()}
    units = list(Unit.objects.select_related("building").order_by("pk")[:12])
    now = timezone.now()
    created = {"inquiries": 0, "applications": 0}

    for index, (days_ago, hhmm, visitor, phone, channel, matter, item_name, outcome, extra) in enumerate(
        DEMO_INQUIRIES
    ):
        if Inquiry.objects.filter(visitor_name=visitor, matter=matter).exists():
            continue
        start = _at(now, days_ago, hhmm)
        inquiry = inquiry_record(
            visitor_name=visitor,
            visitor_phone=phone,
            unit_id=units[index % len(units)].pk if units else None,
            channel=channel,
            matter=matter,
            service_item=items.get(item_name) if item_name else None,
            answered_on_spot=outcome == "answered",
            resolution=extra.get("resolution", "") if outcome == "answered" else "",
            acting_user=responder,
            now=start,
        )
        Inquiry.objects.filter(pk=inquiry.pk).update(created=start)
        if outcome in ("handed_user", "handed_dept"):
            to_user = colleague if outcome == "handed_user" else None
            to_department = departments.get(extra.get("department", "engineering"))
            if to_user is None and to_department is None:
                to_department = next(iter(departments.values()), None)
            if to_user is not None or to_department is not None:
                inquiry_hand_over(
                    inquiry=inquiry,
                    to_user=to_user,
                    to_department=to_department if to_user is None else None,
                    contact=extra.get("contact", ""),
                    handed_over_at=start + dt.timedelta(minutes=10),
                    acting_user=responder,
                )
        if outcome != "answered" and extra.get("follow_up"):
            follow_up = inquiry_follow_up(inquiry=inquiry, note=extra["follow_up"], acting_user=responder)
            InquiryFollowUp.objects.filter(pk=follow_up.pk).update(
                created=min(start + dt.timedelta(hours=1), now)
            )
        if outcome != "answered" and extra.get("complete_after"):
            inquiry_complete(
                inquiry=inquiry,
                resolution=extra["resolution"],
                acting_user=responder,
                now=min(start + dt.timedelta(hours=extra["complete_after"]), now),
            )
        _backdate_audit(inquiry)
        created["inquiries"] += 1

    for index, (applicant, phone, item_name, brought, reason) in enumerate(DEMO_APPLICATIONS):
        item = items.get(item_name)
        if (
            item is None
            or ServiceApplication.objects.filter(applicant_name=applicant, service_item=item).exists()
        ):
            continue
        materials = list(item.materials.all())
        ids = [m.pk for m in materials if brought == "all" or m.name in brought]
        application = service_application_record(
            service_item=item,
            applicant_name=applicant,
            applicant_phone=phone,
            unit_id=units[-1 - index].pk if len(units) > index else None,
            materials_brought=ids,
            refuse=bool(reason),
            refusal_reason=reason,
            acting_user=responder,
        )
        ServiceApplication.objects.filter(pk=application.pk).update(created=_at(now, 4 - index, "10:15"))
        created["applications"] += 1
    return created
