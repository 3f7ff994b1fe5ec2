"""Admin views of residents, units, buildings, departments and the owner-list import."""

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from openpyxl import Workbook

from operations.imports.residents import COLUMNS
from operations.models import AuditEntry, Department, Resident, StaffProfile
from operations.services.residents import building_get_or_create, resident_create, unit_get_or_create
from tests.base import TEST_PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/operations/residents/"
IMPORT_URL = "/admin/operations/resident-import/"
PREVIEW_URL = "/admin/operations/resident-import/preview/"


def make_resident(name="王建国", phone="13812345678", building="1号楼", room="1201", relation="owner"):
    building, _ = building_get_or_create(name=building)
    unit, _ = unit_get_or_create(building=building, entrance="2单元", room=room)
    return resident_create(unit=unit, name=name, phone=phone, relation=relation)


def login_as_group(client, group_name):
    user = make_user(f"user-{group_name}", group_name)
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return user


def login_admin(client, code="alpha"):
    assert client.login(username="admin", password=f"{code}-{TEST_PASSWORD}")
    return get_user_model().objects.get(username="admin")


def xlsx(rows, header=COLUMNS, name="owners.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


# The residents list: masking, filters, search, query counts ---------------------------------


def test_activity_officer_sees_masked_phone_and_name(client_a, center_a, in_center):
    with in_center(center_a):
        make_resident()
        login_as_group(client_a, "社区文化活动专员")
    body = client_a.get(LIST_URL).content.decode()
    assert "138****5678" in body
    assert "王**" in body
    assert "13812345678" not in body and "王建国" not in body


def test_activity_officer_cannot_search_by_phone(client_a, center_a, in_center):
    with in_center(center_a):
        make_resident()
        login_as_group(client_a, "社区文化活动专员")
    body = client_a.get(LIST_URL, {"q": "13812345678"}).content.decode()
    assert "138****5678" not in body


def test_front_desk_sees_full_phone_and_can_search_by_phone(client_a, center_a, in_center):
    with in_center(center_a):
        make_resident()
        make_resident(name="李秀英", phone="13900001111", room="301")
        login_as_group(client_a, "前台客服")
    body = client_a.get(LIST_URL).content.decode()
    assert "13812345678" in body and "王建国" in body
    body = client_a.get(LIST_URL, {"q": "139 0000 1111"}).content.decode()
    assert "李秀英" in body and "王建国" not in body


def test_filters_and_search_by_unit(client_a, center_a, in_center):
    with in_center(center_a):
        make_resident()
        tenant = make_resident(name="赵国庆", phone="", building="2号楼", room="502", relation="tenant")
        login_admin(client_a)
    body = client_a.get(LIST_URL, {"building": tenant.unit.building_id}).content.decode()
    assert "赵国庆" in body and "王建国" not in body
    body = client_a.get(LIST_URL, {"relation": "owner"}).content.decode()
    assert "王建国" in body and "赵国庆" not in body
    body = client_a.get(LIST_URL, {"q": "502"}).content.decode()
    assert "赵国庆" in body and "王建国" not in body


def test_list_query_count_is_flat(client_a, center_a, in_center, django_assert_max_num_queries):
    with in_center(center_a):
        for i in range(3):
            make_resident(name=f"住户甲{i}", room=f"10{i}")
        login_as_group(client_a, "前台客服")
    client_a.get(LIST_URL)  # warm caches (site, permissions)
    with django_assert_max_num_queries(16) as few:
        assert client_a.get(LIST_URL).status_code == 200
    with in_center(center_a):
        for i in range(40):
            make_resident(name=f"住户乙{i}", building=f"{i % 5 + 3}号楼", room=f"20{i}")
    assert len(few.captured_queries) > 3
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client_a.get(LIST_URL).status_code == 200


# Create and edit through the services ------------------------------------------------------


def test_edit_form_updates_through_service_with_audit(client_a, center_a, in_center):
    with in_center(center_a):
        resident = make_resident()
        admin = login_admin(client_a)
    url = f"{LIST_URL}edit/{resident.pk}/"
    data = {
        "unit": resident.unit_id,
        "name": "王建国",
        "phone": "+86 139 1234 5678",
        "relation": "owner",
        "birth_date": "1950-03-21",
        "note": "",
        "is_active": "on",
    }
    response = client_a.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with in_center(center_a):
        resident.refresh_from_db()
        assert resident.phone == "13912345678"
        entry = AuditEntry.objects.get(action="resident_update", object_id=str(resident.pk))
        assert entry.acting_user == admin
        assert entry.changes["phone"] == ["138****5678", "139****5678"]


def test_edit_form_refuses_bad_phone_in_chinese(client_a, center_a, in_center):
    with in_center(center_a):
        resident = make_resident()
        login_admin(client_a)
    response = client_a.post(
        f"{LIST_URL}edit/{resident.pk}/",
        {"unit": resident.unit_id, "name": "王建国", "phone": "abc", "relation": "owner", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "不是有效的电话号码" in response.content.decode()
    with in_center(center_a):
        resident.refresh_from_db()
        assert resident.phone == "13812345678"
        assert not AuditEntry.objects.filter(action="resident_update").exists()


def test_unticking_active_deactivates(client_a, center_a, in_center):
    with in_center(center_a):
        resident = make_resident()
        login_admin(client_a)
    response = client_a.post(
        f"{LIST_URL}edit/{resident.pk}/",
        {"unit": resident.unit_id, "name": "王建国", "phone": "13812345678", "relation": "owner"},
    )
    assert response.status_code == 302
    with in_center(center_a):
        resident.refresh_from_db()
        assert not resident.is_active
        assert AuditEntry.objects.filter(action="resident_deactivate", object_id=str(resident.pk)).exists()


def test_create_form_goes_through_service(client_a, center_a, in_center):
    with in_center(center_a):
        other = make_resident()
        login_admin(client_a)
    response = client_a.post(
        f"{LIST_URL}new/",
        {"unit": other.unit_id, "name": "王秀英", "phone": "021-50886601", "relation": "family"},
    )
    assert response.status_code == 302
    with in_center(center_a):
        created = Resident.objects.get(name="王秀英")
        assert created.phone == "021-50886601"
        assert AuditEntry.objects.filter(action="resident_create", object_id=str(created.pk)).exists()


def test_deleting_a_building_with_units_is_refused_without_500(client_a, center_a, in_center):
    with in_center(center_a):
        resident = make_resident()
        login_admin(client_a)
    building = resident.unit.building
    response = client_a.post(f"/admin/operations/buildings/delete/{building.pk}/")
    assert response.status_code == 302
    with in_center(center_a):
        assert type(building).objects.filter(pk=building.pk).exists()


def test_units_and_buildings_lists(client_a, center_a, in_center):
    with in_center(center_a):
        make_resident()
        login_admin(client_a)
    assert "1号楼-2单元-1201" in client_a.get("/admin/operations/units/").content.decode()
    assert "1号楼" in client_a.get("/admin/operations/buildings/").content.decode()


# Isolation -----------------------------------------------------------------------------------


def test_resident_of_a_is_not_visible_in_b(client_a, client_b, center_a, center_b, in_center):
    with in_center(center_a):
        resident = make_resident(name="阿尔法住户")
    with in_center(center_b):
        login_admin(client_b, code="beta")
        assert not Resident.objects.filter(pk=resident.pk).exists()
    body = client_b.get(LIST_URL).content.decode()
    assert "阿尔法住户" not in body
    assert client_b.get(f"{LIST_URL}edit/{resident.pk}/").status_code == 404
    assert "阿尔法住户" not in client_b.get(LIST_URL, {"q": "阿尔法"}).content.decode()


# Import ----------------------------------------------------------------------------------------


def test_import_flow_preview_then_confirm_then_reimport(client_a, center_a, in_center):
    with in_center(center_a):
        building_get_or_create(name="1号楼")
        login_admin(client_a)
    rows = [
        ["1号楼", "1单元", "101", "王建国", "13812345678", "业主", "1948-05-01", "独居"],
        ["1号楼", "1单元", "102", "李秀英", "021-50886601", "租户", None, None],
    ]
    response = client_a.post(IMPORT_URL, {"file": xlsx(rows)})
    assert response.status_code == 302 and response["Location"].endswith(PREVIEW_URL)
    preview = client_a.get(PREVIEW_URL)
    body = preview.content.decode()
    assert body.count("import-row--new") == 2 and "新增" in body
    with in_center(center_a):
        assert not Resident.objects.exists()  # nothing written before confirming

    token = preview.context["pending"]["token"]
    response = client_a.post(PREVIEW_URL, {"token": token})
    assert response.status_code == 302
    with in_center(center_a):
        assert Resident.objects.count() == 2

    client_a.post(IMPORT_URL, {"file": xlsx(rows)})
    body = client_a.get(PREVIEW_URL).content.decode()
    assert body.count("import-row--unchanged") == 2
    token = client_a.get(PREVIEW_URL).context["pending"]["token"]
    client_a.post(PREVIEW_URL, {"token": token})
    with in_center(center_a):
        assert Resident.objects.count() == 2


def test_import_preview_lists_row_errors_in_chinese_and_confirm_is_refused(client_a, center_a, in_center):
    with in_center(center_a):
        building_get_or_create(name="1号楼")
        login_admin(client_a)
    rows = [
        ["1号楼", "1单元", "101", "王建国", "12345", "业主"],
        ["7号楼", "1单元", "101", "李秀英", "13812345678", "业主"],
        ["1号楼", "1单元", "102", "", "13812345678", "业主"],
        ["1号楼", "1单元", "103", "赵国庆", "13812345678", "业主"],
        ["1号楼", "1单元", "103", "赵国庆", "13812345678", "业主"],
    ]
    client_a.post(IMPORT_URL, {"file": xlsx(rows)})
    preview = client_a.get(PREVIEW_URL)
    body = preview.content.decode()
    assert "电话“12345”不是有效的手机号或固定电话" in body
    assert "楼栋“7号楼”不存在" in body
    assert "姓名为空" in body
    assert "与第 5 行重复" in body or "与第 4 行重复" in body  # line 6 duplicates line 5
    assert "确认导入" not in body
    response = client_a.post(PREVIEW_URL, {"token": preview.context["pending"]["token"]})
    assert response.status_code == 200
    assert "没有导入任何数据" in response.content.decode()
    with in_center(center_a):
        assert not Resident.objects.exists()


def test_import_rejects_non_xlsx_and_wrong_columns(client_a, center_a, in_center):
    with in_center(center_a):
        login_admin(client_a)
    response = client_a.post(IMPORT_URL, {"file": SimpleUploadedFile("owners.csv", b"a,b\n")})
    assert response.status_code == 200
    assert "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()
    response = client_a.post(IMPORT_URL, {"file": SimpleUploadedFile("owners.xlsx", b"not a workbook")})
    assert "无法读取此文件" in response.content.decode()
    response = client_a.post(IMPORT_URL, {"file": xlsx([["1号楼", "王建国"]], header=["楼栋", "名字"])})
    assert "表头与模板不符" in response.content.decode() and "缺少列" in response.content.decode()
    assert "operations_resident_import" not in client_a.session
    assert client_a.get(PREVIEW_URL).status_code == 302  # nothing waiting
    with in_center(center_a):
        assert not Resident.objects.exists()


def test_import_needs_permission(client_a, center_a, in_center):
    with in_center(center_a):
        login_as_group(client_a, "部门调度员")  # may not add or change residents
    assert client_a.get(IMPORT_URL).status_code in (302, 403)


def test_import_template_download(client_a, center_a, in_center):
    with in_center(center_a):
        login_admin(client_a)
    response = client_a.get(f"{IMPORT_URL}template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# Departments -----------------------------------------------------------------------------------


def test_department_list_links_to_queue_and_staff_assignment(client_a, center_a, in_center):
    with in_center(center_a):
        login_admin(client_a)
        engineering = Department.objects.get(code="engineering")
        fixer = get_user_model().objects.create_user(username="fixer", password="x", first_name="师傅")
    body = client_a.get("/admin/operations/departments/").content.decode()
    assert "工程部" in body and "护卫部" in body
    assert f"/admin/operations/work-orders/queue/department/{engineering.pk}/" in body
    staff_url = f"/admin/operations/departments/{engineering.pk}/staff/"
    assert client_a.get(staff_url).status_code == 200
    response = client_a.post(staff_url, {"members": [fixer.pk]})
    assert response.status_code == 302
    with in_center(center_a):
        assert StaffProfile.objects.get(user=fixer).department == engineering


def test_department_edit_through_service(client_a, center_a, in_center):
    with in_center(center_a):
        login_admin(client_a)
        cleaning = Department.objects.get(code="cleaning")
    response = client_a.post(
        f"/admin/operations/departments/edit/{cleaning.pk}/",
        {
            "name": "保洁绿化部",
            "code": "cleaning",
            "phone": "",
            "description": "",
            "is_active": "on",
            "sort_order": 1,
        },
    )
    assert response.status_code == 302
    with in_center(center_a):
        cleaning.refresh_from_db()
        assert cleaning.name == "保洁绿化部"
        assert AuditEntry.objects.filter(action="department_update", object_id=str(cleaning.pk)).exists()


def test_export_has_import_columns_and_masks_for_activity_officer(client_a, center_a, in_center):
    from openpyxl import load_workbook

    with in_center(center_a):
        make_resident()
        login_as_group(client_a, "社区文化活动专员")
    response = client_a.get(LIST_URL, {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS)
    assert rows[1][:6] == ("1号楼", "2单元", "1201", "王**", "138****5678", "业主")


def test_export_in_full_for_the_desk_can_be_imported_again(client_a, center_a, in_center):
    from openpyxl import load_workbook

    with in_center(center_a):
        make_resident()
        login_as_group(client_a, "前台客服")
    response = client_a.get(LIST_URL, {"export": "xlsx"})
    content = b"".join(response.streaming_content)
    assert load_workbook(io.BytesIO(content)).active.cell(2, 5).value == "13812345678"
    with in_center(center_a):
        from operations.imports.residents import resident_import_plan, resident_rows_read

        rows = resident_rows_read(SimpleUploadedFile("residents.xlsx", content))
        assert [row.action for row in resident_import_plan(rows=rows).rows] == ["unchanged"]
