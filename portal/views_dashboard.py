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
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal import services
from portal.kpis import (
    COUNT,
    KPIS,
    LEAGUE,
    MINUTES,
    RATE,
    dashboard_alerts,
    dashboard_centers,
    heat_map,
    league,
    monthly_trend,
    months_ending,
    regions,
    thresholds,
)
from portal.models import Submission
from portal.views import center_urls
from tenants.models import ServiceCenter

CENTERS_PER_PAGE = 50
EARLIEST_YEAR = 2000  # before any center; also keeps "the month before" computable


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
    if month.year < EARLIEST_YEAR:
        return this_month, _("Write the month as year-month, for example 2026-11.")
    return month, ""


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def display(kpi, value) -> str:
    if value is None:
        return "—"
    if kpi.kind == RATE:
        return f"{value * 100:.1f}%"
    if kpi.kind == MINUTES:
        return _("%(n)s min") % {"n": round(value) if isinstance(value, float) else value}
    return str(value)


def _rows(centers, marks, *, running: bool = False) -> list[dict]:
    rows = []
    for center in centers:
        cells = []
        for kpi in KPIS:
            value = getattr(center, f"kpi_{kpi.code}")
            flag = kpi.flag(value, marks, running=running)
            cells.append({"kpi": kpi, "value": value, "text": display(kpi, value), "flag": flag})
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
        return _export(_rows(centers, marks, running=month == this_month()), month)
    if month_error:
        messages.error(request, month_error)
    page = Paginator(centers, CENTERS_PER_PAGE).get_page(request.GET.get("page"))
    alerts, alert_count = dashboard_alerts()
    return render(
        request,
        "portal/dashboard.html",
        {
            "alerts": alerts,
            "alert_count": alert_count,
            "rows": _rows(page.object_list, marks, running=month == this_month()),
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


# --- Trends, league table, heat maps and a center's page ---------------------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 560, 180, 28


def line_chart(points: list, attribute: str, label: str) -> dict:
    """An SVG line chart of a rate (0–1) over months, drawn on the server (no script, prints as is);
    the template puts the same figures in a table for screen readers."""
    step = (CHART_WIDTH - 2 * CHART_PAD) / max(len(points) - 1, 1)
    inner = CHART_HEIGHT - 2 * CHART_PAD
    coords, dots = [], []
    for i, point in enumerate(points):
        value = getattr(point, attribute)
        x = CHART_PAD + i * step
        if value is None:
            continue
        y = CHART_PAD + inner * (1 - max(0.0, min(1.0, value)))
        coords.append(f"{x:.1f},{y:.1f}")
        dots.append({"x": round(x, 1), "y": round(y, 1), "text": f"{value * 100:.1f}%"})
    return {
        "label": label,
        "polyline": " ".join(coords),
        "dots": dots,
        "months": [
            {"x": round(CHART_PAD + i * step, 1), "text": f"{p.month:%m}"} for i, p in enumerate(points)
        ],
        "grid": [{"y": CHART_PAD + inner * (1 - v / 100), "text": f"{v}%"} for v in (0, 50, 100)],
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bottom": CHART_HEIGHT - 6,
    }


def _charts(points) -> list[dict]:
    return [
        line_chart(points, "in_time_rate", _("Work orders done in time")),
        line_chart(points, "satisfaction_rate", _("Satisfaction")),
        line_chart(points, "visit_rate", _("Elder visit rate")),
        line_chart(points, "replied_in_time_rate", _("Complaints replied in time")),
    ]


@login_required
@permission_required("tenants.view_servicecenter", raise_exception=True)
def trends(request):
    """The company's last twelve months: one grouped query over the rollups."""
    month, month_error = parse_month(request.GET.get("month", ""), today=timezone.localdate())
    if month_error:
        messages.error(request, month_error)
    points = monthly_trend(month=month)
    return render(
        request, "portal/trends.html", {"month": month, "points": points, "charts": _charts(points)}
    )


@login_required
@permission_required("tenants.view_servicecenter", raise_exception=True)
def league_table(request):
    """The month's league table by one rate, with the previous month's and the change."""
    month, month_error = parse_month(request.GET.get("month", ""), today=timezone.localdate())
    if month_error:
        messages.error(request, month_error)
    by = request.GET.get("by", "satisfaction")
    if by not in LEAGUE:
        by = "satisfaction"
    region = request.GET.get("region", "")
    page = Paginator(league(month=month, by=by, region=region), CENTERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for center in page.object_list:
        center.rate_text = "—" if center.rate is None else f"{center.rate * 100:.1f}%"
        center.previous_text = "—" if center.previous is None else f"{center.previous * 100:.1f}%"
        if center.change is None:
            center.change_text, center.change_class = "—", ""
        else:
            points = center.change * 100
            center.change_text = _("%(sign)s%(points).1f points") % {
                "sign": "+" if points > 0 else "−" if points < 0 else "±",
                "points": abs(points),
            }
            center.change_class = "up" if points > 0 else "down" if points < 0 else ""
    return render(
        request,
        "portal/league.html",
        {
            "month": month,
            "by": by,
            "measures": [(code, label) for code, (label, _fields) in LEAGUE.items()],
            "page": page,
            "first_rank": page.start_index(),
            "region": region,
            "regions": regions(),
        },
    )


@login_required
@permission_required("tenants.view_servicecenter", raise_exception=True)
def heat(request):
    """Centers × twelve months: elder visit rate or activity compliance (one query a page)."""
    today = timezone.localdate()
    month, month_error = parse_month(request.GET.get("month", ""), today=today)
    if month_error:
        messages.error(request, month_error)
    kind = "activities" if request.GET.get("kind") == "activities" else "visits"
    region = request.GET.get("region", "")
    centers = ServiceCenter.objects.order_by("code")
    if region:
        centers = centers.filter(region=region)
    page = Paginator(centers, CENTERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = heat_map(centers=list(page.object_list), month=month, today=today)
    for row in rows:
        for cell in row["cells"]:
            if kind == "visits":
                rate = cell["visit_rate"]
                cell["text"] = "—" if rate is None else f"{rate * 100:.0f}%"
                cell["state"] = (
                    "" if rate is None else "met" if rate >= 1 else "pending" if rate >= 0.9 else "missed"
                )
            else:
                activities = cell["activities"]
                cell["text"] = f"{activities['met']}/{activities['of']}"
                cell["state"] = activities["state"]
    return render(
        request,
        "portal/heat.html",
        {
            "month": month,
            "kind": kind,
            "rows": rows,
            "months": months_ending(month),
            "page": page,
            "region": region,
            "regions": regions(),
        },
    )


@login_required
@permission_required("tenants.view_servicecenter", raise_exception=True)
def center_summary(request, pk: int):
    """One center for head office: the month's figures, its twelve months, what waits in the inbox,
    links to its site and admin — read-only and without personal data."""
    month, month_error = parse_month(request.GET.get("month", ""), today=timezone.localdate())
    if month_error:
        messages.error(request, month_error)
    center = dashboard_centers(month=month).filter(pk=pk).first()
    if center is None:
        raise Http404
    marks = thresholds()
    points = monthly_trend(month=month, center=center)
    if request.GET.get("export") == "xlsx":
        return _center_report_export(
            center, month, _rows([center], marks, running=month == this_month())[0], points
        )
    domain = next((d.domain for d in center.domains.all() if d.is_primary), None)
    submissions = Submission.objects.filter(center=center).defer("snapshot").order_by("-created")[:10]
    return render(
        request,
        "portal/center_summary.html",
        {
            "center": center,
            "month": month,
            "row": _rows([center], marks, running=month == this_month())[0],
            "points": points,
            "charts": _charts(points),
            "submissions": submissions,
            "urls": center_urls(request, domain) if domain else {},
        },
    )


def _center_report_export(center, month: dt.date, row: dict, points) -> HttpResponse:
    """A center's monthly report as a workbook: the month's figures with their flags, then the
    twelve months behind the trends."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    fills = {"red": PatternFill("solid", fgColor="F8D7DA"), "amber": PatternFill("solid", fgColor="FFF3CD")}
    book = Workbook()
    sheet = book.active
    sheet.title = f"{month:%Y-%m}"
    sheet.append([center.name, f"{month:%Y-%m}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append([_("Figure"), _("Value")])
    for cell in row["cells"]:
        value = cell["value"]
        sheet.append(
            [
                str(cell["kpi"].label),
                round(value * 100, 1) if value is not None and cell["kpi"].kind == RATE else value,
            ]
        )
        if cell["flag"]:
            sheet.cell(row=sheet.max_row, column=2).fill = fills[cell["flag"]]
    trend = book.create_sheet(_("Twelve months"))
    trend.append(
        [
            _("Month"),
            _("Work orders done in time"),
            _("Satisfaction"),
            _("Elder visit rate"),
            _("Complaints replied in time"),
            _("Work orders completed"),
            _("Complaints"),
            _("Responses"),
        ]
    )
    percent = lambda value: round(value * 100, 1) if value is not None else None  # noqa: E731
    for p in points:
        trend.append(
            [
                f"{p.month:%Y-%m}",
                percent(p.in_time_rate),
                percent(p.satisfaction_rate),
                percent(p.visit_rate),
                percent(p.replied_in_time_rate),
                p.completed,
                p.complaints,
                p.responses,
            ]
        )
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{center.code}-{month:%Y-%m}.xlsx"'
    book.save(response)
    return response
