"""Admin UI: the service guide (服务事项 with materials), working-day overrides, desk applications."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.menus import MenuItem as ListMenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from operations.admin_menu import PermissionMenuItem
from operations.models import ServiceItem, WorkdayOverride
from operations.services.guide import time_limit_display
from operations.views import guide as views

GUIDE_MENU_HOOK = "register_operations_guide_menu_item"


class ServiceItemFilterSet(WagtailFilterSet):
    class Meta:
        model = ServiceItem
        fields = ["category", "department", "is_published"]


class ServiceItemIndexView(IndexView):
    """The list of items, with the 办事指南 preview and 受理申请 for each."""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("department")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            ListMenuItem(
                _("Service guide (preview)"),
                url=reverse("operations_guide:item_guide", args=[instance.pk]),
                icon_name="doc-full",
                priority=5,
            )
        )
        if self.request.user.has_perm("operations.add_serviceapplication"):
            buttons.append(
                ListMenuItem(
                    _("Take an application"),
                    url=reverse("operations_guide:application_create", args=[instance.pk]),
                    icon_name="form",
                    priority=6,
                )
            )
        return buttons


class ServiceItemViewSet(ModelViewSet):
    model = ServiceItem
    icon = "list-ul"
    menu_label = _("Service items")
    index_view_class = ServiceItemIndexView
    filterset_class = ServiceItemFilterSet
    search_fields = ["name", "description"]
    list_display = [
        "name",
        "category",
        "department",
        Column("time_limit", label=_("Committed time limit"), accessor=time_limit_display),
        "fee_type",
        BooleanColumn("is_published", label=_("Published")),
    ]
    copy_view_enabled = False
    sort_order_field = None
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldRowPanel([FieldPanel("category"), FieldPanel("department")]),
                FieldPanel("description"),
                FieldRowPanel([FieldPanel("is_published"), FieldPanel("sort_order")]),
            ],
            heading=_("Service item"),
        ),
        InlinePanel("materials", heading=_("Required materials"), label=_("Material")),
        FieldPanel("procedure"),
        FieldRowPanel(
            [FieldPanel("time_limit_value"), FieldPanel("time_limit_unit")], heading=_("Committed time limit")
        ),
        FieldRowPanel(
            [FieldPanel("fee_type"), FieldPanel("fee_amount"), FieldPanel("fee_basis")], heading=_("Fee")
        ),
        FieldPanel("legal_basis"),
    ]


class WorkdayOverrideViewSet(ModelViewSet):
    model = WorkdayOverride
    icon = "date"
    menu_label = _("Working-day overrides")
    list_display = ["date", "is_working_day", "note"]
    form_fields = ["date", "is_working_day", "note"]
    copy_view_enabled = False


class GuideMenuGroup(ModelViewSetGroup):
    menu_label = _("Service guide")
    menu_icon = "help"
    menu_order = 210
    submenu_hook = GUIDE_MENU_HOOK
    items = (ServiceItemViewSet("service_items"), WorkdayOverrideViewSet("workday_overrides"))


@hooks.register("register_admin_viewset")
def register_guide_viewsets():
    return GuideMenuGroup()


@hooks.register(GUIDE_MENU_HOOK)
def register_applications_menu_item():
    return PermissionMenuItem(
        _("Applications at the desk"),
        reverse("operations_guide:application_list"),
        icon_name="form",
        order=50,
        permission="operations.view_serviceapplication",
    )


guide_urls = [
    path("items/<int:pk>/guide/", views.service_item_guide, name="item_guide"),
    path("items/<int:pk>/apply/", views.application_create, name="application_create"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_sheet, name="application_sheet"),
]


@hooks.register("register_admin_urls")
def register_guide_urls():
    return [path("service-guide/", include((guide_urls, "operations_guide"), namespace="operations_guide"))]
