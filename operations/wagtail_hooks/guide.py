"""Admin UI: the service guide (服务事项 with materials), working-day overrides, desk applications.

Three viewsets in one menu group; the printable guide, the application form of an item and the
printable notice of an application are custom screens (``GuideScreensViewSet``).
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

import django_filters

from operations.filters import WagtailFilterSet
from operations.models import ServiceApplication, ServiceItem, WorkdayOverride
from operations.services.guide import time_limit_display
from operations.views import guide as views
from operations.viewsets import MaskedColumn, OperationsViewSet


class ServiceItemFilterSet(WagtailFilterSet):
    class Meta:
        model = ServiceItem
        fields = ["category", "department", "is_published"]


class ServiceItemViewSet(OperationsViewSet):
    model = ServiceItem
    icon = "list-ul"
    menu_label = _("Service items")
    index_view_class = views.ServiceItemIndexView
    inspect_view_enabled = False  # the 办事指南 preview is the item's page
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


class WorkdayOverrideViewSet(OperationsViewSet):
    model = WorkdayOverride
    icon = "date"
    menu_label = _("Working-day overrides")
    inspect_view_enabled = False
    list_display = ["date", "is_working_day", "note"]
    form_fields = ["date", "is_working_day", "note"]


class ServiceApplicationFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ServiceApplication.Status.choices)
    service_item = django_filters.ModelChoiceFilter(
        label=_("Service item"), queryset=ServiceItem.objects.order_by("sort_order", "name")
    )

    class Meta:
        model = ServiceApplication
        fields = ["status", "service_item"]


class ViewOnlyPolicy(ModelPermissionPolicy):
    """Applications are recorded through an item's desk form and never edited or deleted."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


register_permission_policy(ServiceApplication, ViewOnlyPolicy(ServiceApplication))


class ServiceApplicationViewSet(OperationsViewSet):
    model = ServiceApplication
    icon = "form"
    menu_label = _("Applications at the desk")
    index_view_class = views.ServiceApplicationIndexView
    inspect_view_enabled = False  # the printable notice is the application's page
    filterset_class = ServiceApplicationFilterSet
    list_display = [
        TitleColumn(
            "number", label=_("Number"), get_url=views.application_sheet_url, link_attrs={"target": "_blank"}
        ),
        "service_item",
        "applicant_name",
        MaskedColumn("applicant_phone", label=_("Phone")),
        "unit",
        "status",
        Column("missing", label=_("Missing"), accessor=lambda a: len(a.materials_missing)),
        Column("handled_by", label=_("Handled by"), accessor=lambda a: get_user_display_name(a.handled_by)),
        Column("created", label=_("Date and time"), sort_key="created", accessor=views.local_created),
    ]
    form_fields = []  # never added or edited here (ViewOnlyPolicy)
    list_per_page = 30
    history_labels = {"service_application_record": _("Recorded at the desk")}


class GuideScreensViewSet(ViewSet):
    """The printable guide of an item, its application form and the printable notice."""

    name = "operations_guide"
    url_prefix = "service-guide"

    def get_urlpatterns(self):
        return [
            path("items/<int:pk>/guide/", views.service_item_guide, name="item_guide"),
            path("items/<int:pk>/apply/", views.application_create, name="application_create"),
            path("applications/<int:pk>/", views.application_sheet, name="application_sheet"),
        ]


class GuideMenuGroup(ViewSetGroup):
    menu_label = _("Service guide")
    menu_icon = "help"
    menu_order = 170
    items = (
        ServiceItemViewSet("service_items"),
        WorkdayOverrideViewSet("workday_overrides"),
        ServiceApplicationViewSet("service_applications"),
    )


@hooks.register("register_admin_viewset")
def register_guide_viewsets():
    return [GuideMenuGroup(), GuideScreensViewSet()]
