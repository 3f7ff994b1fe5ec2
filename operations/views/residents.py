"""Admin views: residents, units, buildings, departments (their viewsets save and delete through the
services, a refusal lands on the form or in a message) and the two-step import of the owner list.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic

from operations.forms.base import add_service_errors
from operations.forms.residents import DepartmentStaffForm, ResidentImportForm
from operations.imports.residents import (
    COLUMNS,
    ERROR,
    RELATIONS,
    resident_import_apply,
    resident_import_plan,
    resident_import_template,
    resident_rows_read,
)
from operations.models import Department, Resident
from operations.permissions import can_see_contact
from operations.selectors.residents import residents_matching
from operations.services import departments as department_services
from operations.services import residents as resident_services
from operations.validators import mask_name, mask_phone
from operations.viewsets import (
    AdminScreen,
    MaskedColumn,
    MaskedTitleColumn,
    ServiceDeleteMixin,
    ServiceSaveMixin,
    perms_required,
)

IMPORT_SESSION_KEY = "resident_import:upload"
IMPORT_PERMISSIONS = ("operations.add_resident", "operations.change_resident")


def _label(model, field: str):
    return capfirst(model._meta.get_field(field).verbose_name)


def active_column(model) -> Column:
    """The "active" column in words (是/否) where a plain column would show True/False."""
    return Column(
        "is_active",
        label=_label(model, "is_active"),
        accessor=lambda instance: _("Yes") if instance.is_active else _("No"),
    )


# The viewsets of this area name their services (``ResidentsAreaViewSet``); these views call them with
# the record under its model's name, as the services take it (``unit_update(unit=..., ...)``).


class ServiceAddView(ServiceSaveMixin, generic.CreateView):
    """Adds the record with ``create_service(acting_user=..., **cleaned_data)``."""

    create_service = None

    def save_instance(self):
        return self.create_service(acting_user=self.request.user, **self.form.cleaned_data)


class ServiceEditView(ServiceSaveMixin, generic.EditView):
    """Saves with ``update_service(<model name>=stored row, acting_user=..., **cleaned_data)``: the
    model form has already changed ``self.object`` in memory, so the service diffs against the stored row."""

    update_service = None

    def stored(self):
        return self.model._default_manager.get(pk=self.object.pk)

    def save_instance(self):
        return self.update_service(
            **{self.model._meta.model_name: self.stored()},
            acting_user=self.request.user,
            **self.form.cleaned_data,
        )


class ServiceRemoveView(ServiceDeleteMixin, generic.DeleteView):
    """Deletes with ``delete_service(<model name>=record, acting_user=...)``; a refusal is a message."""

    delete_service = None

    def delete_action(self):
        self.delete_service(**{self.model._meta.model_name: self.object}, acting_user=self.request.user)


# Residents ---------------------------------------------------------------------------------


RELATION_COLUMN_VALUES = {value: label for label, value in RELATIONS.items() if not label.isascii()}


class ResidentIndexView(generic.IndexView):
    # The export has the import's columns, so an exported list can be edited and imported again.
    export_filename = "residents"
    list_export = ["building", "entrance", "room", "name", "phone", "relation", "birth_date", "note"]
    export_headings = dict(zip(list_export, COLUMNS, strict=True))

    def to_row_dict(self, item):
        """One export row, with the same masking rules as the screen."""
        full = can_see_contact(self.request.user)
        return {
            "building": item.unit.building.name,
            "entrance": item.unit.entrance,
            "room": item.unit.room,
            "name": item.name if full else mask_name(item.name),
            "phone": item.phone if full else mask_phone(item.phone),
            "relation": RELATION_COLUMN_VALUES.get(item.relation, item.relation),
            "birth_date": item.birth_date.isoformat() if full and item.birth_date else "",
            "note": item.note,
        }

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return residents_matching(
            queryset, self.search_query, include_phone=can_see_contact(self.request.user)
        )

    @property
    def columns(self):
        name = self._get_title_column("name", column_class=MaskedTitleColumn)
        name.label = gettext_lazy("Resident's name")  # "name" alone reads 名称 (a thing's name)
        return [
            name,
            Column("unit", label=_label(Resident, "unit"), sort_key="unit"),
            MaskedColumn("phone", label=_label(Resident, "phone")),
            Column("relation", label=_label(Resident, "relation"), accessor="get_relation_display"),
            active_column(Resident),
        ]


class ResidentEditView(ServiceEditView):
    def save_instance(self):
        # Unticking "active" is a deactivation (its own audit entry), not a field change.
        resident = self.stored()
        data = dict(self.form.cleaned_data)
        deactivate = resident.is_active and not data.get("is_active", True)
        if deactivate:
            data.pop("is_active")
        resident = resident_services.resident_update(resident=resident, acting_user=self.request.user, **data)
        if deactivate:
            resident = resident_services.resident_deactivate(resident=resident, acting_user=self.request.user)
        return resident


# Departments -------------------------------------------------------------------------------


def department_queue_url(department: Department) -> str:
    """The department's work-order queue (a view of the work-orders area)."""
    return reverse("work_orders:queue_department", args=[department.pk])


class DepartmentIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perm("operations.change_staffprofile"):
            buttons.append(
                MenuItem(
                    _("Assign staff"), url=reverse("departments:staff", args=[instance.pk]), icon_name="group"
                )
            )
        buttons.append(
            MenuItem(_("Work order queue"), url=department_queue_url(instance), icon_name="list-ul")
        )
        return buttons


class DepartmentStaffView(AdminScreen, FormView):
    """Assign staff to a department: everyone ticked belongs to it, everyone else leaves it."""

    template_name = "operations/residents/department_staff.html"
    form_class = DepartmentStaffForm
    header_icon = "group"
    permissions = ("operations.change_staffprofile",)
    parents = (("departments:index", gettext_lazy("Departments")),)

    @cached_property
    def department(self):
        return get_object_or_404(Department, pk=self.kwargs["pk"])

    def get_page_title(self):
        return _("Staff of %(department)s") % {"department": self.department}

    def get_initial(self):
        return {"members": list(get_user_model().objects.filter(staff_profile__department=self.department))}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            department=self.department, queue_url=department_queue_url(self.department), **kwargs
        )

    def form_valid(self, form):
        try:
            result = department_services.staff_department_set(
                department=self.department, users=form.cleaned_data["members"], acting_user=self.request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Staff of %(department)s saved: %(added)s added, %(removed)s removed.")
            % {"department": self.department, **result},
        )
        return redirect("departments:index")


# Import of the owner list ------------------------------------------------------------------


class ResidentImportView(AdminScreen, FormView):
    """Step 1: upload. The file is read and checked; its rows wait in this center's session."""

    template_name = "operations/residents/import_upload.html"
    form_class = ResidentImportForm
    header_icon = "upload"
    page_title = gettext_lazy("Import residents")
    permissions = IMPORT_PERMISSIONS
    parents = (("residents:index", gettext_lazy("Residents")),)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            template_url=reverse("resident_import:template"), columns=COLUMNS, **kwargs
        )

    def form_valid(self, form):
        create_buildings = form.cleaned_data["create_missing_buildings"]
        if create_buildings and not self.request.user.has_perm("operations.add_building"):
            form.add_error("create_missing_buildings", _("You may not create buildings."))
            return self.form_invalid(form)
        try:
            rows = resident_rows_read(form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error.messages)
            return self.form_invalid(form)
        # The session lives in this center's schema: another center can never read it.
        self.request.session[IMPORT_SESSION_KEY] = {
            "token": secrets.token_urlsafe(16),
            "filename": form.cleaned_data["file"].name[:200],
            "create_missing_buildings": create_buildings,
            "rows": rows,
        }
        return redirect("resident_import:preview")


class ResidentImportPreviewView(AdminScreen, TemplateView):
    """Step 2: every row with its action and errors; confirming writes all rows or none."""

    template_name = "operations/residents/import_preview.html"
    header_icon = "upload"
    page_title = gettext_lazy("Import residents: preview")
    permissions = IMPORT_PERMISSIONS
    parents = (
        ("residents:index", gettext_lazy("Residents")),
        ("resident_import:upload", gettext_lazy("Import residents")),
    )

    def dispatch(self, request, *args, **kwargs):
        self.pending = request.session.get(IMPORT_SESSION_KEY)
        return super().dispatch(request, *args, **kwargs)

    def nothing_waiting(self):
        messages.warning(self.request, _("There is no upload waiting for confirmation; upload a file first."))
        return redirect("resident_import:upload")

    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs) if self.pending else self.nothing_waiting()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = resident_import_plan(
            rows=self.pending["rows"], create_missing_buildings=self.pending["create_missing_buildings"]
        )
        show_contact = can_see_contact(self.request.user)
        for row in plan.rows:
            phone = row.data.get("phone", "")
            row.phone_display = phone if show_contact or not phone else mask_phone(phone)
            row.name_display = (
                row.data.get("name", "") if show_contact else mask_name(row.data.get("name", ""))
            )
        context.update(
            plan=plan,
            counts=plan.counts,
            error_action=ERROR,
            columns=COLUMNS,  # the preview heads its table with the file's own (Chinese) column names
            pending=self.pending,
            cancel_url=reverse("resident_import:upload"),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.pending:
            return self.nothing_waiting()
        if request.POST.get("cancel"):
            request.session.pop(IMPORT_SESSION_KEY, None)
            messages.info(request, _("The import was cancelled; nothing was written."))
            return redirect("resident_import:upload")
        if request.POST.get("token") != self.pending["token"]:
            messages.error(request, _("This preview is out of date; upload the file again."))
            return redirect("resident_import:upload")
        try:
            counts = resident_import_apply(
                rows=self.pending["rows"],
                create_missing_buildings=self.pending["create_missing_buildings"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.get(request, *args, **kwargs)
        request.session.pop(IMPORT_SESSION_KEY, None)
        messages.success(
            request,
            _(
                "Import done: %(new)s residents added, %(update)s updated, %(unchanged)s unchanged; "
                "%(units)s units and %(buildings)s buildings created."
            )
            % counts,
        )
        return redirect("residents:index")


def resident_import_template_view(request):
    """The empty owner list (.xlsx) with the header row."""
    perms_required(request.user, *IMPORT_PERMISSIONS)
    response = HttpResponse(
        resident_import_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        "attachment; filename=\"residents-template.xlsx\"; filename*=UTF-8''%E4%BD%8F%E6%88%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response
