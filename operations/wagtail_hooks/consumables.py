"""Admin UI: consumables and the monthly purchase request (耗材与申购).

Consumables (the stock, below minimum in red), the ledger with its "record a movement" form and the
first-aid uses are viewsets; the candy dish checklist and the purchase request are custom screens
routed by ``ConsumablePagesViewSet``. The menu links to each.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

import django_filters

from operations.admin_menu import AdminLink
from operations.filters import PeriodFilter, WagtailFilterSet
from operations.forms.consumables import FirstAidForm, MovementForm
from operations.models import Consumable, ConsumableCategory, FirstAidUse, MovementKind, StockMovement
from operations.validators import format_decimal
from operations.views import consumables as views
from operations.views import purchasing as purchasing_views
from operations.viewsets import OperationsViewSet


def _stock_change(changes: dict) -> str:
    before, after = changes.get("stock") or ("", "")
    text = f"{format_decimal(before)} → {format_decimal(after)}"
    return f"{text}（{changes['reason']}）" if changes.get("reason") else text


def _line(changes: dict) -> str:
    return f"{changes.get('description', '')} {format_decimal(changes.get('quantity'))}".strip()


class ConsumableFilterSet(WagtailFilterSet):
    category = django_filters.ChoiceFilter(label=_("Category"), choices=ConsumableCategory.choices)

    class Meta:
        model = Consumable
        fields = ["category", "active"]


class ConsumableViewSet(OperationsViewSet):
    model = Consumable
    name = "consumable"
    url_prefix = "consumables/items"
    icon = "list-ul"
    menu_label = _("Consumables and stock")
    index_view_class = views.ConsumableIndexView
    add_view_class = views.ConsumableCreateView
    edit_view_class = views.ConsumableEditView
    delete_view_class = views.ConsumableDeleteView
    filterset_class = ConsumableFilterSet
    form_fields = ["name", "category", "unit", "minimum_level", "target_level", "active", "sort_order"]
    history_labels = {
        # The consumables' services write plain create/update/delete (also on a first-aid use
        # and the desk settings): the same words fit every record they are written for.
        "create": _("Created"),
        "update": _("Changed"),
        "delete": _("Deleted"),
        "stock_received": (_("Stock received"), _stock_change),
        "stock_used": (_("Stock used"), _stock_change),
        "stock_adjusted": (_("Stock adjusted"), _stock_change),
        "candy_filled": _("Candy dish filled and put out"),
        "candy_locked": _("Candy dish locked in the desk"),
        # The purchase request (its page shows its own steps, these are its audit entries).
        "refresh": _("Automatic lines refreshed"),
        "line_add": (_("Line added"), _line),
        "line_change": (_("Line changed"), _line),
        "line_remove": (_("Line removed"), _line),
        "submit": _("Submitted to head office"),
        "decision_approved": (_("Approved by head office"), lambda changes: changes.get("comment") or ""),
        "decision_rejected": (_("Rejected by head office"), lambda changes: changes.get("comment") or ""),
        "decision_returned": (_("Returned by head office"), lambda changes: changes.get("comment") or ""),
        "receive": _("Received into stock"),
    }


class StockMovementFilterSet(WagtailFilterSet):
    consumable = django_filters.ModelChoiceFilter(label=_("Consumable"), queryset=Consumable.objects.all())
    kind = django_filters.ChoiceFilter(label=_("Movement"), choices=MovementKind.choices)
    at = PeriodFilter(label=_("At"))

    class Meta:
        model = StockMovement
        fields = ["consumable", "kind", "at"]


class FirstAidUseFilterSet(WagtailFilterSet):
    used_at = PeriodFilter(label=_("Used at"))

    class Meta:
        model = FirstAidUse
        fields = ["used_at", "patient_kind", "called_120"]


class StockMovementViewSet(OperationsViewSet):
    model = StockMovement
    name = "stock_movements"
    url_prefix = "consumables/movements"
    icon = "clipboard-list"
    menu_label = _("Stock movements")
    index_view_class = views.StockMovementIndexView
    add_view_class = views.StockMovementCreateView
    filterset_class = StockMovementFilterSet
    edit_view_enabled = False  # the ledger is written once; an adjustment corrects it
    delete_view_enabled = False

    def get_form_class(self, for_update=False):
        return MovementForm


class FirstAidUseViewSet(OperationsViewSet):
    model = FirstAidUse
    name = "first_aid_uses"
    url_prefix = "consumables/first-aid"
    icon = "warning"
    menu_label = _("First-aid uses")
    index_view_class = views.FirstAidUseIndexView
    inspect_view_class = views.FirstAidUseInspectView
    add_view_class = views.FirstAidUseCreateView
    filterset_class = FirstAidUseFilterSet
    edit_view_enabled = False
    delete_view_enabled = False

    def get_form_class(self, for_update=False):
        return FirstAidForm


class ConsumablePagesViewSet(ViewSet):
    """The candy dish checklist and the purchase request: custom screens (menu: AdminLinks)."""

    name = "consumables_pages"
    url_prefix = "consumables"

    def get_urlpatterns(self):
        return [
            path("candy/", views.CandyDishView.as_view(), name="candy"),
            path("purchasing/", purchasing_views.PurchaseRequestView.as_view(), name="purchase_request"),
        ]


class ConsumablesViewSetGroup(ViewSetGroup):
    menu_label = _("Consumables and purchasing")
    menu_icon = "clipboard-list"
    menu_order = 155
    items = (
        ConsumableViewSet(),
        StockMovementViewSet(),
        AdminLink(
            name="stock-movement-new",
            label=_("Record a movement"),
            url_name="stock_movements:add",
            icon="plus",
            permission="operations.add_stockmovement",
        ),
        AdminLink(
            name="candy-dish",
            label=_("Candy dish checklist"),
            url_name="consumables_pages:candy",
            icon="tick",
            permission="operations.view_candydishcheck",
        ),
        FirstAidUseViewSet(),
        AdminLink(
            name="purchase-request",
            label=_("Monthly purchase request"),
            url_name="consumables_pages:purchase_request",
            icon="doc-full",
            permission="operations.view_purchaserequest",
        ),
    )


@hooks.register("register_admin_viewset")
def register_consumables_viewsets():
    return [ConsumablesViewSetGroup(), ConsumablePagesViewSet()]
