"""The desk's appraisal (窗口工作人员考评): the center head's table of every staff member's month (with
its Excel export), one person's month with the records behind each figure, and the printable A4
sheet signed by the staff member and the center head for the yearly appraisal.

The table, anyone's month and anyone's sheet need ``operations.view_desk_appraisal``; every staff
member opens their own month and sheet (``appraisal/me/``). Another person's month without the
permission is 403, whether or not that person exists. Complaints are listed by number, date,
channel, status and verdict: never who complained.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from operations.selectors.appraisal import (
    StaffAppraisal,
    appraisal_records,
    desk_appraisal,
    inquiry_outcome,
    month_start,
    next_month,
    previous_month,
    staff_appraisal,
    work_order_in_time,
)
from operations.viewsets import AdminScreen, display_name, local_datetime, perms_required

PERMISSION = "operations.view_desk_appraisal"


# --- The month ---------------------------------------------------------------------------------


def parse_month(value: str | None) -> dt.date | None:
    """``2026-11`` → 2026-11-01; None when absent or not a month."""
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


class MonthMixin:
    """The month asked for with ``?month=YYYY-MM``: the current local month when absent or invalid."""

    def get_month(self) -> dt.date:
        return parse_month(self.request.GET.get("month")) or month_start(timezone.localdate())

    def month_context(self, month: dt.date) -> dict:
        return {
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "previous_month": f"{previous_month(month):%Y-%m}",
            "next_month": f"{next_month(month):%Y-%m}",
        }


# --- How figures read --------------------------------------------------------------------------


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


@dataclass(frozen=True)
class Figure:
    """One column of the table, the export and the sheet: its group, heading and value."""

    group: object
    heading: object
    value: Callable[[StaffAppraisal], object]
    records: str = ""  # the figure on the person's page whose records it counts (an anchor)


FIGURES: tuple[Figure, ...] = (
    Figure(gettext_lazy("First inquiries"), gettext_lazy("Owned"), lambda a: a.inquiries, "inquiries"),
    Figure(gettext_lazy("First inquiries"), gettext_lazy("Within the limit"), lambda a: a.inquiries_in_time),
    Figure(gettext_lazy("First inquiries"), gettext_lazy("Past the limit"), lambda a: a.inquiries_late),
    Figure(gettext_lazy("First inquiries"), gettext_lazy("Still open"), lambda a: a.inquiries_open),
    Figure(
        gettext_lazy("First inquiries"),
        gettext_lazy("Share within the limit"),
        lambda a: percent(a.inquiries_in_time_rate),
    ),
    Figure(gettext_lazy("Handovers"), gettext_lazy("Handed over"), lambda a: a.handovers, "handovers"),
    Figure(gettext_lazy("Handovers"), gettext_lazy("Completed"), lambda a: a.handovers_completed),
    Figure(
        gettext_lazy("Applications"),
        gettext_lazy("Accepted"),
        lambda a: a.applications_accepted,
        "applications",
    ),
    Figure(
        gettext_lazy("Applications"),
        gettext_lazy("Told once what is missing"),
        lambda a: a.applications_incomplete,
    ),
    Figure(
        gettext_lazy("Applications"), gettext_lazy("Refused in writing"), lambda a: a.applications_refused
    ),
    Figure(gettext_lazy("Work orders"), gettext_lazy("Accepted"), lambda a: a.work_orders, "work_orders"),
    Figure(gettext_lazy("Work orders"), gettext_lazy("Completed"), lambda a: a.work_orders_completed),
    Figure(
        gettext_lazy("Work orders"),
        gettext_lazy("Completed within the limit"),
        lambda a: a.work_orders_in_time,
    ),
    Figure(
        gettext_lazy("Work orders"),
        gettext_lazy("Share within the limit"),
        lambda a: percent(a.work_orders_in_time_rate),
    ),
    Figure(
        gettext_lazy("Complaints about them"), gettext_lazy("Received"), lambda a: a.complaints, "complaints"
    ),
    Figure(
        gettext_lazy("Complaints about them"), gettext_lazy("Justified"), lambda a: a.complaints_justified
    ),
    Figure(
        gettext_lazy("Complaints about them"), gettext_lazy("Partly justified"), lambda a: a.complaints_partly
    ),
    Figure(
        gettext_lazy("Complaints about them"), gettext_lazy("Unfounded"), lambda a: a.complaints_unfounded
    ),
    Figure(
        gettext_lazy("Complaints about them"), gettext_lazy("Not decided"), lambda a: a.complaints_undecided
    ),
    Figure(
        gettext_lazy("Satisfaction with their work"), gettext_lazy("Rated"), lambda a: a.rated, "rated_work"
    ),
    Figure(
        gettext_lazy("Satisfaction with their work"),
        gettext_lazy("Average (1–5)"),
        lambda a: decimal(a.satisfaction_average),
    ),
    Figure(
        gettext_lazy("Satisfaction with their work"),
        gettext_lazy("Share satisfied (4–5)"),
        lambda a: percent(a.satisfied_rate),
    ),
    Figure(gettext_lazy("Desk"), gettext_lazy("Bookings served"), lambda a: a.bookings_served, "bookings"),
    Figure(gettext_lazy("Desk"), gettext_lazy("Numbers called"), lambda a: a.queue_calls, "queue_calls"),
    Figure(
        gettext_lazy("Desk"),
        gettext_lazy("Average wait (minutes)"),
        lambda a: decimal(a.wait_minutes_average),
    ),
)


def figure_groups() -> list[dict]:
    """The table's two-row header: each group with how many columns it spans."""
    groups: list[dict] = []
    for figure in FIGURES:
        if groups and groups[-1]["label"] == figure.group:
            groups[-1]["span"] += 1
        else:
            groups.append({"label": figure.group, "span": 1})
    return groups


def figure_cells(appraisal: StaffAppraisal, url: str = "") -> list[dict]:
    """The appraisal's figures in table order; a count with records links to them on the person's page."""
    cells = []
    for figure in FIGURES:
        value = figure.value(appraisal)
        link = f"{url}#{figure.records}" if url and figure.records and value else ""
        cells.append({"figure": figure, "value": value, "url": link})
    return cells


def person_url(user, month: dt.date) -> str:
    return f"{reverse('desk_appraisal:person', args=[user.pk])}?month={month:%Y-%m}"


def figure_sections(appraisal: StaffAppraisal) -> list[dict]:
    """The figures by group, for the person's page and the printed sheet."""
    sections: list[dict] = []
    for cell in figure_cells(appraisal, "#"):
        if not sections or sections[-1]["label"] != cell["figure"].group:
            sections.append({"label": cell["figure"].group, "cells": []})
        sections[-1]["cells"].append(cell)
    return sections


# --- The table ---------------------------------------------------------------------------------


class AppraisalTableView(MonthMixin, AdminScreen, TemplateView):
    """Every staff member's month, for the center head; ``?export=xlsx`` downloads it."""

    permissions = (PERMISSION,)
    template_name = "operations/appraisal/index.html"
    page_title = gettext_lazy("Desk appraisal")
    header_icon = "table"

    def get(self, request, *args, **kwargs):
        self.month = self.get_month()
        self.appraisals = desk_appraisal(month=self.month)
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        for appraisal in self.appraisals:
            url = person_url(appraisal.user, self.month)
            rows.append(
                {
                    "appraisal": appraisal,
                    "name": display_name(appraisal.user),
                    "url": url,
                    "cells": figure_cells(appraisal, url),
                }
            )
        context.update(
            self.month_context(self.month),
            rows=rows,
            groups=figure_groups(),
            figures=FIGURES,
            export_url=f"{reverse('desk_appraisal:index')}?month={self.month:%Y-%m}&export=xlsx",
        )
        return context

    def export(self) -> HttpResponse:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        book = Workbook()
        sheet = book.active
        sheet.title = f"{self.month:%Y-%m}"
        sheet.append([str(_("Desk appraisal")), f"{self.month:%Y-%m}"])
        sheet.append([""] + [str(figure.group) for figure in FIGURES])
        sheet.append([str(_("Staff member"))] + [str(figure.heading) for figure in FIGURES])
        for row in sheet.iter_rows(min_row=1, max_row=3):
            for cell in row:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True)
        for appraisal in self.appraisals:
            sheet.append([display_name(appraisal.user)] + [figure.value(appraisal) for figure in FIGURES])
        sheet.column_dimensions["A"].width = 16
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="desk-appraisal-{self.month:%Y-%m}.xlsx"'
        book.save(response)
        return response


# --- One person's month ------------------------------------------------------------------------


class PersonMixin(MonthMixin):
    """Whose month: the user's own (no ``user_id``), or anyone's for holders of the permission.

    The permission is checked before the person is looked up, so a staff member without it gets
    403 for any other id, existing or not.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise PermissionDenied
        user_id = kwargs.get("user_id")
        self.own = user_id is None or user_id == request.user.pk
        if not self.own:
            perms_required(request.user, PERMISSION)
        self.person = request.user if user_id is None else get_object_or_404(get_user_model(), pk=user_id)
        self.month = self.get_month()
        return super().dispatch(request, *args, **kwargs)

    @property
    def from_url_name(self) -> bool:
        """Opened as ``appraisal/me/`` (links stay on the own addresses)."""
        return self.kwargs.get("user_id") is None

    def own_or_person(self, own_name: str, person_name: str) -> str:
        if self.from_url_name:
            return reverse(own_name)
        return reverse(person_name, args=[self.person.pk])

    def person_context(self) -> dict:
        appraisal = staff_appraisal(user=self.person, month=self.month)
        return {
            **self.month_context(self.month),
            "person": self.person,
            "person_name": display_name(self.person),
            "appraisal": appraisal,
            "sections": figure_sections(appraisal),
            "can_see_all": self.request.user.has_perm(PERMISSION),
        }


OUTCOMES = {
    "in_time": gettext_lazy("Within the limit"),
    "late": gettext_lazy("Past the limit"),
    "open": gettext_lazy("Still open"),
}


class PersonMonthView(PersonMixin, AdminScreen, TemplateView):
    """One staff member's month: the figures and, below, the records behind each of them."""

    template_name = "operations/appraisal/person.html"
    header_icon = "user"

    def get_page_title(self):
        return _("Desk appraisal: %(name)s") % {"name": display_name(self.person)}

    def get_breadcrumbs_items(self):
        trail = (
            [{"url": reverse("desk_appraisal:index"), "label": _("Desk appraisal")}]
            if (self.request.user.has_perm(PERMISSION))
            else []
        )
        return self.breadcrumbs_items + trail + [{"url": "", "label": display_name(self.person)}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, month, now = self.person, self.month, timezone.now()
        can = self.request.user.has_perm

        def link(name: str, perm: str, pk) -> str:
            return reverse(name, args=[pk]) if can(perm) else ""

        inquiries = list(appraisal_records(user=user, month=month, figure="inquiries"))
        for inquiry in inquiries:
            inquiry.outcome = inquiry_outcome(inquiry, now)
            inquiry.outcome_label = OUTCOMES[inquiry.outcome]
            inquiry.url = link("inquiries:inspect", "operations.view_inquiry", inquiry.pk)
            inquiry.handed_to = " ".join(
                part
                for part in (
                    display_name(inquiry.handed_to_user),
                    inquiry.handed_to_department.name if inquiry.handed_to_department_id else "",
                )
                if part
            )
        applications = list(appraisal_records(user=user, month=month, figure="applications"))
        for application in applications:
            application.url = link(
                "operations_guide:application_sheet", "operations.view_serviceapplication", application.pk
            )
        work_orders = list(appraisal_records(user=user, month=month, figure="work_orders"))
        rated = list(appraisal_records(user=user, month=month, figure="rated_work"))
        for work_order in work_orders + rated:
            work_order.url = link("work_orders:inspect", "operations.view_workorder", work_order.pk)
            work_order.in_time = work_order_in_time(work_order)
        complaints = list(appraisal_records(user=user, month=month, figure="complaints"))
        for complaint in complaints:
            complaint.url = link("complaints:inspect", "operations.view_complaint", complaint.pk)
        bookings = list(appraisal_records(user=user, month=month, figure="bookings"))
        for booking in bookings:
            booking.url = link("bookings:inspect", "operations.view_booking", booking.pk)
        tickets = list(appraisal_records(user=user, month=month, figure="queue_calls"))
        for ticket in tickets:
            ticket.url = link("queue_tickets:inspect", "operations.view_queueticket", ticket.pk)
            ticket.wait_minutes = (
                decimal(ticket.wait_seconds / 60) if ticket.wait_seconds is not None else "—"
            )
        own = self.from_url_name
        context.update(
            self.person_context(),
            inquiries=inquiries,
            handovers=[i for i in inquiries if i.handed_over_at],
            applications=applications,
            work_orders=work_orders,
            complaints=complaints,
            rated=rated,
            bookings=bookings,
            tickets=tickets,
            sheet_url=self.own_or_person("desk_appraisal:my_sheet", "desk_appraisal:sheet")
            + f"?month={month:%Y-%m}",
            own=own,
        )
        return context


# --- The printed sheet -------------------------------------------------------------------------


class AppraisalSheetView(PersonMixin, TemplateView):
    """The month on one A4 sheet (no admin chrome), signed by the staff member and the center head."""

    template_name = "operations/appraisal/sheet.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            self.person_context(),
            back_url=self.own_or_person("desk_appraisal:mine", "desk_appraisal:person")
            + f"?month={self.month:%Y-%m}",
            printed_at=local_datetime(timezone.now()),
        )
        return context
