"""Admin UI: consumables and the monthly purchase request (耗材与申购)."""

from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

import django_filters

from operations.admin_menu import PageMenuEntry
from operations.models import Consumable, ConsumableCategory
from operations.views import consumables as views
from operations.views import purchasing as purchasing_views


@hooks.register("register_admin_urls")
def register_consumables_urls():
    return [
        path("consumables/stock/", views.StockView.as_view(), name="operations_consumables_stock"),
        path("consumables/candy/", views.CandyDishView.as_view(), name="operations_consumables_candy"),
        path("consumables/first-aid/", views.FirstAidView.as_view(), name="operations_consumables_first_aid"),
        path(
            "purchasing/",
            purchasing_views.PurchaseRequestView.as_view(),
            name="operations_purchasing_request",
        ),
    ]


class StockPageEntry(PageMenuEntry):
    permission = "operations.view_consumable"


class StockEntry(StockPageEntry):
    name = "consumables_stock_menu"
    menu_label = _("Stock and movements")
    icon = "clipboard-list"
    url_name = "operations_consumables_stock"


class CandyEntry(StockPageEntry):
    name = "consumables_candy_menu"
    menu_label = _("Candy dish checklist")
    icon = "tick"
    url_name = "operations_consumables_candy"
    permission = "operations.view_candydishcheck"


class FirstAidEntry(StockPageEntry):
    name = "consumables_first_aid_menu"
    menu_label = _("First-aid uses")
    icon = "warning"
    url_name = "operations_consumables_first_aid"
    permission = "operations.view_firstaiduse"


class PurchaseRequestEntry(StockPageEntry):
    name = "purchasing_request_menu"
    menu_label = _("Monthly purchase request")
    icon = "doc-full"
    url_name = "operations_purchasing_request"
    permission = "operations.view_purchaserequest"


def _stock_cell(consumable):
    text = f"{consumable.stock.normalize():f} {consumable.unit}"
    if consumable.below_minimum:
        return format_html('<strong style="color: #cd4444">{}</strong>', text)
    return text


class ConsumableFilterSet(WagtailFilterSet):
    category = django_filters.ChoiceFilter(label=_("Category"), choices=ConsumableCategory.choices)

    class Meta:
        model = Consumable
        fields = ["category", "active"]


class ConsumableViewSet(ModelViewSet):
    model = Consumable
    name = "consumable"
    url_prefix = "consumables/items"
    icon = "list-ul"
    menu_label = _("Consumables")
    list_display = [
        "name",
        "category",
        Column("stock", label=_("Stock"), accessor=_stock_cell, sort_key="stock"),
        "minimum_level",
        "target_level",
        "active",
    ]
    list_export = ["name", "category", "unit", "stock", "minimum_level", "target_level", "active"]
    filterset_class = ConsumableFilterSet
    ordering = ["category", "sort_order", "name"]
    form_fields = ["name", "category", "unit", "minimum_level", "target_level", "active", "sort_order"]
    copy_view_enabled = False
    inspect_view_enabled = False
    add_view_class = views.ConsumableCreateView
    edit_view_class = views.ConsumableEditView
    delete_view_class = views.ConsumableDeleteView


class ConsumablesViewSetGroup(ViewSetGroup):
    menu_label = _("Consumables and purchasing")
    menu_icon = "clipboard-list"
    items = (StockEntry, CandyEntry, FirstAidEntry, PurchaseRequestEntry, ConsumableViewSet)


@hooks.register("register_admin_viewset")
def register_consumables_viewsets():
    return ConsumablesViewSetGroup()
