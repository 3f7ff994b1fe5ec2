"""Panels of the center's admin home: today's duty, my open items, deadline breaches.

The panels list work orders, inquiries and complaints of their areas and link each to the record's
page there (``RECORD_URL_NAMES``); the reads are in ``operations.selectors.dashboard``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.ui.components import Component

from operations.models import DutyPost
from operations.permissions import can_see_contact
from operations.selectors.dashboard import breaches_overview, staff_open_items
from operations.selectors.queue import bookings_day_figures, queue_figures
from operations.selectors.roster import duty_today
from operations.validators import mask_name

# The record's page in its area, by model name; a model not listed links to whatever admin view
# edits it (Wagtail's AdminURLFinder), or to nothing.
RECORD_URL_NAMES = {
    "workorder": "work_orders:inspect",
    "inquiry": "inquiries:inspect",
    "complaint": "complaints:inspect",
}


def record_url_finder(user) -> Callable[[object], str]:
    """``record -> admin URL of its page, or ""`` for ``user``."""
    finder = AdminURLFinder(user)

    def record_url(obj) -> str:
        name = RECORD_URL_NAMES.get(obj._meta.model_name)
        if name:
            try:
                return reverse(name, args=[obj.pk])
            except NoReverseMatch:  # the area renamed its page: fall back to its edit view
                pass
        try:
            return finder.get_edit_url(obj) or ""
        except NoReverseMatch:  # an area whose admin is not registered here: no link
            return ""

    return record_url


def _due_text(value) -> str:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if value else ""


# What a row says of each kind of record: ``(text, due, flags)``; ``full`` says whether the user
# may see visitors' names. A flag ``answered`` keeps a past due date from counting as overdue.


def _work_order(order, *, full):
    return order.description, order.deadline, {"urgent": order.is_urgent}


def _inquiry(inquiry, *, full):
    return (
        f"{inquiry.visitor_name if full else mask_name(inquiry.visitor_name)}：{inquiry.matter}",
        inquiry.due_at,
        {},
    )


def _complaint(complaint, *, full):
    # The complainant is confidential: the panel names the complaint, never who made it.
    flags = {"major": complaint.is_major, "answered": complaint.status == complaint.Status.REPLIED}
    return complaint.subject_text or complaint.get_kind_display(), complaint.reply_due, flags


ROW_CONTENT = {"work_orders": _work_order, "inquiries": _inquiry, "complaints": _complaint}


def _row(record, content, *, url, full: bool, now: datetime.datetime) -> dict:
    text, due, flags = content(record, full=full)
    answered = flags.pop("answered", False)
    past = due is not None and due < (now if isinstance(due, datetime.datetime) else timezone.localdate(now))
    return {
        "number": record.number,
        "text": text,
        "status": record.get_status_display(),
        "due": due,
        "due_text": _due_text(due),
        "overdue": past and not answered,
        "url": url(record),
        **flags,
    }


class HomePanel(Component):
    """A panel of the admin home."""

    def __init__(self, request):
        self.request = request


class SectionsPanel(HomePanel):
    """A panel of sections of records (work orders, inquiries, complaints): a title, the count and
    the first ``limit`` rows each; ``every_section`` shows (and reddens) counts of zero too."""

    template_name = "operations/home/sections.html"
    panel_id = heading = empty_message = ""
    titles: dict = {}
    limit = 10
    every_section = False

    def get_sections(self) -> dict:
        """``{section name: {"count": n, "items": [records]}}`` from a selector."""
        raise NotImplementedError

    def get_context_data(self, parent_context=None):
        user = self.request.user
        row = {"url": record_url_finder(user), "full": can_see_contact(user), "now": timezone.now()}
        sections = [
            {
                "title": self.titles[name],
                "count": section["count"],
                "rows": [_row(record, ROW_CONTENT[name], **row) for record in section["items"]],
            }
            for name, section in self.get_sections().items()
        ]
        return {"panel": self, "sections": sections, "total": sum(section["count"] for section in sections)}


class TodayDutyPanel(HomePanel):
    """今日值班: who is on post A and B today, with their phones."""

    name = "operations_today_duty"
    order = 10
    template_name = "operations/home/today_duty.html"

    def get_context_data(self, parent_context=None):
        today = timezone.localdate()
        shifts = duty_today(on=today)
        covered = {shift["post"] for shift in shifts}
        return {
            "today": today,
            "shifts": shifts,
            "missing": [label for post, label in DutyPost.choices if post not in covered],
            "week_url": reverse("roster:week")
            if self.request.user.has_perm("operations.view_dutyshift")
            else "",
        }


class DeskTodayPanel(HomePanel):
    """今日预约与排队: today's bookings by status (those past their time and not marked in red) and the
    queue, for staff who see bookings."""

    name = "operations_desk_today"
    order = 15
    template_name = "operations/home/desk_today.html"

    def get_context_data(self, parent_context=None):
        now = timezone.now()
        return {
            "bookings": bookings_day_figures(now=now),
            "queue": queue_figures(now=now),
            "bookings_url": reverse("bookings:index") + "?scope=today",
            "to_mark_url": reverse("bookings:index") + "?scope=to_mark",
            "queue_url": reverse("queue_desk:desk")
            if self.request.user.has_perm("operations.view_queueticket")
            else "",
        }


class MyItemsPanel(SectionsPanel):
    """我的待办: my open work orders, the inquiries I am first responder of or that were handed to me,
    and the complaints I handle."""

    name = "operations_my_items"
    order = 20
    panel_id = "ops-my-items"
    heading = gettext_lazy("My open items")
    empty_message = gettext_lazy("Nothing waiting for you: no open work orders, inquiries or complaints.")
    titles = {
        "work_orders": gettext_lazy("My open work orders"),
        "inquiries": gettext_lazy("My open inquiries (first responder or handed to me)"),
        "complaints": gettext_lazy("Complaints I handle"),
    }

    def get_sections(self):
        return staff_open_items(user=self.request.user, limit=self.limit)


class BreachesPanel(SectionsPanel):
    """超时预警: open work orders past their deadline, inquiries past due, complaints past their reply
    date — the sections the user may see."""

    name = "operations_breaches"
    order = 30
    panel_id = "ops-breaches"
    heading = gettext_lazy("Deadline breaches")
    empty_message = gettext_lazy("No breaches: every open item is within its committed time.")
    titles = {
        "work_orders": gettext_lazy("Work orders past their committed deadline"),
        "inquiries": gettext_lazy("Inquiries past due"),
        "complaints": gettext_lazy("Complaints past their reply date"),
    }
    limit = 5
    every_section = True
    permissions = {
        "work_orders": "operations.view_workorder",
        "inquiries": "operations.view_inquiry",
        "complaints": "operations.view_complaint",
    }

    def get_sections(self):
        user = self.request.user
        include = [name for name, perm in self.permissions.items() if user.has_perm(perm)]
        return breaches_overview(now=timezone.now(), limit=self.limit, include=include)
