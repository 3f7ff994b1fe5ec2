"""Head office's own actions in words (总部操作日志): centers created, suspended, reactivated or
restored, the inbox's decisions, sign-in unlocks and two-factor changes — filterable by person, kind and period (at most a
year, the last 30 days by default), exported to Excel. Nothing personal of residents is in any of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import AccountSecurityEvent, SignInUnlock, SubmissionEvent
from tenants.models import CenterAuditLog

PER_PAGE = 50
DEFAULT_DAYS = 30

KINDS = {
    "center": gettext_lazy("Service centers"),
    "decision": gettext_lazy("Inbox decisions"),
    "unlock": gettext_lazy("Sign-in unlocks"),
    "security": gettext_lazy("Two-factor sign-in"),
}
CENTER_ACTIONS = {
    "create": gettext_lazy("Center created"),
    "suspend": gettext_lazy("Center suspended"),
    "reactivate": gettext_lazy("Center reactivated"),
    "import": gettext_lazy("Center restored from a backup"),
    "two_factor_on": gettext_lazy("Two-factor sign-in required of the center's heads"),
    "two_factor_off": gettext_lazy("Two-factor sign-in made optional for the center's heads"),
}
#: The inbox's steps that are head office's (the centers' own submissions and updates are not).
DECISIONS = (
    SubmissionEvent.Action.APPROVED,
    SubmissionEvent.Action.REJECTED,
    SubmissionEvent.Action.RETURNED,
    SubmissionEvent.Action.ACKNOWLEDGED,
)


@dataclass(frozen=True)
class Event:
    time: dt.datetime
    person: str
    kind: str
    what: str
    subject: str
    detail: str


def _period(request) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    start, end, error = today - dt.timedelta(days=DEFAULT_DAYS - 1), today, ""
    try:
        if request.GET.get("from"):
            start = dt.date.fromisoformat(request.GET["from"])
        if request.GET.get("to"):
            end = dt.date.fromisoformat(request.GET["to"])
    except ValueError:
        return today - dt.timedelta(days=DEFAULT_DAYS - 1), today, _("Enter dates as 2026-12-01.")
    if start > end:
        error = _("The start date must not be after the end date.")
    elif (end - start).days > 366:
        error = _("Show at most one year at a time.")
    if error:
        return today - dt.timedelta(days=DEFAULT_DAYS - 1), today, error
    return start, end, ""


def head_office_events(*, start: dt.date, end: dt.date, person: str = "", kind: str = "") -> list[Event]:
    """Head office's actions between two local dates, newest first (four queries)."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    events: list[Event] = []
    if kind in ("", "center"):
        rows = CenterAuditLog.objects.filter(created__gte=since, created__lt=until).select_related("center")
        if person:
            rows = rows.filter(acting_username__icontains=person)
        for row in rows:
            detail = row.detail or {}
            events.append(
                Event(
                    row.created,
                    row.acting_username,
                    str(KINDS["center"]),
                    str(CENTER_ACTIONS.get(row.action, row.action)),
                    f"{row.center.name} ({row.center.code})",
                    " · ".join(str(detail[key]) for key in ("domain", "reason", "from") if detail.get(key)),
                )
            )
    if kind in ("", "decision"):
        rows = SubmissionEvent.objects.filter(
            created__gte=since, created__lt=until, action__in=DECISIONS
        ).select_related("submission__center")
        if person:
            rows = rows.filter(actor_name__icontains=person)
        for row in rows:
            submission = row.submission
            events.append(
                Event(
                    row.created,
                    row.actor_name,
                    str(KINDS["decision"]),
                    row.get_action_display(),
                    f"{submission.center.name}: {submission.get_kind_display()} {submission.title}",
                    row.comment,
                )
            )
    if kind in ("", "unlock"):
        rows = SignInUnlock.objects.filter(
            unlocked_at__gte=since, unlocked_at__lt=until, schema_name="public"
        )
        if person:
            rows = rows.filter(unlocked_by__icontains=person)
        for row in rows:
            events.append(
                Event(
                    row.unlocked_at,
                    row.unlocked_by,
                    str(KINDS["unlock"]),
                    _("Sign-in unlocked"),
                    row.username,
                    row.ip_address or "",
                )
            )
    if kind in ("", "security"):
        rows = AccountSecurityEvent.objects.filter(
            created__gte=since, created__lt=until, schema_name="public"
        )
        if person:
            rows = rows.filter(acting_username__icontains=person)
        for row in rows:
            events.append(
                Event(
                    row.created,
                    row.acting_username,
                    str(KINDS["security"]),
                    row.get_action_display(),
                    row.username,
                    row.ip_address or "",
                )
            )
    events.sort(key=lambda event: event.time, reverse=True)
    return events


@login_required
@permission_required("tenants.view_servicecenter", raise_exception=True)
def audit_list(request):
    start, end, error = _period(request)
    if error:
        messages.error(request, error)
    person = request.GET.get("person", "").strip()
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    events = head_office_events(start=start, end=end, person=person, kind=kind)
    if request.GET.get("export") == "xlsx":
        return _export(events, start, end)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/audit.html",
        {"page": page, "start": start, "end": end, "person": person, "kind": kind, "kinds": KINDS},
    )


def _export(events: list[Event], start: dt.date, end: dt.date) -> HttpResponse:
    from openpyxl import Workbook  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    sheet.title = f"{start:%Y%m%d}-{end:%Y%m%d}"
    sheet.append([_("Time"), _("Who"), _("Kind"), _("What was done"), _("Concerning"), _("Detail")])
    for event in events:
        sheet.append(
            [
                timezone.localtime(event.time).strftime("%Y-%m-%d %H:%M"),
                event.person,
                event.kind,
                event.what,
                event.subject,
                event.detail,
            ]
        )
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="head-office-log-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    )
    book.save(response)
    return response
