"""Admin views of complaints (``ComplaintViewSet``): the index (open / overdue / mine are its filters,
the export is its own), intake at the desk, the record with its actions, and the printable reply letter.

The complainant is confidential: every screen, the export and the letter show them through
``operations.permissions.display_complainant`` (in full to the center head and the assigned handler).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from operations.models import Complaint
from operations.permissions import can_see_complainant, display_complainant
from operations.selectors.complaints import complaints_list
from operations.services.complaints import complaint_create, complaint_subject_display
from operations.viewsets import (
    OperationsIndexView,
    RecordInspectView,
    ServiceCreateView,
    display_name,
    local_datetime,
)
from portal.selectors import submission_for_current_center


def _yes_no(value) -> str:
    return _("Yes") if value else _("No")


class ComplainantColumn(Column):
    """The complainant's name or phone (``part`` 0 or 1), masked as ``display_complainant`` says."""

    def __init__(self, name, part: int, **kwargs):
        super().__init__(name, **kwargs)
        self.part = part

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        value = display_complainant(parent_context["request"].user, instance)[self.part]
        context["value"] = context["raw_value"] = value or self.empty_value_display
        return context


class ComplaintIndexView(OperationsIndexView):
    """Every complaint (filtered to open / overdue / mine / a period); overdue rows in red, here and
    in the export; the complainant masked as on the record's page."""

    add_item_label = gettext_lazy("Record a complaint or suggestion")
    export_filename = "complaints"
    list_export = [
        "number",
        "created",
        "kind",
        "channel",
        "is_major",
        "complainant_name",
        "complainant_phone",
        "unit",
        "subject_text",
        "content",
        "handler",
        "status",
        "reply_due",
        "is_overdue",
        "reply_method",
        "replied_at",
        "closed_at",
        "report_to_head_office",
    ]
    export_headings = {
        "number": gettext_lazy("number"),
        "created": gettext_lazy("received"),
        "kind": gettext_lazy("kind"),
        "channel": gettext_lazy("channel"),
        "is_major": gettext_lazy("major complaint"),
        "complainant_name": gettext_lazy("complainant"),
        "complainant_phone": gettext_lazy("complainant phone"),
        "unit": gettext_lazy("unit"),
        "subject_text": gettext_lazy("about"),
        "content": gettext_lazy("complaint"),
        "handler": gettext_lazy("handler"),
        "status": gettext_lazy("status"),
        "reply_due": gettext_lazy("reply due"),
        "is_overdue": gettext_lazy("overdue"),
        "reply_method": gettext_lazy("reply"),
        "replied_at": gettext_lazy("replied at"),
        "closed_at": gettext_lazy("closed at"),
        "report_to_head_office": gettext_lazy("report to head office"),
    }

    def get_base_queryset(self):
        return complaints_list()

    def row_flagged(self, item) -> bool:
        return bool(item.is_overdue)

    def to_row_dict(self, item):
        name, phone = display_complainant(self.request.user, item)
        return super().to_row_dict(item) | {
            "created": local_datetime(item.created),
            "kind": item.get_kind_display(),
            "channel": item.get_channel_display(),
            "is_major": _yes_no(item.is_major),
            "complainant_name": name,
            "complainant_phone": phone,
            "unit": str(item.unit) if item.unit_id else "",
            "subject_text": complaint_subject_display(item),
            "handler": display_name(item.handler),
            "status": item.get_status_display(),
            "reply_due": item.reply_due.isoformat() if item.reply_due else "",
            "is_overdue": _yes_no(item.is_overdue),
            "reply_method": item.get_reply_method_display(),
            "replied_at": local_datetime(item.replied_at),
            "closed_at": local_datetime(item.closed_at),
            "report_to_head_office": _yes_no(item.report_to_head_office),
        }

    @property
    def columns(self):
        return [
            TitleColumn("number", label=_("number"), url_name=self.inspect_url_name, sort_key="number"),
            Column("kind", label=_("kind"), accessor="get_kind_display"),
            Column("channel", label=_("channel"), accessor="get_channel_display"),
            BooleanColumn("is_major", label=_("major complaint")),
            ComplainantColumn("complainant", part=0, label=_("complainant")),
            ComplainantColumn("complainant_phone", part=1, label=_("complainant phone")),
            Column("subject_department", label=_("department concerned")),
            Column("handler", label=_("handler"), accessor=lambda c: display_name(c.handler)),
            Column("status", label=_("status"), accessor="get_status_display"),
            Column(
                "reply_due",
                label=_("reply due"),
                sort_key="reply_due",
                accessor=lambda c: (
                    (c.reply_due.isoformat() if c.reply_due else "")
                    + (f" {_('Overdue')}" if c.is_overdue else "")
                ),
            ),
            Column(
                "created",
                label=_("received"),
                sort_key="created",
                accessor=lambda c: local_datetime(c.created),
            ),
        ]


class ComplaintCreateView(ServiceCreateView):
    """Intake at the desk through ``complaint_create``; only staff who may change complaints pick a handler."""

    template_name = "operations/complaints/create.html"
    page_title = gettext_lazy("Record a complaint or suggestion")

    def get_success_message(self, instance):
        return _("Complaint %(number)s recorded.") % {"number": instance.number}

    def save_instance(self):
        data = dict(self.form.cleaned_data)
        handler = data.pop("handler")
        if handler is not None and not self.user_has_permission("change"):
            raise ValidationError(
                {"handler": _("Only staff who may change complaints can assign a handler.")}
            )
        return complaint_create(acting_user=self.request.user, handler=handler, **data)


class ComplaintInspectView(RecordInspectView):
    """The complaint, its history in words and the actions the user may take now."""

    template_name = "operations/complaints/inspect.html"
    page_title = gettext_lazy("Complaint")

    def get_record_queryset(self):
        return complaints_list().select_related("written_document")

    def get_page_subtitle(self):
        return self.object.number

    def get_fields_context(self):
        # The record block is our own: Wagtail's field list would put the complainant, unmasked,
        # into the context and cost a query per related field.
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        complaint = self.object
        name, phone = display_complainant(self.request.user, complaint)
        context.update(
            complainant_name=name,
            complainant_phone=phone,
            complainant_visible=can_see_complainant(self.request.user, complaint),
            subject=complaint_subject_display(complaint),
            has_letter=complaint.reply_method == Complaint.ReplyMethod.WRITTEN and bool(complaint.reply_text),
            head_office=(
                submission_for_current_center(kind="major_complaint", reference=complaint.pk)
                if complaint.report_to_head_office
                else None
            ),
        )
        return context


class ComplaintReplyLetterView(PermissionCheckedMixin, TemplateView):
    """The written reply as an A4 letter (投诉答复函), ready to print; the complainant as on screen."""

    model = Complaint
    permission_required = "view"
    template_name = "operations/complaints/reply_letter.html"

    def get(self, request, pk):
        complaint = get_object_or_404(complaints_list(), pk=pk)
        if complaint.reply_method != Complaint.ReplyMethod.WRITTEN or not complaint.reply_text:
            messages.error(request, _("This complaint has no written reply yet."))
            return redirect("complaints:inspect", pk)
        name, _phone = display_complainant(request.user, complaint)
        return self.render_to_response(
            {
                "complaint": complaint,
                "complainant_name": name,
                "replied_on": timezone.localtime(complaint.replied_at).date(),
            }
        )
