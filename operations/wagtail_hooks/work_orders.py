"""Admin UI: work orders (menu group “工单”) and the staff member's notifications (“我的通知”).

The list of all work orders is a ModelViewSet with a WagtailFilterSet; its “add” and “edit”
URLs lead to the intake form and the detail page of ``operations/views/work_orders.py``, so
every change goes through the services. Queues, overdue, due soon and the export are custom
admin views registered with ``register_admin_urls``.
"""

from django.db import connection
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from django_tenants.utils import get_public_schema_name

from operations.admin_menu import PermissionMenuItem as BasePermissionMenuItem
from operations.models import WorkOrder
from operations.selectors import work_orders as selectors
from operations.views import work_orders as views

VIEW_PERMS = views.VIEW_PERMS


class WorkOrderFilterSet(WagtailFilterSet):
    class Meta:
        model = WorkOrder
        fields = ["status", "kind", "source", "department", "is_urgent", "is_breached"]


class BreachColumn(Column):
    cell_template_name = "operations/work_orders/breach_cell.html"


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class WorkOrderIndexView(IndexView):
    """All work orders, one query per page; rows link to the detail page; contacts masked per user."""

    def get_base_queryset(self):
        return selectors.work_orders_for_list()

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = views.decorate(list(page.object_list), self.request.user)
        return paginator, page, page.object_list, is_paginated

    def get_edit_url(self, instance):
        return reverse("operations_work_order_detail", args=[instance.pk])

    def get_delete_url(self, instance):
        return None  # work orders are cancelled with a reason, never deleted

    def get_copy_url(self, instance):
        return None

    def get_list_more_buttons(self, instance):
        return []  # the number links to the detail page, where the actions are


class WorkOrderViewSet(ModelViewSet):
    model = WorkOrder
    url_prefix = "operations/work-orders"
    icon = "clipboard-list"
    menu_label = _("All work orders")
    index_view_class = WorkOrderIndexView
    filterset_class = WorkOrderFilterSet
    search_fields = ["number", "description", "tracking_code"]
    search_backend_name = None
    copy_view_enabled = False
    list_per_page = 50
    add_to_reference_index = False
    list_display = [
        "number",
        Column("summary", label=_("description"), accessor=lambda wo: Truncator(wo.description).chars(30)),
        "unit",
        Column("shown_name", label=_("contact")),
        Column("shown_phone", label=_("contact phone")),
        "department",
        Column("assignee", label=_("assignee"), accessor=lambda wo: _staff_name(wo.assignee)),
        "status",
        Column("deadline", label=_("committed deadline"), accessor=lambda wo: _local(wo.deadline)),
        BreachColumn("breach", label=_("deadline breached")),
    ]

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", views.work_order_create_view, name="add"),
            path(
                "edit/<int:pk>/",
                lambda request, pk: redirect("operations_work_order_detail", pk),
                name="edit",
            ),
        ]


def _staff_name(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


class WorkOrderViewSetGroup(ViewSetGroup):
    menu_label = _("Work orders")
    menu_icon = "clipboard-list"
    menu_order = 210
    submenu_hook = "register_work_orders_menu_item"
    items = (WorkOrderViewSet("work_orders"),)


@hooks.register("insert_global_admin_css")
def work_order_styles():
    """Breach (red) and urgent flags, wherever work orders are listed (also the ModelViewSet list)."""
    return render_to_string("operations/work_orders/_styles.html")


@hooks.register("register_admin_viewset")
def register_work_order_viewsets():
    return WorkOrderViewSetGroup()


class PermissionMenuItem(BasePermissionMenuItem):
    """Work-order pages: shown to anyone who may view work orders, unless ``perms`` says otherwise."""

    def __init__(self, *args, perms=VIEW_PERMS, **kwargs):
        super().__init__(*args, perms=perms, **kwargs)


@hooks.register("register_work_orders_menu_item")
def register_new_work_order_item():
    return PermissionMenuItem(
        _("New work order"),
        reverse("work_orders:add"),
        icon_name="plus",
        order=10,
        perms=("operations.add_workorder",),
    )


@hooks.register("register_work_orders_menu_item")
def register_my_work_orders_item():
    return PermissionMenuItem(
        _("My work orders"), reverse("operations_work_orders_mine"), icon_name="user", order=20
    )


@hooks.register("register_work_orders_menu_item")
def register_department_queues_item():
    return PermissionMenuItem(
        _("Department queues"), reverse("operations_work_order_queues"), icon_name="group", order=30
    )


@hooks.register("register_work_orders_menu_item")
def register_overdue_item():
    return PermissionMenuItem(
        _("Overdue work orders"), reverse("operations_work_orders_overdue"), icon_name="warning", order=40
    )


@hooks.register("register_work_orders_menu_item")
def register_due_soon_item():
    return PermissionMenuItem(
        _("Due within 2 hours"), reverse("operations_work_orders_due_soon"), icon_name="time", order=50
    )


@hooks.register("register_work_orders_menu_item")
def register_export_item():
    return PermissionMenuItem(
        _("Export work orders"), reverse("operations_work_orders_export"), icon_name="download", order=60
    )


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


@hooks.register("register_admin_menu_item")
def register_notifications_item():
    return NotificationsMenuItem(
        _("My notifications"), reverse("operations_notifications"), icon_name="mail", order=150
    )


@hooks.register("register_admin_urls")
def register_work_order_urls():
    prefix = "operations/work-orders/"
    return [
        path(f"{prefix}<int:pk>/", views.work_order_detail_view, name="operations_work_order_detail"),
        path(
            f"{prefix}<int:pk>/action/<slug:action>/",
            views.work_order_action_view,
            name="operations_work_order_action",
        ),
        path(f"{prefix}queue/", views.department_queues_view, name="operations_work_order_queues"),
        path(
            f"{prefix}queue/department/<int:department_id>/",
            views.department_queue_view,
            name="operations_work_order_queue_department",
        ),
        path(f"{prefix}mine/", views.my_work_orders_view, name="operations_work_orders_mine"),
        path(f"{prefix}overdue/", views.overdue_view, name="operations_work_orders_overdue"),
        path(f"{prefix}due-soon/", views.due_soon_view, name="operations_work_orders_due_soon"),
        path(f"{prefix}export/", views.export_view, name="operations_work_orders_export"),
        path("operations/notifications/", views.notifications_view, name="operations_notifications"),
        path(
            "operations/notifications/<int:pk>/read/",
            views.notification_read_view,
            name="operations_notification_read",
        ),
        path(
            "operations/notifications/read-all/",
            views.notification_read_view,
            name="operations_notifications_read_all",
        ),
    ]
