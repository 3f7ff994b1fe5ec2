"""Admin UI: community activities (社区活动) — list, plan, detail with its actions (photos, notice,
survey, report), compliance grid."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from operations.admin_menu import PermissionMenuItem
from operations.views import activities as views

ACTIVITIES_MENU_HOOK = "register_operations_activities_menu_item"


@hooks.register(ACTIVITIES_MENU_HOOK)
def register_list_item():
    return PermissionMenuItem(
        _("Activities"),
        reverse("operations_activities:index"),
        icon_name="date",
        order=10,
        permission="operations.view_activity",
    )


@hooks.register(ACTIVITIES_MENU_HOOK)
def register_new_item():
    return PermissionMenuItem(
        _("New activity"),
        reverse("operations_activities:new"),
        icon_name="plus",
        order=20,
        permission="operations.add_activity",
    )


@hooks.register(ACTIVITIES_MENU_HOOK)
def register_compliance_item():
    return PermissionMenuItem(
        _("Yearly compliance"),
        reverse("operations_activities:compliance"),
        icon_name="table",
        order=30,
        permission="operations.view_activity",
    )


class ActivitiesMenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return request.user.has_perm("operations.view_activity")


@hooks.register("register_admin_menu_item")
def register_activities_menu():
    return ActivitiesMenuItem(
        _("Community activities"),
        Menu(register_hook_name=ACTIVITIES_MENU_HOOK),
        icon_name="group",
        name="community-activities",
        order=207,
    )


activities_urls = [
    path("", views.activity_index, name="index"),
    path("new/", views.activity_new, name="new"),
    path("compliance/", views.compliance, name="compliance"),
    path("<int:pk>/", views.activity_show, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/publicity/", views.publicity_tick, name="publicity"),
    path("<int:pk>/to/<str:target>/", views.transition, name="transition"),
    path("<int:pk>/participants/", views.participant_add, name="participant_add"),
    path("<int:pk>/participants/<int:participant_pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/invitees/", views.invitees, name="invitees"),
    path("<int:pk>/repair/", views.repair_intake, name="repair"),
    path("<int:pk>/photos/", views.photo_upload, name="photos"),
    path("<int:pk>/notice/", views.notice_create, name="notice_create"),
    path("<int:pk>/notice/link/", views.notice_link, name="notice_link"),
    path("<int:pk>/survey/", views.survey_start, name="survey_start"),
    path("<int:pk>/report/", views.report_draft, name="report_draft"),
]


@hooks.register("register_admin_urls")
def register_activities_urls():
    return [
        path(
            "activities/",
            include((activities_urls, "operations_activities"), namespace="operations_activities"),
        )
    ]
