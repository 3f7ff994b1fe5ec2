"""Admin views of the service guide: the 办事指南 preview, applications at the desk, printable notices."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations.models import RequiredMaterial, ServiceApplication, ServiceItem
from operations.permissions import display_phone
from operations.selectors.guide import service_applications_recent, service_items_for_desk, unit_find
from operations.services.guide import fee_display, service_application_record, time_limit_display


def _center():
    tenant = getattr(connection, "tenant", None)
    return {
        "name": getattr(tenant, "name", ""),
        "address": getattr(tenant, "address", ""),
        "phone": getattr(tenant, "phone", ""),
        "service_hours": getattr(tenant, "service_hours", ""),
    }


def _form_labels() -> dict[str, str]:
    return {value: str(label) for value, label in RequiredMaterial.Form.choices}


def _materials_for_display(materials: list[dict]) -> list[dict]:
    labels = _form_labels()
    return [{**m, "form_label": labels.get(m.get("form"), m.get("form", ""))} for m in materials]


def _item_context(item: ServiceItem) -> dict:
    return {
        "item": item,
        "materials": _materials_for_display(
            [
                {"name": m.name, "form": m.form, "copies": m.copies, "note": m.note}
                for m in item.materials.all()
            ]
        ),
        "steps": item.procedure_steps,
        "time_limit": time_limit_display(item),
        "fee": fee_display(item),
        "center": _center(),
    }


@permission_required("operations.view_serviceitem", raise_exception=True)
def service_item_guide(request, pk: int):
    """办事指南: everything a resident must be told at once about one item (read-only, printable)."""
    item = get_object_or_404(service_items_for_desk(), pk=pk)
    context = _item_context(item)
    context["today"] = timezone.localdate()
    return TemplateResponse(request, "operations/guide/guide_sheet.html", context)


class ApplicationForm(forms.Form):
    """受理申请: who applies and which required materials they brought."""

    DECISION_ACCEPT = "accept"
    DECISION_REFUSE = "refuse"

    applicant_name = forms.CharField(label=gettext_lazy("Applicant"), max_length=50)
    applicant_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Building-entrance-room, e.g. 3号楼-2单元-1201; leave blank if none."),
    )
    materials = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Materials brought"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (DECISION_ACCEPT, gettext_lazy("Check the materials (accept, or tell what is missing)")),
            (DECISION_REFUSE, gettext_lazy("Refuse (a written reason is required)")),
        ],
        initial=DECISION_ACCEPT,
        widget=forms.RadioSelect,
    )
    refusal_reason = forms.CharField(
        label=gettext_lazy("Reason for refusal"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, service_item: ServiceItem, **kwargs):
        super().__init__(*args, **kwargs)
        labels = _form_labels()
        self.fields["materials"].choices = [
            (
                m.pk,
                _("%(name)s (%(form)s, %(copies)s copies)")
                % {"name": m.name, "form": labels.get(m.form, m.form), "copies": m.copies}
                + (f" — {m.note}" if m.note else ""),
            )
            for m in service_item.materials.all()
        ]

    def clean_unit(self):
        label = self.cleaned_data["unit"].strip()
        if not label:
            return None
        unit = unit_find(label)
        if unit is None:
            raise ValidationError(_("Unknown unit: choose an existing building, entrance and room."))
        return unit


_SERVICE_TO_FORM_FIELD = {"materials_brought": "materials", "unit": "unit"}


def add_service_errors(form: forms.Form, error: ValidationError, mapping: dict | None = None) -> None:
    """Show a service's ValidationError on the form, field by field where the field exists."""
    mapping = mapping or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        field = mapping.get(field, field)
        form.add_error(field if field in form.fields else None, messages)


@permission_required("operations.add_serviceapplication", raise_exception=True)
def application_create(request, pk: int):
    item = get_object_or_404(service_items_for_desk(), pk=pk)
    form = ApplicationForm(request.POST or None, service_item=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = service_application_record(
                service_item=item,
                applicant_name=data["applicant_name"],
                applicant_phone=data["applicant_phone"],
                unit_id=data["unit"].pk if data["unit"] else None,
                materials_brought=data["materials"],
                refuse=data["decision"] == ApplicationForm.DECISION_REFUSE,
                refusal_reason=data["refusal_reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error, _SERVICE_TO_FORM_FIELD)
        else:
            return redirect("operations_guide:application_sheet", pk=application.pk)
    context = _item_context(item)
    context.update({"form": form, "page_title": _("Application: %(item)s") % {"item": item.name}})
    return TemplateResponse(request, "operations/guide/application_form.html", context)


@permission_required("operations.view_serviceapplication", raise_exception=True)
def application_list(request):
    qs = service_applications_recent()
    status = request.GET.get("status", "")
    if status in ServiceApplication.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("p"))
    rows = [
        {"application": a, "phone": display_phone(request.user, a.applicant_phone)} for a in page.object_list
    ]
    return TemplateResponse(
        request,
        "operations/guide/application_list.html",
        {
            "page_title": _("Applications at the desk"),
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": ServiceApplication.Status.choices,
            "items": service_items_for_desk().filter(is_published=True),
        },
    )


@permission_required("operations.view_serviceapplication", raise_exception=True)
def application_sheet(request, pk: int):
    """The printable notice: 一次性告知单 (missing), 不予受理告知书 (refused) or 受理回执 (complete)."""
    application = get_object_or_404(
        ServiceApplication.objects.select_related("service_item__department", "unit__building", "handled_by"),
        pk=pk,
    )
    item = application.service_item
    context = _item_context(item)
    context.update(
        {
            "application": application,
            "phone": display_phone(request.user, application.applicant_phone),
            "missing": _materials_for_display(application.materials_missing),
            "brought": _materials_for_display(application.materials_brought),
            "date": timezone.localtime(application.created).date(),
            "handler": application.handled_by,
        }
    )
    template = {
        ServiceApplication.Status.INCOMPLETE: "operations/guide/notice_incomplete.html",
        ServiceApplication.Status.REFUSED: "operations/guide/notice_refused.html",
    }.get(application.status, "operations/guide/notice_accepted.html")
    return TemplateResponse(request, template, context)
