"""Admin UI: the center's sign-in lockouts (Settings → Sign-in lockouts), for the center head.

The lockouts are django-axes' records in the center's schema (``portal.signin``); lifting one is
recorded in ``portal.SignInUnlock``, which head office sees too.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from operations.viewsets import AdminScreen, perms_required
from portal import signin
from portal.forms import SignInUnlockForm

VIEW_PERMISSION = "axes.view_accessattempt"
UNLOCK_PERMISSION = "axes.delete_accessattempt"


class LockoutsView(AdminScreen, TemplateView):
    """Who is locked out of this center's admin now, the last failures and unlocks; an unlock button."""

    permissions = (VIEW_PERMISSION,)
    template_name = "operations/signin/lockouts.html"
    page_title = gettext_lazy("Sign-in lockouts")
    header_icon = "lock"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "lockouts": signin.lockouts(),
            "failures": signin.recent_failures(),
            "unlocks": signin.recent_unlocks(),
            "can_unlock": self.request.user.has_perm(UNLOCK_PERMISSION),
            "unlock_url": reverse("signin_lockouts:index"),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cool_off_minutes": int(signin.cool_off().total_seconds() // 60),
        }

    def post(self, request, *args, **kwargs):
        perms_required(request.user, UNLOCK_PERMISSION)
        form = SignInUnlockForm(request.POST)
        if form.is_valid():
            record = signin.unlock(**form.cleaned_data, acting_username=request.user.get_username())
            address = record.ip_address or _("an unknown address")
            messages.success(
                request,
                _("“%(username)s” may sign in again from %(address)s.")
                % {"username": record.username, "address": address},
            )
        else:
            messages.error(request, _("Nothing to unlock: the request named no account."))
        return HttpResponseRedirect(reverse("signin_lockouts:index"))
