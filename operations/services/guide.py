"""Service guide (服务事项) and applications at the desk (一次性告知).

An application records which required materials the resident brought. Complete → accepted;
incomplete → the full list of what is missing, told once (a record and a printable sheet);
refused → a written reason, also printable. The materials are stored as a snapshot so the
sheet stays exactly what the resident was told even if the guide is edited later.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from operations.models import Department, RequiredMaterial, ServiceApplication, ServiceItem, Unit
from operations.services.common import audit_record, next_number, user_or_none
from operations.validators import normalize_phone, validate_phone

# name, category, department code, (limit value, unit), (fee type, amount, basis), description,
# procedure steps, legal basis, materials [(name, form, copies, note)]
DEFAULT_SERVICE_ITEMS = [
    {
        "name": "入住手续",
        "category": ServiceItem.Category.MOVE_IN,
        "department": "service",
        "limit": (1, ServiceItem.LimitUnit.WORKING_DAYS),
        "fee": (ServiceItem.Fee.FREE, None, ""),
        "description": "新业主收房入住：核验身份与房屋资料，签署管理规约，办理门禁卡并交付钥匙。物业服务费按物业服务合同另行缴纳。",
        "procedure": [
            "前台核验业主身份及房屋资料",
            "签署《临时管理规约》和《物业服务合同》",
            "填写《业主信息登记表》",
            "工程部陪同验房，签署《房屋交接验收单》",
            "办理门禁卡，领取钥匙及《业主手册》",
        ],
        "legal_basis": "《物业管理条例》第七条、第二十二条；本小区《临时管理规约》",
        "materials": [
            ("业主身份证", RequiredMaterial.Form.BOTH, 1, "原件核验后当场退还"),
            ("购房合同", RequiredMaterial.Form.COPY, 1, ""),
            ("不动产权证书或开发商《交房通知书》", RequiredMaterial.Form.COPY, 1, "已办证的提供不动产权证书"),
            ("业主授权委托书", RequiredMaterial.Form.ORIGINAL, 1, "委托他人代办时提供，须业主签字"),
            ("受托人身份证", RequiredMaterial.Form.BOTH, 1, "委托他人代办时提供"),
            ("一寸免冠照片", RequiredMaterial.Form.ORIGINAL, 2, "办理门禁卡用"),
        ],
    },
    {
        "name": "装修申请",
        "category": ServiceItem.Category.RENOVATION,
        "department": "engineering",
        "limit": (3, ServiceItem.LimitUnit.WORKING_DAYS),
        "fee": (ServiceItem.Fee.PAID, None, "装修垃圾清运费，按本中心《收费公示》标准收取"),
        "description": "住宅室内装饰装修开工前须向服务中心申报登记，经工程部审核后发放《装修许可证》方可施工。",
        "procedure": [
            "前台领取并填写《装修申请表》",
            "提交装修方案及施工单位资料",
            "工程部审核装修方案（涉及承重结构、外立面的不予同意）",
            "签订《装修管理服务协议》，缴纳装修垃圾清运费",
            "发放《装修许可证》及施工人员出入证",
            "完工后申请验收",
        ],
        "legal_basis": "《住宅室内装饰装修管理办法》（建设部令第110号）第十三条、第十五条、第十六条；《物业管理条例》",
        "materials": [
            ("装修申请表", RequiredMaterial.Form.ORIGINAL, 1, "前台领取，业主签字"),
            ("业主身份证", RequiredMaterial.Form.BOTH, 1, ""),
            ("不动产权证书或购房合同", RequiredMaterial.Form.COPY, 1, ""),
            ("装修施工方案及图纸", RequiredMaterial.Form.COPY, 1, "涉及水电改造的附水电走向图"),
            ("装修企业营业执照及资质证书", RequiredMaterial.Form.COPY, 1, "加盖公章；业主自行装修的免交"),
            ("施工人员身份证", RequiredMaterial.Form.COPY, 1, "每位施工人员一份"),
            ("业主授权委托书", RequiredMaterial.Form.ORIGINAL, 1, "委托他人代办时提供"),
        ],
    },
    {
        "name": "报修",
        "category": ServiceItem.Category.REPAIR,
        "department": "engineering",
        "limit": (24, ServiceItem.LimitUnit.HOURS),
        "fee": (ServiceItem.Fee.FREE, None, ""),
        "description": "公共部位、共用设施设备维修免费；户内维修上门检查免费，更换的材料按实收取并事先告知。急修（停水、停电、漏水）急事急办。",
        "procedure": [
            "前台、电话或网上报修，登记房号、联系人和故障情况",
            "客服部派单至工程部",
            "维修人员与住户约定时间上门",
            "维修完成后住户签字确认",
            "客服回访满意度",
        ],
        "legal_basis": "《物业管理条例》第三十五条；本中心《服务承诺》",
        "materials": [],
    },
    {
        "name": "工具借用",
        "category": ServiceItem.Category.CONVENIENCE,
        "department": "service",
        "limit": (1, ServiceItem.LimitUnit.HOURS),
        "fee": (ServiceItem.Fee.FREE, None, ""),
        "description": "工具箱、梯子、电钻等工具免费借用，日借日还，当日18:00前归还。",
        "procedure": [
            "前台出示证件并登记借用",
            "领取工具，当面检查",
            "当日18:00前归还",
            "归还时检查工具完好，损坏或遗失的照价赔偿",
        ],
        "legal_basis": "本中心《便民服务管理制度》",
        "materials": [
            ("身份证或业主卡", RequiredMaterial.Form.ORIGINAL, 1, "登记后当场退还"),
        ],
    },
    {
        "name": "便民物品（老花镜、医药箱等）",
        "category": ServiceItem.Category.CONVENIENCE,
        "department": "service",
        "limit": (1, ServiceItem.LimitUnit.HOURS),
        "fee": (ServiceItem.Fee.FREE, None, ""),
        "description": "前台备有老花镜、医药箱、针线包、雨伞、打气筒等便民物品，免费借用或使用。",
        "procedure": [
            "前台告知所需物品并登记房号",
            "当场领取使用",
            "借用物品用毕归还前台",
        ],
        "legal_basis": "本中心《便民服务管理制度》",
        "materials": [
            ("房号及联系电话", RequiredMaterial.Form.ORIGINAL, 1, "口头登记即可"),
        ],
    },
    {
        "name": "独居老人特殊服务",
        "category": ServiceItem.Category.ELDERLY,
        "department": "service",
        "limit": (1, ServiceItem.LimitUnit.WORKING_DAYS),
        "fee": (ServiceItem.Fee.FREE, None, ""),
        "description": "为登记的独居老人提供代购物、代交水电费、代咨询、家政、检查水电、清洁、搬运等服务；服务本身免费，代购物品及代缴费用由老人自理。",
        "procedure": [
            "老人或家属电话、来访提出需求",
            "客户主任登记需求并确认服务时间",
            "派单至工程部、保洁部或护卫部",
            "服务完成后客户主任回访",
        ],
        "legal_basis": "本中心《独居老人关爱服务制度》",
        "materials": [
            ("老人身份证", RequiredMaterial.Form.COPY, 1, "首次登记时提供"),
            ("紧急联系人信息", RequiredMaterial.Form.ORIGINAL, 1, "姓名、电话、与老人关系"),
            ("水电燃气缴费卡或账单", RequiredMaterial.Form.ORIGINAL, 1, "代交水电费时提供"),
        ],
    },
    {
        "name": "证明开具",
        "category": ServiceItem.Category.CERTIFICATE,
        "department": "service",
        "limit": (1, ServiceItem.LimitUnit.WORKING_DAYS),
        "fee": (ServiceItem.Fee.FREE, None, ""),
        "description": "为本小区业主、住户开具居住证明、物业费缴纳证明等。",
        "procedure": [
            "前台填写《证明开具申请表》",
            "核验身份及房屋资料",
            "中心负责人审核签字、加盖印章",
            "申请人领取证明",
        ],
        "legal_basis": "《物业管理条例》；本中心《服务承诺》",
        "materials": [
            ("证明开具申请表", RequiredMaterial.Form.ORIGINAL, 1, "前台领取"),
            ("申请人身份证", RequiredMaterial.Form.BOTH, 1, ""),
            ("不动产权证书或房屋租赁合同", RequiredMaterial.Form.COPY, 1, "租户提供租赁合同"),
            ("业主授权委托书", RequiredMaterial.Form.ORIGINAL, 1, "非业主本人申请时提供"),
        ],
    },
    {
        "name": "投诉建议",
        "category": ServiceItem.Category.COMPLAINT,
        "department": "service",
        "limit": (5, ServiceItem.LimitUnit.WORKING_DAYS),
        "fee": (ServiceItem.Fee.FREE, None, ""),
        "description": "可口头、电话、书面或网上投诉；涉及重大事项的投诉须书面提出。中心对投诉人及投诉事项保密。",
        "procedure": [
            "受理投诉并登记",
            "调查核实",
            "提出处理意见并落实整改",
            "答复投诉人（书面投诉书面答复）",
            "回访",
        ],
        "legal_basis": "本中心《投诉制度》；《物业管理条例》",
        "materials": [
            ("书面投诉材料", RequiredMaterial.Form.ORIGINAL, 1, "重大事项投诉时提供，可附照片等证据"),
        ],
    },
]


@transaction.atomic
def service_guide_install_defaults() -> list[ServiceItem]:
    """Install the default service guide in the current center (idempotent: get-or-create by name).

    Existing items are left as the center edited them; materials are only added to new items.
    """
    departments = {d.code: d for d in Department.objects.all()}
    items = []
    for order, spec in enumerate(DEFAULT_SERVICE_ITEMS):
        limit_value, limit_unit = spec["limit"]
        fee_type, fee_amount, fee_basis = spec["fee"]
        item, created = ServiceItem.objects.get_or_create(
            name=spec["name"],
            defaults={
                "category": spec["category"],
                "description": spec["description"],
                "procedure": "\n".join(spec["procedure"]),
                "time_limit_value": limit_value,
                "time_limit_unit": limit_unit,
                "fee_type": fee_type,
                "fee_amount": fee_amount,
                "fee_basis": fee_basis,
                "legal_basis": spec["legal_basis"],
                "department": departments.get(spec["department"]),
                "is_published": True,
                "sort_order": order,
            },
        )
        if created:
            RequiredMaterial.objects.bulk_create(
                RequiredMaterial(
                    service_item=item, name=name, form=form, copies=copies, note=note, sort_order=i
                )
                for i, (name, form, copies, note) in enumerate(spec["materials"])
            )
        items.append(item)
    return items


def material_snapshot(material: RequiredMaterial) -> dict:
    return {
        "id": material.pk,
        "name": material.name,
        "form": material.form,
        "copies": material.copies,
        "note": material.note,
    }


def _clean_unit(unit_id: int | None) -> Unit | None:
    if unit_id in (None, ""):
        return None
    unit = Unit.objects.select_related("building").filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError({"unit": _("Unknown unit: choose an existing building, entrance and room.")})
    return unit


def _clean_phone(field: str, phone: str) -> str:
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        validate_phone(phone)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return normalize_phone(phone)


@transaction.atomic
def service_application_record(
    *,
    service_item: ServiceItem,
    applicant_name: str,
    applicant_phone: str = "",
    unit_id: int | None = None,
    materials_brought: Iterable[int] = (),
    refuse: bool = False,
    refusal_reason: str = "",
    acting_user,
) -> ServiceApplication:
    """Record an application at the desk and tell the resident, once, everything still missing.

    ``materials_brought`` are ids of the item's required materials that the resident brought.
    With ``refuse`` the application is refused and ``refusal_reason`` (written) is required.
    """
    applicant_name = (applicant_name or "").strip()
    refusal_reason = (refusal_reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not applicant_name:
        errors["applicant_name"] = [_("Enter the applicant's name.")]
    try:
        applicant_phone = _clean_phone("applicant_phone", applicant_phone)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        unit = _clean_unit(unit_id)
    except ValidationError as error:
        errors.update(error.message_dict)
        unit = None
    if refuse and not refusal_reason:
        errors["refusal_reason"] = [_("A refusal must be explained in writing: enter the reason.")]
    if not refuse and refusal_reason:
        errors["refusal_reason"] = [_("A reason for refusal is only given when the application is refused.")]

    materials = list(service_item.materials.all())
    by_id = {m.pk: m for m in materials}
    try:
        brought_ids = {int(pk) for pk in materials_brought}
    except (TypeError, ValueError):
        brought_ids = {-1}
    if brought_ids - by_id.keys():
        errors["materials_brought"] = [_("Some of the ticked materials do not belong to this service item.")]
    if errors:
        raise ValidationError(errors)

    brought = [material_snapshot(m) for m in materials if m.pk in brought_ids]
    missing = [material_snapshot(m) for m in materials if m.pk not in brought_ids]
    if refuse:
        status = ServiceApplication.Status.REFUSED
    elif missing:
        status = ServiceApplication.Status.INCOMPLETE
    else:
        status = ServiceApplication.Status.COMPLETE

    application = ServiceApplication(
        number=next_number("SQ"),
        service_item=service_item,
        applicant_name=applicant_name,
        applicant_phone=applicant_phone,
        unit=unit,
        status=status,
        materials_brought=brought,
        materials_missing=missing,
        refusal_reason=refusal_reason if refuse else "",
        handled_by=user_or_none(acting_user),
    )
    application.full_clean()
    application.save()
    audit_record(
        instance=application,
        action="service_application_record",
        acting_user=acting_user,
        changes={
            "status": status,
            "service_item": service_item.pk,
            "materials_missing": [m["name"] for m in missing],
        },
    )
    return application


def fee_display(item: ServiceItem) -> str:
    """'免费' or the amount and basis, as told to residents."""
    if item.fee_type == ServiceItem.Fee.FREE:
        return _("Free")
    parts = []
    if item.fee_amount is not None:
        amount = item.fee_amount.quantize(Decimal("0.01"))
        parts.append(_("%(amount)s yuan") % {"amount": amount})
    return "; ".join(parts) or _("Paid")


def time_limit_display(item: ServiceItem) -> str:
    if not item.time_limit_value:
        return _("No committed time limit")
    if item.time_limit_unit == ServiceItem.LimitUnit.HOURS:
        return _("%(value)s hours") % {"value": item.time_limit_value}
    return _("%(value)s working days") % {"value": item.time_limit_value}
