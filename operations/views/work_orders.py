"""Admin views of work orders: intake form, detail with the timeline and actions, queues, export,
and the staff member's notifications. The list of all work orders is the ModelViewSet in
``operations/wagtail_hooks/work_orders.py``; every change goes through
``operations.services.work_orders``.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, Q, Subquery, Value
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from operations.models import (
    DeadlineExtension,
    Department,
    Notification,
    Resident,
    ServiceItem,
    Unit,
    WorkOrder,
)
from operations.permissions import can_see_contact
from operations.selectors import work_orders as selectors
from operations.services import work_orders as services
from operations.validators import mask_name, mask_phone

PER_PAGE = 50
VIEW_PERMS = ("operations.view_workorder", "operations.change_workorder", "operations.add_workorder")


def _require(request, *perms: str) -> None:
    if not any(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied


def _staff_queryset():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


# --- Forms ---------------------------------------------------------------------------------------


def find_unit(label: str) -> Unit | None:
    """The unit written as 楼栋-单元-房号 (or 楼栋-房号); None when there is no such unit."""
    parts = [part.strip() for part in (label or "").replace("－", "-").split("-") if part.strip()]
    if len(parts) == 2:
        building, entrance, room = parts[0], "", parts[1]
    elif len(parts) == 3:
        building, entrance, room = parts
    else:
        return None
    return (
        Unit.objects.select_related("building")
        .filter(building__name=building, entrance=entrance, room=room)
        .first()
    )


class WorkOrderCreateForm(forms.Form):
    """Front-desk intake (受理)."""

    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=WorkOrder.Kind.choices)
    source = forms.ChoiceField(label=gettext_lazy("source"), choices=WorkOrder.Source.choices)
    unit = forms.CharField(
        label=gettext_lazy("unit"),
        required=False,
        help_text=gettext_lazy("Building-entrance-room, e.g. 3号楼-2单元-1201"),
    )
    contact_name = forms.CharField(label=gettext_lazy("contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("contact phone"), max_length=20, required=False)
    description = forms.CharField(label=gettext_lazy("description"), widget=forms.Textarea(attrs={"rows": 4}))
    service_item = forms.ModelChoiceField(
        label=gettext_lazy("service item"), queryset=ServiceItem.objects.all(), required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("department"), queryset=Department.objects.filter(is_active=True), required=False
    )
    assignee = StaffChoiceField(label=gettext_lazy("assignee"), queryset=_staff_queryset(), required=False)
    is_urgent = forms.BooleanField(label=gettext_lazy("urgent (急事急办)"), required=False)
    is_paid = forms.BooleanField(label=gettext_lazy("paid service"), required=False)
    price = forms.DecimalField(
        label=gettext_lazy("price (yuan)"), required=False, max_digits=10, decimal_places=2, min_value=0
    )
    photo = forms.FileField(label=gettext_lazy("photo or document"), required=False)

    def clean_unit(self):
        label = self.cleaned_data.get("unit", "").strip()
        if not label:
            return None
        unit = find_unit(label)
        if unit is None:
            raise ValidationError(_("There is no unit “%(unit)s”.") % {"unit": label})
        return unit


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("department"), queryset=Department.objects.filter(is_active=True)
    )
    assignee = StaffChoiceField(label=gettext_lazy("assignee"), queryset=_staff_queryset())
    note = forms.CharField(label=gettext_lazy("note"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), required=False)


class CompleteForm(forms.Form):
    result_note = forms.CharField(label=gettext_lazy("result"), widget=forms.Textarea(attrs={"rows": 2}))


class CallbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=gettext_lazy("satisfaction (1–5)"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)]
    )
    comment = forms.CharField(label=gettext_lazy("callback comment"), required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(forms.Form):
    new_deadline = forms.DateTimeField(
        label=gettext_lazy("new deadline"), widget=_datetime_input(), input_formats=DATETIME_FORMATS
    )
    reason = forms.CharField(label=gettext_lazy("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    informed_via = forms.ChoiceField(
        label=gettext_lazy("resident told via"), choices=DeadlineExtension.InformedVia.choices
    )
    informed_at = forms.DateTimeField(
        label=gettext_lazy("resident told at"), widget=_datetime_input(), input_formats=DATETIME_FORMATS
    )


class AttachForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("photo or document"))
    caption = forms.CharField(label=gettext_lazy("caption"), max_length=100, required=False)


class ExportForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("to"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise ValidationError(_("The end date is before the start date."))
        if start and end and (end - start).days > 366:
            raise ValidationError(_("Export at most one year at a time."))
        return cleaned


ACTION_FORMS = {
    "dispatch": DispatchForm,
    "start": NoteForm,
    "complete": CompleteForm,
    "callback": CallbackForm,
    "close": NoteForm,
    "cancel": CancelForm,
    "extend": ExtendForm,
    "attach": AttachForm,
}

ACTION_LABELS = {
    "dispatch": gettext_lazy("Dispatch"),
    "start": gettext_lazy("Start work"),
    "complete": gettext_lazy("Mark completed"),
    "callback": gettext_lazy("Record callback"),
    "close": gettext_lazy("Close"),
    "cancel": gettext_lazy("Cancel work order"),
    "extend": gettext_lazy("Extend deadline"),
    "attach": gettext_lazy("Attach photo or document"),
}


def _run_action(action: str, *, work_order: WorkOrder, user, data: dict):
    if action == "dispatch":
        return services.work_order_dispatch(
            work_order=work_order,
            acting_user=user,
            department=data["department"],
            assignee=data["assignee"],
            note=data.get("note", ""),
        )
    if action == "start":
        return services.work_order_start(work_order=work_order, acting_user=user, note=data.get("note", ""))
    if action == "complete":
        return services.work_order_complete(
            work_order=work_order, acting_user=user, result_note=data["result_note"]
        )
    if action == "callback":
        return services.work_order_callback(
            work_order=work_order,
            acting_user=user,
            satisfaction=data["satisfaction"],
            comment=data.get("comment", ""),
        )
    if action == "close":
        return services.work_order_close(work_order=work_order, acting_user=user, note=data.get("note", ""))
    if action == "cancel":
        return services.work_order_cancel(work_order=work_order, acting_user=user, reason=data["reason"])
    if action == "extend":
        return services.work_order_extend_deadline(
            work_order=work_order,
            acting_user=user,
            new_deadline=data["new_deadline"],
            reason=data["reason"],
            informed_via=data["informed_via"],
            informed_at=data["informed_at"],
        )
    if action == "attach":
        return services.work_order_attach(
            work_order=work_order, acting_user=user, file=data["file"], caption=data.get("caption", "")
        )
    raise ValueError(action)


def _add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Presentation helpers ------------------------------------------------------------------------


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
        work_order.detail_url = reverse("operations_work_order_detail", args=[work_order.pk])
    return work_orders


def paginate_with_total(queryset, number, per_page: int = PER_PAGE) -> Page:
    """One page of ``queryset`` and its total in a single query, not COUNT + SELECT.

    PostgreSQL would join every matching row to its unit, department, assignee… before sorting
    and cutting the page. So the page's ids are chosen in a subquery on the work order table
    alone (top-N sort on its indexes), only those rows are joined, and the total is an
    uncorrelated scalar subquery that runs once (an InitPlan). A page number past the end falls
    back to the last page.
    """
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    bare = queryset.select_related(None)
    total = (
        bare.order_by()
        .annotate(_group=Value(1))
        .values("_group")
        .annotate(_count=Count("pk"))
        .values("_count")
    )

    def fetch(page_number: int) -> list:
        offset = (page_number - 1) * per_page
        page_ids = bare.values("pk")[offset : offset + per_page]
        return list(
            queryset.filter(pk__in=Subquery(page_ids)).annotate(
                total_rows=Subquery(total, output_field=IntegerField())
            )
        )

    rows = fetch(number)
    if rows:
        count = rows[0].total_rows
    else:
        count = queryset.count() if number > 1 else 0
        if count:
            number = (count + per_page - 1) // per_page
            rows = fetch(number)
        else:
            number = 1
    paginator = Paginator(queryset, per_page)
    paginator.__dict__["count"] = count  # a cached_property: no COUNT query
    return Page(rows, number, paginator)


def _listing(
    request, queryset, *, title: str, subtitle: str = "", empty: str = "", extra: dict | None = None
):
    page = paginate_with_total(queryset, request.GET.get("p"))
    decorate(page.object_list, request.user)
    context = {
        "page_title": title,
        "header_title": title,
        "page_subtitle": subtitle,
        "header_icon": "clipboard-list",
        "page": page,
        "work_orders": page.object_list,
        "empty_message": empty or _("No work orders here."),
    }
    context.update(extra or {})
    return render(request, "operations/work_orders/queue.html", context)


# --- Views ---------------------------------------------------------------------------------------


def work_order_create_view(request):
    _require(request, "operations.add_workorder")
    if request.method == "POST":
        form = WorkOrderCreateForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            unit = data["unit"]
            resident = None
            if unit is not None and data["contact_name"]:
                resident = Resident.objects.filter(unit=unit, name=data["contact_name"].strip()).first()
            try:
                with transaction.atomic():
                    work_order = services.work_order_create(
                        acting_user=request.user,
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
                            work_order=work_order, acting_user=request.user, file=data["photo"]
                        )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Work order %(number)s registered; tracking code %(code)s.")
                    % {"number": work_order.number, "code": work_order.tracking_code},
                )
                return redirect("operations_work_order_detail", work_order.pk)
    else:
        form = WorkOrderCreateForm(initial={"source": WorkOrder.Source.FRONT_DESK})
    title = _("New work order")
    return render(
        request,
        "operations/work_orders/create.html",
        {"form": form, "page_title": title, "header_title": title, "header_icon": "clipboard-list"},
    )


def work_order_detail_view(
    request, pk: int, *, action: str = "", bound_form: forms.Form | None = None, status=200
):
    _require(request, *VIEW_PERMS)
    work_order = get_object_or_404(
        WorkOrder.objects.select_related(
            "unit__building", "resident", "department", "assignee", "service_item", "created_by"
        ),
        pk=pk,
    )
    decorate([work_order], request.user)
    can_change = request.user.has_perm("operations.change_workorder")
    forms_by_action = []
    if can_change:
        names = services.allowed_actions(work_order) + ["attach"]
        for name in names:
            if name == action and bound_form is not None:
                form = bound_form
            elif name == "dispatch":
                form = DispatchForm(
                    initial={"department": work_order.department_id, "assignee": work_order.assignee_id}
                )
            else:
                form = ACTION_FORMS[name]()
            forms_by_action.append(
                {
                    "name": name,
                    "label": ACTION_LABELS[name],
                    "form": form,
                    "url": reverse("operations_work_order_action", args=[work_order.pk, name]),
                    "danger": name == "cancel",
                }
            )
    attachments = work_order.attachments.select_related("image", "document")
    title = _("Work order %(number)s") % {"number": work_order.number}
    return render(
        request,
        "operations/work_orders/detail.html",
        {
            "work_order": work_order,
            "timeline": selectors.work_order_timeline(work_order),
            "attachments": attachments,
            "actions": forms_by_action,
            "page_title": title,
            "header_title": title,
            "header_icon": "clipboard-list",
        },
        status=status,
    )


@require_POST
def work_order_action_view(request, pk: int, action: str):
    _require(request, "operations.change_workorder")
    if action not in ACTION_FORMS:
        raise PermissionDenied
    work_order = get_object_or_404(WorkOrder, pk=pk)
    form = ACTION_FORMS[action](request.POST, request.FILES)
    if form.is_valid():
        try:
            _run_action(action, work_order=work_order, user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("%(action)s: done.") % {"action": ACTION_LABELS[action]})
            return redirect("operations_work_order_detail", work_order.pk)
    problems = [str(error) for errors in form.errors.values() for error in errors]
    messages.error(
        request,
        " ".join([_("The work order was not changed: correct the errors below."), *problems]),
    )
    return work_order_detail_view(request, pk, action=action, bound_form=form, status=400)


def department_queue_view(request, department_id: int):
    _require(request, *VIEW_PERMS)
    # The department links and the current department in one query.
    departments = list(Department.objects.filter(Q(is_active=True) | Q(pk=department_id)))
    department = next((d for d in departments if d.pk == department_id), None)
    if department is None:
        raise Http404
    queryset = selectors.work_orders_department_queue(department_id=department.pk)
    return _listing(
        request,
        queryset,
        title=_("%(department)s queue") % {"department": department.name},
        subtitle=_("Open work orders, urgent first, then by deadline"),
        extra={"departments": [d for d in departments if d.is_active], "current_department": department},
    )


def department_queues_view(request):
    """The list of departments with their queues (open / overdue counts)."""
    _require(request, *VIEW_PERMS)
    now = timezone.now()
    departments = Department.objects.filter(is_active=True).annotate(
        open_count=Count("work_orders", filter=Q(work_orders__status__in=WorkOrder.OPEN_STATUSES)),
        overdue_count=Count(
            "work_orders",
            filter=Q(work_orders__status__in=WorkOrder.OPEN_STATUSES, work_orders__deadline__lt=now),
        ),
    )
    title = _("Department queues")
    return render(
        request,
        "operations/work_orders/departments.html",
        {"departments": departments, "page_title": title, "header_title": title, "header_icon": "group"},
    )


def my_work_orders_view(request):
    _require(request, *VIEW_PERMS)
    return _listing(
        request,
        selectors.work_orders_assigned_to(user=request.user),
        title=_("My work orders"),
        subtitle=_("Open work orders assigned to me"),
    )


def overdue_view(request):
    _require(request, *VIEW_PERMS)
    return _listing(
        request,
        selectors.work_orders_overdue(),
        title=_("Overdue work orders"),
        subtitle=_("Open and past the committed deadline"),
        empty=_("No open work order is past its deadline."),
    )


def due_soon_view(request):
    _require(request, *VIEW_PERMS)
    return _listing(
        request,
        selectors.work_orders_due_soon(),
        title=_("Due within 2 hours"),
        subtitle=_("Open work orders whose deadline is less than 2 hours away"),
        empty=_("No open work order is due within 2 hours."),
    )


# --- Export --------------------------------------------------------------------------------------


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def work_orders_workbook(*, user, start: dt.date, end: dt.date) -> bytes:
    """An .xlsx of the work orders created from ``start`` to ``end``, masked like the screen for ``user``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Work orders")[:31]
    headings = [
        _("number"),
        _("created"),
        _("kind"),
        _("source"),
        _("status"),
        _("unit"),
        _("contact"),
        _("contact phone"),
        _("description"),
        _("service item"),
        _("department"),
        _("assignee"),
        _("urgent"),
        _("price (yuan)"),
        _("committed deadline"),
        _("completed at"),
        _("deadline breached"),
        _("satisfaction (1–5)"),
        _("result"),
    ]
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rows = selectors.work_orders_created_between(start=start, end=end)
    now = timezone.now()
    for work_order in rows.iterator(chunk_size=2000):
        decorate([work_order], user, now=now)
        sheet.append(
            [
                work_order.number,
                _local(work_order.created),
                work_order.get_kind_display(),
                work_order.get_source_display(),
                work_order.get_status_display(),
                str(work_order.unit) if work_order.unit_id else "",
                work_order.shown_name,
                work_order.shown_phone,
                work_order.description,
                str(work_order.service_item) if work_order.service_item_id else "",
                str(work_order.department) if work_order.department_id else "",
                (work_order.assignee.get_full_name() or work_order.assignee.get_username())
                if work_order.assignee_id
                else "",
                _("yes") if work_order.is_urgent else "",
                float(work_order.price) if work_order.price is not None else "",
                _local(work_order.deadline),
                _local(work_order.completed_at),
                _("yes") if work_order.show_breach else "",
                work_order.satisfaction or "",
                work_order.result_note,
            ]
        )
    for column, width in zip("ABCDEFGHIJKLMNOPQRS", (16, 17, 10, 12, 8, 18, 10, 15, 40), strict=False):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_view(request):
    _require(request, *VIEW_PERMS)
    today = timezone.localdate()
    if "start" in request.GET or "end" in request.GET:
        form = ExportForm(request.GET)
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            content = work_orders_workbook(user=request.user, start=start, end=end)
            response = HttpResponse(
                content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="work-orders-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
            )
            return response
    else:
        form = ExportForm(initial={"start": today - dt.timedelta(days=30), "end": today})
    title = _("Export work orders")
    return render(
        request,
        "operations/work_orders/export.html",
        {"form": form, "page_title": title, "header_title": title, "header_icon": "download"},
    )


# --- Notifications -------------------------------------------------------------------------------


def notifications_view(request):
    paginator = Paginator(selectors.notifications_for(user=request.user), 30)
    page = paginator.get_page(request.GET.get("p"))
    title = _("My notifications")
    return render(
        request,
        "operations/work_orders/notifications.html",
        {
            "page": page,
            "notifications": page.object_list,
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
    return redirect("operations_notifications")
