"""Admin views of the first-inquiry register: the index (mine / open / overdue are its filters, the
export is its own), recording an inquiry, and the record with its actions (``InquiryViewSet``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.ui.tables import Column, TitleColumn

from operations.forms.inquiries import OUTCOME_ANSWERED, OUTCOME_HAND_OVER
from operations.models import Inquiry
from operations.permissions import display_phone
from operations.selectors.inquiries import inquiries_listing, inquiry_history
from operations.services.inquiries import inquiry_hand_over, inquiry_record
from operations.viewsets import (
    OperationsIndexView,
    RecordInspectView,
    ServiceCreateView,
    display_name,
    local_datetime,
)


def _handed_to(inquiry: Inquiry) -> str:
    parts = [
        display_name(inquiry.handed_to_user),
        inquiry.handed_to_department.name if inquiry.handed_to_department_id else "",
    ]
    return " ".join(part for part in parts if part)


class InquiryIndexView(OperationsIndexView):
    """Every inquiry (filtered to mine / open / overdue / a period); overdue rows in red, here and
    in the export; phones masked unless the user may see contacts."""

    export_filename = "inquiries"
    list_export = [
        "number",
        "created",
        "visitor_name",
        "visitor_phone",
        "unit",
        "channel",
        "matter",
        "service_item",
        "first_responder",
        "status",
        "handed_to_user",
        "handed_to_department",
        "handed_over_at",
        "handover_contact",
        "due_at",
        "completed_at",
        "resolution",
        "is_overdue",
    ]
    export_headings = {
        "number": gettext_lazy("Number"),
        "created": gettext_lazy("Recorded at"),
        "visitor_name": gettext_lazy("Visitor"),
        "visitor_phone": gettext_lazy("Phone"),
        "unit": gettext_lazy("Unit"),
        "channel": gettext_lazy("Channel"),
        "matter": gettext_lazy("Matter"),
        "service_item": gettext_lazy("Service item"),
        "first_responder": gettext_lazy("First responder"),
        "status": gettext_lazy("Status"),
        "handed_to_user": gettext_lazy("Handed to (colleague)"),
        "handed_to_department": gettext_lazy("Handed to (department)"),
        "handed_over_at": gettext_lazy("Handed over at"),
        "handover_contact": gettext_lazy("Handover contact"),
        "due_at": gettext_lazy("Due"),
        "completed_at": gettext_lazy("Completed at"),
        "resolution": gettext_lazy("Resolution"),
        "is_overdue": gettext_lazy("Past the time limit"),
    }

    def get_base_queryset(self):
        return inquiries_listing(now=timezone.now())

    def row_flagged(self, item) -> bool:
        return bool(item.is_overdue)

    def to_row_dict(self, item):
        return super().to_row_dict(item) | {
            "created": local_datetime(item.created),
            "visitor_phone": display_phone(self.request.user, item.visitor_phone),
            "unit": str(item.unit) if item.unit_id else "",
            "channel": item.get_channel_display(),
            "service_item": item.service_item.name if item.service_item_id else "",
            "first_responder": display_name(item.first_responder),
            "status": item.get_status_display(),
            "handed_to_user": display_name(item.handed_to_user),
            "handed_to_department": item.handed_to_department.name if item.handed_to_department_id else "",
            "handed_over_at": local_datetime(item.handed_over_at),
            "due_at": local_datetime(item.due_at),
            "completed_at": local_datetime(item.completed_at),
            "is_overdue": _("Yes") if item.is_overdue else "",
        }

    @property
    def columns(self):
        return [
            TitleColumn(
                "number",
                label=_("Number"),
                url_name=self.inspect_url_name,
                sort_key="created",
            ),
            Column("visitor_name", label=_("Visitor")),
            Column(
                "visitor_phone",
                label=_("Phone"),
                accessor=lambda i: display_phone(self.request.user, i.visitor_phone) or "—",
            ),
            Column("unit", label=_("Unit")),
            Column("channel", label=_("Channel"), accessor="get_channel_display"),
            Column("matter", label=_("Matter"), accessor=lambda i: i.matter[:40]),
            Column("service_item", label=_("Service item")),
            Column(
                "first_responder",
                label=_("First responder"),
                accessor=lambda i: display_name(i.first_responder),
            ),
            Column(
                "status",
                label=_("Status"),
                accessor=lambda i: (
                    i.get_status_display()
                    + (f" → {_handed_to(i)}" if i.status == Inquiry.Status.HANDED_OVER else "")
                ),
            ),
            Column(
                "due_at",
                label=_("Due"),
                sort_key="due_at",
                accessor=lambda i: local_datetime(i.due_at) + (f" {_('Overdue')}" if i.is_overdue else ""),
            ),
        ]


class InquiryCreateView(ServiceCreateView):
    page_title = gettext_lazy("Record an inquiry")

    def get_success_message(self, instance):
        return _("Inquiry %(number)s recorded.") % {"number": instance.number}

    def save_instance(self):
        data = self.form.cleaned_data
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
                acting_user=self.request.user,
            )
            if data["outcome"] == OUTCOME_HAND_OVER:
                inquiry_hand_over(
                    inquiry=inquiry,
                    to_user=data["to_user"],
                    to_department=data["to_department"],
                    contact=data["contact"],
                    acting_user=self.request.user,
                )
        return inquiry


class InquiryInspectView(RecordInspectView):
    template_name = "operations/inquiries/inspect.html"

    def get_record_queryset(self):
        return inquiries_listing(now=timezone.now())

    def get_page_subtitle(self):
        return self.object.number

    def get_history(self):
        return inquiry_history(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phone"] = display_phone(self.request.user, self.object.visitor_phone)
        return context
