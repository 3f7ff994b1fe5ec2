"""Admin UI: appointments (预约办理) and the queue (排队叫号).

Bookings are made by residents on the site, so their viewset has no add view; the desk marks them
arrived (a queue number), not come or cancelled, and takes the application from the record. What may
be booked, the opening hours and the closures are plain settings viewsets. The desk's queue screen and
the number slip are custom screens (``QueueDeskViewSet``).
"""

import datetime as dt

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

import django_filters

from operations.admin_menu import AdminLink
from operations.filters import PeriodFilter, ScopeFilter, WagtailFilterSet
from operations.forms.appointments import EmptyForm
from operations.models import BookableService, Booking, DeskClosure, DeskHours, QueueTicket, ServiceItem
from operations.services.appointments import booking_cancel, booking_mark_arrived, booking_mark_no_show
from operations.views import appointments as views
from operations.viewsets import OperationsViewSet, RecordAction


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _today(qs, request):
    start = _day_start(timezone.localdate())
    return qs.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))


def _week(qs, request):
    today = timezone.localdate()
    monday = _day_start(today - dt.timedelta(days=today.weekday()))
    return qs.filter(starts_at__gte=monday, starts_at__lt=monday + dt.timedelta(days=7))


def _to_mark(qs, request):
    return qs.filter(status=Booking.Status.BOOKED, ends_at__lt=timezone.now())


SCOPES = {
    "today": (_("Today"), _today),
    "week": (_("This week"), _week),
    "upcoming": (
        _("Upcoming"),
        lambda qs, request: qs.filter(status=Booking.Status.BOOKED, starts_at__gte=timezone.now()),
    ),
    "to_mark": (_("Time over, not marked"), _to_mark),
}


class BookingFilterSet(WagtailFilterSet):
    scope = ScopeFilter(label=_("Show"), scopes=SCOPES)
    starts_at = PeriodFilter(label=_("Booked time"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Booking.Status.choices)
    service_item = django_filters.ModelChoiceFilter(
        label=_("Service item"), queryset=ServiceItem.objects.filter(booking_settings__isnull=False)
    )

    class Meta:
        model = Booking
        fields = ["scope", "starts_at", "status", "service_item"]


def _booked(booking, user) -> bool:
    return booking.status == Booking.Status.BOOKED


def _booked_today(booking, user) -> bool:
    return _booked(booking, user) and timezone.localtime(booking.starts_at).date() == timezone.localdate()


def _slot_begun(booking, user) -> bool:
    return _booked(booking, user) and booking.starts_at <= timezone.now()


def _slot_ahead(booking, user) -> bool:
    return _booked(booking, user) and booking.starts_at > timezone.now()


class BookingViewSet(OperationsViewSet):
    model = Booking
    name = "bookings"
    url_prefix = "operations/bookings"
    icon = "date"
    menu_label = _("All bookings")
    index_view_class = views.BookingIndexView
    inspect_view_class = views.BookingInspectView
    filterset_class = BookingFilterSet
    search_fields = ["code", "name", "phone"]
    search_backend_name = None
    list_per_page = 50
    add_view_enabled = False  # residents book on the site
    edit_view_enabled = False
    delete_view_enabled = False
    form_fields = []

    actions = (
        RecordAction(
            name="arrived",
            label=_("Arrived: give a queue number"),
            form_class=EmptyForm,
            available=_booked_today,
            primary=True,
            # The action's result is the queue number; the page goes back to the booking.
            run=lambda booking, data, user: booking_mark_arrived(booking=booking, acting_user=user)[1],
            success_message=_("Arrived: queue number %(object)s."),
            redirect_to=lambda ticket, request: reverse("bookings:inspect", args=[ticket.booking_id]),
        ),
        RecordAction(
            name="no-show",
            label=_("Did not come"),
            form_class=EmptyForm,
            available=_slot_begun,
            run=lambda booking, data, user: booking_mark_no_show(booking=booking, acting_user=user),
        ),
        RecordAction(
            name="cancel",
            label=_("Cancel at the resident's request"),
            button_label=_("Cancel the booking"),
            form_class=EmptyForm,
            available=_slot_ahead,
            run=lambda booking, data, user: booking_cancel(booking=booking, acting_user=user),
        ),
    )
    history_labels = {
        "booking_create": _("Booked"),
        "booking_move": _("Moved to another time"),
        "booking_cancel": pgettext_lazy("booking", "Cancelled"),
        "booking_mark_arrived": _("Arrived"),
        "booking_mark_no_show": _("Did not come"),
        "booking_mark_served": (_("Application started"), lambda changes: changes.get("application", "")),
    }


class BookableServiceViewSet(OperationsViewSet):
    model = BookableService
    name = "bookable_services"
    url_prefix = "operations/bookings/services"
    icon = "list-ul"
    menu_label = _("What residents may book")
    inspect_view_enabled = False
    list_display = ["service_item", "is_open", "slot_minutes", "capacity", "days_ahead"]
    panels = [
        FieldPanel("service_item"),
        FieldPanel("is_open"),
        FieldRowPanel([FieldPanel("slot_minutes"), FieldPanel("capacity"), FieldPanel("days_ahead")]),
        FieldPanel("note"),
    ]


class DeskHoursViewSet(OperationsViewSet):
    model = DeskHours
    name = "desk_hours"
    url_prefix = "operations/bookings/hours"
    icon = "time"
    menu_label = _("Opening hours")
    inspect_view_enabled = False
    list_display = ["day_type", "opens", "closes"]
    form_fields = ["day_type", "opens", "closes"]


class DeskClosureViewSet(OperationsViewSet):
    model = DeskClosure
    name = "desk_closures"
    url_prefix = "operations/bookings/closures"
    icon = "cross"
    menu_label = _("Closures")
    inspect_view_enabled = False
    list_display = ["start_date", "end_date", "reason", "note"]
    form_fields = ["start_date", "end_date", "reason", "note"]


class QueueTicketFilterSet(WagtailFilterSet):
    day = django_filters.DateFromToRangeFilter(
        label=_("Day"), widget=django_filters.widgets.RangeWidget(attrs={"type": "date"})
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=QueueTicket.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=QueueTicket.Status.choices)

    class Meta:
        model = QueueTicket
        fields = ["day", "kind", "status"]


class QueueTicketViewSet(OperationsViewSet):
    model = QueueTicket
    name = "queue_tickets"
    url_prefix = "operations/queue/numbers"
    icon = "list-ol"
    menu_label = _("Queue numbers")
    index_view_class = views.QueueTicketIndexView
    filterset_class = QueueTicketFilterSet
    list_per_page = 50
    add_view_enabled = False  # issued at the desk's queue screen
    edit_view_enabled = False
    delete_view_enabled = False
    form_fields = []
    history_labels = {
        "queue_ticket_issue": _("Number issued"),
        "queue_call": (_("Called"), lambda changes: changes.get("counter", "")),
        "queue_recall": _("Called again"),
        "queue_skip": _("Missed the call"),
        "queue_finish": _("Served"),
    }


class QueueDeskViewSet(ViewSet):
    """The desk's queue screen, its POST actions and the number slip (custom screens)."""

    name = "queue_desk"
    url_prefix = "operations/queue"

    def get_urlpatterns(self):
        return [
            path("", views.QueueDeskView.as_view(), name="desk"),
            path("call/", views.queue_call, name="call"),
            path("issue/", views.queue_issue, name="issue"),
            path("numbers/<int:pk>/<str:action>/", views.queue_ticket_action, name="ticket"),
            path("slip/<int:pk>/", views.queue_slip, name="slip"),
        ]


class AppointmentsGroup(ViewSetGroup):
    menu_label = _("Appointments and queue")
    menu_icon = "date"
    menu_order = 112
    items = (
        AdminLink(
            name="queue-desk",
            label=_("Queue at the desk"),
            url_name="queue_desk:desk",
            icon="list-ol",
            permission="operations.view_queueticket",
        ),
        AdminLink(
            name="bookings-today",
            label=_("Today's bookings"),
            url_name="bookings:index",
            query={"scope": "today"},
            icon="date",
            permission="operations.view_booking",
        ),
        AdminLink(
            name="bookings-week",
            label=_("This week's bookings"),
            url_name="bookings:index",
            query={"scope": "week"},
            icon="calendar",
            permission="operations.view_booking",
        ),
        BookingViewSet(),
        # A resident who calls is booked on the site's own booking pages, by the same rules.
        AdminLink(
            name="bookings-for-caller",
            label=_("Book for a resident who calls"),
            url_name="public_booking_list",
            icon="mobile-alt",
            permission="operations.change_booking",
        ),
        QueueTicketViewSet(),
        BookableServiceViewSet(),
        DeskHoursViewSet(),
        DeskClosureViewSet(),
    )


@hooks.register("register_admin_viewset")
def register_appointment_viewsets():
    return [AppointmentsGroup(), QueueDeskViewSet()]
