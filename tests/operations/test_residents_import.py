"""Import of the owner list (.xlsx): read, preview, confirm, re-import."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

import pytest
from openpyxl import Workbook, load_workbook

from operations.imports.residents import (
    COLUMNS,
    resident_import_apply,
    resident_import_plan,
    resident_import_template,
    resident_rows_read,
)
from operations.models import Resident, Unit
from operations.services.residents import building_get_or_create

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    ["1号楼", "1单元", 101, "王建国", "13812345678", "业主", "1948-05-01", "独居"],
    ["1号楼", "1单元", 101, "王秀英", "+86 139 1234 5678", "家庭成员", None, None],
    ["1号楼", "2单元", "1202", "李志强", "021-50886601", "租户", None, None],
]


def xlsx(rows, header=COLUMNS, name="owners.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def center(center_a, in_center):
    with in_center(center_a):
        building_get_or_create(name="1号楼")
        yield center_a


def test_read_returns_string_rows_with_line_numbers(center):
    rows = resident_rows_read(xlsx(GOOD_ROWS))
    assert rows[0]["line"] == 2 and rows[0]["room"] == "101" and rows[0]["name"] == "王建国"
    assert rows[0]["birth_date"] == "1948-05-01"
    assert rows[2]["entrance"] == "2单元"


def test_not_an_xlsx_is_refused_in_chinese(center):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as error:
            resident_rows_read(SimpleUploadedFile("owners.csv", "楼栋,单元\n".encode()))
        assert ".xlsx" in error.value.messages[0]
        with pytest.raises(ValidationError) as error:
            resident_rows_read(SimpleUploadedFile("owners.xlsx", b"this is not a zip"))
        assert "无法" in error.value.messages[0]
        # A zip archive that is not a workbook (a .docx renamed, say) is "not a workbook" too.
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("word/document.xml", "<w:document/>")
        with pytest.raises(ValidationError) as error:
            resident_rows_read(SimpleUploadedFile("owners.xlsx", archive.getvalue()))
        assert "无法" in error.value.messages[0]


def test_wrong_columns_are_refused_in_chinese(center):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        resident_rows_read(xlsx([["1号楼", "101", "王建国"]], header=["楼栋", "房间", "名字"]))
    message = error.value.messages[0]
    assert "缺少" in message and "房号" in message and "姓名" in message
    assert "房间" in message


def test_header_only_is_refused(center):
    with pytest.raises(ValidationError):
        resident_rows_read(xlsx([]))


def test_plan_shows_row_errors_in_chinese_and_writes_nothing(center):
    rows = resident_rows_read(
        xlsx(
            [
                ["1号楼", "1单元", "101", "王建国", "13812345678", "业主"],
                ["1号楼", "1单元", "101", "王建国", "13812345678", "业主"],  # duplicate of line 2
                ["1号楼", "1单元", "102", "赵国庆", "12345", "业主"],  # bad phone
                ["9号楼", "1单元", "101", "周淑珍", "13812345678", "业主"],  # unknown building
                ["1号楼", "1单元", "103", "", "13812345678", "业主"],  # missing name
                ["1号楼", "1单元", "104", "吴德明", "13812345678", "房东"],  # unknown relation
            ]
        )
    )
    with translation.override("zh-hans"):
        plan = resident_import_plan(rows=rows)
    actions = [row.action for row in plan.rows]
    assert actions == ["new", "error", "error", "error", "error", "error"]
    errors = [" ".join(row.errors) for row in plan.rows]
    assert "第 2 行" in errors[1] and "重复" in errors[1]
    assert "12345" in errors[2] and "电话" in errors[2]
    assert "9号楼" in errors[3] and "楼栋" in errors[3]
    assert "姓名" in errors[4]
    assert "房东" in errors[5]
    assert not Resident.objects.exists()
    assert not Unit.objects.exists()


def test_unknown_building_is_allowed_when_creating_buildings(center):
    rows = resident_rows_read(xlsx([["9号楼", "", "101", "周淑珍", "", "业主"]]))
    plan = resident_import_plan(rows=rows, create_missing_buildings=True)
    assert [row.action for row in plan.rows] == ["new"] and plan.rows[0].new_building
    counts = resident_import_apply(rows=rows, create_missing_buildings=True)
    assert counts["buildings"] == 1 and counts["new"] == 1
    assert Resident.objects.get(name="周淑珍").unit.building.name == "9号楼"


def test_apply_refuses_while_errors_remain_and_writes_nothing(center):
    rows = resident_rows_read(xlsx(GOOD_ROWS + [["1号楼", "1单元", "102", "赵国庆", "12345", "业主"]]))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        resident_import_apply(rows=rows)
    assert "没有导入" in error.value.messages[0] or "未导入" in error.value.messages[0]
    assert not Resident.objects.exists()


def test_confirm_writes_and_reimport_updates_instead_of_duplicating(center):
    rows = resident_rows_read(xlsx(GOOD_ROWS))
    assert [row.action for row in resident_import_plan(rows=rows).rows] == ["new", "new", "new"]
    counts = resident_import_apply(rows=rows)
    assert counts["new"] == 3 and counts["units"] == 2
    wang = Resident.objects.get(name="王秀英")
    assert wang.phone == "13912345678" and wang.relation == "family"
    assert str(Resident.objects.get(name="王建国").birth_date) == "1948-05-01"

    # The same file again: all unchanged; then a changed phone: one update, no duplicates.
    assert [row.action for row in resident_import_plan(rows=rows).rows] == ["unchanged"] * 3
    changed = [list(row) for row in GOOD_ROWS]
    changed[2][4] = "0571-87654321-123"
    rows = resident_rows_read(xlsx(changed))
    plan = resident_import_plan(rows=rows)
    assert [row.action for row in plan.rows] == ["unchanged", "unchanged", "update"]
    counts = resident_import_apply(rows=rows)
    assert counts["update"] == 1 and counts["new"] == 0
    assert Resident.objects.count() == 3
    assert Resident.objects.get(name="李志强").phone == "0571-87654321-123"


def test_plan_uses_a_constant_number_of_queries(center, django_assert_max_num_queries):
    many = [["1号楼", "1单元", str(100 + i), f"住户{i}", "13812345678", "业主"] for i in range(200)]
    rows = resident_rows_read(xlsx(many))
    with django_assert_max_num_queries(3):
        resident_import_plan(rows=rows)


def test_template_has_the_header_row():
    workbook = load_workbook(io.BytesIO(resident_import_template()))
    header = [cell.value for cell in workbook.active[1]]
    assert header == list(COLUMNS)
