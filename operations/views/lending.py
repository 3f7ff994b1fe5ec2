"""Admin views of the lending register: the desk screen (custom), the loans index (its filters are the
list variants — still out, overdue — and its export is the register), a loan with its actions, the
convenience items, and the A4 print of the paper register."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic

from operations.forms.base import DateRangeForm, add_service_errors
from operations.forms.lending import LendForm
from operations.models import ConvenienceItem, Loan, LoanFollowUp
from operations.permissions import display_phone
from operations.selectors.lending import (
    items_for_desk,
    loans_for_desk,
    loans_in_range,
    loans_listing,
    unit_residents_find,
)
from operations.services.lending import convenience_item_create, convenience_item_update, loan_lend
from operations.viewsets import (
    AdminScreen,
    MaskedColumn,
    OperationsIndexView,
    RecordInspectView,
    ServiceCreateView,
    ServiceSaveMixin,
    display_name,
    local_datetime,
    perms_required,
)

# The paper form's columns (便民服务登记表), in its own words: the export and the A4 print use them.
REGISTER_COLUMNS = {
    "unit": "房号",
    "borrower_name": "业主姓名",
    "phone": "联系方式",
    "item_names": "借用物品",
    "lent_at": "借用时间",
    "returned_at": "归还时间",
    "lent_by": "借出人",
    "inspection": "检查情况",
}


def register_row(user, loan: Loan) -> dict:
    """One line of the paper register; the phone masked unless ``user`` may see contacts."""
    return {
        "unit": str(loan.unit) if loan.unit_id else "",
        "borrower_name": loan.borrower_name,
        "phone": display_phone(user, loan.phone),
        "item_names": loan.item_names or "",
        "lent_at": local_datetime(loan.lent_at),
        "returned_at": local_datetime(loan.returned_at),
        "lent_by": display_name(loan.lent_by),
        "inspection": loan.inspection,
    }


def safe_next(request, default: str) -> str:
    """Where a desk form asked to go back to (this site only), else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _follow_ups_text(loan: Loan) -> str:
    parts = []
    for f in loan.follow_ups.all():
        text = f"{timezone.localtime(f.created):%m-%d %H:%M} {f.get_method_display()}：{f.outcome}"
        if f.promised_at:
            text += f"（{_('promised')} {timezone.localtime(f.promised_at):%m-%d %H:%M}）"
        parts.append(text)
    return "；".join(parts) or "—"


class LoanIndexView(OperationsIndexView):
    """The lending register (filtered to still out / overdue / a period); overdue rows in red, here
    and in the export; phones masked unless the user may see contacts. The export is the paper
    register's columns."""

    export_filename = "lending-register"
    list_export = list(REGISTER_COLUMNS)
    export_headings = REGISTER_COLUMNS

    def get_base_queryset(self):
        follow_ups = LoanFollowUp.objects.order_by("created", "pk")
        return loans_listing().prefetch_related(Prefetch("follow_ups", queryset=follow_ups))

    def row_flagged(self, item) -> bool:
        return item.status_at(self.now) == Loan.STATUS_OVERDUE

    @cached_property
    def now(self):
        return timezone.now()

    def to_row_dict(self, item):
        self._export_row_flagged = self.row_flagged(item)
        return register_row(self.request.user, item)

    @property
    def columns(self):
        return [
            TitleColumn("borrower_name", label=_("Borrower"), url_name=self.inspect_url_name),
            Column("unit", label=_("Unit")),
            MaskedColumn("phone", label=_("Phone")),
            Column("item_names", label=_("Items")),
            Column(
                "lent_at",
                label=_("Lent at"),
                sort_key="lent_at",
                accessor=lambda i: local_datetime(i.lent_at),
            ),
            Column(
                "due_at",
                label=_("Due back"),
                sort_key="due_at",
                accessor=lambda i: (
                    local_datetime(i.due_at) + (f" {_('Overdue')}" if self.row_flagged(i) else "")
                ),
            ),
            Column("lent_by", label=_("Lent by"), accessor=lambda i: display_name(i.lent_by)),
            Column(
                "returned_at",
                label=_("Return"),
                accessor=lambda i: f"{local_datetime(i.returned_at)} {i.inspection}" if i.returned_at else "",
            ),
            Column("follow_ups", label=_("Follow-ups"), accessor=_follow_ups_text),
        ]


class LoanInspectView(RecordInspectView):
    template_name = "operations/lending/inspect.html"

    def get_record_queryset(self):
        return loans_listing().prefetch_related("follow_ups__acting_user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phone"] = display_phone(self.request.user, self.object.phone)
        context["overdue"] = self.object.is_overdue
        return context


class ConvenienceItemCreateView(ServiceCreateView):
    def save_instance(self):
        return convenience_item_create(acting_user=self.request.user, **self.form.cleaned_data)


class ConvenienceItemEditView(ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        return convenience_item_update(
            item=self.object, acting_user=self.request.user, **self.form.cleaned_data
        )


# --- The desk screen -----------------------------------------------------------------------


class DeskView(AdminScreen, View):
    """前台借用: find a unit's residents and lend, take loans back with the inspection, count uses of
    the reading glasses; today's loans and those still out (overdue in red) in one list."""

    template_name = "operations/lending/desk.html"
    page_title = gettext_lazy("Lending desk")
    header_icon = "form"

    def get(self, request, lend_form: LendForm | None = None):
        perms_required(request.user, "operations.view_loan")
        now = timezone.now()
        lend_form = lend_form or LendForm(initial={"unit": request.GET.get("unit", "")})
        unit_label = (lend_form.data.get("unit") if lend_form.is_bound else request.GET.get("unit", "")) or ""
        unit, found = unit_residents_find(unit_label) if unit_label.strip() else (None, [])
        # No LIMIT: the rows are today's and the open loans (few); a LIMIT would make PostgreSQL walk the
        # lent_at index backwards through the whole history instead of OR-ing the two small index scans.
        rows = [
            {"loan": loan, "status": loan.status_at(now), "phone": display_phone(request.user, loan.phone)}
            for loan in loans_for_desk(now=now)
        ]
        desk_items = items_for_desk(now=now)
        today = timezone.localdate(now)
        context = self.get_context_data(
            lend_form=lend_form,
            unit_label=unit_label,
            unit=unit,
            unit_not_found=bool(unit_label.strip()) and unit is None,
            residents=[{"resident": r, "phone": display_phone(request.user, r.phone)} for r in found],
            rows=rows,
            overdue_count=sum(1 for row in rows if row["status"] == Loan.STATUS_OVERDUE),
            conditions=Loan.Condition.choices,
            glasses=[item for item in desk_items if item.kind == ConvenienceItem.Kind.READING_GLASSES],
            available_items=[
                item
                for item in desk_items
                if item.status == ConvenienceItem.Status.AVAILABLE
                and item.kind != ConvenienceItem.Kind.READING_GLASSES
            ],
            checked_items={str(pk) for pk in (lend_form.data.getlist("items") if lend_form.is_bound else [])},
            register_start=today - dt.timedelta(days=30),
            register_end=today,
        )
        return TemplateResponse(request, self.template_name, context, status=400 if lend_form.errors else 200)

    def post(self, request):
        perms_required(request.user, "operations.add_loan")
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
                due = timezone.localtime(loan.due_at).strftime("%H:%M")
                messages.success(
                    request,
                    _("Lent to %(name)s, due back %(due)s.") % {"name": loan.borrower_name, "due": due},
                )
                return redirect(request.path)
        return self.get(request, lend_form=form)


class RegisterPrintView(View):
    """The register of a period as the A4 paper form (便民服务登记表)."""

    def get(self, request):
        perms_required(request.user, "operations.view_loan")
        form = DateRangeForm(request.GET)
        if not form.is_valid():
            messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
            return redirect(reverse("lending_desk:desk"))
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = [register_row(request.user, loan) for loan in loans_in_range(start=start, end=end)]
        return TemplateResponse(
            request,
            "operations/lending/print.html",
            {
                "start": start,
                "end": end,
                "headers": REGISTER_COLUMNS.values(),
                "rows": [r.values() for r in rows],
            },
        )
