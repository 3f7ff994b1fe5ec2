"""Admin views of complaints: intake form, detail with actions, printable reply letter, Excel export.

Every change goes through ``operations.services.complaints``; the complainant is shown only
to the center head and the assigned handler (``operations.permissions.display_complainant``).
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput

from openpyxl import Workbook
from openpyxl.styles import Font

from operations.models import AuditEntry, Complaint, Department, ServiceItem, Unit
from operations.permissions import can_see_complainant, display_complainant
from operations.selectors.complaints import complaint_is_overdue, complaints_in_period, complaints_list
from operations.services import complaints as services
from operations.services.complaints import complaint_requires_written_reply, complaint_subject_display

User = get_user_model()

VIEW = "operations.view_complaint"
ADD = "operations.add_complaint"
CHANGE = "operations.change_complaint"
MAX_EXPORT_DAYS = 366


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def _staff():
    return User.objects.filter(is_active=True).order_by("username")


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, ValidationError(errors))
    else:
        form.add_error(None, error)


class ComplaintForm(forms.Form):
    """Intake of a complaint or suggestion at the desk."""

    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=Complaint.Kind.choices)
    channel = forms.ChoiceField(label=gettext_lazy("channel"), choices=Complaint.Channel.choices)
    is_major = forms.BooleanField(
        label=gettext_lazy("major complaint"),
        required=False,
        help_text=gettext_lazy("A major complaint must be in writing; it is reported to head office."),
    )
    complainant_name = forms.CharField(label=gettext_lazy("complainant"), max_length=50, required=False)
    complainant_phone = forms.CharField(
        label=gettext_lazy("complainant phone"), max_length=20, required=False
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("unit"), queryset=Unit.objects.select_related("building"), required=False
    )
    subject_kind = forms.ChoiceField(label=gettext_lazy("about"), choices=Complaint.SubjectKind.choices)
    subject_staff = StaffChoiceField(
        label=gettext_lazy("staff member concerned"), queryset=User.objects.none(), required=False
    )
    subject_department = forms.ModelChoiceField(
        label=gettext_lazy("department concerned"), queryset=Department.objects.all(), required=False
    )
    subject_service_item = forms.ModelChoiceField(
        label=gettext_lazy("service concerned"), queryset=ServiceItem.objects.all(), required=False
    )
    subject_text = forms.CharField(label=gettext_lazy("about (details)"), max_length=200, required=False)
    content = forms.CharField(
        label=gettext_lazy("complaint"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,  # the service refuses an empty complaint with its own message
    )
    written_scan = forms.FileField(label=gettext_lazy("written complaint (scan)"), required=False)
    reply_due = forms.DateField(
        label=gettext_lazy("reply due"),
        required=False,
        widget=AdminDateInput,
        help_text=gettext_lazy("Leave empty for three working days from today."),
    )
    handler = StaffChoiceField(label=gettext_lazy("handler"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_staff"].queryset = _staff()
        self.fields["handler"].queryset = _staff()


class AssignForm(forms.Form):
    handler = StaffChoiceField(label=gettext_lazy("handler"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = _staff()


class InvestigateForm(forms.Form):
    investigation_notes = forms.CharField(
        label=gettext_lazy("investigation notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    finding = forms.CharField(
        label=gettext_lazy("finding"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    action_taken = forms.CharField(
        label=gettext_lazy("action taken"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReplyForm(forms.Form):
    reply_method = forms.ChoiceField(label=gettext_lazy("reply"), choices=Complaint.ReplyMethod.choices)
    reply_text = forms.CharField(
        label=gettext_lazy("reply text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=gettext_lazy(
            "The reply letter, or for an oral reply a note of what the complainant was told."
        ),
    )


class HeadOfficeForm(forms.Form):
    head_office_report = forms.CharField(
        label=gettext_lazy("report to head office (text)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )


class CloseForm(forms.Form):
    pass


class ExportForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("from"), widget=AdminDateInput)
    end = forms.DateField(label=gettext_lazy("until"), widget=AdminDateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError(_("The end of the period is before its start."))
            if (end - start).days > MAX_EXPORT_DAYS:
                raise ValidationError(_("Export at most one year at a time."))
        return data


class _PermissionMixin:
    permission_required = VIEW

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("complaints:index"), "label": _("Complaints and suggestions")},
        *items,
    ]


class ComplaintCreateView(_PermissionMixin, WagtailAdminTemplateMixin, FormView):
    permission_required = ADD
    template_name = "operations/complaints/create.html"
    form_class = ComplaintForm
    header_icon = "warning"

    def get_page_title(self):
        return _("Record a complaint or suggestion")

    def get_breadcrumbs_items(self):
        return _breadcrumbs({"url": "", "label": self.get_page_title()})

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET":
            kwargs["initial"] = {
                "kind": Complaint.Kind.COMPLAINT,
                "subject_kind": Complaint.SubjectKind.OTHER,
            }
        return kwargs

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        handler = data.pop("handler")
        if handler is not None and not self.request.user.has_perm(CHANGE):
            form.add_error("handler", _("Only staff who may change complaints can assign a handler."))
            return self.form_invalid(form)
        try:
            complaint = services.complaint_create(acting_user=self.request.user, handler=handler, **data)
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Complaint %(number)s recorded.") % {"number": complaint.number})
        return redirect("operations_complaints:detail", pk=complaint.pk)


class ComplaintDetailView(_PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """The complaint, its history and the actions the current user may take."""

    template_name = "operations/complaints/detail.html"
    header_icon = "warning"
    actions = {
        "assign": AssignForm,
        "investigate": InvestigateForm,
        "reply": ReplyForm,
        "close": CloseForm,
        "head_office": HeadOfficeForm,
    }

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.complaint = get_object_or_404(complaints_list(), pk=kwargs["pk"])

    def get_page_title(self):
        return _("Complaint %(number)s") % {"number": self.complaint.number}

    def get_breadcrumbs_items(self):
        return _breadcrumbs({"url": "", "label": self.complaint.number})

    def allowed_actions(self) -> set[str]:
        user, complaint = self.request.user, self.complaint
        manager = user.has_perm(CHANGE)
        handler = bool(complaint.handler_id and complaint.handler_id == user.pk)
        allowed = set()
        if complaint.status == Complaint.Status.CLOSED:
            return allowed
        if manager:
            allowed |= {"assign", "head_office"}
        if manager or handler:
            allowed |= {"investigate", "reply"}
            if complaint.status == Complaint.Status.REPLIED:
                allowed.add("close")
        return allowed

    def initial_forms(self) -> dict[str, forms.Form]:
        c = self.complaint
        return {
            "assign": AssignForm(initial={"handler": c.handler_id}, prefix="assign"),
            "investigate": InvestigateForm(
                initial={
                    "investigation_notes": c.investigation_notes,
                    "finding": c.finding,
                    "action_taken": c.action_taken,
                },
                prefix="investigate",
            ),
            "reply": ReplyForm(
                initial={
                    "reply_method": c.reply_method
                    or (
                        Complaint.ReplyMethod.WRITTEN
                        if complaint_requires_written_reply(c)
                        else Complaint.ReplyMethod.ORAL
                    ),
                    "reply_text": c.reply_text,
                },
                prefix="reply",
            ),
            "close": CloseForm(prefix="close"),
            "head_office": HeadOfficeForm(
                initial={
                    "head_office_report": c.head_office_report
                    or services.complaint_draft_head_office_report(c)
                },
                prefix="head_office",
            ),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, complaint = self.request.user, self.complaint
        name, phone = display_complainant(user, complaint)
        forms_ = self.initial_forms()
        forms_.update(kwargs.get("bound_forms", {}))
        allowed = self.allowed_actions()
        context.update(
            complaint=complaint,
            complainant_name=name,
            complainant_phone=phone,
            complainant_visible=can_see_complainant(user, complaint),
            subject=complaint_subject_display(complaint),
            is_overdue=complaint_is_overdue(complaint),
            needs_written_reply=complaint_requires_written_reply(complaint),
            action_forms={key: form for key, form in forms_.items() if key in allowed},
            history=AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Complaint), object_id=str(complaint.pk)
            ).select_related("acting_user")[:50],
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action not in self.allowed_actions():
            raise PermissionDenied
        form = self.actions[action](request.POST, prefix=action)
        if form.is_valid():
            try:
                self.perform(action, form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("Complaint %(number)s updated.") % {"number": self.complaint.number}
                )
                return redirect("operations_complaints:detail", pk=self.complaint.pk)
        messages.error(request, _("The complaint could not be updated: see the message below."))
        return self.render_to_response(self.get_context_data(bound_forms={action: form}))

    def perform(self, action: str, data: dict) -> None:
        kwargs = {"complaint": self.complaint, "acting_user": self.request.user}
        if action == "assign":
            services.complaint_assign(handler=data["handler"], **kwargs)
        elif action == "investigate":
            services.complaint_investigate(**data, **kwargs)
        elif action == "reply":
            services.complaint_reply(method=data["reply_method"], text=data["reply_text"], **kwargs)
        elif action == "close":
            services.complaint_close(**kwargs)
        elif action == "head_office":
            services.complaint_mark_for_head_office(report_text=data["head_office_report"], **kwargs)


class ComplaintReplyLetterView(_PermissionMixin, TemplateView):
    """The written reply as an A4 letter (投诉答复函), ready to print."""

    template_name = "operations/complaints/reply_letter.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        complaint = get_object_or_404(complaints_list(), pk=kwargs["pk"])
        if complaint.reply_method != Complaint.ReplyMethod.WRITTEN or not complaint.reply_text:
            raise ValidationError(_("This complaint has no written reply yet."))
        name, _phone = display_complainant(self.request.user, complaint)
        context.update(
            complaint=complaint,
            complainant_name=name,
            center=getattr(self.request, "tenant", None),
            replied_on=timezone.localtime(complaint.replied_at).date(),
        )
        return context

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("operations_complaints:detail", pk=kwargs["pk"])


EXPORT_COLUMNS = [
    gettext_lazy("number"),
    gettext_lazy("received"),
    gettext_lazy("kind"),
    gettext_lazy("channel"),
    gettext_lazy("major complaint"),
    gettext_lazy("complainant"),
    gettext_lazy("complainant phone"),
    gettext_lazy("unit"),
    gettext_lazy("about"),
    gettext_lazy("complaint"),
    gettext_lazy("handler"),
    gettext_lazy("status"),
    gettext_lazy("reply due"),
    gettext_lazy("overdue"),
    gettext_lazy("reply"),
    gettext_lazy("replied at"),
    gettext_lazy("closed at"),
    gettext_lazy("report to head office"),
]


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def complaints_workbook(*, user, start: dt.date, end: dt.date) -> Workbook:
    """The complaints received in the period, one row each, masked as on screen for ``user``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Complaints"))
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header = []
    for label in EXPORT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    yes, no = _("Yes"), _("No")
    today = timezone.localdate()
    for complaint in complaints_in_period(start=start, end=end).iterator(chunk_size=500):
        name, phone = display_complainant(user, complaint)
        handler = complaint.handler
        sheet.append(
            [
                complaint.number,
                _local(complaint.created),
                complaint.get_kind_display(),
                complaint.get_channel_display(),
                yes if complaint.is_major else no,
                name,
                phone,
                str(complaint.unit) if complaint.unit_id else "",
                complaint_subject_display(complaint),
                complaint.content,
                (handler.get_full_name() or handler.get_username()) if handler else "",
                complaint.get_status_display(),
                complaint.reply_due.isoformat() if complaint.reply_due else "",
                yes if complaint_is_overdue(complaint, today=today) else no,
                complaint.get_reply_method_display(),
                _local(complaint.replied_at),
                _local(complaint.closed_at),
                yes if complaint.report_to_head_office else no,
            ]
        )
    return workbook


class ComplaintExportView(_PermissionMixin, WagtailAdminTemplateMixin, FormView):
    """Excel export of the complaints of a period, with the screen's masking."""

    template_name = "operations/complaints/export.html"
    form_class = ExportForm
    header_icon = "download"

    def get_page_title(self):
        return _("Export complaints")

    def get_breadcrumbs_items(self):
        return _breadcrumbs({"url": "", "label": self.get_page_title()})

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "start" in self.request.GET or "end" in self.request.GET:
            kwargs["data"] = self.request.GET
        else:
            today = timezone.localdate()
            kwargs["initial"] = {"start": today.replace(day=1), "end": today}
        return kwargs

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_bound and form.is_valid():
            return self.export(form.cleaned_data["start"], form.cleaned_data["end"])
        return self.render_to_response(self.get_context_data(form=form))

    def export(self, start: dt.date, end: dt.date) -> HttpResponse:
        workbook = complaints_workbook(user=self.request.user, start=start, end=end)
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="complaints-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
        )
        return response
