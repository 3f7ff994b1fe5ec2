"""Admin UI: two-factor sign-in — its pages, the account menu's entry and Settings → 两步验证 for the
center head (whoever may lift sign-in lockouts)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks

from operations.admin_menu import PermissionMenuItem
from operations.views import twofactor as views
from portal.views_twofactor import RESET_PERMISSION


@hooks.register("register_admin_urls")
def two_factor_urls():
    # verify/ and setup/ stay open before the second step is passed (portal.twofactor.protected).
    return [
        path("two-factor/verify/", views.VerifyView.as_view(), name="two_factor_verify"),
        path("two-factor/setup/", views.SetupView.as_view(), name="two_factor_setup"),
        path("two-factor/", views.ManageView.as_view(), name="two_factor"),
        path("sign-in-two-factor/", views.AccountsView.as_view(), name="two_factor_accounts"),
    ]


@hooks.register("register_account_menu_item")
def two_factor_account_item(request):
    return {
        "url": reverse("two_factor"),
        "label": _("Two-factor sign-in"),
        "help_text": _("Confirm each sign-in with a code from an app on your phone; recovery codes."),
    }


@hooks.register("register_settings_menu_item")
def two_factor_accounts_item():
    return PermissionMenuItem(
        label=_("Two-factor sign-in"),
        url=reverse("two_factor_accounts"),
        name="two_factor_accounts",
        icon_name="key",
        order=651,
        permission=RESET_PERMISSION,
    )
