"""Admin UI: duty roster (值班管理) and the panels of the center's admin home."""

from django.db import connection
from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

import django_filters

from operations.admin_menu import PageMenuEntry
from operations.models import DutyPost, DutyShift
from operations.selectors.roster import duty_staff_choices, staff_display_name
from operations.views import roster as views


@hooks.register("register_admin_urls")
def register_roster_urls():
    return [
        path("roster/week/", views.DutyWeekView.as_view(), name="operations_roster_week"),
        path("roster/template/", views.DutyTemplateView.as_view(), name="operations_roster_template"),
        path("roster/generate/", views.DutyGenerateView.as_view(), name="operations_roster_generate"),
    ]


class RosterPageEntry(PageMenuEntry):
    """A menu entry of the roster group that opens one of the views registered above."""

    permission = "operations.view_dutyshift"


class DutyWeekEntry(RosterPageEntry):
    name = "roster_week_menu"
    menu_label = _("Duty week")
    icon = "calendar"
    url_name = "operations_roster_week"


class DutyTemplateEntry(RosterPageEntry):
    name = "roster_template_menu"
    menu_label = _("Weekly duty template")
    icon = "table"
    url_name = "operations_roster_template"


class DutyGenerateEntry(RosterPageEntry):
    name = "roster_generate_menu"
    menu_label = _("Generate duty weeks")
    icon = "repeat"
    url_name = "operations_roster_generate"
    permission = "operations.add_dutyshift"


class DutyShiftFilterSet(WagtailFilterSet):
    date = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)
    post = django_filters.ChoiceFilter(label=_("Post"), choices=DutyPost.choices)
    staff = django_filters.ModelChoiceFilter(
        label=_("Staff on duty"), queryset=lambda request: duty_staff_choices()
    )

    class Meta:
        model = DutyShift
        fields = ["date", "post", "staff"]


class DutyShiftViewSet(ModelViewSet):
    model = DutyShift
    name = "dutyshift"
    url_prefix = "roster/shifts"
    icon = "list-ul"
    menu_label = _("All shifts")
    list_display = [
        "date",
        "post",
        Column(
            "staff",
            label=_("Staff on duty"),
            accessor=lambda shift: staff_display_name(shift.staff),
            sort_key="staff__first_name",
        ),
        "phone",
        "start_time",
        "end_time",
        "note",
    ]
    list_export = ["date", "post", "staff", "phone", "start_time", "end_time", "note"]
    filterset_class = DutyShiftFilterSet
    ordering = ["-date", "post"]
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = views.DutyShiftIndexView
    add_view_class = views.DutyShiftCreateView
    edit_view_class = views.DutyShiftEditView
    delete_view_class = views.DutyShiftDeleteView

    def get_form_class(self, for_update=False):
        from django.forms import modelform_factory

        from wagtail.admin.forms import WagtailAdminModelForm

        # Date and post identify the shift: an edit changes who and when, not which day.
        fields = ["staff", "start_time", "end_time", "phone", "note"]
        if not for_update:
            fields = ["date", "post", *fields]
        form_class = modelform_factory(
            DutyShift,
            form=WagtailAdminModelForm,
            fields=fields,
            formfield_callback=self.formfield_for_dbfield,
        )
        form_class.base_fields["staff"].queryset = duty_staff_choices()
        return form_class


class RosterViewSetGroup(ViewSetGroup):
    menu_label = _("Duty management")
    menu_icon = "calendar"
    items = (DutyWeekEntry, DutyTemplateEntry, DutyGenerateEntry, DutyShiftViewSet)


@hooks.register("register_admin_viewset")
def register_roster_viewsets():
    return RosterViewSetGroup()


@hooks.register("construct_homepage_panels")
def add_center_home_panels(request, panels):
    if connection.schema_name == "public":  # the head office has no operations tables
        return
    panels.extend(
        [
            views.AdminHomeTodayDutyPanel(request),
            views.AdminHomeMyItemsPanel(request),
            views.AdminHomeBreachesPanel(request),
        ]
    )
