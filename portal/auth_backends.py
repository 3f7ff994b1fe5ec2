"""Authentication backends: django-axes' lockout check first, then Django's ModelBackend with a user's
permissions read in one query."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied


class ModelBackend1Query(ModelBackend):
    """Every admin page checks permissions; Django reads user and group permissions in two
    queries, this reads both in one (same result, same ``_perm_cache``)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                perms = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in perms.values_list("content_type__app_label", "codename").distinct()
            }
        return user_obj._perm_cache


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, marking the request it refuses because the account was already locked
    (``request.signin_refused_locked``), so the audit trail can tell that refusal from the wrong password
    that locked the account (axes announces both with the same signal)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            request.signin_refused_locked = True
            raise
