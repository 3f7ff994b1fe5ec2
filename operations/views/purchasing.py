"""Admin view of the monthly purchase request: draft → edit lines → submit → decision → receive."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from operations.models import (
    Consumable,
    LineReason,
    PurchaseRequest,
    PurchaseRequestLine,
    PurchaseRequestStatus,
)
from operations.selectors.consumables import purchase_request_for_month, purchase_requests_recent
from operations.services.purchasing import (
    SUBMIT_PERMISSION,
    month_start,
    purchase_request_draft,
    purchase_request_line_remove,
    purchase_request_line_set,
    purchase_request_receive,
    purchase_request_submit,
)
from operations.views.consumables import ConsumableChoiceField, StockPageMixin, _require, add_service_errors

EDIT_PERMISSION = "operations.change_purchaserequestline"


class LineForm(forms.Form):
    consumable = ConsumableChoiceField(label=gettext_lazy("Consumable"), queryset=None, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Empty: the consumable's name."),
    )
    item_code = forms.CharField(label=gettext_lazy("Item code"), max_length=40, required=False)
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"), max_digits=10, decimal_places=2, min_value=0.01
    )
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=10, required=False)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=LineReason.choices, initial=LineReason.OTHER
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consumable"].queryset = Consumable.objects.filter(active=True)

    def clean(self):
        data = super().clean()
        if not data.get("consumable") and not data.get("description"):
            self.add_error("description", _("Choose a consumable or describe the item."))
        if not data.get("consumable") and not data.get("unit"):
            self.add_error("unit", _("Give the unit."))
        return data


def parse_month(value: str | None) -> datetime.date:
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return month_start(timezone.localdate())


class PurchaseRequestView(StockPageMixin, TemplateView):
    template_name = "operations/purchasing/request.html"
    page_title = gettext_lazy("Monthly purchase request")
    header_icon = "doc-full"
    view_permissions = ("operations.view_purchaserequest",)

    def get_month(self) -> datetime.date:
        return parse_month(self.request.GET.get("month") or self.request.POST.get("month"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = self.get_month()
        request_ = purchase_request_for_month(month)
        user = self.request.user
        context.update(
            month=month,
            month_value=f"{month:%Y-%m}",
            previous_month=f"{(month - datetime.timedelta(days=1)):%Y-%m}",
            next_month=f"{(month + datetime.timedelta(days=32)).replace(day=1):%Y-%m}",
            purchase_request=request_,
            lines=list(request_.lines.all()) if request_ else [],
            events=list(request_.events.all()) if request_ else [],
            recent=purchase_requests_recent(),
            can_edit=user.has_perm(EDIT_PERMISSION),
            can_submit=user.has_perm(SUBMIT_PERMISSION),
            can_receive=user.has_perm("operations.add_stockmovement"),
            statuses=PurchaseRequestStatus,
        )
        context.setdefault("line_form", LineForm())
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        month = self.get_month()
        redirect = HttpResponseRedirect(f"{request.path}?month={month:%Y-%m}")
        try:
            if action == "draft":
                _require(request, EDIT_PERMISSION)
                purchase_request_draft(month=month, acting_user=request.user)
                messages.success(request, _("The purchase request was drafted."))
            elif action == "submit":
                purchase_request_submit(request=self._request(month), acting_user=request.user)
                messages.success(request, _("The purchase request was sent to head office."))
            elif action == "receive":
                _require(request, "operations.add_stockmovement")
                purchase_request_receive(request=self._request(month), acting_user=request.user)
                messages.success(request, _("The approved items were received into stock."))
            elif action == "remove_line":
                _require(request, EDIT_PERMISSION)
                line = get_object_or_404(
                    PurchaseRequestLine, pk=request.POST.get("line") or 0, request__month=month
                )
                purchase_request_line_remove(line=line, acting_user=request.user)
                messages.success(request, _("The line was removed."))
            elif action == "set_line":
                _require(request, EDIT_PERMISSION)
                return self._set_line(month, redirect)
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect

    def _request(self, month) -> PurchaseRequest:
        return get_object_or_404(PurchaseRequest, month=month)

    def _set_line(self, month, redirect):
        request_ = self._request(month)
        line = None
        if self.request.POST.get("line"):
            line = get_object_or_404(PurchaseRequestLine, pk=self.request.POST["line"], request=request_)
        form = LineForm(self.request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "note"}
            try:
                purchase_request_line_set(request=request_, line=line, acting_user=self.request.user, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(self.request, _("The line was saved."))
                return redirect
        return self.render_to_response(self.get_context_data(line_form=form))
