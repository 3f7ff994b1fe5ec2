"""Admin UI: two-factor sign-in at a center (portal.twofactor) — the second sign-in step, the account's own
settings (account menu → 两步验证) and the center head's list of accounts with a reset (Settings)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from portal import views_twofactor as base

TEMPLATES = {
    "verify": "operations/twofactor/verify.html",
    "setup": "operations/twofactor/setup.html",
    "codes": "operations/twofactor/codes.html",
    "manage": "operations/twofactor/manage.html",
    "accounts": "operations/twofactor/accounts.html",
}
TITLES = {
    "verify": gettext_lazy("Confirm your sign-in"),
    "setup": gettext_lazy("Set up two-factor sign-in"),
    "codes": gettext_lazy("Your recovery codes"),
    "manage": gettext_lazy("My two-factor sign-in"),
    "accounts": gettext_lazy("Two-factor sign-in of accounts"),
}


class CenterPage:
    templates = TEMPLATES

    def home_url(self) -> str:
        return reverse("wagtailadmin_home")

    def page(self, name, context, status=200):
        context = {"page_title": TITLES[name], "header_title": TITLES[name], "header_icon": "key", **context}
        return super().page(name, context, status)


class VerifyView(CenterPage, base.VerifyView):
    pass


class SetupView(CenterPage, base.SetupView):
    pass


class ManageView(CenterPage, base.ManageView):
    pass


class AccountsView(CenterPage, base.AccountsView):
    pass
