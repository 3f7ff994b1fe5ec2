"""Service guide defaults and applications at the desk (一次性告知)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

import pytest

from operations.data.service_guide import DEFAULT_SERVICE_ITEMS
from operations.models import AuditEntry, ServiceApplication, ServiceItem
from operations.services.defaults import center_defaults_install
from operations.services.guide import (
    fee_display,
    service_application_record,
    service_guide_install_defaults,
    time_limit_display,
)
from tests.factories import make_unit


@pytest.fixture
def clerk(guide):
    return get_user_model().objects.create_user(username="desk1", password="x", first_name="前台小李")


@pytest.fixture
def unit(guide):
    return make_unit()


class TestDefaults:
    def test_every_default_item_is_installed_with_its_terms(self, guide):
        names = {spec["name"] for spec in DEFAULT_SERVICE_ITEMS}
        assert names <= set(guide)
        for expected in (
            "入住手续",
            "装修申请",
            "报修",
            "工具借用",
            "独居老人特殊服务",
            "证明开具",
            "投诉建议",
        ):
            assert expected in guide
        assert any(name.startswith("便民物品") for name in guide)

    def test_limits_fees_and_departments(self, guide):
        repair, renovation, certificate = guide["报修"], guide["装修申请"], guide["证明开具"]
        assert (repair.time_limit_value, repair.time_limit_unit) == (24, ServiceItem.LimitUnit.HOURS)
        assert (renovation.time_limit_value, renovation.time_limit_unit) == (
            3,
            ServiceItem.LimitUnit.WORKING_DAYS,
        )
        assert (certificate.time_limit_value, certificate.time_limit_unit) == (
            1,
            ServiceItem.LimitUnit.WORKING_DAYS,
        )
        assert renovation.fee_type == ServiceItem.Fee.PAID
        assert "收费公示" in renovation.fee_basis
        assert repair.fee_type == ServiceItem.Fee.FREE
        assert repair.department.code == "engineering"
        assert guide["入住手续"].department.code == "service"
        for item in guide.values():
            item.full_clean()  # every default passes the model's own validation

    def test_move_in_materials(self, guide):
        materials = {m.name: m for m in guide["入住手续"].materials.all()}
        assert materials["业主身份证"].form == "both"
        assert materials["购房合同"].form == "copy"
        assert "委托" in materials["业主授权委托书"].note
        assert guide["入住手续"].procedure_steps

    def test_idempotent_and_keeps_center_edits(self, guide):
        count = ServiceItem.objects.count()
        materials = sum(item.materials.count() for item in ServiceItem.objects.all())
        ServiceItem.objects.filter(name="报修").update(time_limit_value=12)
        service_guide_install_defaults()
        center_defaults_install()
        assert ServiceItem.objects.count() == count
        assert sum(item.materials.count() for item in ServiceItem.objects.all()) == materials
        assert ServiceItem.objects.get(name="报修").time_limit_value == 12

    def test_isolated_per_center(self, guide, center_b):
        ServiceItem.objects.filter(name="报修").update(description="alpha only")
        connection.set_tenant(center_b)
        service_guide_install_defaults()
        assert ServiceItem.objects.get(name="报修").description != "alpha only"

    def test_display_helpers(self, guide):
        with translation.override("zh-hans"):
            assert time_limit_display(guide["报修"]) == "24 小时"
            assert time_limit_display(guide["装修申请"]) == "3 个工作日"
            assert fee_display(guide["报修"]) == "免费"


class TestApplicationRecord:
    def _ids(self, item, *names):
        return [m.pk for m in item.materials.all() if m.name in names]

    def test_complete_application_is_accepted(self, guide, clerk, unit):
        item = guide["证明开具"]
        application = service_application_record(
            service_item=item,
            applicant_name="王芳",
            applicant_phone="138 1234 5678",
            unit_id=unit.pk,
            materials_brought=[m.pk for m in item.materials.all()],
            acting_user=clerk,
        )
        assert application.status == ServiceApplication.Status.COMPLETE
        assert application.materials_missing == []
        assert application.applicant_phone == "13812345678"
        assert application.number.startswith("SQ")
        assert application.handled_by == clerk
        assert AuditEntry.objects.filter(
            action="service_application_record", object_id=str(application.pk)
        ).exists()

    def test_incomplete_lists_everything_missing_once(self, guide, clerk):
        item = guide["入住手续"]
        brought = self._ids(item, "业主身份证", "购房合同")
        application = service_application_record(
            service_item=item, applicant_name="林小红", materials_brought=brought, acting_user=clerk
        )
        assert application.status == ServiceApplication.Status.INCOMPLETE
        missing = [m["name"] for m in application.materials_missing]
        expected = [m.name for m in item.materials.all() if m.name not in ("业主身份证", "购房合同")]
        assert missing == expected
        assert {m["name"] for m in application.materials_brought} == {"业主身份证", "购房合同"}
        assert all({"form", "copies", "note"} <= set(m) for m in application.materials_missing)

    def test_item_without_materials_is_complete(self, guide, clerk):
        application = service_application_record(
            service_item=guide["报修"], applicant_name="赵丽", acting_user=clerk
        )
        assert application.status == ServiceApplication.Status.COMPLETE

    def test_refusal_with_reason(self, guide, clerk):
        application = service_application_record(
            service_item=guide["证明开具"],
            applicant_name="马明",
            refuse=True,
            refusal_reason="非本小区住户",
            acting_user=clerk,
        )
        assert application.status == ServiceApplication.Status.REFUSED
        assert application.refusal_reason == "非本小区住户"

    def test_refusal_without_reason_is_rejected_in_chinese(self, guide, clerk, zh):
        with pytest.raises(ValidationError) as error:
            service_application_record(
                service_item=guide["证明开具"],
                applicant_name="马明",
                refuse=True,
                refusal_reason="  ",
                acting_user=clerk,
            )
        assert "书面" in error.value.message_dict["refusal_reason"][0]
        assert not ServiceApplication.objects.exists()

    def test_unknown_unit_is_rejected(self, guide, clerk, zh):
        with pytest.raises(ValidationError) as error:
            service_application_record(
                service_item=guide["报修"], applicant_name="赵丽", unit_id=987654, acting_user=clerk
            )
        assert "房号" in error.value.message_dict["unit"][0] or "单元" in error.value.message_dict["unit"][0]
        assert not ServiceApplication.objects.exists()

    def test_bad_phone_is_rejected(self, guide, clerk, zh):
        with pytest.raises(ValidationError) as error:
            service_application_record(
                service_item=guide["报修"], applicant_name="赵丽", applicant_phone="12345", acting_user=clerk
            )
        assert "applicant_phone" in error.value.message_dict
        assert not ServiceApplication.objects.exists()

    def test_materials_of_another_item_are_rejected(self, guide, clerk):
        other = guide["装修申请"].materials.first()
        with pytest.raises(ValidationError) as error:
            service_application_record(
                service_item=guide["入住手续"],
                applicant_name="王芳",
                materials_brought=[other.pk],
                acting_user=clerk,
            )
        assert "materials_brought" in error.value.message_dict

    def test_missing_name_is_rejected(self, guide, clerk):
        with pytest.raises(ValidationError) as error:
            service_application_record(service_item=guide["报修"], applicant_name=" ", acting_user=clerk)
        assert "applicant_name" in error.value.message_dict
