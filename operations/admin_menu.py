"""Menu entries of the center admin shown only to staff holding a permission (shared by every area)."""

from django.urls import reverse
from django.utils.functional import cached_property

from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet


class PermissionMenuItem(MenuItem):
    """A menu item shown when the user has ``permission``, or any of ``perms``."""

    perms: tuple[str, ...] = ()

    def __init__(self, *args, permission: str | None = None, perms: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        given = tuple(perms) + ((permission,) if permission else ())
        if given:
            self.perms = given

    def is_shown(self, request):
        return any(request.user.has_perm(perm) for perm in self.perms)


class PageMenuEntry(ViewSet):
    """A menu-group entry (in a ViewSetGroup) that opens a view registered elsewhere, by URL name."""

    url_name = ""
    permission = ""

    @cached_property
    def menu_url(self):
        return reverse(self.url_name)

    @cached_property
    def menu_item_class(self):
        return type(f"{type(self).__name__}MenuItem", (PermissionMenuItem,), {"perms": (self.permission,)})
