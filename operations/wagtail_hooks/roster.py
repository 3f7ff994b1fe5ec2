"""Admin UI: the duty roster (menu group 值班管理).

The week grid, the weekly template and generating weeks ahead are custom screens routed by
``RosterViewSet``; the list of shifts is a viewset (filters, export, add/edit/delete through the
services). The menu is the group's: the week (the routing viewset's own entry), ``AdminLink``s to
the other two screens, and the list.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

import django_filters

from operations.admin_menu import AdminLink
from operations.filters import PeriodFilter, WagtailFilterSet
from operations.forms.base import active_staff
from operations.forms.roster import DutyShiftCreateForm, DutyShiftEditForm
from operations.models import DutyPost, DutyShift
from operations.views import roster as views
from operations.viewsets import OperationsViewSet


class RosterViewSet(ViewSet):
    """Routes the roster's custom screens under ``/admin/roster/``; its menu entry opens the week."""

    name = "roster"
    icon = "calendar"
    menu_label = _("Duty week")

    def get_urlpatterns(self):
        return [
            path("week/", views.DutyWeekView.as_view(), name="week"),
            path("template/", views.DutyTemplateView.as_view(), name="template"),
            path("generate/", views.DutyGenerateView.as_view(), name="generate"),
        ]

    def get_menu_item(self, order=None):
        link = AdminLink(
            name="roster-week",
            label=self.menu_label,
            url_name="roster:week",
            icon=self.icon,
            permission="operations.view_dutyshift",
        )
        return link.get_menu_item(order)


class DutyShiftFilterSet(WagtailFilterSet):
    date = PeriodFilter(label=_("Date"))
    post = django_filters.ChoiceFilter(label=_("Post"), choices=DutyPost.choices)
    staff = django_filters.ModelChoiceFilter(
        label=_("Staff on duty"), queryset=lambda request: active_staff()
    )

    class Meta:
        model = DutyShift
        fields = ["date", "post", "staff"]


class DutyShiftViewSet(OperationsViewSet):
    model = DutyShift
    name = "dutyshift"
    url_prefix = "roster/shifts"
    icon = "list-ul"
    menu_label = _("All shifts")
    inspect_view_enabled = False
    index_view_class = views.DutyShiftIndexView
    add_view_class = views.DutyShiftCreateView
    edit_view_class = views.DutyShiftEditView
    delete_view_class = views.DutyShiftDeleteView
    filterset_class = DutyShiftFilterSet
    ordering = ["-date", "post"]
    list_display = [
        "date",
        "post",
        Column(
            "staff",
            label=_("Staff on duty"),
            accessor=lambda shift: get_user_display_name(shift.staff),
            sort_key="staff__first_name",
        ),
        "phone",
        "start_time",
        "end_time",
        "note",
    ]
    list_export = ["date", "post", "staff", "phone", "start_time", "end_time", "note"]
    # The roster's services write these for shifts and template slots alike.
    history_labels = {
        "create": _("Created"),
        "update": _("Changed"),
        "delete": _("Deleted"),
        "generate": _("Generated from the weekly template"),
    }

    def get_form_class(self, for_update=False):
        return DutyShiftEditForm if for_update else DutyShiftCreateForm


class RosterViewSetGroup(ViewSetGroup):
    menu_label = _("Duty management")
    menu_icon = "calendar"
    menu_order = 165
    items = (
        RosterViewSet(),
        AdminLink(
            name="roster-template",
            label=_("Weekly duty template"),
            url_name="roster:template",
            icon="table",
            permission="operations.view_dutyshift",
        ),
        AdminLink(
            name="roster-generate",
            label=_("Generate duty weeks"),
            url_name="roster:generate",
            icon="repeat",
            permission="operations.add_dutyshift",
        ),
        DutyShiftViewSet(),
    )


@hooks.register("register_admin_viewset")
def register_roster_viewsets():
    return RosterViewSetGroup()
