"""Admin UI: the lending desk (前台借用) — desk screen, overdue queue, items, export and print."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from operations.admin_menu import PermissionMenuItem
from operations.views import lending as views

LENDING_MENU_HOOK = "register_operations_lending_menu_item"


@hooks.register(LENDING_MENU_HOOK)
def register_desk_item():
    return PermissionMenuItem(
        _("Lending desk"),
        reverse("operations_lending:desk"),
        icon_name="form",
        order=10,
        permission="operations.view_loan",
    )


@hooks.register(LENDING_MENU_HOOK)
def register_overdue_item():
    return PermissionMenuItem(
        _("Overdue loans"),
        reverse("operations_lending:overdue"),
        icon_name="warning",
        order=20,
        permission="operations.view_loan",
    )


@hooks.register(LENDING_MENU_HOOK)
def register_items_item():
    return PermissionMenuItem(
        _("Convenience items"),
        reverse("operations_lending:items"),
        icon_name="list-ul",
        order=30,
        permission="operations.view_convenienceitem",
    )


class LendingMenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return request.user.has_perm("operations.view_loan") or request.user.has_perm(
            "operations.view_convenienceitem"
        )


@hooks.register("register_admin_menu_item")
def register_lending_menu():
    return LendingMenuItem(
        _("Front-desk lending"),
        Menu(register_hook_name=LENDING_MENU_HOOK),
        icon_name="tag",
        name="front-desk-lending",
        order=206,
    )


lending_urls = [
    path("", views.desk, name="desk"),
    path("lend/", views.lend, name="lend"),
    path("overdue/", views.overdue, name="overdue"),
    path("export/", views.export, name="export"),
    path("print/", views.print_register, name="print"),
    path("items/", views.items, name="items"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/retire/", views.item_retire, name="item_retire"),
    path("items/<int:pk>/contents/", views.toolbox_contents, name="toolbox_contents"),
    path("items/<int:pk>/glasses-use/", views.glasses_use, name="glasses_use"),
    path("<int:pk>/return/", views.return_loan, name="return"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
]


@hooks.register("register_admin_urls")
def register_lending_urls():
    return [path("lending/", include((lending_urls, "operations_lending"), namespace="operations_lending"))]
