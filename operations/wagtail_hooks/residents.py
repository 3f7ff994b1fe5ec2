"""Admin UI: residents and units (menu group 住户与房屋) and departments."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect

import django_filters

from operations.models import Building, Department, Resident, Unit
from operations.views import residents as views


class ResidentFilterSet(WagtailFilterSet):
    building = django_filters.ModelChoiceFilter(
        label=_("Building"), field_name="unit__building", queryset=Building.objects.all()
    )
    relation = django_filters.ChoiceFilter(label=_("Relation"), choices=Resident.Relation.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=BooleanRadioSelect)

    class Meta:
        model = Resident
        fields = ["building", "relation", "is_active"]


class ResidentViewSet(ModelViewSet):
    model = Resident
    name = "residents"
    url_prefix = "operations/residents"
    icon = "user"
    menu_label = _("Residents")
    index_view_class = views.ResidentIndexView
    add_view_class = views.ResidentCreateView
    edit_view_class = views.ResidentEditView
    delete_view_class = views.ResidentDeleteView
    filterset_class = ResidentFilterSet
    search_fields = ["name"]  # the index view searches name, unit and (for the desk) phone
    copy_view_enabled = False
    list_per_page = 50
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return views.ResidentEditForm if for_update else views.ResidentCreateForm


class UnitFilterSet(WagtailFilterSet):
    class Meta:
        model = Unit
        fields = ["building"]


class UnitViewSet(ModelViewSet):
    model = Unit
    name = "units"
    url_prefix = "operations/units"
    icon = "home"
    menu_label = _("Units")
    index_view_class = views.UnitIndexView
    add_view_class = views.UnitCreateView
    edit_view_class = views.UnitEditView
    delete_view_class = views.UnitDeleteView
    filterset_class = UnitFilterSet
    search_fields = ["room"]
    copy_view_enabled = False
    list_per_page = 50
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return views.UnitForm


class BuildingViewSet(ModelViewSet):
    model = Building
    name = "buildings"
    url_prefix = "operations/buildings"
    icon = "site"
    menu_label = _("Buildings")
    index_view_class = views.BuildingIndexView
    add_view_class = views.BuildingCreateView
    edit_view_class = views.BuildingEditView
    delete_view_class = views.BuildingDeleteView
    copy_view_enabled = False
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return views.BuildingForm


class ResidentImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perms(["operations.add_resident", "operations.change_resident"])


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
    menu_order = 210
    items = (ResidentViewSet, UnitViewSet, BuildingViewSet, ResidentImportViewSet)


class DepartmentViewSet(ModelViewSet):
    model = Department
    name = "departments"
    url_prefix = "operations/departments"
    icon = "cogs"
    menu_label = _("Departments")
    menu_order = 215
    add_to_admin_menu = True
    index_view_class = views.DepartmentIndexView
    add_view_class = views.DepartmentCreateView
    edit_view_class = views.DepartmentEditView
    delete_view_class = views.DepartmentDeleteView
    copy_view_enabled = False
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return views.DepartmentForm


@hooks.register("register_admin_viewset")
def register_residents_viewsets():
    return [ResidentsGroup(), DepartmentViewSet()]


@hooks.register("register_admin_urls")
def register_residents_urls():
    return [
        path(
            "operations/departments/<int:pk>/staff/",
            views.DepartmentStaffView.as_view(),
            name="operations_department_staff",
        ),
    ]
