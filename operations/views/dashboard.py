"""Panels of the center's admin home: today's duty, my open items, deadline breaches.

The panels list work orders, inquiries and complaints of their areas and link each to the record's
page there (``RECORD_URL_NAMES``); the reads are in ``operations.selectors.roster``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.ui.components import Component

from operations.models import DutyPost
from operations.permissions import can_see_contact
from operations.selectors.roster import breaches_overview, duty_today, staff_open_items
from operations.validators import mask_name

# The record's page in its area, by model name; a model not listed links to whatever admin view
# edits it (Wagtail's AdminURLFinder), or to nothing.
RECORD_URL_NAMES = {
    "workorder": "operations_work_order_detail",
    "inquiry": "inquiries:inspect",
    "complaint": "operations_complaints:detail",
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


def _row(record, *, text, due, overdue, url, **flags) -> dict:
    return {
        "number": record.number,
        "text": text,
        "status": record.get_status_display(),
        "due": due,
        "due_text": _due_text(due),
        "overdue": overdue,
        "url": url(record),
        **flags,
    }


def _work_order_rows(orders, *, url, user, now) -> list[dict]:
    return [
        _row(
            order,
            text=order.description,
            due=order.deadline,
            overdue=bool(order.deadline and order.deadline < now),
            urgent=order.is_urgent,
            url=url,
        )
        for order in orders
    ]


def _inquiry_rows(inquiries, *, url, user, now) -> list[dict]:
    full = can_see_contact(user)
    return [
        _row(
            inquiry,
            text=f"{inquiry.visitor_name if full else mask_name(inquiry.visitor_name)}：{inquiry.matter}",
            due=inquiry.due_at,
            overdue=bool(inquiry.due_at and inquiry.due_at < now),
            url=url,
        )
        for inquiry in inquiries
    ]


def _complaint_rows(complaints, *, url, user, now) -> list[dict]:
    # The complainant is confidential: the panel names the complaint, never who made it.
    today = timezone.localdate(now)
    return [
        _row(
            complaint,
            text=complaint.subject_text or complaint.get_kind_display(),
            due=complaint.reply_due,
            overdue=bool(
                complaint.reply_due
                and complaint.reply_due < today
                and complaint.status != complaint.Status.REPLIED
            ),
            major=complaint.is_major,
            url=url,
        )
        for complaint in complaints
    ]


ROWS = {"work_orders": _work_order_rows, "inquiries": _inquiry_rows, "complaints": _complaint_rows}


class HomePanel(Component):
    """A panel of the admin home; ``sections(data, titles)`` turns a selector's result into rows."""

    def __init__(self, request):
        self.request = request

    def sections(self, data: dict, titles: dict) -> list[dict]:
        user = self.request.user
        url, now = record_url_finder(user), timezone.now()
        return [
            {
                "title": titles[name],
                "count": section["count"],
                "rows": ROWS[name](section["items"], url=url, user=user, now=now),
            }
            for name, section in data.items()
        ]


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


class MyItemsPanel(HomePanel):
    """我的待办: my open work orders, the inquiries I am first responder of or that were handed to me,
    and the complaints I handle."""

    name = "operations_my_items"
    order = 20
    template_name = "operations/home/my_items.html"
    limit = 10

    def get_context_data(self, parent_context=None):
        sections = self.sections(
            staff_open_items(user=self.request.user, limit=self.limit),
            {
                "work_orders": _("My open work orders"),
                "inquiries": _("My open inquiries (first responder or handed to me)"),
                "complaints": _("Complaints I handle"),
            },
        )
        return {"sections": sections, "total": sum(s["count"] for s in sections), "limit": self.limit}


class BreachesPanel(HomePanel):
    """超时预警: open work orders past their deadline, inquiries past due, complaints past their reply
    date — the sections the user may see."""

    name = "operations_breaches"
    order = 30
    template_name = "operations/home/breaches.html"
    limit = 5
    permissions = {
        "work_orders": "operations.view_workorder",
        "inquiries": "operations.view_inquiry",
        "complaints": "operations.view_complaint",
    }

    def get_context_data(self, parent_context=None):
        user = self.request.user
        include = [name for name, perm in self.permissions.items() if user.has_perm(perm)]
        sections = self.sections(
            breaches_overview(now=timezone.now(), limit=self.limit, include=include),
            {
                "work_orders": _("Work orders past their committed deadline"),
                "inquiries": _("Inquiries past due"),
                "complaints": _("Complaints past their reply date"),
            },
        )
        return {
            "sections": sections,
            "total": sum(s["count"] for s in sections),
            "limit": self.limit,
            "shown": bool(sections),
        }
