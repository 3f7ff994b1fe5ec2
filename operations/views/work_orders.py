"""Admin views of work orders (``WorkOrderViewSet``): the index (mine / a department's queue /
overdue / due soon are its filters, the export is its own), intake at the desk, the record with its
actions and history, and the staff member's notifications. Every change goes through
``operations.services.work_orders``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, TitleColumn

from operations.history import history_for
from operations.models import DeadlineExtension, Department, Notification, Resident, WorkOrder
from operations.permissions import can_see_contact
from operations.selectors import work_orders as selectors
from operations.services import work_orders as services
from operations.validators import mask_name, mask_phone
from operations.viewsets import (
    OperationsIndexView,
    RecordInspectView,
    ServiceCreateView,
    TotalInOneQueryMixin,
    display_name,
    local_datetime,
)

# Transitions are shown from their own table (from → to, with the note); the audit keeps the rest.


def decorate(work_orders, user, *, now: dt.datetime | None = None):
    """Set what a row shows: contact masked per the user's rights, breach and overdue flags."""
    now = now or timezone.now()
    full = can_see_contact(user)
    for work_order in work_orders:
        work_order.shown_name = work_order.contact_name if full else mask_name(work_order.contact_name)
        work_order.shown_phone = work_order.contact_phone if full else mask_phone(work_order.contact_phone)
        is_open = work_order.status in WorkOrder.OPEN_STATUSES
        work_order.is_overdue = bool(is_open and work_order.deadline and work_order.deadline < now)
        work_order.show_breach = work_order.is_breached or work_order.is_overdue
    return work_orders


class BreachColumn(Column):
    cell_template_name = "operations/work_orders/breach_cell.html"


class WorkOrderIndexView(TotalInOneQueryMixin, OperationsIndexView):
    """Every work order (filtered to mine / a queue / overdue / due soon / a period), one query per
    page; breached rows red on screen and in the export; contacts masked per user."""

    export_filename = "work-orders"
    list_export = [
        "number",
        "created",
        "kind",
        "source",
        "status",
        "unit",
        "contact_name",
        "contact_phone",
        "description",
        "service_item",
        "department",
        "assignee",
        "is_urgent",
        "price",
        "deadline",
        "completed_at",
        "is_breached",
        "satisfaction",
        "result_note",
    ]
    export_headings = {"created": gettext_lazy("created"), "is_urgent": gettext_lazy("urgent")}

    def get_base_queryset(self):
        return selectors.work_orders_for_list()

    def decorate_rows(self, rows):
        return decorate(rows, self.request.user)

    def row_flagged(self, item) -> bool:
        return item.show_breach

    def to_row_dict(self, item):
        decorate([item], self.request.user)  # the export runs over the whole queryset, not a page
        return super().to_row_dict(item) | {
            "created": local_datetime(item.created),
            "kind": item.get_kind_display(),
            "source": item.get_source_display(),
            "status": item.get_status_display(),
            "unit": str(item.unit) if item.unit_id else "",
            "contact_name": item.shown_name,
            "contact_phone": item.shown_phone,
            "service_item": str(item.service_item) if item.service_item_id else "",
            "department": str(item.department) if item.department_id else "",
            "assignee": display_name(item.assignee),
            "is_urgent": _("yes") if item.is_urgent else "",
            "price": float(item.price) if item.price is not None else "",
            "deadline": local_datetime(item.deadline),
            "completed_at": local_datetime(item.completed_at),
            "is_breached": _("yes") if item.show_breach else "",
            "satisfaction": item.satisfaction or "",
        }

    @property
    def columns(self):
        return [
            TitleColumn("number", label=_("number"), url_name=self.inspect_url_name, sort_key="created"),
            Column(
                "summary", label=_("description"), accessor=lambda wo: Truncator(wo.description).chars(30)
            ),
            Column("unit", label=_("unit")),
            Column("shown_name", label=_("contact")),
            Column("shown_phone", label=_("contact phone")),
            Column("department", label=_("department")),
            Column("assignee", label=_("assignee"), accessor=lambda wo: display_name(wo.assignee) or "—"),
            Column("status", label=_("status"), accessor="get_status_display"),
            Column(
                "deadline",
                label=_("committed deadline"),
                accessor=lambda wo: local_datetime(wo.deadline) or "—",
            ),
            BreachColumn("breach", label=_("deadline breached")),
        ]


class WorkOrderCreateView(ServiceCreateView):
    """Front-desk intake: the work order (dispatched at once when an assignee is given) and its photo."""

    page_title = gettext_lazy("New work order")
    template_name = "operations/work_orders/create.html"

    def get_success_message(self, instance):
        return _("Work order %(number)s registered; tracking code %(code)s.") % {
            "number": instance.number,
            "code": instance.tracking_code,
        }

    def save_instance(self):
        data = self.form.cleaned_data
        unit = data["unit"]
        resident = None
        if unit is not None and data["contact_name"]:
            resident = Resident.objects.filter(unit=unit, name=data["contact_name"].strip()).first()
        with transaction.atomic():
            work_order = services.work_order_create(
                acting_user=self.request.user,
                kind=data["kind"],
                source=data["source"],
                unit=unit,
                resident=resident,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                description=data["description"],
                service_item=data["service_item"],
                department=data["department"],
                assignee=data["assignee"],
                is_urgent=data["is_urgent"],
                is_paid=data["is_paid"],
                price=data["price"],
            )
            if data.get("photo"):
                services.work_order_attach(
                    work_order=work_order, acting_user=self.request.user, file=data["photo"]
                )
        return work_order


class WorkOrderInspectView(RecordInspectView):
    template_name = "operations/work_orders/inspect.html"

    def get_record_queryset(self):
        return WorkOrder.objects.select_related(
            "unit__building", "resident", "department", "assignee", "service_item", "created_by"
        )

    def get_page_title(self):
        return _("Work order %(number)s") % {"number": self.object.number}

    def get_page_subtitle(self):
        return ""

    def get_history(self):
        return history_for(self.object)

    def get_context_data(self, **kwargs):
        decorate([self.object], self.request.user)
        context = super().get_context_data(**kwargs)
        context["attachments"] = self.object.attachments.select_related("image", "document")
        return context


def department_queue_redirect(request, department_id: int):
    """The old address of a department's queue (departments' links use it): its filtered index."""
    if not Department.objects.filter(pk=department_id).exists():
        raise Http404
    return redirect(f"{reverse('work_orders:index')}?scope=queue&department={department_id}")


# --- History in words ---------------------------------------------------------------------------


def status_change(changes: dict) -> str:
    """ "待受理 → 已派单" and the note of a status change."""
    labels = dict(WorkOrder.Status.choices)
    status = changes.get("status") or ["", ""]
    before, after = ("", status) if isinstance(status, str) else status
    moved = (
        f"{labels.get(before, before)} → {labels.get(after, after)}" if before else str(labels.get(after, ""))
    )
    return " · ".join(part for part in (moved, changes.get("note", "")) if part)


def describe_callback(changes: dict) -> str:
    score = changes.get("satisfaction")
    rated = _("satisfaction %(score)s of 5") % {"score": score} if score else ""
    return " · ".join(part for part in (status_change(changes), rated) if part)


def describe_dispatch(changes: dict) -> str:
    deadline = parse_datetime(changes["deadline"]) if changes.get("deadline") else None
    parts = [
        status_change(changes),
        changes.get("department"),
        changes.get("assignee"),
        changes.get("service_item"),
    ]
    if deadline:
        parts.append(_("committed deadline %(deadline)s") % {"deadline": local_datetime(deadline)})
    return " · ".join(str(part) for part in parts if part)


def describe_extension(changes: dict) -> str:
    previous, new = (
        parse_datetime(value) if value else None for value in changes.get("deadline", [None, None])
    )
    via = dict(DeadlineExtension.InformedVia.choices).get(changes.get("informed_via"), "")
    moved = f"{local_datetime(previous)} → {local_datetime(new)}" if previous else local_datetime(new)
    return " · ".join(part for part in (moved, changes.get("reason", ""), str(via)) if part)


# --- Notifications ------------------------------------------------------------------------------


def notifications_view(request):
    page = WagtailPaginator(selectors.notifications_for(user=request.user), 30).get_page(request.GET.get("p"))
    title = _("My notifications")
    return render(
        request,
        "operations/work_orders/notifications.html",
        {
            "page": page,
            "unread_count": selectors.notifications_unread_count(user=request.user),
            "page_title": title,
            "header_title": title,
            "header_icon": "mail",
        },
    )


@require_POST
def notification_read_view(request, pk: int | None = None):
    notification = None
    if pk is not None:
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(acting_user=request.user, notification=notification)
    if (
        notification is not None
        and notification.url
        and request.POST.get("open")
        and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()})
    ):
        return HttpResponseRedirect(notification.url)
    return redirect("notifications:index")


# --- Deliveries of notifications (the center head) -------------------------------------------------

DELIVERY_PERMISSION = "operations.view_auditentry"


def deliveries_view(request):
    """Notifications whose e-mail or SMS failed after every retry (or still wait), with 重新发送."""
    from django.core.exceptions import PermissionDenied
    from django.db.models import Q

    from operations.notify import notification_resend

    if not request.user.has_perm(DELIVERY_PERMISSION):
        raise PermissionDenied
    failed = Notification.Delivery.FAILED
    if request.method == "POST":
        if request.POST.get("sms"):
            from operations.models import OutgoingSms
            from operations.sms import sms_resend

            sms_resend(sms=get_object_or_404(OutgoingSms, pk=request.POST.get("sms")))
            messages.success(request, _("Sending the SMS again."))
            return redirect("notifications:deliveries")
        notification = get_object_or_404(Notification, pk=request.POST.get("pk"))
        notification_resend(notification=notification)
        messages.success(request, _("Sending “%(title)s” again.") % {"title": notification.title})
        return redirect("notifications:deliveries")
    pending = Notification.Delivery.PENDING
    rows = (
        Notification.objects.filter(
            Q(email_status=failed) | Q(sms_status=failed) | Q(email_status=pending) | Q(sms_status=pending)
        )
        .select_related("recipient")
        .order_by("-created")[:100]
    )
    from operations.models import OutgoingSms
    from operations.permissions import display_phone

    sms_rows = [
        (sms, display_phone(request.user, sms.phone))
        for sms in OutgoingSms.objects.exclude(status=Notification.Delivery.SENT).order_by("-created")[:100]
    ]
    title = _("Undelivered notifications")
    return render(
        request,
        "operations/work_orders/deliveries.html",
        {
            "rows": rows,
            "sms_rows": sms_rows,
            "page_title": title,
            "header_title": title,
            "header_icon": "warning",
        },
    )
