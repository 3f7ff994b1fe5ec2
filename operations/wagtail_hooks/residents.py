"""Admin UI: residents, units and buildings (menu group 住户与房屋), the owner-list import, and departments.

Each record type is a viewset whose add/edit/delete go through its services; personal data is
masked in the residents' list and export alike. The import is a custom screen routed by
``ResidentImportViewSet``; a department's staff assignment is a custom screen of its viewset.
"""

from django.db.models import Count, Q
from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.widgets import BooleanRadioSelect

import django_filters

from operations.filters import WagtailFilterSet
from operations.forms import residents as forms
from operations.models import Building, Department, Resident, Unit
from operations.services import departments as department_services
from operations.services import residents as resident_services
from operations.views import residents as views
from operations.viewsets import OperationsViewSet


class ResidentFilterSet(WagtailFilterSet):
    building = django_filters.ModelChoiceFilter(
        label=_("Building"), field_name="unit__building", queryset=Building.objects.all()
    )
    relation = django_filters.ChoiceFilter(label=_("Relation"), choices=Resident.Relation.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=BooleanRadioSelect)

    class Meta:
        model = Resident
        fields = ["building", "relation", "is_active"]


def saved_and_deleted(record: str) -> dict:
    """The words of a record's ``<record>_create`` / ``_update`` / ``_delete`` audit actions."""
    return {
        f"{record}_create": _("Added"),
        f"{record}_update": _("Changed"),
        f"{record}_delete": _("Deleted"),
    }


class ResidentsAreaViewSet(OperationsViewSet):
    """The records of this area are edited, not acted on: no inspect view (it would show contacts unmasked)."""

    inspect_view_enabled = False
    add_view_class = views.ServiceAddView
    edit_view_class = views.ServiceEditView
    delete_view_class = views.ServiceRemoveView
    create_service = update_service = delete_service = None

    index_queryset = None  # the index's rows with what its columns show (related rows, counts)

    def get_index_view_kwargs(self, **kwargs):
        if self.index_queryset is not None:
            kwargs.setdefault("queryset", self.index_queryset)
        return super().get_index_view_kwargs(**kwargs)

    def get_common_view_kwargs(self, **kwargs):
        # Read from the class: a plain function stored on it would become a method of the viewset.
        services = {
            name: getattr(type(self), name) for name in ("create_service", "update_service", "delete_service")
        }
        return super().get_common_view_kwargs(**services, **kwargs)


class ResidentViewSet(ResidentsAreaViewSet):
    model = Resident
    name = "residents"
    url_prefix = "operations/residents"
    icon = "user"
    menu_label = _("Residents")
    index_view_class = views.ResidentIndexView
    index_queryset = Resident.objects.select_related("unit__building")
    edit_view_class = views.ResidentEditView
    create_service = resident_services.resident_create
    delete_service = resident_services.resident_delete
    filterset_class = ResidentFilterSet
    search_fields = ["name"]  # the index view searches name, unit and (for the desk) phone
    list_per_page = 50
    history_labels = saved_and_deleted("resident") | {"resident_deactivate": _("Deactivated")}

    def get_form_class(self, for_update=False):
        return forms.ResidentEditForm if for_update else forms.ResidentCreateForm


class UnitViewSet(ResidentsAreaViewSet):
    model = Unit
    name = "units"
    url_prefix = "operations/units"
    icon = "home"
    menu_label = _("Units")
    index_queryset = Unit.objects.select_related("building").annotate(
        resident_count=Count("residents", filter=Q(residents__is_active=True))
    )
    list_display = ["__str__", "building", "entrance", "room", Column("resident_count", label=_("Residents"))]
    create_service = resident_services.unit_create
    update_service = resident_services.unit_update
    delete_service = resident_services.unit_delete
    list_filter = ["building"]
    search_fields = ["building__name", "entrance", "room"]
    search_backend_name = None  # the database's icontains over these fields
    list_per_page = 50
    history_labels = saved_and_deleted("unit")

    def get_form_class(self, for_update=False):
        return forms.UnitForm


class BuildingViewSet(ResidentsAreaViewSet):
    model = Building
    name = "buildings"
    url_prefix = "operations/buildings"
    icon = "site"
    menu_label = _("Buildings")
    index_queryset = Building.objects.annotate(unit_count=Count("units"))
    list_display = ["name", "sort_order", Column("unit_count", label=_("Units"))]
    create_service = resident_services.building_create
    update_service = resident_services.building_update
    delete_service = resident_services.building_delete
    history_labels = saved_and_deleted("building")

    def get_form_class(self, for_update=False):
        return forms.BuildingForm


class ResidentImportMenuItem(MenuItem):
    """Shown to staff holding both permissions, as the import screens require."""

    def is_shown(self, request):
        return request.user.has_perms(views.IMPORT_PERMISSIONS)


class ResidentImportViewSet(ViewSet):
    """The two-step import of the owner list: upload, then preview and confirm."""

    name = "resident_import"
    url_prefix = "operations/resident-import"
    icon = "upload"
    menu_label = _("Import residents")

    def get_urlpatterns(self):
        return [
            path("", views.ResidentImportView.as_view(), name="upload"),
            path("preview/", views.ResidentImportPreviewView.as_view(), name="preview"),
            path("template.xlsx", views.resident_import_template_view, name="template"),
        ]

    menu_item_class = ResidentImportMenuItem


class ResidentsGroup(ViewSetGroup):
    menu_label = _("Residents and units")
    menu_icon = "group"
    menu_order = 175
    items = (ResidentViewSet, UnitViewSet, BuildingViewSet, ResidentImportViewSet)


class DepartmentViewSet(ResidentsAreaViewSet):
    model = Department
    name = "departments"
    url_prefix = "operations/departments"
    icon = "cogs"
    menu_label = _("Departments")
    menu_order = 180
    add_to_admin_menu = True
    index_view_class = views.DepartmentIndexView
    index_queryset = Department.objects.annotate(staff_count=Count("staff"))
    list_display = [  # the code is for the system (roles, provisioning), not for reading
        "name",
        "phone",
        views.active_column(Department),
        Column("staff_count", label=_("Staff members")),
    ]
    create_service = department_services.department_create
    update_service = department_services.department_update
    delete_service = department_services.department_delete
    history_labels = saved_and_deleted("department") | {"staff_department_set": _("Department changed")}

    def get_form_class(self, for_update=False):
        return forms.DepartmentForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/staff/", views.DepartmentStaffView.as_view(), name="staff"),
        ]


@hooks.register("register_admin_viewset")
def register_residents_viewsets():
    return [ResidentsGroup(), DepartmentViewSet()]
