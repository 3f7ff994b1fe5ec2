"""Head-office groups (public schema) and what each may do in the portal."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

HEAD_OFFICE_ROLES = {
    # 总部管理员: create and suspend centers, decide submissions.
    "总部管理员": (
        "tenants.view_servicecenter",
        "tenants.add_servicecenter",
        "tenants.change_servicecenter",
        "portal.view_submission",
        "portal.decide_submission",
        "portal.view_kpithreshold",
        "portal.change_kpithreshold",
        # Head office's sign-in lockouts: see them and lift one (portal.views_signin).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ),
    # 总部督查: read-only — the center list and the inbox, no decisions, no changes.
    "总部督查": ("tenants.view_servicecenter", "portal.view_submission", "portal.view_kpithreshold"),
}


@transaction.atomic
def head_office_roles_sync() -> list[str]:
    """Create the head-office groups and give them their permissions; safe to run twice."""
    changed = []
    for name, perms in HEAD_OFFICE_ROLES.items():
        group, created = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        have = set(group.permissions.values_list("pk", flat=True))
        missing = [p for p in wanted if p.pk not in have]
        if missing:
            group.permissions.add(*missing)
        if created or missing:
            changed.append(name)
    return changed
