"""Import residents and units from an owner list (.xlsx).

Two steps: ``resident_rows_read`` turns the upload into plain rows (strings only, so they can
wait in the session between preview and confirm) and ``resident_import_plan`` says for every row
what would happen — new, update, unchanged or an error in Chinese — without writing anything.
``resident_import_apply`` re-plans against the current database and writes through the
services in one transaction; it refuses to write anything while any row has an error (a
partial import of an owner list is harder to reason about than fixing the file and uploading
it again). Re-importing a file updates residents found by their natural key (unit + name).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from operations.models import Building, Resident, Unit
from operations.services.residents import (
    building_get_or_create,
    resident_create,
    resident_update,
    unit_get_or_create,
)
from operations.validators import is_valid_phone, normalize_phone

# The header row of the owner list. Column names are data of a Chinese center, not UI text.
REQUIRED_COLUMNS = ("楼栋", "单元", "房号", "姓名", "电话", "关系")
OPTIONAL_COLUMNS = ("出生日期", "备注")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
COLUMN_KEYS = {
    "楼栋": "building",
    "单元": "entrance",
    "房号": "room",
    "姓名": "name",
    "电话": "phone",
    "关系": "relation",
    "出生日期": "birth_date",
    "备注": "note",
}
RELATIONS = {
    "业主": Resident.Relation.OWNER,
    "租户": Resident.Relation.TENANT,
    "家庭成员": Resident.Relation.FAMILY,
    "owner": Resident.Relation.OWNER,
    "tenant": Resident.Relation.TENANT,
    "family": Resident.Relation.FAMILY,
}
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ROWS = 5000
LIMITS = {"building": 50, "entrance": 20, "room": 20, "name": 50, "note": 200}

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
ACTION_LABELS = {
    NEW: gettext_lazy("New"),
    UPDATE: gettext_lazy("Update"),
    UNCHANGED: gettext_lazy("Unchanged"),
    ERROR: gettext_lazy("Error"),
}


@dataclass
class PlannedRow:
    """One row of the file and what confirming would do with it."""

    line: int
    data: dict
    action: str = NEW
    errors: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    new_building: bool = False

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


@dataclass
class ImportPlan:
    rows: list[PlannedRow]

    @property
    def has_errors(self) -> bool:
        return any(row.action == ERROR for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in (NEW, UPDATE, UNCHANGED, ERROR)}


# Reading -----------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def resident_rows_read(upload) -> list[dict]:
    """The data rows of an uploaded owner list, as dicts of strings with their line number.

    Raises ValidationError (Chinese message) for a file that is not an .xlsx, is too big, has
    a header row with missing or unknown columns, or holds no rows.
    """
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ValidationError(
            _("Upload an Excel file in .xlsx format (the template can be downloaded below).")
        )
    if getattr(upload, "size", 0) and upload.size > MAX_FILE_SIZE:
        raise ValidationError(_("The file is larger than 5 MB; split it into several files."))
    try:
        content = upload.read()
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — whatever the parser trips on, it is not a workbook: no 500
        raise ValidationError(_("This file could not be read as an .xlsx workbook.")) from None
    try:
        return _rows_from_workbook(workbook)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 — a damaged sheet is found while reading it lazily
        raise ValidationError(_("This file could not be read as an .xlsx workbook.")) from None
    finally:
        workbook.close()


def _rows_from_workbook(workbook) -> list[dict]:
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise ValidationError(_("The workbook has no worksheet."))
    rows_iter = sheet.iter_rows(values_only=True)
    header = next(rows_iter, None)
    header = [_cell_text(cell) for cell in (header or ())]
    while header and not header[-1]:
        header.pop()
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [column for column in header if column and column not in COLUMNS]
    duplicated = sorted({column for column in header if column and header.count(column) > 1})
    if missing or unknown or duplicated:
        problems = []
        if missing:
            problems.append(_("missing columns: %(columns)s") % {"columns": "、".join(missing)})
        if unknown:
            problems.append(_("unknown columns: %(columns)s") % {"columns": "、".join(unknown)})
        if duplicated:
            problems.append(_("repeated columns: %(columns)s") % {"columns": "、".join(duplicated)})
        raise ValidationError(
            _("The header row does not match the template (%(problems)s). Expected columns: %(expected)s.")
            % {"problems": "; ".join(problems), "expected": "、".join(COLUMNS)}
        )
    positions = {COLUMN_KEYS[column]: index for index, column in enumerate(header) if column in COLUMN_KEYS}
    rows = []
    for line, values in enumerate(rows_iter, start=2):
        cells = [_cell_text(value) for value in values]
        if not any(cells):
            continue
        row = {key: (cells[index] if index < len(cells) else "") for key, index in positions.items()}
        row.setdefault("birth_date", "")
        row.setdefault("note", "")
        row["line"] = line
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(max)s rows; split it into several files.") % {"max": MAX_ROWS}
            )
    if not rows:
        raise ValidationError(_("The file has a header row but no residents."))
    return rows


# Planning ----------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def _parse_date(text: str) -> dt.date | None:
    text = text.strip().split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 — a calendar date, no time
        except ValueError:
            continue
    return None


def _row_values(row: PlannedRow) -> dict | None:
    """Validate one row on its own; returns the cleaned values or records errors on the row."""
    data = row.data
    values = {key: str(data.get(key) or "").strip() for key in COLUMN_KEYS.values()}
    if not values["building"]:
        row.errors.append(_("Building is empty."))
    if not values["room"]:
        row.errors.append(_("Room number is empty."))
    if not values["name"]:
        row.errors.append(_("Name is empty."))
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            row.errors.append(
                _("%(column)s is longer than %(limit)s characters.")
                % {"column": next(c for c, k in COLUMN_KEYS.items() if k == key), "limit": limit}
            )
    phone = values["phone"]
    if phone and not is_valid_phone(phone):
        row.errors.append(_("Phone “%(value)s” is not a valid mobile or landline number.") % {"value": phone})
    values["phone"] = normalize_phone(phone) if phone and is_valid_phone(phone) else phone
    relation = values["relation"]
    if not relation:
        values["relation"] = Resident.Relation.OWNER
    elif relation.lower() in RELATIONS:
        values["relation"] = RELATIONS[relation.lower()]
    else:
        row.errors.append(
            _("Relation “%(value)s” is unknown: use 业主, 租户 or 家庭成员.") % {"value": relation}
        )
    birth = values["birth_date"]
    values["birth_date"] = None
    if birth:
        parsed = _parse_date(birth)
        if parsed is None:
            row.errors.append(
                _("Birth date “%(value)s” is not a date such as 1950-03-21.") % {"value": birth}
            )
        elif parsed > dt.date.today():
            row.errors.append(_("The birth date cannot be in the future."))
        else:
            values["birth_date"] = parsed
    return values


def resident_import_plan(*, rows: list[dict], create_missing_buildings: bool = False) -> ImportPlan:
    """What importing ``rows`` would do, row by row; reads the database, writes nothing.

    A constant number of queries whatever the number of rows.
    """
    planned = [PlannedRow(line=int(row.get("line", 0)), data=row) for row in rows]
    values_by_line = {row.line: _row_values(row) for row in planned}

    names = {values["building"] for values in values_by_line.values() if values["building"]}
    buildings = {building.name: building for building in Building.objects.filter(name__in=names)}
    units = {
        (unit.building.name, unit.entrance, unit.room): unit
        for unit in Unit.objects.filter(building__name__in=names).select_related("building")
    }
    residents = {
        (resident.unit_id, resident.name): resident
        for resident in Resident.objects.filter(
            unit__in=list(units.values()), name__in={values["name"] for values in values_by_line.values()}
        )
    }

    seen: dict[tuple, int] = {}
    for row in planned:
        values = values_by_line[row.line]
        key = (values["building"], values["entrance"], values["room"], values["name"])
        if values["building"] and values["room"] and values["name"]:
            if key in seen:
                row.errors.append(_("Duplicate of line %(line)s (same unit and name).") % {"line": seen[key]})
            else:
                seen[key] = row.line
        if values["building"] and values["building"] not in buildings:
            if create_missing_buildings:
                row.new_building = True
            else:
                row.errors.append(
                    _("Unknown building “%(name)s”: add it first or tick “create missing buildings”.")
                    % {"name": values["building"]}
                )
        if row.errors:
            row.action = ERROR
            continue
        unit = units.get((values["building"], values["entrance"], values["room"]))
        resident = residents.get((unit.pk, values["name"])) if unit else None
        if resident is None:
            row.action = NEW
            continue
        row.changed = [
            key
            for key in ("phone", "relation", "birth_date", "note")
            if getattr(resident, key) != values[key]
        ]
        if not resident.is_active:
            row.changed.append("is_active")
        row.action = UPDATE if row.changed else UNCHANGED
    return ImportPlan(rows=planned)


# Applying ----------------------------------------------------------------------------------


@transaction.atomic
def resident_import_apply(
    *, rows: list[dict], create_missing_buildings: bool = False, acting_user=None
) -> dict:
    """Write the rows through the services, all or nothing; refuses while any row has an error."""
    plan = resident_import_plan(rows=rows, create_missing_buildings=create_missing_buildings)
    if plan.has_errors:
        raise ValidationError(
            _("%(count)s rows have errors; correct the file and upload it again. Nothing was imported.")
            % {"count": plan.count(ERROR)}
        )
    counts = {NEW: 0, UPDATE: 0, UNCHANGED: 0, "buildings": 0, "units": 0}
    buildings: dict[str, Building] = {}
    for row in plan.rows:
        values = _row_values(PlannedRow(line=row.line, data=row.data))
        if row.action == UNCHANGED:
            counts[UNCHANGED] += 1
            continue
        building = buildings.get(values["building"])
        if building is None:
            if create_missing_buildings:
                building, created = building_get_or_create(name=values["building"], acting_user=acting_user)
                counts["buildings"] += created
            else:
                building = Building.objects.get(name=values["building"])
            buildings[values["building"]] = building
        unit, created = unit_get_or_create(
            building=building, entrance=values["entrance"], room=values["room"], acting_user=acting_user
        )
        counts["units"] += created
        fields = {key: values[key] for key in ("phone", "relation", "birth_date", "note")}
        existing = Resident.objects.filter(unit=unit, name=values["name"]).first()
        if existing is None:
            resident_create(unit=unit, name=values["name"], acting_user=acting_user, **fields)
            counts[NEW] += 1
        else:
            resident_update(resident=existing, acting_user=acting_user, is_active=True, **fields)
            counts[UPDATE] += 1
    return counts


def resident_import_template() -> bytes:
    """An empty owner list with the header row and one example row, as .xlsx bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "住户"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(
        ["1号楼", "1单元", "101", "张三", "13812345678", "业主", "1950-03-21", "示例行，导入前请删除"]
    )
    for letter, width in zip("ABCDEFGH", (10, 8, 8, 10, 16, 10, 12, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
