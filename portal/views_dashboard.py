"""Head office's dashboard (DESIGN §12): every center's figures of a month in one table, sortable by
any figure, searchable, filtered by region, flagged amber or red against head office's marks, and
exported to Excel as shown; the marks themselves on their own page."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal import services
from portal.kpis import COUNT, KPIS, MINUTES, RATE, dashboard_centers, regions, thresholds

CENTERS_PER_PAGE = 50


def parse_month(value: str, *, today: dt.date) -> tuple[dt.date, str]:
    """``2026-11`` → its first day; a bad or future month gives this month and a message."""
    this_month = today.replace(day=1)
    if not value:
        return this_month, ""
    try:
        month = dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        return this_month, _("Write the month as year-month, for example 2026-11.")
    if month > this_month:
        return this_month, _("That month has not begun: this month is shown.")
    return month, ""


def display(kpi, value) -> str:
    if value is None:
        return "—"
    if kpi.kind == RATE:
        return f"{value * 100:.1f}%"
    if kpi.kind == MINUTES:
        return _("%(n)s min") % {"n": value}
    return str(value)


def _rows(centers, marks) -> list[dict]:
    rows = []
    for center in centers:
        cells = []
        for kpi in KPIS:
            value = getattr(center, f"kpi_{kpi.code}")
            cells.append(
                {"kpi": kpi, "value": value, "text": display(kpi, value), "flag": kpi.flag(value, marks)}
            )
        rows.append(
            {
                "center": center,
                "cells": cells,
                "red": sum(c["flag"] == "red" for c in cells),
                "amber": sum(c["flag"] == "amber" for c in cells),
            }
        )
    return rows


@login_required
@permission_required("tenants.view_servicecenter", raise_exception=True)
def dashboard(request):
    """总部看板: one query for the page of centers, one for the marks, one for the regions."""
    month, month_error = parse_month(request.GET.get("month", ""), today=timezone.localdate())
    filters = {
        "query": request.GET.get("q", "").strip(),
        "region": request.GET.get("region", ""),
        "sort": request.GET.get("sort", ""),
        "status": request.GET.get("status", ""),
    }
    centers = dashboard_centers(month=month, **filters)
    marks = thresholds()
    if request.GET.get("export") == "xlsx":
        if month_error:
            messages.error(request, month_error)
            return redirect("portal:dashboard")
        return _export(_rows(centers, marks), month)
    if month_error:
        messages.error(request, month_error)
    page = Paginator(centers, CENTERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/dashboard.html",
        {
            "rows": _rows(page.object_list, marks),
            "page": page,
            "kpis": KPIS,
            "month": month,
            "regions": regions(),
            **filters,
        },
    )


def _export(rows: list[dict], month: dt.date) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    fills = {"red": PatternFill("solid", fgColor="F8D7DA"), "amber": PatternFill("solid", fgColor="FFF3CD")}
    book = Workbook()
    sheet = book.active
    sheet.title = f"{month:%Y-%m}"
    sheet.append([_("Service center"), _("Region"), *[str(kpi.label) for kpi in KPIS]])
    for row in rows:
        values = []
        for cell in row["cells"]:
            value = cell["value"]
            values.append(round(value * 100, 1) if value is not None and cell["kpi"].kind == RATE else value)
        sheet.append([row["center"].name, row["center"].region, *values])
        for column, cell in enumerate(row["cells"], start=3):
            if cell["flag"]:
                sheet.cell(row=sheet.max_row, column=column).fill = fills[cell["flag"]]
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="centers-{month:%Y-%m}.xlsx"'
    book.save(response)
    return response


class ThresholdsForm(forms.Form):
    """Two marks per figure; a rate's marks are percentages."""

    def __init__(self, *args, marks: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kpi in KPIS:
            amber, red = marks[kpi.code]
            for name, mark in (("amber", amber), ("red", red)):
                self.fields[f"{kpi.code}__{name}"] = forms.DecimalField(
                    label=f"{kpi.label} · {_('amber') if name == 'amber' else _('red')}",
                    required=False,
                    min_value=0,
                    max_digits=8,
                    decimal_places=1,
                    initial=mark,
                )

    def marks(self) -> dict[str, tuple]:
        return {
            kpi.code: (self.cleaned_data[f"{kpi.code}__amber"], self.cleaned_data[f"{kpi.code}__red"])
            for kpi in KPIS
        }

    def rows(self):
        return [
            {"kpi": kpi, "amber": self[f"{kpi.code}__amber"], "red": self[f"{kpi.code}__red"]} for kpi in KPIS
        ]


@never_cache
@login_required
@permission_required("portal.view_kpithreshold", raise_exception=True)
def threshold_edit(request):
    can_change = request.user.has_perm("portal.change_kpithreshold")
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    form = ThresholdsForm(request.POST or None, marks=thresholds())
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_thresholds_set(marks=form.marks(), acting_username=request.user.get_username())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Thresholds saved."))
            return redirect("portal:thresholds")
    return render(
        request,
        "portal/thresholds.html",
        {"form": form, "can_change": can_change, "kinds": {"rate": RATE, "count": COUNT}},
    )
