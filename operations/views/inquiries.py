"""Admin views of the first-inquiry register: record, my inquiries, open/overdue, detail, export."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from operations.models import Department, Inquiry, ServiceItem
from operations.permissions import display_phone
from operations.selectors.guide import unit_find
from operations.selectors.inquiries import (
    inquiries_in_range,
    inquiries_listing,
    inquiries_mine,
    inquiries_open,
    inquiries_overdue,
    inquiry_history,
    staff_for_handover,
)
from operations.services.inquiries import (
    inquiry_complete,
    inquiry_follow_up,
    inquiry_hand_over,
    inquiry_record,
)
from operations.views.guide import add_service_errors

OUTCOME_ANSWERED = "answered"
OUTCOME_HANDLING = "handling"
OUTCOME_HAND_OVER = "hand_over"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class HandOverFields(forms.Form):
    to_user = StaffChoiceField(label=gettext_lazy("Colleague"), queryset=None, required=False)
    to_department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.filter(is_active=True), required=False
    )
    contact = forms.CharField(
        label=gettext_lazy("Contact"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "How the visitor and the colleague reach each other, and when it will be handled."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = staff_for_handover()


class InquiryForm(HandOverFields):
    """首问登记: the visitor, the matter, and how the first responder dealt with it."""

    visitor_name = forms.CharField(label=gettext_lazy("Visitor"), max_length=50)
    visitor_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Building-entrance-room, e.g. 3号楼-2单元-1201; leave blank if none."),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=Inquiry.Channel.choices, initial=Inquiry.Channel.WALK_IN
    )
    matter = forms.CharField(label=gettext_lazy("Matter"), widget=forms.Textarea(attrs={"rows": 3}))
    service_item = forms.ModelChoiceField(
        label=gettext_lazy("Service item"),
        queryset=ServiceItem.objects.filter(is_published=True).order_by("sort_order", "name"),
        required=False,
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[
            (OUTCOME_ANSWERED, gettext_lazy("Answered on the spot")),
            (OUTCOME_HANDLING, gettext_lazy("I handle it myself")),
            (OUTCOME_HAND_OVER, gettext_lazy("Hand over to a colleague or department")),
        ],
        initial=OUTCOME_ANSWERED,
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label=gettext_lazy("Answer given"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = [
        "visitor_name",
        "visitor_phone",
        "unit",
        "channel",
        "matter",
        "service_item",
        "outcome",
        "resolution",
        "to_user",
        "to_department",
        "contact",
    ]

    def clean_unit(self):
        label = self.cleaned_data["unit"].strip()
        if not label:
            return None
        unit = unit_find(label)
        if unit is None:
            raise ValidationError(_("Unknown unit: choose an existing building, entrance and room."))
        return unit


class FollowUpForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Follow-up"), widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    resolution = forms.CharField(label=gettext_lazy("Resolution"), widget=forms.Textarea(attrs={"rows": 2}))


class HandOverForm(HandOverFields):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)


TABS = {
    "mine": gettext_lazy("My inquiries"),
    "open": gettext_lazy("All open"),
    "overdue": gettext_lazy("Overdue"),
    "all": gettext_lazy("All"),
}


@permission_required("operations.view_inquiry", raise_exception=True)
def inquiry_list(request):
    """我的首问 (default), all open, overdue, or all; overdue rows are flagged."""
    tab = request.GET.get("tab", "mine")
    if tab not in TABS:
        tab = "mine"
    now = timezone.now()
    qs = {
        "mine": lambda: inquiries_mine(user=request.user, now=now),
        "open": lambda: inquiries_open(now=now),
        "overdue": lambda: inquiries_overdue(now=now),
        "all": lambda: inquiries_listing(now=now),
    }[tab]()
    page = Paginator(qs, 30).get_page(request.GET.get("p"))
    rows = [{"inquiry": i, "phone": display_phone(request.user, i.visitor_phone)} for i in page.object_list]
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "operations/inquiries/list.html",
        {
            "page_title": _("First-inquiry register"),
            "tab": tab,
            "tabs": TABS.items(),
            "page": page,
            "rows": rows,
            "export_start": today - dt.timedelta(days=6),
            "export_end": today,
        },
    )


@permission_required("operations.add_inquiry", raise_exception=True)
def inquiry_create(request):
    form = InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                inquiry = inquiry_record(
                    visitor_name=data["visitor_name"],
                    visitor_phone=data["visitor_phone"],
                    unit_id=data["unit"].pk if data["unit"] else None,
                    channel=data["channel"],
                    matter=data["matter"],
                    service_item=data["service_item"],
                    answered_on_spot=data["outcome"] == OUTCOME_ANSWERED,
                    resolution=data["resolution"],
                    acting_user=request.user,
                )
                if data["outcome"] == OUTCOME_HAND_OVER:
                    inquiry_hand_over(
                        inquiry=inquiry,
                        to_user=data["to_user"],
                        to_department=data["to_department"],
                        contact=data["contact"],
                        acting_user=request.user,
                    )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Inquiry %(number)s recorded.") % {"number": inquiry.number})
            return redirect("operations_inquiries:detail", pk=inquiry.pk)
    return TemplateResponse(
        request, "operations/inquiries/form.html", {"form": form, "page_title": _("Record an inquiry")}
    )


def _inquiry_or_404(pk: int) -> Inquiry:
    return get_object_or_404(inquiries_listing(), pk=pk)


@permission_required("operations.view_inquiry", raise_exception=True)
def inquiry_detail(request, pk: int, forms_with_errors: dict | None = None):
    inquiry = _inquiry_or_404(pk)
    can_change = request.user.has_perm("operations.change_inquiry") and inquiry.completed_at is None
    context = {
        "page_title": _("Inquiry %(number)s") % {"number": inquiry.number},
        "inquiry": inquiry,
        "phone": display_phone(request.user, inquiry.visitor_phone),
        "history": inquiry_history(inquiry),
        "can_change": can_change,
        "follow_up_form": FollowUpForm(),
        "hand_over_form": HandOverForm(),
        "complete_form": CompleteForm(),
    }
    context.update(forms_with_errors or {})
    context["action_errors"] = [
        message
        for form in (forms_with_errors or {}).values()
        for errors in form.errors.values()
        for message in errors
    ]
    return TemplateResponse(request, "operations/inquiries/detail.html", context)


def _action(request, pk: int, form_class, form_name: str, run):
    inquiry = _inquiry_or_404(pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(inquiry, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("operations_inquiries:detail", pk=pk)
    response = inquiry_detail(request, pk=pk, forms_with_errors={form_name: form})
    response.status_code = 400
    return response


@require_POST
@permission_required("operations.change_inquiry", raise_exception=True)
def inquiry_hand_over_view(request, pk: int):
    return _action(
        request,
        pk,
        HandOverForm,
        "hand_over_form",
        lambda inquiry, data: inquiry_hand_over(
            inquiry=inquiry,
            to_user=data["to_user"],
            to_department=data["to_department"],
            contact=data["contact"],
            note=data["note"],
            acting_user=request.user,
        ),
    )


@require_POST
@permission_required("operations.change_inquiry", raise_exception=True)
def inquiry_follow_up_view(request, pk: int):
    return _action(
        request,
        pk,
        FollowUpForm,
        "follow_up_form",
        lambda inquiry, data: inquiry_follow_up(inquiry=inquiry, note=data["note"], acting_user=request.user),
    )


@require_POST
@permission_required("operations.change_inquiry", raise_exception=True)
def inquiry_complete_view(request, pk: int):
    return _action(
        request,
        pk,
        CompleteForm,
        "complete_form",
        lambda inquiry, data: inquiry_complete(
            inquiry=inquiry, resolution=data["resolution"], acting_user=request.user
        ),
    )


class ExportForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"))
    end = forms.DateField(label=gettext_lazy("To"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["start"] > data["end"]:
                raise ValidationError(_("The start date must not be after the end date."))
            if (data["end"] - data["start"]).days > 366:
                raise ValidationError(_("Export at most one year at a time."))
        return data


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@permission_required("operations.view_inquiry", raise_exception=True)
def inquiry_export(request):
    """Inquiries recorded in a date range as .xlsx; phones masked unless the user may see contacts."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("operations_inquiries:list")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Inquiries")
    headers = [
        _("Number"),
        _("Recorded at"),
        _("Visitor"),
        _("Phone"),
        _("Unit"),
        _("Channel"),
        _("Matter"),
        _("Service item"),
        _("First responder"),
        _("Status"),
        _("Handed to (colleague)"),
        _("Handed to (department)"),
        _("Handed over at"),
        _("Handover contact"),
        _("Due"),
        _("Completed at"),
        _("Resolution"),
        _("Past the time limit"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="FFC7CE")
    for inquiry in inquiries_in_range(start=start, end=end).iterator(chunk_size=2000):
        sheet.append(
            [
                inquiry.number,
                _local(inquiry.created),
                inquiry.visitor_name,
                display_phone(request.user, inquiry.visitor_phone),
                str(inquiry.unit) if inquiry.unit_id else "",
                inquiry.get_channel_display(),
                inquiry.matter,
                inquiry.service_item.name if inquiry.service_item_id else "",
                _name(inquiry.first_responder),
                inquiry.get_status_display(),
                _name(inquiry.handed_to_user),
                inquiry.handed_to_department.name if inquiry.handed_to_department_id else "",
                _local(inquiry.handed_over_at),
                inquiry.handover_contact,
                _local(inquiry.due_at),
                _local(inquiry.completed_at),
                inquiry.resolution,
                _("Yes") if inquiry.is_overdue else "",
            ]
        )
        if inquiry.is_overdue:
            for cell in sheet[sheet.max_row]:
                cell.fill = red
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="inquiries-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    return response
