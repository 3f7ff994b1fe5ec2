"""The two-factor sign-in pages (portal.twofactor), head office's; the center admin's subclass them
(operations.views.twofactor) with their own templates and chrome.

- ``VerifyView``: the code after the password (or a recovery code).
- ``SetupView``: scan the QR code (or type the key), give the first code; shows the recovery codes once.
- ``ManageView``: the account's own status; renew the recovery codes; turn it off where optional.
- ``AccountsView``: the administrators' list of accounts with a reset for a lost phone.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache

from portal import twofactor
from portal.forms import TwoFactorCodeForm, TwoFactorResetForm, TwoFactorSetupForm

PENDING_KEY = "bianmin_2fa_pending"
#: Whoever may lift sign-in lockouts may reset an account's two-factor sign-in too.
RESET_PERMISSION = "axes.delete_accessattempt"


class TwoFactorPage(LoginRequiredMixin, View):
    templates: dict[str, str] = {
        "verify": "portal/twofactor/verify.html",
        "setup": "portal/twofactor/setup.html",
        "codes": "portal/twofactor/codes.html",
        "manage": "portal/twofactor/manage.html",
        "accounts": "portal/twofactor/accounts.html",
    }

    def home_url(self) -> str:
        return reverse("portal:center_list")

    def url(self, name: str) -> str:
        return reverse(twofactor.url_names()[name])

    def page(self, name: str, context: dict, status: int = 200):
        context = {
            "next": twofactor.next_url(self.request, ""),
            "hide_nav": name in ("verify", "setup"),
            **context,
        }
        return render(self.request, self.templates[name], context, status=status)

    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


class VerifyView(TwoFactorPage):
    def get(self, request):
        redirect = self._elsewhere()
        return redirect or self.page("verify", {"form": TwoFactorCodeForm()})

    def post(self, request):
        redirect = self._elsewhere()
        if redirect:
            return redirect
        form = TwoFactorCodeForm(request.POST)
        if form.is_valid():
            result = twofactor.two_factor_verify(request=request, token=form.cleaned_data["code"])
            if result.ok:
                return HttpResponseRedirect(twofactor.next_url(request, self.home_url()))
            if result.wait_seconds:
                form.add_error(
                    None,
                    ngettext(
                        "Too many wrong codes: wait %(seconds)s second, then try again.",
                        "Too many wrong codes: wait %(seconds)s seconds, then try again.",
                        result.wait_seconds,
                    )
                    % {"seconds": result.wait_seconds},
                )
            else:
                form.add_error(
                    "code",
                    _(
                        "That code is not right. Check the time on your phone, or use one of your recovery codes."
                    ),
                )
        return self.page("verify", {"form": form}, status=200)

    def _elsewhere(self):
        """Verified already, or no authenticator (reset meanwhile): on to the page wanted or to set-up."""
        request = self.request
        state = twofactor.work_out_state(request.user, getattr(request, "tenant", None))
        if state == twofactor.ENROLLED and twofactor.is_verified(request):
            return HttpResponseRedirect(twofactor.next_url(request, self.home_url()))
        twofactor.remember_state(request, state)
        if state == twofactor.REQUIRED:
            return HttpResponseRedirect(self.url("setup") + _query(request))
        if state == twofactor.OFF:
            return HttpResponseRedirect(twofactor.next_url(request, self.home_url()))
        return None


class SetupView(TwoFactorPage):
    """Set up (or replace) the authenticator. Replacing needs a verified session: a password alone
    never changes the second factor of an account that has one."""

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and twofactor.has_authenticator(request.user)
            and not twofactor.is_verified(request)
        ):
            return HttpResponseRedirect(self.url("verify") + _query(request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        # The same key on a reload or in a second tab: what the app scanned stays the one confirmed.
        device = twofactor.pending_authenticator(
            user=request.user, device_id=request.session.get(PENDING_KEY)
        )
        if device is None:
            device = twofactor.authenticator_start(user=request.user)
            request.session[PENDING_KEY] = device.pk
        return self._form(device, TwoFactorSetupForm())

    def post(self, request):
        device = twofactor.pending_authenticator(
            user=request.user, device_id=request.session.get(PENDING_KEY)
        )
        if device is None:
            messages.error(request, _("The set-up expired. Scan the new QR code below."))
            return HttpResponseRedirect(self.url("setup") + _query(request))
        form = TwoFactorSetupForm(request.POST)
        if form.is_valid():
            codes = twofactor.authenticator_confirm(
                request=request, device=device, token=form.cleaned_data["code"]
            )
            if codes is not None:
                request.session.pop(PENDING_KEY, None)
                done = twofactor.next_url(request, self.url("manage"))
                return self.page("codes", {"codes": codes, "continue_url": done, "first_time": True})
            form.add_error(
                "code", _("That code is not right. Scan the QR code again, or check the time on your phone.")
            )
        return self._form(device, form)

    def _form(self, device, form):
        return self.page(
            "setup",
            {
                "form": form,
                "qr_svg": twofactor.qr_svg(device),
                "secret": twofactor.secret_for_display(device),
                "required": twofactor.required_for(self.request.user, getattr(self.request, "tenant", None)),
            },
        )


class ManageView(TwoFactorPage):
    def get(self, request):
        return self.page("manage", self.status())

    def status(self) -> dict:
        user = self.request.user
        return {
            "enabled": twofactor.has_authenticator(user),
            "required": twofactor.required_for(user, getattr(self.request, "tenant", None)),
            "codes_left": twofactor.recovery_codes_left(user),
            "setup_url": self.url("setup"),
        }

    def post(self, request):
        action = request.POST.get("action")
        if action == "renew" and twofactor.has_authenticator(request.user):
            codes = twofactor.recovery_codes_renew(request=request)
            return self.page(
                "codes", {"codes": codes, "continue_url": self.url("manage"), "first_time": False}
            )
        if action == "disable":
            if twofactor.two_factor_disable(request=request):
                messages.success(request, _("Two-factor sign-in is off for your account."))
            else:
                messages.error(
                    request, _("Your account must sign in with two factors: it cannot be turned off.")
                )
        return HttpResponseRedirect(self.url("manage"))


class AccountsView(TwoFactorPage):
    """The accounts here and whether each signs in with two factors; reset one (a lost phone)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(RESET_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.page(
            "accounts",
            {
                "accounts": twofactor.accounts_with_status(),
                "events": twofactor.recent_events(),
                "center_requires": twofactor.center_requires(getattr(request, "tenant", None)),
                "head_office": twofactor.is_head_office(),
            },
        )

    def post(self, request):
        form = TwoFactorResetForm(request.POST)
        user = None
        if form.is_valid():
            user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            messages.error(request, _("No such account."))
        elif user == request.user:
            messages.error(request, _("Use “My two-factor sign-in” for your own account."))
        elif twofactor.two_factor_reset(user=user, request=request):
            messages.success(
                request,
                _(
                    "Two-factor sign-in of “%(username)s” was reset. They set it up again at their next sign-in."
                )
                % {"username": user.get_username()},
            )
        else:
            messages.info(
                request, _("“%(username)s” has no two-factor sign-in.") % {"username": user.get_username()}
            )
        return HttpResponseRedirect(request.path)


def _query(request) -> str:
    target = twofactor.next_url(request, "")
    return f"?{twofactor.urlencode({'next': target})}" if target else ""
