"""Admin views of the service guide: item admin, 办事指南 preview, 受理申请 form, printable notices."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

import pytest

from operations.models import Building, ServiceApplication, ServiceItem, Unit, WorkdayOverride
from operations.services.guide import service_application_record
from tests.factories import make_user


@pytest.fixture
def desk(guide, client_a):
    user = make_user("desk", "前台客服")
    client_a.force_login(user)
    return user


@pytest.fixture
def head(guide, client_a):
    user = get_user_model().objects.get(username="admin")
    client_a.force_login(user)
    return user


class TestServiceItemAdmin:
    def test_index_lists_items_with_guide_and_application_links(
        self, head, guide, client_a, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(25):
            response = client_a.get(reverse("service_items:index"))
        assert response.status_code == 200
        content = response.content.decode()
        assert "装修申请" in content
        assert reverse("operations_guide:item_guide", args=[guide["报修"].pk]) in content
        assert reverse("operations_guide:application_create", args=[guide["报修"].pk]) in content

    def test_index_query_count_is_flat(self, head, guide, client_a, django_assert_max_num_queries):
        client_a.get(reverse("service_items:index"))
        for n in range(15):
            ServiceItem.objects.create(name=f"测试事项{n}", department=guide["报修"].department)
        with django_assert_max_num_queries(25):
            assert client_a.get(reverse("service_items:index")).status_code == 200

    def test_edit_form_has_materials_inline(self, head, guide, client_a):
        response = client_a.get(reverse("service_items:edit", args=[guide["入住手续"].pk]))
        assert response.status_code == 200
        assert "购房合同" in response.content.decode()
        assert "materials-TOTAL_FORMS" in response.content.decode()

    def test_create_item_with_materials(self, head, client_a):
        from wagtail.test.utils.form_data import inline_formset, nested_form_data

        data = nested_form_data(
            {
                "name": "车辆出入证办理",
                "category": "other",
                "description": "",
                "procedure": "登记\n发证",
                "time_limit_value": 2,
                "time_limit_unit": "working_days",
                "fee_type": "free",
                "fee_amount": "",
                "fee_basis": "",
                "legal_basis": "",
                "department": "",
                "is_published": "on",
                "sort_order": 20,
                "materials": inline_formset(
                    [{"name": "行驶证", "form": "both", "copies": 1, "note": ""}], initial=0
                ),
            }
        )
        response = client_a.post(reverse("service_items:add"), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        item = ServiceItem.objects.get(name="车辆出入证办理")
        assert [m.name for m in item.materials.all()] == ["行驶证"]

    def test_desk_can_view_but_not_edit_items(self, desk, guide, client_a):
        assert client_a.get(reverse("service_items:index")).status_code == 200
        assert client_a.get(reverse("service_items:edit", args=[guide["报修"].pk])).status_code in (302, 403)

    def test_workday_override_admin(self, head, client_a):
        response = client_a.post(
            reverse("workday_overrides:add"),
            {"date": "2027-02-20", "is_working_day": "on", "note": "春节调休"},
        )
        assert response.status_code == 302
        assert WorkdayOverride.objects.get(date="2027-02-20").is_working_day is True
        assert client_a.get(reverse("workday_overrides:index")).status_code == 200


class TestGuidePreview:
    def test_preview_tells_everything_at_once(self, desk, guide, client_a):
        item = guide["装修申请"]
        response = client_a.get(reverse("operations_guide:item_guide", args=[item.pk]))
        assert response.status_code == 200
        content = response.content.decode()
        for material in item.materials.all():
            assert material.name in content
        for step in item.procedure_steps:
            assert step in content
        assert "3 个工作日" in content
        assert "收费公示" in content
        assert "住宅室内装饰装修管理办法" in content
        assert "工程部" in content
        assert "阿尔法服务中心" in content
        assert "@page" in content


class TestApplicationForm:
    def test_form_lists_materials(self, desk, guide, client_a):
        response = client_a.get(reverse("operations_guide:application_create", args=[guide["入住手续"].pk]))
        assert response.status_code == 200
        assert "购房合同" in response.content.decode()

    def test_incomplete_application_prints_missing_only(self, desk, guide, client_a):
        item = guide["入住手续"]
        materials = list(item.materials.all())
        brought = [m for m in materials if m.name in ("业主身份证", "购房合同")]
        missing = [m for m in materials if m not in brought]
        response = client_a.post(
            reverse("operations_guide:application_create", args=[item.pk]),
            {
                "applicant_name": "林小红",
                "applicant_phone": "13912345678",
                "unit": "",
                "materials": [m.pk for m in brought],
                "decision": "accept",
                "refusal_reason": "",
            },
        )
        application = ServiceApplication.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("operations_guide:application_sheet", args=[application.pk])
        sheet = client_a.get(response["Location"]).content.decode()
        assert "一次性告知单" in sheet
        names = sheet.split('class="materials"')[1].split("</table>")[0]
        for material in missing:
            assert material.name in names
        for material in brought:
            assert f'class="material-name">{material.name}<' not in names
        assert "阿尔法服务中心" in sheet and "测试路 1 号" in sheet and "021-1111 0001" in sheet
        assert application.number in sheet
        assert "1 个工作日" in sheet
        assert "签字" in sheet
        assert "desk" in sheet  # handler

    def test_complete_application_prints_receipt(self, desk, guide, client_a):
        item = guide["证明开具"]
        response = client_a.post(
            reverse("operations_guide:application_create", args=[item.pk]),
            {
                "applicant_name": "王芳",
                "materials": [m.pk for m in item.materials.all()],
                "decision": "accept",
            },
        )
        assert response.status_code == 302
        assert ServiceApplication.objects.get().status == ServiceApplication.Status.COMPLETE
        assert "受理回执" in client_a.get(response["Location"]).content.decode()

    def test_refusal_without_reason_shows_chinese_error_and_writes_nothing(self, desk, guide, client_a):
        item = guide["证明开具"]
        response = client_a.post(
            reverse("operations_guide:application_create", args=[item.pk]),
            {"applicant_name": "马明", "decision": "refuse", "refusal_reason": ""},
        )
        assert response.status_code == 200
        assert "书面" in response.content.decode()
        assert not ServiceApplication.objects.exists()

    def test_refusal_prints_notice(self, desk, guide, client_a):
        item = guide["证明开具"]
        response = client_a.post(
            reverse("operations_guide:application_create", args=[item.pk]),
            {
                "applicant_name": "马明",
                "decision": "refuse",
                "refusal_reason": "非本小区住户，不符合开具条件",
            },
        )
        assert response.status_code == 302
        sheet = client_a.get(response["Location"]).content.decode()
        assert "不予受理告知书" in sheet
        assert "非本小区住户，不符合开具条件" in sheet

    def test_unknown_unit_and_bad_phone_show_errors(self, desk, guide, client_a):
        Unit.objects.create(building=Building.objects.create(name="3号楼"), entrance="2单元", room="1201")
        response = client_a.post(
            reverse("operations_guide:application_create", args=[guide["报修"].pk]),
            {
                "applicant_name": "赵丽",
                "applicant_phone": "12345",
                "unit": "9号楼-1单元-999",
                "decision": "accept",
            },
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert "未知房号" in content
        assert "不是有效的电话号码" in content or "电话" in content
        assert not ServiceApplication.objects.exists()

    def test_known_unit_label_is_resolved(self, desk, guide, client_a):
        unit = Unit.objects.create(
            building=Building.objects.create(name="3号楼"), entrance="2单元", room="1201"
        )
        client_a.post(
            reverse("operations_guide:application_create", args=[guide["报修"].pk]),
            {"applicant_name": "赵丽", "unit": "3号楼-2单元-1201", "decision": "accept"},
        )
        assert ServiceApplication.objects.get().unit == unit

    def test_roles_without_permission_are_refused(self, guide, client_a):
        client_a.force_login(make_user("dispatch", "部门调度员"))
        response = client_a.get(reverse("operations_guide:application_create", args=[guide["报修"].pk]))
        assert response.status_code in (302, 403)


class TestApplicationList:
    def test_list_masks_phone_for_roles_without_contact_and_is_flat(
        self, guide, client_a, django_assert_max_num_queries
    ):
        desk = make_user("desk", "前台客服")
        for n in range(3):
            service_application_record(
                service_item=guide["报修"],
                applicant_name=f"住户{n}",
                applicant_phone="13812345678",
                acting_user=desk,
            )
        user = make_user("head", "客户服务部负责人")
        # the service head has no contact permission; give them the application list only
        user.user_permissions.add(Permission.objects.get(codename="view_serviceapplication"))
        client_a.force_login(user)
        url = reverse("service_applications:index")
        client_a.get(url)
        with django_assert_max_num_queries(20) as first:
            response = client_a.get(url)
        content = response.content.decode()
        assert "138****5678" in content and "13812345678" not in content
        for n in range(3, 20):
            service_application_record(
                service_item=guide["入住手续"], applicant_name=f"住户{n}", acting_user=desk
            )
        with django_assert_max_num_queries(len(first.captured_queries)):
            assert client_a.get(url).status_code == 200


class TestApplicationIndex:
    def test_filters_names_and_new_application_links(self, desk, guide, client_a):
        service_application_record(service_item=guide["报修"], applicant_name="住户甲", acting_user=desk)
        service_application_record(
            service_item=guide["证明开具"],
            applicant_name="住户乙",
            refuse=True,
            refusal_reason="不符合条件",
            acting_user=desk,
        )
        url = reverse("service_applications:index")
        content = client_a.get(url).content.decode()
        assert "住户甲" in content and "住户乙" in content
        assert reverse("operations_guide:application_create", args=[guide["报修"].pk]) in content
        refused = client_a.get(url, {"status": "refused"}).content.decode()
        assert "住户乙" in refused and "住户甲" not in refused
        assert client_a.get(url, {"status": "nonsense"}).status_code == 200
        application = ServiceApplication.objects.get(applicant_name="住户甲")
        assert reverse("operations_guide:application_sheet", args=[application.pk]) in content

    def test_applications_are_never_edited_in_the_admin(self, head, guide, client_a):
        application = service_application_record(
            service_item=guide["报修"], applicant_name="住户甲", acting_user=head
        )
        assert client_a.get(reverse("service_applications:add")).status_code in (302, 403)
        assert client_a.get(reverse("service_applications:edit", args=[application.pk])).status_code in (
            302,
            403,
        )
        index = client_a.get(reverse("service_applications:index")).content.decode()
        assert reverse("service_applications:add") not in index
