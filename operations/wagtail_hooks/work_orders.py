"""Admin UI: work orders (menu group “工单”) and the staff member's notifications (“我的通知”).

One viewset: its index filtered to mine / a department's queue / overdue / due within 2 hours / a
period (the menu links to those filters), its own export, intake saving through
``work_order_create``, and the record's actions (dispatch, start, complete, callback, close,
cancel, extend the deadline, attach) declared once below and shown on the record's page with its
history in words. The record lives at ``<pk>/``, the address notifications and e-mails carry.
"""

from django.db import connection
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

import django_filters
from django_tenants.utils import get_public_schema_name

from operations.admin_menu import AdminLink
from operations.filters import PeriodFilter, ScopeFilter, WagtailFilterSet
from operations.forms import work_orders as forms
from operations.models import Department, WorkOrder
from operations.selectors import work_orders as selectors
from operations.services import work_orders as services
from operations.views import work_orders as views
from operations.viewsets import OperationsViewSet, RecordAction

VIEW_PERMS = ("operations.view_workorder", "operations.change_workorder", "operations.add_workorder")

SCOPES = {
    "mine": (
        _("My work orders"),
        lambda qs, request: selectors.work_orders_assigned_to(user=request.user, queryset=qs),
    ),
    "queue": (_("Open, urgent first"), lambda qs, request: selectors.work_orders_queue(qs)),
    "overdue": (_("Overdue"), lambda qs, request: selectors.work_orders_overdue(queryset=qs)),
    "due_soon": (_("Due within 2 hours"), lambda qs, request: selectors.work_orders_due_soon(queryset=qs)),
}


class DepartmentQueueField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (%(open)s open, %(overdue)s overdue)") % {
            "name": obj.name,
            "open": obj.open_count,
            "overdue": obj.overdue_count,
        }


class DepartmentQueueFilter(django_filters.ModelChoiceFilter):
    """The department, each shown with its open and overdue counts (the queues' overview)."""

    field_class = DepartmentQueueField


def _departments_with_counts(request):
    open_orders = Q(work_orders__status__in=WorkOrder.OPEN_STATUSES)
    return Department.objects.annotate(
        open_count=Count("work_orders", filter=open_orders),
        overdue_count=Count("work_orders", filter=open_orders & Q(work_orders__deadline__lt=timezone.now())),
    )


class WorkOrderFilterSet(WagtailFilterSet):
    scope = ScopeFilter(label=_("Show"), scopes=SCOPES)
    department = DepartmentQueueFilter(label=_("department"), queryset=_departments_with_counts)
    created = PeriodFilter(label=_("created"))

    class Meta:
        model = WorkOrder
        fields = ["scope", "department", "created", "status", "kind", "source", "is_urgent", "is_breached"]


def _action(name: str, label, form_class, service, **kwargs) -> RecordAction:
    """An action whose form's fields are the service's keyword arguments; shown when the work
    order's status allows it (``services.allowed_actions``) unless ``available`` says otherwise."""
    kwargs.setdefault("available", lambda work_order, user: name in services.allowed_actions(work_order))
    return RecordAction(
        name=name,
        label=label,
        form_class=form_class,
        run=lambda work_order, data, user: service(work_order=work_order, acting_user=user, **data),
        **kwargs,
    )


class WorkOrderViewSet(OperationsViewSet):
    model = WorkOrder
    name = "work_orders"
    url_prefix = "operations/work-orders"
    icon = "clipboard-list"
    menu_label = _("All work orders")
    index_view_class = views.WorkOrderIndexView
    add_view_class = views.WorkOrderCreateView
    inspect_view_class = views.WorkOrderInspectView
    filterset_class = WorkOrderFilterSet
    search_fields = ["number", "description", "tracking_code"]
    search_backend_name = None
    list_per_page = 50
    edit_view_enabled = False
    delete_view_enabled = False  # work orders are cancelled with a reason, never deleted

    def get_form_class(self, for_update=False):
        return forms.WorkOrderCreateForm

    actions = (
        _action(
            "dispatch",
            _("Dispatch"),
            forms.DispatchForm,
            services.work_order_dispatch,
            form_kwargs=lambda work_order, request: {"work_order": work_order},
            primary=True,
        ),
        _action("start", _("Start work"), forms.NoteForm, services.work_order_start),
        _action(
            "complete", _("Mark completed"), forms.CompleteForm, services.work_order_complete, primary=True
        ),
        _action("callback", _("Record callback"), forms.CallbackForm, services.work_order_callback),
        _action("close", _("Close"), forms.NoteForm, services.work_order_close),
        _action("extend", _("Extend deadline"), forms.ExtendForm, services.work_order_extend_deadline),
        _action(
            "attach",
            _("Attach photo or document"),
            forms.AttachForm,
            services.work_order_attach,
            available=lambda work_order, user: True,
        ),
        _action("cancel", _("Cancel work order"), forms.CancelForm, services.work_order_cancel),
    )
    history_labels = {
        "work_order.create": (_("Registered"), views.describe_dispatch),
        "work_order.dispatch": (_("Dispatched"), views.describe_dispatch),
        "work_order.start": (_("Started"), views.status_change),
        "work_order.complete": (_("Completed"), views.status_change),
        "work_order.callback": (_("Called back"), views.describe_callback),
        "work_order.close": (_("Closed"), views.status_change),
        "work_order.cancel": (_("Cancelled"), views.status_change),
        "work_order.extend_deadline": (_("Deadline extended"), views.describe_extension),
        "work_order.attach": (_("Attached"), lambda changes: changes.get("file", "")),
    }

    def get_urlpatterns(self):
        """The record at ``<pk>/`` (where notifications link), and the old queue address of a department."""
        patterns = [
            path("<int:pk>/", self.inspect_view, name="inspect") if p.name == "inspect" else p
            for p in super().get_urlpatterns()
        ]
        return patterns + [
            path(
                "queue/department/<int:department_id>/",
                views.department_queue_redirect,
                name="queue_department",
            )
        ]


class NotificationsMenuItem(MenuItem):
    """“我的通知” with the number of unread notifications (one COUNT query per admin page)."""

    def is_shown(self, request):
        return connection.schema_name != get_public_schema_name()  # notifications live in centers

    def render_component(self, request):
        component = super().render_component(request)
        count = selectors.notifications_unread_count(user=request.user)
        if count:
            component.label = f"{self.label} ({count})"
        return component


class NotificationsViewSet(ViewSet):
    """The signed-in staff member's own notifications: read them, open them, mark them read."""

    name = "notifications"
    url_prefix = "operations/notifications"
    icon = "mail"
    menu_label = _("My notifications")
    menu_order = 190
    add_to_admin_menu = True
    menu_item_class = NotificationsMenuItem

    def get_urlpatterns(self):
        return [
            path("", views.notifications_view, name="index"),
            path("<int:pk>/read/", views.notification_read_view, name="read"),
            path("read-all/", views.notification_read_view, name="read_all"),
            path("deliveries/", views.deliveries_view, name="deliveries"),
        ]


def _link(name, label, icon, query=None, url_name="work_orders:index", perms=VIEW_PERMS) -> AdminLink:
    """A list variant of the index (``query``) or the intake form, for staff who see work orders."""
    return AdminLink(
        name=f"work-orders-{name}", label=label, url_name=url_name, icon=icon, perms=perms, query=query
    )


class WorkOrdersGroup(ViewSetGroup):
    menu_label = _("Work orders")
    menu_icon = "clipboard-list"
    menu_order = 120
    items = (
        _link(
            "new",
            _("New work order"),
            "plus",
            url_name="work_orders:add",
            perms=("operations.add_workorder",),
        ),
        _link("mine", _("My work orders"), "user", {"scope": "mine"}),
        _link("queues", _("Department queues"), "group", {"scope": "queue"}),
        _link("overdue", _("Overdue work orders"), "warning", {"scope": "overdue"}),
        _link("due-soon", _("Due within 2 hours"), "time", {"scope": "due_soon"}),
        WorkOrderViewSet(),
    )


@hooks.register("insert_global_admin_css")
def work_order_styles():
    """Breach (red) and urgent flags, wherever work orders are listed."""
    return render_to_string("operations/work_orders/_styles.html")


@hooks.register("register_admin_viewset")
def register_work_order_viewsets():
    return [WorkOrdersGroup(), NotificationsViewSet()]


@hooks.register("register_settings_menu_item")
def undelivered_notifications_item():
    """Settings → 未送达的通知, for the center head (who reads the audit trail)."""
    from django.urls import reverse

    from operations.admin_menu import PermissionMenuItem

    return PermissionMenuItem(
        label=_("Undelivered notifications"),
        url=reverse("notifications:deliveries"),
        name="undelivered_notifications",
        icon_name="warning",
        order=970,
        permission=views.DELIVERY_PERMISSION,
    )
