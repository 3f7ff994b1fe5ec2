"""Admin UI: the desk's appraisal (窗口工作人员考评), custom screens routed by ``AppraisalViewSet``.

The menu group offers the center head every staff member's month ("All staff") and every staff
member their own ("My appraisal"); the person's month and its printable sheet open from there.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from operations.admin_menu import AdminLink
from operations.views import appraisal as views


class AppraisalViewSet(ViewSet):
    """Routes the appraisal's screens under ``/admin/appraisal/`` (menu: the group's links)."""

    name = "desk_appraisal"
    url_prefix = "appraisal"

    def get_urlpatterns(self):
        return [
            path("", views.AppraisalTableView.as_view(), name="index"),
            path("me/", views.PersonMonthView.as_view(), name="mine"),
            path("me/print/", views.AppraisalSheetView.as_view(), name="my_sheet"),
            path("staff/<int:user_id>/", views.PersonMonthView.as_view(), name="person"),
            path("staff/<int:user_id>/print/", views.AppraisalSheetView.as_view(), name="sheet"),
        ]


class AppraisalGroup(ViewSetGroup):
    menu_label = _("Desk appraisal")
    menu_icon = "table"
    menu_order = 115
    items = (
        AdminLink(
            name="appraisal-all",
            label=_("All staff"),
            url_name="desk_appraisal:index",
            icon="group",
            permission="operations.view_desk_appraisal",
        ),
        AdminLink(
            name="appraisal-mine",
            label=_("My appraisal"),
            url_name="desk_appraisal:mine",
            icon="user",
            permission="wagtailadmin.access_admin",
        ),
    )


@hooks.register("register_admin_viewset")
def register_appraisal_viewsets():
    return [AppraisalGroup(), AppraisalViewSet()]
