"""Admin views of the consumables (耗材): stock overview and movements, candy dish checklist,
first-aid use records. Every change goes through ``operations.services.consumables``; a refused
change re-renders the page with the reason and writes nothing.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from wagtail.admin.views.generic import CreateView, DeleteView, EditView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from operations.models import Consumable, DeskSettings, FirstAidPatient, MovementKind
from operations.permissions import can_see_contact
from operations.selectors.consumables import (
    candy_checks_between,
    consumables_overview,
    first_aid_uses_recent,
    stock_movements_recent,
)
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
from operations.validators import mask_name

FIRST_AID_ROWS = 4
CANDY_HISTORY_DAYS = 31


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _require(request, *perms: str) -> None:
    if not all(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied


class ConsumableChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.unit}）"


class MovementForm(forms.Form):
    consumable = ConsumableChoiceField(label=gettext_lazy("Consumable"), queryset=None)
    kind = forms.ChoiceField(label=gettext_lazy("Movement"), choices=MovementKind.choices)
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"),
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("For an adjustment, a negative number lowers the stock."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consumable"].queryset = Consumable.objects.filter(active=True)


class FirstAidForm(forms.Form):
    used_at = forms.DateTimeField(
        label=gettext_lazy("Used at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    patient_kind = forms.ChoiceField(label=gettext_lazy("For whom"), choices=FirstAidPatient.choices)
    patient_name = forms.CharField(label=gettext_lazy("Name (optional)"), required=False, max_length=50)
    what_happened = forms.CharField(
        label=gettext_lazy("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )
    called_120 = forms.BooleanField(label=gettext_lazy("120 was called"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = Consumable.objects.filter(active=True).order_by("category", "sort_order", "name")
        for index in range(FIRST_AID_ROWS):
            self.fields[f"item_{index}"] = ConsumableChoiceField(
                label=gettext_lazy("Item used"), queryset=choices, required=False
            )
            self.fields[f"quantity_{index}"] = forms.DecimalField(
                label=gettext_lazy("Quantity"), required=False, max_digits=10, decimal_places=2, min_value=0
            )

    def item_rows(self):
        return [(self[f"item_{i}"], self[f"quantity_{i}"]) for i in range(FIRST_AID_ROWS)]

    def items(self):
        rows = []
        for index in range(FIRST_AID_ROWS):
            item = self.cleaned_data.get(f"item_{index}")
            quantity = self.cleaned_data.get(f"quantity_{index}")
            if item and not quantity:
                self.add_error(f"quantity_{index}", _("Enter the quantity used."))
            elif item:
                rows.append((item, quantity))
        return rows


class CandyStandardForm(forms.Form):
    candy_monthly_standard = forms.DecimalField(
        label=gettext_lazy("Monthly candy standard (斤)"), min_value=4, max_value=6, decimal_places=1
    )


class StockPageMixin(WagtailAdminTemplateMixin):
    header_icon = "clipboard-list"
    view_permissions: tuple[str, ...] = ("operations.view_consumable",)

    def dispatch(self, request, *args, **kwargs):
        _require(request, *self.view_permissions)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav"] = [
            (reverse("operations_consumables_stock"), _("Stock")),
            (reverse("operations_consumables_candy"), _("Candy dish")),
            (reverse("operations_consumables_first_aid"), _("First aid")),
            (reverse("operations_purchasing_request"), _("Purchase request")),
        ]
        return context


class StockView(StockPageMixin, TemplateView):
    """All consumables with their stock (below minimum in red), a movement form and the latest ledger."""

    template_name = "operations/consumables/stock.html"
    page_title = gettext_lazy("Consumables stock")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", MovementForm(initial={"kind": MovementKind.RECEIVED}))
        context["consumables"] = list(consumables_overview())
        context["movements"] = stock_movements_recent(limit=50)
        context["can_move"] = self.request.user.has_perm("operations.add_stockmovement")
        return context

    def post(self, request, *args, **kwargs):
        _require(request, "operations.add_stockmovement")
        form = MovementForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            service = {
                MovementKind.RECEIVED: stock_receive,
                MovementKind.USED: stock_use,
                MovementKind.ADJUSTED: stock_adjust,
            }[data["kind"]]
            try:
                service(
                    consumable=data["consumable"],
                    quantity=data["quantity"],
                    reason=data["reason"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The movement was recorded."))
                return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(form=form), status=200)


class CandyDishView(StockPageMixin, TemplateView):
    """Today's two ticks (filled in the morning, locked in the evening) and the last month's checklist."""

    template_name = "operations/consumables/candy.html"
    page_title = gettext_lazy("Candy dish checklist")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        checks = candy_checks_between(today - datetime.timedelta(days=CANDY_HISTORY_DAYS), today)
        context["today"] = today
        context["today_check"] = next((c for c in checks if c.date == today), None)
        context["checks"] = checks
        context["can_tick"] = self.request.user.has_perm("operations.add_candydishcheck")
        context["can_set"] = self.request.user.has_perm("operations.change_desksettings")
        context.setdefault(
            "standard_form",
            CandyStandardForm(initial={"candy_monthly_standard": DeskSettings.load().candy_monthly_standard}),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "standard":
            _require(request, "operations.change_desksettings")
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
        _require(request, "operations.add_candydishcheck")
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


class FirstAidView(StockPageMixin, TemplateView):
    """Record a use of the first-aid kit; the items used leave the stock."""

    template_name = "operations/consumables/first_aid.html"
    page_title = gettext_lazy("First-aid uses")
    view_permissions = ("operations.view_firstaiduse",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "form", FirstAidForm(initial={"used_at": timezone.localtime().replace(second=0, microsecond=0)})
        )
        uses = first_aid_uses_recent(limit=50)
        if not can_see_contact(self.request.user):
            for use in uses:
                use.patient_name = mask_name(use.patient_name) if use.patient_name else ""
        context["uses"] = uses
        context["can_add"] = self.request.user.has_perm("operations.add_firstaiduse")
        return context

    def post(self, request, *args, **kwargs):
        _require(request, "operations.add_firstaiduse")
        form = FirstAidForm(request.POST)
        if form.is_valid():
            items = form.items()
            if form.is_valid():
                data = form.cleaned_data
                try:
                    first_aid_use_record(
                        used_at=data["used_at"],
                        patient_kind=data["patient_kind"],
                        patient_name=data["patient_name"],
                        what_happened=data["what_happened"],
                        called_120=data["called_120"],
                        items=items,
                        acting_user=request.user,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("The first-aid use was recorded."))
                    return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


# --- ModelViewSet views of Consumable (create / edit through the services) --------------------


class ConsumableServiceFormMixin:
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)

    def save_instance(self):
        data = dict(self.form.cleaned_data)
        if self.form.instance.pk:
            return consumable_update(consumable=self.form.instance, acting_user=self.request.user, **data)
        return consumable_create(acting_user=self.request.user, **data)


class ConsumableCreateView(ConsumableServiceFormMixin, CreateView):
    pass


class ConsumableEditView(ConsumableServiceFormMixin, EditView):
    pass


class ConsumableDeleteView(DeleteView):
    def delete_action(self):
        consumable_delete(consumable=self.object, acting_user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return HttpResponseRedirect(self.get_success_url())
