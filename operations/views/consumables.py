"""Admin views of the consumables (耗材): the stock (below minimum in red), the ledger and a movement,
first-aid uses, and the candy dish checklist (a custom screen). Every change goes through
``operations.services.consumables``; a refused change shows the form again with the reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.coreutils import multigetattr

from operations.forms.base import add_service_errors
from operations.forms.consumables import CandyStandardForm
from operations.models import DeskSettings, FirstAidUse, MovementKind, StockMovement
from operations.permissions import can_see_contact
from operations.selectors.consumables import candy_checks_between, consumables_overview
from operations.services.consumables import (
    candy_dish_fill,
    candy_dish_lock,
    consumable_create,
    consumable_delete,
    consumable_update,
    desk_settings_update,
    first_aid_use_record,
    stock_adjust,
    stock_receive,
    stock_use,
)
from operations.validators import format_decimal, mask_name
from operations.viewsets import (
    AdminScreen,
    OperationsIndexView,
    RecordInspectView,
    ServiceCreateView,
    ServiceDeleteMixin,
    ServiceSaveMixin,
    display_name,
    local_datetime,
    perms_required,
)

CANDY_HISTORY_DAYS = 31
MOVEMENT_SERVICES = {
    MovementKind.RECEIVED: stock_receive,
    MovementKind.USED: stock_use,
    MovementKind.ADJUSTED: stock_adjust,
}


class QuantityColumn(Column):
    """A decimal quantity as people write it (50, 2.5), with the consumable's unit if ``unit``."""

    def __init__(self, name, unit=None, **kwargs):
        super().__init__(name, **kwargs)
        self.unit = unit

    def get_value(self, instance):
        text = format_decimal(super().get_value(instance))
        return f"{text} {multigetattr(instance, self.unit)}" if self.unit else text


class YesNoColumn(Column):
    """是 / 否 in words (Wagtail's BooleanColumn reads "True" to screen readers)."""

    def get_value(self, instance):
        return _("Yes") if super().get_value(instance) else _("No")


class QuantityExportMixin:
    """Quantities in an export: numbers in the spreadsheet, written 50 / 2.5 in CSV (not 50.00)."""

    custom_value_preprocess = OperationsIndexView.custom_value_preprocess | {
        Decimal: {"csv": format_decimal, "xlsx": lambda value: Decimal(format_decimal(value))}
    }


# --- Consumables: the stock ----------------------------------------------------------------


class ConsumableIndexView(QuantityExportMixin, OperationsIndexView):
    """Every consumable with its stock; below the minimum in red (here and in the export)."""

    export_filename = "consumables"
    list_export = ["name", "category", "unit", "stock", "minimum_level", "target_level", "active"]

    def get_base_queryset(self):
        return consumables_overview(active_only=False)

    def row_flagged(self, item) -> bool:
        return item.is_low

    def to_row_dict(self, item):
        return super().to_row_dict(item) | {"category": item.get_category_display()}

    @property
    def columns(self):
        def stock(item):
            text = f"{format_decimal(item.stock)} {item.unit}"
            if item.is_low:
                return format_html('<strong class="stock-low">{} · {}</strong>', text, _("below minimum"))
            return text

        return [
            TitleColumn("name", label=_("Consumable"), url_name=self.inspect_url_name),
            Column("category", label=_("Category"), accessor="get_category_display"),
            Column("stock", label=_("Stock"), accessor=stock, sort_key="stock"),
            QuantityColumn("minimum_level", label=_("Minimum level")),
            QuantityColumn("target_level", label=_("Target level")),
            YesNoColumn("active", label=_("active")),
        ]


class ConsumableCreateView(ServiceCreateView):
    def save_instance(self):
        return consumable_create(acting_user=self.request.user, **self.form.cleaned_data)


class ConsumableEditView(ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        return consumable_update(
            consumable=self.object, acting_user=self.request.user, **self.form.cleaned_data
        )


class ConsumableDeleteView(ServiceDeleteMixin, generic.DeleteView):
    delete_service = staticmethod(
        lambda consumable, user: consumable_delete(consumable=consumable, acting_user=user)
    )


# --- The ledger ----------------------------------------------------------------------------


class StockMovementIndexView(QuantityExportMixin, OperationsIndexView):
    export_filename = "stock-movements"
    list_export = ["at", "consumable", "kind", "quantity", "unit", "reason", "by"]
    export_headings = {"unit": gettext_lazy("Unit")}

    def get_base_queryset(self):
        return StockMovement.objects.select_related("consumable", "by")

    def to_row_dict(self, item):
        return {
            "at": local_datetime(item.at),
            "consumable": item.consumable.name,
            "kind": item.get_kind_display(),
            "quantity": item.quantity,
            "unit": item.consumable.unit,
            "reason": item.reason,
            "by": display_name(item.by),
        }

    @property
    def columns(self):
        return [
            TitleColumn(
                "at", label=_("At"), url_name=self.inspect_url_name, accessor=lambda m: local_datetime(m.at)
            ),
            Column("consumable", label=_("Consumable")),
            Column("kind", label=_("Movement"), accessor="get_kind_display"),
            QuantityColumn("quantity", unit="consumable.unit", label=_("Quantity")),
            Column("reason", label=_("Reason")),
            Column("by", label=_("By"), accessor=lambda m: display_name(m.by)),
        ]


class StockMovementCreateView(ServiceCreateView):
    page_title = gettext_lazy("Record a movement")
    success_message = gettext_lazy("The movement was recorded.")

    def get_success_url(self):
        return reverse(self.index_url_name)

    def save_instance(self):
        data = dict(self.form.cleaned_data)
        return MOVEMENT_SERVICES[data.pop("kind")](acting_user=self.request.user, **data)


# --- First-aid uses ------------------------------------------------------------------------


class FirstAidUseIndexView(OperationsIndexView):
    """Uses of the first-aid kit; names masked unless the user may see contacts."""

    def get_base_queryset(self):
        movements = StockMovement.objects.select_related("consumable")
        return FirstAidUse.objects.select_related("by").prefetch_related(Prefetch("movements", movements))

    def row_flagged(self, item) -> bool:
        return item.called_120

    def _patient(self, use) -> str:
        name = use.patient_name if can_see_contact(self.request.user) else mask_name(use.patient_name)
        return use.get_patient_kind_display() + (f" · {name}" if name else "")

    @staticmethod
    def _used_at(use) -> str:
        return local_datetime(use.used_at)

    @staticmethod
    def _items_used(use) -> str:
        used = (
            f"{m.consumable.name} {format_decimal(-m.quantity)}{m.consumable.unit}"
            for m in use.movements.all()
        )
        return "、".join(used) or "—"

    @property
    def columns(self):
        return [
            TitleColumn(
                "used_at", label=_("Used at"), url_name=self.inspect_url_name, accessor=self._used_at
            ),
            Column("patient_kind", label=_("For whom"), accessor=self._patient),
            Column("what_happened", label=_("What happened")),
            Column("movements", label=_("Items used"), accessor=self._items_used),
            YesNoColumn("called_120", label=_("120 called")),
            Column("by", label=_("By"), accessor=lambda u: display_name(u.by)),
        ]


class FirstAidUseInspectView(RecordInspectView):
    def get_patient_name_display_value(self):
        name = self.object.patient_name
        return name if can_see_contact(self.request.user) else mask_name(name)


class FirstAidUseCreateView(ServiceCreateView):
    page_title = gettext_lazy("Record a use of the first-aid kit")
    success_message = gettext_lazy("The first-aid use was recorded.")

    def get_initial(self):
        return {"used_at": timezone.localtime().replace(second=0, microsecond=0)}

    def get_success_url(self):
        return reverse(self.index_url_name)

    def save_instance(self):
        data = self.form.cleaned_data
        fields = ("used_at", "patient_kind", "patient_name", "what_happened", "called_120", "items")
        return first_aid_use_record(acting_user=self.request.user, **{field: data[field] for field in fields})


# --- The candy dish checklist (a custom screen) --------------------------------------------


class CandyDishView(AdminScreen, TemplateView):
    """Today's two ticks (filled in the morning, locked in the evening) and the last month's checklist."""

    template_name = "operations/consumables/candy.html"
    page_title = gettext_lazy("Candy dish checklist")
    header_icon = "tick"

    def dispatch(self, request, *args, **kwargs):
        perms_required(request.user, "operations.view_candydishcheck")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        checks = candy_checks_between(today - datetime.timedelta(days=CANDY_HISTORY_DAYS), today)
        context.setdefault(
            "standard_form",
            CandyStandardForm(initial={"candy_monthly_standard": DeskSettings.load().candy_monthly_standard}),
        )
        return context | {
            "today": today,
            "today_check": next((c for c in checks if c.date == today), None),
            "checks": checks,
            "can_tick": self.request.user.has_perm("operations.add_candydishcheck"),
            "can_set": self.request.user.has_perm("operations.change_desksettings"),
        }

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "standard":
            perms_required(request.user, "operations.change_desksettings")
            form = CandyStandardForm(request.POST)
            if form.is_valid():
                try:
                    desk_settings_update(
                        candy_monthly_standard=form.cleaned_data["candy_monthly_standard"],
                        acting_user=request.user,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("The monthly candy standard was saved."))
                    return HttpResponseRedirect(request.path)
            return self.render_to_response(self.get_context_data(standard_form=form))
        perms_required(request.user, "operations.add_candydishcheck")
        service = {"fill": candy_dish_fill, "lock": candy_dish_lock}.get(action)
        if service is None:
            messages.error(request, _("Unknown action."))
        else:
            try:
                service(acting_user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Ticked."))
        return HttpResponseRedirect(request.path)
