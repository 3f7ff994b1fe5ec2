"""The monthly purchase request (a custom screen): draft → edit lines → submit → decision → receive.

Each button posts ``action``; ``ACTIONS`` says which permission it needs and which service it runs,
a refusal is shown as a message and writes nothing, a refused line keeps its form with the errors.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from operations.forms.base import add_service_errors
from operations.forms.consumables import LineForm
from operations.models import PurchaseRequest, PurchaseRequestLine, PurchaseRequestStatus
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
from operations.viewsets import AdminScreen, perms_required

EDIT_PERMISSION = "operations.change_purchaserequestline"
RECEIVE_PERMISSION = "operations.add_stockmovement"


def parse_month(value: str | None) -> datetime.date:
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return month_start(timezone.localdate())


class PurchaseRequestView(AdminScreen, TemplateView):
    template_name = "operations/purchasing/request.html"
    page_title = gettext_lazy("Monthly purchase request")
    header_icon = "doc-full"

    # action: (permission, run(view, month, user), success message). Submitting is the service's
    # call (only the center head), so its refusal reads as the service's message.
    ACTIONS = {
        "draft": (
            EDIT_PERMISSION,
            lambda view, month, user: purchase_request_draft(month=month, acting_user=user),
            gettext_lazy("The purchase request was drafted."),
        ),
        "submit": (
            None,
            lambda view, month, user: purchase_request_submit(
                request=view.month_request(month), acting_user=user
            ),
            gettext_lazy("The purchase request was sent to head office."),
        ),
        "receive": (
            RECEIVE_PERMISSION,
            lambda view, month, user: purchase_request_receive(
                request=view.month_request(month), acting_user=user
            ),
            gettext_lazy("The approved items were received into stock."),
        ),
        "remove_line": (
            EDIT_PERMISSION,
            lambda view, month, user: purchase_request_line_remove(
                line=view.posted_line(month), acting_user=user
            ),
            gettext_lazy("The line was removed."),
        ),
    }

    def dispatch(self, request, *args, **kwargs):
        perms_required(request.user, "operations.view_purchaserequest")
        return super().dispatch(request, *args, **kwargs)

    def get_month(self) -> datetime.date:
        return parse_month(self.request.GET.get("month") or self.request.POST.get("month"))

    def month_request(self, month) -> PurchaseRequest:
        return get_object_or_404(PurchaseRequest, month=month)

    def posted_line(self, month) -> PurchaseRequestLine:
        return get_object_or_404(
            PurchaseRequestLine, pk=self.request.POST.get("line") or 0, request__month=month
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = self.get_month()
        request_ = purchase_request_for_month(month)
        user = self.request.user
        context.setdefault("line_form", LineForm())
        return context | {
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "previous_month": f"{(month - datetime.timedelta(days=1)):%Y-%m}",
            "next_month": f"{(month + datetime.timedelta(days=32)).replace(day=1):%Y-%m}",
            "purchase_request": request_,
            "lines": list(request_.lines.all()) if request_ else [],
            "events": list(request_.events.all()) if request_ else [],
            "recent": purchase_requests_recent(),
            "can_edit": user.has_perm(EDIT_PERMISSION),
            "can_submit": user.has_perm(SUBMIT_PERMISSION),
            "can_receive": user.has_perm(RECEIVE_PERMISSION),
            "statuses": PurchaseRequestStatus,
        }

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        month = self.get_month()
        back = HttpResponseRedirect(f"{request.path}?month={month:%Y-%m}")
        if action == "set_line":
            perms_required(request.user, EDIT_PERMISSION)
            return self.set_line(month, back)
        if action not in self.ACTIONS:
            messages.error(request, _("Unknown action."))
            return back
        permission, run, success = self.ACTIONS[action]
        if permission:
            perms_required(request.user, permission)
        try:
            run(self, month, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, success)
        return back

    def set_line(self, month, back):
        request_ = self.month_request(month)
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
                return back
        return self.render_to_response(self.get_context_data(line_form=form))
