"""Admin views of the service guide: the item index with its 办事指南 preview and 受理申请 links, the
desk's applications index (phones masked as everywhere), and the custom screens — the printable
guide, the application form and its printable notice (一次性告知单 / 不予受理告知书 / 受理回执)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.admin.ui.menus import MenuItem as ListMenuItem
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.generic import IndexView
from wagtail.admin.widgets.button import Button

from operations.forms.base import add_service_errors
from operations.forms.guide import ApplicationForm, material_form_labels
from operations.models import Booking, ServiceApplication, ServiceItem
from operations.permissions import display_phone
from operations.selectors.guide import service_applications_recent, service_items_for_desk
from operations.services.guide import fee_display, service_application_record, time_limit_display
from operations.viewsets import OperationsIndexView, perms_required


def _materials_for_display(materials: list[dict]) -> list[dict]:
    labels = material_form_labels()
    return [{**m, "form_label": labels.get(m.get("form"), m.get("form", ""))} for m in materials]


def _item_context(item: ServiceItem) -> dict:
    """What every print and the application form say about the item (the center comes from the
    ``center`` context processor)."""
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
    }


class ServiceItemIndexView(IndexView):
    """The list of items, with the 办事指南 preview and 受理申请 for each."""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("department")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            ListMenuItem(
                _("Service guide (preview)"),
                url=reverse("operations_guide:item_guide", args=[instance.pk]),
                icon_name="doc-full",
                priority=5,
            )
        )
        if self.request.user.has_perm("operations.add_serviceapplication"):
            buttons.append(
                ListMenuItem(
                    _("Take an application"),
                    url=reverse("operations_guide:application_create", args=[instance.pk]),
                    icon_name="form",
                    priority=6,
                )
            )
        return buttons


def application_sheet_url(application) -> str:
    return reverse("operations_guide:application_sheet", args=[application.pk])


def local_created(application) -> str:
    return timezone.localtime(application.created).strftime("%Y-%m-%d %H:%M")


class ServiceApplicationIndexView(OperationsIndexView):
    """Applications at the desk, newest first (the columns are the viewset's ``list_display``); the
    header offers a new application for each published item."""

    default_ordering = "-created"

    def get_base_queryset(self):
        return service_applications_recent()

    @property
    def header_more_buttons(self):
        if not self.request.user.has_perm("operations.add_serviceapplication"):
            return []
        return [
            Button(
                _("New application") + f": {item.name}",
                url=reverse("operations_guide:application_create", args=[item.pk]),
                icon_name="form",
            )
            for item in service_items_for_desk().filter(is_published=True)
        ]


def service_item_guide(request, pk: int):
    """办事指南: everything a resident must be told at once about one item (read-only, printable)."""
    perms_required(request.user, "operations.view_serviceitem")
    item = get_object_or_404(service_items_for_desk(), pk=pk)
    context = _item_context(item)
    context["today"] = timezone.localdate()
    return TemplateResponse(request, "operations/guide/guide_sheet.html", context)


def _booking_for(request, item):
    """The booking the application is started from (``?booking=<pk>``), if it is this item's."""
    pk = request.GET.get("booking", "")
    if not pk.isdigit():
        return None
    return Booking.objects.filter(pk=int(pk), service_item=item).select_related("unit__building").first()


def application_create(request, pk: int):
    """受理申请 for one item; the user lands on the notice to print."""
    perms_required(request.user, "operations.add_serviceapplication")
    item = get_object_or_404(service_items_for_desk(), pk=pk)
    booking = _booking_for(request, item)
    initial = None
    if booking is not None:  # started from a booking: the resident's details are already known
        initial = {"applicant_name": booking.name, "applicant_phone": booking.phone, "unit": booking.unit}
    form = ApplicationForm(request.POST or None, service_item=item, initial=initial)
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
                booking=booking,
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error, ApplicationForm.SERVICE_FIELDS)
        else:
            return redirect("operations_guide:application_sheet", pk=application.pk)
    context = _item_context(item)
    context.update(
        {"form": form, "booking": booking, "page_title": _("Application: %(item)s") % {"item": item.name}}
    )
    return TemplateResponse(request, "operations/guide/application_form.html", context)


NOTICE_TEMPLATES = {
    ServiceApplication.Status.INCOMPLETE: "operations/guide/notice_incomplete.html",
    ServiceApplication.Status.REFUSED: "operations/guide/notice_refused.html",
}


def application_sheet(request, pk: int):
    """The printable notice: 一次性告知单 (missing), 不予受理告知书 (refused) or 受理回执 (complete)."""
    perms_required(request.user, "operations.view_serviceapplication")
    application = get_object_or_404(
        ServiceApplication.objects.select_related("service_item__department", "unit__building", "handled_by"),
        pk=pk,
    )
    context = _item_context(application.service_item)
    context.update(
        {
            "application": application,
            "phone": display_phone(request.user, application.applicant_phone),
            "missing": _materials_for_display(application.materials_missing),
            "brought": _materials_for_display(application.materials_brought),
            "date": timezone.localtime(application.created).date(),
            "handler": get_user_display_name(application.handled_by),
        }
    )
    template = NOTICE_TEMPLATES.get(application.status, "operations/guide/notice_accepted.html")
    return TemplateResponse(request, template, context)
