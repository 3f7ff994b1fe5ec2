"""Admin UI: Settings → Sign-in lockouts, for holders of ``axes.view_accessattempt`` (the center head)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSet

from operations.admin_menu import PermissionMenuItem
from operations.views import signin as views


class SignInLockoutsViewSet(ViewSet):
    name = "signin_lockouts"
    url_prefix = "sign-in-lockouts"
    menu_label = _("Sign-in lockouts")
    icon = "lock"
    add_to_settings_menu = True
    menu_order = 650

    def get_urlpatterns(self):
        return [path("", views.LockoutsView.as_view(), name="index")]

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            label=self.menu_label,
            url=self.menu_url,
            name=self.name,
            icon_name=self.menu_icon,
            order=order if order is not None else self.menu_order,
            permission=views.VIEW_PERMISSION,
        )


@hooks.register("register_admin_viewset")
def register_signin_viewset():
    return SignInLockoutsViewSet()
