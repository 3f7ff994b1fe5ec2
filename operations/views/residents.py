"""Admin views: residents, units, buildings, departments and the owner-list import.

Create/edit/delete views of the viewsets call the services; a service's ValidationError is
shown on the form (or as a message) and nothing is written.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from operations.imports.residents import (
    COLUMNS,
    ERROR,
    RELATIONS,
    resident_import_apply,
    resident_import_plan,
    resident_import_template,
    resident_rows_read,
)
from operations.models import Building, Department, Resident, Unit
from operations.permissions import can_see_contact
from operations.selectors.residents import residents_matching
from operations.services import departments as department_services
from operations.services import residents as resident_services
from operations.validators import mask_name, mask_phone

IMPORT_SESSION_KEY = "resident_import:upload"


def add_form_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class ServiceSaveMixin:
    """Create/edit views whose save goes through a service; its errors land on the form."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_form_errors(form, error)
            return self.form_invalid(form)


class ServiceDeleteMixin:
    """Delete views that call a ``delete_service(instance, acting_user)``; a refusal is a message."""

    delete_service = None

    def delete_action(self):
        type(self).delete_service(self.object, self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.index_url_name)


def _label(model, field: str):
    return capfirst(model._meta.get_field(field).verbose_name)


def _yes_no(field: str):
    return lambda instance: _("Yes") if getattr(instance, field) else _("No")


# Columns that mask personal data for users without operations.view_resident_contact -------


class MaskedColumn(Column):
    def __init__(self, name, masker=mask_phone, **kwargs):
        super().__init__(name, **kwargs)
        self.masker = masker

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if not can_see_contact(getattr(request, "user", None)) and context["raw_value"]:
            context["value"] = self.masker(str(context["raw_value"]))
        return context


class MaskedTitleColumn(TitleColumn):
    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if not can_see_contact(getattr(request, "user", None)) and context["raw_value"]:
            context["value"] = mask_name(str(context["raw_value"]))
        return context


# Residents ---------------------------------------------------------------------------------


class UnitChoiceMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].queryset = Unit.objects.select_related("building")


class ResidentCreateForm(UnitChoiceMixin, WagtailAdminModelForm):
    class Meta:
        model = Resident
        fields = ["unit", "name", "phone", "relation", "birth_date", "note"]


class ResidentEditForm(UnitChoiceMixin, WagtailAdminModelForm):
    class Meta:
        model = Resident
        fields = ["unit", "name", "phone", "relation", "birth_date", "note", "is_active"]


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

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("unit__building")

    def _name_column(self):
        column = self._get_title_column("name", column_class=MaskedTitleColumn)
        column.label = gettext_lazy("Resident's name")  # "name" alone reads 名称 (a thing's name)
        return column

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return residents_matching(
            queryset, self.search_query, include_phone=can_see_contact(self.request.user)
        )

    @property
    def columns(self):
        return [
            self._name_column(),
            Column("unit", label=_label(Resident, "unit"), sort_key="unit"),
            MaskedColumn("phone", label=_label(Resident, "phone")),
            Column("relation", label=_label(Resident, "relation"), accessor="get_relation_display"),
            Column("is_active", label=_label(Resident, "is_active"), accessor=_yes_no("is_active")),
        ]


class ResidentCreateView(ServiceSaveMixin, generic.CreateView):
    def save_instance(self):
        return resident_services.resident_create(acting_user=self.request.user, **self.form.cleaned_data)


class ResidentEditView(ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        # The model form already changed self.object in memory: diff against the stored row.
        resident = Resident.objects.get(pk=self.object.pk)
        data = dict(self.form.cleaned_data)
        deactivate = resident.is_active and not data.get("is_active", True)
        if deactivate:
            data.pop("is_active")
        resident = resident_services.resident_update(resident=resident, acting_user=self.request.user, **data)
        if deactivate:
            resident = resident_services.resident_deactivate(resident=resident, acting_user=self.request.user)
        return resident


class ResidentDeleteView(ServiceDeleteMixin, generic.DeleteView):
    @staticmethod
    def delete_service(instance, user):
        resident_services.resident_delete(resident=instance, acting_user=user)


# Units and buildings -----------------------------------------------------------------------


class UnitForm(WagtailAdminModelForm):
    class Meta:
        model = Unit
        fields = ["building", "entrance", "room"]


class UnitIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("building")
            .annotate(resident_count=Count("residents", filter=Q(residents__is_active=True)))
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        return queryset.filter(
            Q(building__name__icontains=query) | Q(entrance__icontains=query) | Q(room__icontains=query)
        )

    @property
    def columns(self):
        return [
            self._get_title_column("__str__"),
            Column("building", label=_label(Unit, "building")),
            Column("entrance", label=_label(Unit, "entrance")),
            Column("room", label=_label(Unit, "room")),
            Column("resident_count", label=gettext_lazy("Residents")),
        ]


class UnitCreateView(ServiceSaveMixin, generic.CreateView):
    def save_instance(self):
        return resident_services.unit_create(acting_user=self.request.user, **self.form.cleaned_data)


class UnitEditView(ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        unit = Unit.objects.get(pk=self.object.pk)
        return resident_services.unit_update(
            unit=unit, acting_user=self.request.user, **self.form.cleaned_data
        )


class UnitDeleteView(ServiceDeleteMixin, generic.DeleteView):
    @staticmethod
    def delete_service(instance, user):
        resident_services.unit_delete(unit=instance, acting_user=user)


class BuildingForm(WagtailAdminModelForm):
    class Meta:
        model = Building
        fields = ["name", "sort_order"]


class BuildingIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(unit_count=Count("units"))

    @property
    def columns(self):
        return [
            self._get_title_column("name"),
            Column("sort_order", label=_label(Building, "sort_order"), sort_key="sort_order"),
            Column("unit_count", label=gettext_lazy("Units")),
        ]


class BuildingCreateView(ServiceSaveMixin, generic.CreateView):
    def save_instance(self):
        return resident_services.building_create(acting_user=self.request.user, **self.form.cleaned_data)


class BuildingEditView(ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        building = Building.objects.get(pk=self.object.pk)
        return resident_services.building_update(
            building=building, acting_user=self.request.user, **self.form.cleaned_data
        )


class BuildingDeleteView(ServiceDeleteMixin, generic.DeleteView):
    @staticmethod
    def delete_service(instance, user):
        resident_services.building_delete(building=instance, acting_user=user)


# Departments -------------------------------------------------------------------------------


def department_queue_url(department: Department) -> str:
    """The department's work-order queue (a view of the work-orders area)."""
    return f"/admin/operations/work-orders/queue/department/{department.pk}/"


class DepartmentForm(WagtailAdminModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "phone", "description", "is_active", "sort_order"]


class DepartmentLinksColumn(Column):
    cell_template_name = "operations/residents/department_links_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["staff_url"] = reverse("operations_department_staff", args=[instance.pk])
        context["queue_url"] = department_queue_url(instance)
        return context


class DepartmentIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(staff_count=Count("staff"))

    @property
    def columns(self):
        return [
            self._get_title_column("name"),
            Column("code", label=_label(Department, "code")),
            Column("phone", label=_label(Department, "phone")),
            Column("is_active", label=_label(Department, "is_active"), accessor=_yes_no("is_active")),
            Column("staff_count", label=gettext_lazy("Staff members")),
            DepartmentLinksColumn("links", label=gettext_lazy("Links"), accessor="pk"),
        ]


class DepartmentCreateView(ServiceSaveMixin, generic.CreateView):
    def save_instance(self):
        return department_services.department_create(acting_user=self.request.user, **self.form.cleaned_data)


class DepartmentEditView(ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        department = Department.objects.get(pk=self.object.pk)
        return department_services.department_update(
            department=department, acting_user=self.request.user, **self.form.cleaned_data
        )


class DepartmentDeleteView(ServiceDeleteMixin, generic.DeleteView):
    @staticmethod
    def delete_service(instance, user):
        department_services.department_delete(department=instance, acting_user=user)


class DepartmentStaffForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Staff of this department"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).select_related("staff_profile__department")
        self.fields["members"].queryset = users.order_by("username")
        self.fields["members"].label_from_instance = self._label

    @staticmethod
    def _label(user) -> str:
        name = user.get_full_name() or user.get_username()
        profile = getattr(user, "staff_profile", None)
        if profile is not None and profile.department is not None:
            return _("%(name)s (now in %(department)s)") % {"name": name, "department": profile.department}
        return name


class DepartmentStaffView(WagtailAdminTemplateMixin, FormView):
    """Assign staff to a department: everyone ticked belongs to it, everyone else leaves it."""

    template_name = "operations/residents/department_staff.html"
    form_class = DepartmentStaffForm
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("operations.change_staffprofile"):
            raise PermissionDenied
        self.department = get_object_or_404(Department, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Staff of %(department)s") % {"department": self.department}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("departments:index"), "label": _("Departments")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_initial(self):
        return {"members": list(get_user_model().objects.filter(staff_profile__department=self.department))}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["department"] = self.department
        context["queue_url"] = department_queue_url(self.department)
        return context

    def form_valid(self, form):
        try:
            result = department_services.staff_department_set(
                department=self.department, users=form.cleaned_data["members"], acting_user=self.request.user
            )
        except ValidationError as error:
            add_form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Staff of %(department)s saved: %(added)s added, %(removed)s removed.")
            % {"department": self.department, **result},
        )
        return redirect("departments:index")


# Import of the owner list ------------------------------------------------------------------


def _require_import_permission(user) -> None:
    if not user.has_perms(["operations.add_resident", "operations.change_resident"]):
        raise PermissionDenied


class ResidentImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Owner list (.xlsx)"),
        help_text=gettext_lazy("Columns: %(columns)s. Birth date and note are optional.")
        % {"columns": "、".join(COLUMNS)},
    )
    create_missing_buildings = forms.BooleanField(
        label=gettext_lazy("Create missing buildings"),
        required=False,
        help_text=gettext_lazy("Without this, rows of buildings that do not exist yet are errors."),
    )


class ResidentImportView(WagtailAdminTemplateMixin, FormView):
    """Step 1: upload. The file is read and checked; its rows wait in this center's session."""

    template_name = "operations/residents/import_upload.html"
    form_class = ResidentImportForm
    header_icon = "upload"
    page_title = gettext_lazy("Import residents")

    def dispatch(self, request, *args, **kwargs):
        _require_import_permission(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("residents:index"), "label": _("Residents")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["template_url"] = reverse("resident_import:template")
        context["columns"] = COLUMNS
        return context

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


class ResidentImportPreviewView(WagtailAdminTemplateMixin, TemplateView):
    """Step 2: every row with its action and errors; confirming writes all rows or none."""

    template_name = "operations/residents/import_preview.html"
    header_icon = "upload"
    page_title = gettext_lazy("Import residents: preview")

    def dispatch(self, request, *args, **kwargs):
        _require_import_permission(request.user)
        self.pending = request.session.get(IMPORT_SESSION_KEY)
        if not self.pending:
            messages.warning(request, _("There is no upload waiting for confirmation; upload a file first."))
            return redirect("resident_import:upload")
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("residents:index"), "label": _("Residents")},
            {"url": reverse("resident_import:upload"), "label": _("Import residents")},
            {"url": "", "label": _("Preview")},
        ]

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
    _require_import_permission(request.user)
    response = HttpResponse(
        resident_import_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        "attachment; filename=\"residents-template.xlsx\"; filename*=UTF-8''%E4%BD%8F%E6%88%B7%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response
