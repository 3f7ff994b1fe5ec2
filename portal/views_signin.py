"""Head office's sign-in lockouts: the head-office accounts locked out now, lift one, the record."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal import signin
from portal.forms import SignInUnlockForm

VIEW_PERMISSION = "axes.view_accessattempt"
UNLOCK_PERMISSION = "axes.delete_accessattempt"


@never_cache
@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def lockout_list(request):
    if request.method == "POST":
        if not request.user.has_perm(UNLOCK_PERMISSION):
            raise PermissionDenied
        form = SignInUnlockForm(request.POST)
        if form.is_valid():
            record = signin.unlock(**form.cleaned_data, acting_username=request.user.get_username())
            messages.success(
                request, _("“%(username)s” may sign in again from %(address)s.") % unlock_words(record)
            )
            return redirect("portal:signin_lockouts")
        messages.error(request, _("Nothing to unlock: the request named no account."))
    context = {
        "lockouts": signin.lockouts(),
        "failures": signin.recent_failures(),
        "unlocks": signin.recent_unlocks(),
        "center_unlocks": signin.center_unlocks(),
        "can_unlock": request.user.has_perm(UNLOCK_PERMISSION),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": int(signin.cool_off().total_seconds() // 60),
    }
    return render(request, "portal/signin_lockouts.html", context)


def unlock_words(record) -> dict:
    return {"username": record.username, "address": record.ip_address or _("an unknown address")}
