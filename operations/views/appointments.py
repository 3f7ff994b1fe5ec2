"""Admin views of appointments and the queue: the bookings index and record, the queue numbers'
index, and the desk's queue screen (call the next number, issue a walk-in's number)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from wagtail.admin.ui.tables import Column, TitleColumn

from operations.forms.appointments import CallNextForm, IssueTicketForm
from operations.models import Booking, QueueTicket
from operations.permissions import display_phone
from operations.selectors.queue import bookings_of_day, queue_current, queue_figures, queue_waiting
from operations.services.queue import (
    queue_call_next,
    queue_ticket_finish,
    queue_ticket_issue,
    queue_ticket_recall,
    queue_ticket_skip,
)
from operations.viewsets import (
    AdminScreen,
    OperationsIndexView,
    RecordInspectView,
    display_name,
    local_datetime,
    perms_required,
)


def slot_display(booking: Booking) -> str:
    start, end = timezone.localtime(booking.starts_at), timezone.localtime(booking.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _ticket_number(booking: Booking) -> str:
    ticket = getattr(booking, "ticket", None)
    return ticket.display if ticket is not None else ""


def booking_late(booking: Booking) -> bool:
    """Still "booked" after its slot ended: the desk should mark it arrived or not come."""
    return booking.status == Booking.Status.BOOKED and booking.ends_at < timezone.now()


class BookingIndexView(OperationsIndexView):
    """Bookings by their slot (today, this week, upcoming are filters); phones masked unless the user
    may see contacts; bookings past their slot still marked "booked" in red."""

    export_filename = "bookings"
    default_ordering = "starts_at"
    list_export = ["code", "slot", "service_item", "name", "phone", "unit", "status", "ticket", "application"]
    export_headings = {
        "code": gettext_lazy("Booking code"),
        "slot": gettext_lazy("Time"),
        "service_item": gettext_lazy("Service item"),
        "name": pgettext_lazy("person", "Name"),
        "phone": gettext_lazy("Phone"),
        "unit": gettext_lazy("Unit"),
        "status": gettext_lazy("Status"),
        "ticket": gettext_lazy("Queue number"),
        "application": gettext_lazy("Application"),
    }

    def get_base_queryset(self):
        return Booking.objects.select_related("service_item", "unit__building", "ticket", "application")

    def row_flagged(self, item) -> bool:
        return booking_late(item)

    def _unit(self, item) -> str:
        return str(item.unit) if item.unit_id else item.unit_text

    def to_row_dict(self, item):
        self._export_row_flagged = self.row_flagged(item)
        return {
            "code": item.code,
            "slot": slot_display(item),
            "service_item": item.service_item.name,
            "name": item.name,
            "phone": display_phone(self.request.user, item.phone),
            "unit": self._unit(item),
            "status": item.get_status_display(),
            "ticket": _ticket_number(item),
            "application": item.application.number if item.application_id else "",
        }

    @property
    def columns(self):
        return [
            Column("starts_at", label=_("Time"), sort_key="starts_at", accessor=slot_display),
            TitleColumn("code", label=_("Booking code"), url_name=self.inspect_url_name),
            Column("service_item", label=_("Service item")),
            Column("name", label=pgettext("person", "Name")),
            Column("phone", label=_("Phone"), accessor=lambda b: display_phone(self.request.user, b.phone)),
            Column("unit", label=_("Unit"), accessor=self._unit),
            Column("status", label=_("Status"), accessor="get_status_display"),
            Column("ticket", label=_("Queue number"), accessor=_ticket_number),
        ]


class BookingInspectView(RecordInspectView):
    template_name = "operations/appointments/booking_inspect.html"

    def get_record_queryset(self):
        return Booking.objects.select_related(
            "service_item", "unit__building", "ticket", "application", "served_by"
        )

    def get_page_subtitle(self):
        return self.object.code

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = self.object
        context["phone"] = display_phone(self.request.user, booking.phone)
        context["slot"] = slot_display(booking)
        context["late"] = booking_late(booking)
        if booking.status in (Booking.Status.BOOKED, Booking.Status.ARRIVED) and self.request.user.has_perm(
            "operations.add_serviceapplication"
        ):
            url = reverse("operations_guide:application_create", args=[booking.service_item_id])
            context["application_url"] = f"{url}?booking={booking.pk}"
        return context


class QueueTicketIndexView(OperationsIndexView):
    export_filename = "queue-numbers"
    default_ordering = "-issued_at"
    list_export = [
        "number",
        "day",
        "kind",
        "service_item",
        "issued_at",
        "called_at",
        "counter",
        "called_by",
        "wait",
        "status",
    ]
    export_headings = {
        "number": gettext_lazy("Number"),
        "day": gettext_lazy("Day"),
        "kind": gettext_lazy("Kind"),
        "service_item": gettext_lazy("Service item"),
        "issued_at": gettext_lazy("Issued at"),
        "called_at": gettext_lazy("Called at"),
        "counter": gettext_lazy("Window"),
        "called_by": gettext_lazy("Called by"),
        "wait": gettext_lazy("Wait (minutes)"),
        "status": gettext_lazy("Status"),
    }

    def get_base_queryset(self):
        return QueueTicket.objects.select_related("service_item", "called_by", "booking")

    @staticmethod
    def _wait(ticket) -> str:
        return f"{ticket.wait_seconds / 60:.1f}" if ticket.wait_seconds is not None else ""

    def to_row_dict(self, item):
        return super().to_row_dict(item) | {
            "number": item.display,
            "kind": item.get_kind_display(),
            "service_item": item.service_item.name if item.service_item_id else "",
            "issued_at": local_datetime(item.issued_at),
            "called_at": local_datetime(item.called_at),
            "called_by": display_name(item.called_by),
            "wait": self._wait(item),
            "status": item.get_status_display(),
        }

    @property
    def columns(self):
        return [
            TitleColumn(
                "number",
                label=_("Number"),
                url_name=self.inspect_url_name,
                accessor="display",
                sort_key="issued_at",
            ),
            Column("kind", label=_("Kind"), accessor="get_kind_display"),
            Column("service_item", label=_("Service item")),
            Column("issued_at", label=_("Issued at"), accessor=lambda t: local_datetime(t.issued_at)),
            Column("called_at", label=_("Called at"), accessor=lambda t: local_datetime(t.called_at)),
            Column("counter", label=_("Window")),
            Column("called_by", label=_("Called by"), accessor=lambda t: display_name(t.called_by)),
            Column("wait", label=_("Wait (minutes)"), accessor=self._wait),
            Column("status", label=_("Status"), accessor="get_status_display"),
        ]


# --- The desk's queue screen --------------------------------------------------------------------

QUEUE_PERMS = ("operations.view_queueticket",)
CALL_PERM = "operations.change_queueticket"
ISSUE_PERM = "operations.add_queueticket"


class QueueDeskView(AdminScreen, TemplateView):
    """排队叫号 at the desk: the number being served, call next, issue a walk-in's number, who waits,
    today's bookings to mark arrived."""

    template_name = "operations/appointments/queue_desk.html"
    page_title = gettext_lazy("Queue at the desk")
    header_icon = "list-ol"
    permissions = QUEUE_PERMS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        user = self.request.user
        current = queue_current(now=now, user=user)
        counter = self.request.session.get("queue_counter") or "1号窗口"
        context.update(
            {
                "current": current,
                "call_form": CallNextForm(initial={"counter": counter}),
                "issue_form": IssueTicketForm(),
                "waiting": list(queue_waiting(now=now)[:50]),
                "figures": queue_figures(now=now),
                "bookings": list(bookings_of_day(day=timezone.localdate(now))),
                "can_call": user.has_perm(CALL_PERM),
                "can_issue": user.has_perm(ISSUE_PERM),
                "can_arrive": user.has_perm("operations.change_booking"),
                "screen_url": reverse("public_queue_screen"),
            }
        )
        return context


def _back(request):
    return redirect("queue_desk:desk")


@require_POST
def queue_call(request):
    perms_required(request.user, CALL_PERM)
    form = CallNextForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say which window calls (e.g. 1号窗口)."))
        return _back(request)
    request.session["queue_counter"] = form.cleaned_data["counter"]
    try:
        ticket = queue_call_next(acting_user=request.user, counter=form.cleaned_data["counter"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request)
    if ticket is None:
        messages.info(request, _("Nobody is waiting."))
    else:
        messages.success(
            request,
            _("Calling %(number)s to %(counter)s.") % {"number": ticket.display, "counter": ticket.counter},
        )
    return _back(request)


@require_POST
def queue_issue(request):
    perms_required(request.user, ISSUE_PERM)
    form = IssueTicketForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a matter from the list, or none."))
        return _back(request)
    ticket = queue_ticket_issue(service_item=form.cleaned_data["service_item"], acting_user=request.user)
    ahead = QueueTicket.objects.filter(
        day=ticket.day, status=QueueTicket.Status.WAITING, issued_at__lt=ticket.issued_at
    ).count()
    messages.success(
        request,
        _("Number %(number)s issued; %(ahead)s waiting before it.")
        % {"number": ticket.display, "ahead": ahead},
    )
    return redirect("queue_desk:slip", ticket.pk)


TICKET_ACTIONS = {"recall": queue_ticket_recall, "skip": queue_ticket_skip, "finish": queue_ticket_finish}
TICKET_MESSAGES = {
    "recall": gettext_lazy("%(number)s called again."),
    "skip": gettext_lazy("%(number)s marked as missed."),
    "finish": gettext_lazy("%(number)s served."),
}


@require_POST
def queue_ticket_action(request, pk: int, action: str):
    perms_required(request.user, CALL_PERM)
    if action not in TICKET_ACTIONS:
        return _back(request)
    ticket = get_object_or_404(QueueTicket, pk=pk)
    try:
        ticket = TICKET_ACTIONS[action](ticket=ticket, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, TICKET_MESSAGES[action] % {"number": ticket.display})
    return _back(request)


def queue_slip(request, pk: int):
    """The printed number slip a walk-in takes (number, time, how many wait before it)."""
    perms_required(request.user, *QUEUE_PERMS)
    ticket = get_object_or_404(QueueTicket.objects.select_related("service_item"), pk=pk)
    ahead = QueueTicket.objects.filter(
        day=ticket.day, status=QueueTicket.Status.WAITING, issued_at__lt=ticket.issued_at
    ).count()
    return TemplateResponse(request, "operations/appointments/slip.html", {"ticket": ticket, "ahead": ahead})
