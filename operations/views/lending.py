"""Admin views of the lending register: the desk screen, the overdue queue, the export and print."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from operations.forms.base import add_service_errors
from operations.models import ConvenienceItem, Loan, LoanFollowUp
from operations.permissions import display_phone
from operations.selectors.guide import unit_find
from operations.selectors.lending import (
    items_for_desk,
    items_listing,
    loans_for_desk,
    loans_in_range,
    loans_overdue,
    residents_of_unit,
    unit_residents_find,
)
from operations.services.lending import (
    convenience_item_create,
    convenience_item_retire,
    loan_follow_up,
    loan_lend,
    loan_return,
    reading_glasses_use_record,
    toolbox_contents_update,
)

DESK_ROWS = 200


class ItemIdsField(forms.TypedMultipleChoiceField):
    """Item ids as ticked on the desk; availability is the lending service's business (its message)."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=[], **kwargs)

    def valid_value(self, value):
        return str(value).isdigit()


class LendForm(forms.Form):
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Building-entrance-room, e.g. 3号楼-2单元-1201."),
    )
    resident = forms.IntegerField(label=gettext_lazy("Resident"), required=False)
    borrower_name = forms.CharField(label=gettext_lazy("Borrower"), max_length=50, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    items = ItemIdsField(label=gettext_lazy("Items"), required=False)

    def clean_unit(self):
        label = self.cleaned_data["unit"].strip()
        if not label:
            return None
        unit = unit_find(label)
        if unit is None:
            raise ValidationError(_("Unknown unit: choose an existing building, entrance and room."))
        return unit

    def clean(self):
        data = super().clean()
        resident_id = data.get("resident")
        data["resident_obj"] = None
        if resident_id:
            unit = data.get("unit")
            resident = residents_of_unit(unit.pk).filter(pk=resident_id).first() if unit else None
            if resident is None:
                self.add_error("resident", _("Pick a resident of the unit typed above."))
            data["resident_obj"] = resident
        return data


class ReturnForm(forms.Form):
    condition = forms.ChoiceField(
        label=gettext_lazy("Condition on return"), choices=Loan.Condition.choices, required=False
    )
    note = forms.CharField(label=gettext_lazy("Inspection note"), max_length=200, required=False)


class FollowUpForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=LoanFollowUp.Method.choices)
    promised_at = forms.DateTimeField(
        label=gettext_lazy("Promised return"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={
                "type": "datetime-local",
                "title": gettext_lazy("Promised return"),
                "aria-label": gettext_lazy("Promised return"),
            }
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("Outcome"), "aria-label": gettext_lazy("Outcome")}
        ),
    )


class ItemForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=30)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ConvenienceItem.Kind.choices)
    location = forms.CharField(label=gettext_lazy("Kept at"), max_length=100, required=False)
    condition_note = forms.CharField(label=gettext_lazy("Condition"), max_length=200, required=False)


def _rows(user, loans, now):
    rows = []
    for loan in loans:
        rows.append(
            {
                "loan": loan,
                "status": loan.status_at(now),
                "phone": display_phone(user, loan.phone),
                "items": loan.item_names or "",
            }
        )
    return rows


@permission_required("operations.view_loan", raise_exception=True)
def desk(request, lend_form: LendForm | None = None, return_errors: dict | None = None):
    """前台借用: the lend form, today's loans and the ones still out (overdue in red), reading glasses."""
    now = timezone.now()
    lend_form = lend_form or LendForm(initial={"unit": request.GET.get("unit", "")})
    unit_label = (lend_form.data.get("unit") if lend_form.is_bound else request.GET.get("unit", "")) or ""
    unit, found = unit_residents_find(unit_label) if unit_label.strip() else (None, [])
    residents = [{"resident": r, "phone": display_phone(request.user, r.phone)} for r in found]
    # No LIMIT: the rows are today's and the open loans (few); a LIMIT would make PostgreSQL walk the
    # lent_at index backwards through the whole history instead of OR-ing the two small index scans.
    loans = list(loans_for_desk(now=now))
    rows = _rows(request.user, loans, now)
    desk_items = items_for_desk(now=now)
    today = timezone.localdate(now)
    return TemplateResponse(
        request,
        "operations/lending/desk.html",
        {
            "page_title": _("Lending desk"),
            "lend_form": lend_form,
            "unit_label": unit_label,
            "unit": unit,
            "unit_not_found": bool(unit_label.strip()) and unit is None,
            "residents": residents,
            "rows": rows,
            "overdue_count": sum(1 for row in rows if row["status"] == Loan.STATUS_OVERDUE),
            "conditions": Loan.Condition.choices,
            "glasses": [item for item in desk_items if item.kind == ConvenienceItem.Kind.READING_GLASSES],
            "available_items": [
                item
                for item in desk_items
                if item.status == ConvenienceItem.Status.AVAILABLE
                and item.kind != ConvenienceItem.Kind.READING_GLASSES
            ],
            "checked_items": {
                str(pk) for pk in (lend_form.data.getlist("items") if lend_form.is_bound else [])
            },
            "return_errors": return_errors or {},
            "export_start": today - dt.timedelta(days=30),
            "export_end": today,
        },
    )


@require_POST
@permission_required("operations.add_loan", raise_exception=True)
def lend(request):
    form = LendForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            loan = loan_lend(
                items=data["items"],
                borrower_name=data["borrower_name"],
                phone=data["phone"],
                unit_id=data["unit"].pk if data["unit"] else None,
                resident=data["resident_obj"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Lent to %(name)s, due back %(due)s.")
                % {"name": loan.borrower_name, "due": timezone.localtime(loan.due_at).strftime("%H:%M")},
            )
            return redirect("operations_lending:desk")
    response = desk(request, lend_form=form)
    response.status_code = 400
    return response


def _loan_or_404(pk: int) -> Loan:
    return get_object_or_404(Loan, pk=pk)


@require_POST
@permission_required("operations.change_loan", raise_exception=True)
def return_loan(request, pk: int):
    loan = _loan_or_404(pk)
    form = ReturnForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        loan_return(
            loan=loan,
            condition=data.get("condition") or "",
            note=data.get("note") or "",
            acting_user=request.user,
        )
    except ValidationError as error:
        text = " ".join(error.messages)
        messages.error(request, text)
        response = desk(request, return_errors={loan.pk: text})
        response.status_code = 400
        return response
    messages.success(request, _("Returned: %(loan)s.") % {"loan": str(loan)})
    back_to_queue = request.POST.get("next") == reverse("operations_lending:overdue")
    return redirect("operations_lending:overdue" if back_to_queue else "operations_lending:desk")


@require_POST
@permission_required("operations.add_loan", raise_exception=True)
def glasses_use(request, pk: int):
    item = get_object_or_404(ConvenienceItem, pk=pk)
    try:
        reading_glasses_use_record(item=item, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("One use of %(item)s recorded.") % {"item": str(item)})
    return redirect("operations_lending:desk")


@permission_required("operations.view_loan", raise_exception=True)
def overdue(request, forms_with_errors: dict | None = None):
    """The follow-up queue: loans past their due time, with their follow-ups and a form for the next."""
    now = timezone.now()
    loans = list(loans_overdue(now=now)[:DESK_ROWS])
    rows = _rows(request.user, loans, now)
    errors = forms_with_errors or {}
    for row in rows:
        row["form"] = errors.get(row["loan"].pk) or FollowUpForm(prefix=f"f{row['loan'].pk}")
    return TemplateResponse(
        request,
        "operations/lending/overdue.html",
        {"page_title": _("Overdue loans"), "rows": rows, "conditions": Loan.Condition.choices},
    )


@require_POST
@permission_required("operations.change_loan", raise_exception=True)
def follow_up(request, pk: int):
    loan = _loan_or_404(pk)
    form = FollowUpForm(request.POST, prefix=f"f{pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            loan_follow_up(
                loan=loan,
                method=data["method"],
                outcome=data["outcome"],
                promised_at=data["promised_at"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect("operations_lending:overdue")
    response = overdue(request, forms_with_errors={pk: form})
    response.status_code = 400
    return response


@permission_required("operations.view_convenienceitem", raise_exception=True)
def items(request, form: ItemForm | None = None):
    listing = list(items_listing().prefetch_related("contents"))
    return TemplateResponse(
        request,
        "operations/lending/items.html",
        {"page_title": _("Convenience items"), "items": listing, "form": form or ItemForm()},
    )


@require_POST
@permission_required("operations.add_convenienceitem", raise_exception=True)
def item_create(request):
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            convenience_item_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Item added."))
            return redirect("operations_lending:items")
    response = items(request, form=form)
    response.status_code = 400
    return response


def parse_contents(text: str) -> list[tuple[str, str]]:
    """``锤子 ×1`` / ``锤子*2`` / ``锤子`` per line → [(name, quantity)]."""
    lines = []
    for raw in (text or "").splitlines():
        raw = raw.strip()
        if not raw:
            continue
        for sep in ("×", "x", "X", "*"):
            if sep in raw:
                name, _sep, quantity = raw.rpartition(sep)
                lines.append((name.strip(), quantity.strip()))
                break
        else:
            lines.append((raw, "1"))
    return lines


@require_POST
@permission_required("operations.change_convenienceitem", raise_exception=True)
def toolbox_contents(request, pk: int):
    item = get_object_or_404(ConvenienceItem, pk=pk)
    try:
        toolbox_contents_update(
            item=item, lines=parse_contents(request.POST.get("contents", "")), acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The toolbox contents were saved."))
    return redirect("operations_lending:items")


@require_POST
@permission_required("operations.change_convenienceitem", raise_exception=True)
def item_retire(request, pk: int):
    item = get_object_or_404(ConvenienceItem, pk=pk)
    try:
        convenience_item_retire(item=item, acting_user=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Item retired."))
    return redirect("operations_lending:items")


# --- export and print ----------------------------------------------------------------------


class RangeForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"))
    end = forms.DateField(label=gettext_lazy("To"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["start"] > data["end"]:
                raise ValidationError(_("The start date must not be after the end date."))
            if (data["end"] - data["start"]).days > 366:
                raise ValidationError(_("Export at most one year at a time."))
        return data


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def register_rows(user, loans) -> list[list[str]]:
    """The paper form's columns: 房号, 业主姓名, 联系方式, 借用物品, 借用时间, 归还时间, 借出人, 检查情况."""
    rows = []
    for loan in loans:
        inspection = ""
        if loan.returned_at:
            inspection = loan.get_return_condition_display()
            if loan.return_note:
                inspection += f"（{loan.return_note}）"
        rows.append(
            [
                str(loan.unit) if loan.unit_id else "",
                loan.borrower_name,
                display_phone(user, loan.phone),
                loan.item_names or "",
                _local(loan.lent_at),
                _local(loan.returned_at),
                _name(loan.lent_by),
                inspection,
            ]
        )
    return rows


REGISTER_HEADERS = ["房号", "业主姓名", "联系方式", "借用物品", "借用时间", "归还时间", "借出人", "检查情况"]


def _range_or_redirect(request):
    form = RangeForm(request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return None, redirect("operations_lending:desk")
    return (form.cleaned_data["start"], form.cleaned_data["end"]), None


@permission_required("operations.view_loan", raise_exception=True)
def export(request):
    """The register for a date range as .xlsx; phones masked unless the user may see contacts."""
    dates, response = _range_or_redirect(request)
    if response:
        return response
    start, end = dates
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "便民服务登记表"
    sheet.append(REGISTER_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in register_rows(request.user, loans_in_range(start=start, end=end).iterator(chunk_size=2000)):
        sheet.append(row)
    for column, width in zip("ABCDEFGH", (16, 10, 14, 20, 17, 17, 10, 20), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="lending-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    return response


@permission_required("operations.view_loan", raise_exception=True)
def print_register(request):
    """The same register as a printable A4 page."""
    dates, response = _range_or_redirect(request)
    if response:
        return response
    start, end = dates
    return TemplateResponse(
        request,
        "operations/lending/print.html",
        {
            "start": start,
            "end": end,
            "headers": REGISTER_HEADERS,
            "rows": register_rows(request.user, loans_in_range(start=start, end=end)),
        },
    )
