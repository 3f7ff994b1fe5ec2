"""Admin UI: the first-inquiry register (首问负责) — my inquiries, open, overdue, detail, export."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from operations.admin_menu import PermissionMenuItem
from operations.views import inquiries as views

INQUIRIES_MENU_HOOK = "register_operations_inquiries_menu_item"


@hooks.register(INQUIRIES_MENU_HOOK)
def register_my_inquiries_item():
    return PermissionMenuItem(
        _("My inquiries"),
        reverse("operations_inquiries:list") + "?tab=mine",
        icon_name="user",
        order=10,
        permission="operations.view_inquiry",
    )


@hooks.register(INQUIRIES_MENU_HOOK)
def register_open_inquiries_item():
    return PermissionMenuItem(
        _("All open"),
        reverse("operations_inquiries:list") + "?tab=open",
        icon_name="list-ul",
        order=20,
        permission="operations.view_inquiry",
    )


@hooks.register(INQUIRIES_MENU_HOOK)
def register_overdue_inquiries_item():
    return PermissionMenuItem(
        _("Overdue"),
        reverse("operations_inquiries:list") + "?tab=overdue",
        icon_name="warning",
        order=30,
        permission="operations.view_inquiry",
    )


@hooks.register(INQUIRIES_MENU_HOOK)
def register_new_inquiry_item():
    return PermissionMenuItem(
        _("Record an inquiry"),
        reverse("operations_inquiries:create"),
        icon_name="plus",
        order=40,
        permission="operations.add_inquiry",
    )


class InquiriesMenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return request.user.has_perm("operations.view_inquiry")


@hooks.register("register_admin_menu_item")
def register_inquiries_menu():
    return InquiriesMenuItem(
        _("First-inquiry register"),
        Menu(register_hook_name=INQUIRIES_MENU_HOOK),
        icon_name="help",
        name="first-inquiry-register",
        order=205,
    )


inquiry_urls = [
    path("", views.inquiry_list, name="list"),
    path("new/", views.inquiry_create, name="create"),
    path("export/", views.inquiry_export, name="export"),
    path("<int:pk>/", views.inquiry_detail, name="detail"),
    path("<int:pk>/hand-over/", views.inquiry_hand_over_view, name="hand_over"),
    path("<int:pk>/follow-up/", views.inquiry_follow_up_view, name="follow_up"),
    path("<int:pk>/complete/", views.inquiry_complete_view, name="complete"),
]


@hooks.register("register_admin_urls")
def register_inquiry_urls():
    return [
        path("inquiries/", include((inquiry_urls, "operations_inquiries"), namespace="operations_inquiries"))
    ]
