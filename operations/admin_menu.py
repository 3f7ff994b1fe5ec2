"""Menu entries of the center admin: the one way to put a link into an area's menu group.

Every area's menu is a ``ViewSetGroup`` of its viewsets; a list variant (mine, overdue, a queue)
or a custom screen (the desk, the week grid) is an ``AdminLink`` in the same group, shown only to
staff holding the permission.
"""

from urllib.parse import urlencode

from django.urls import reverse

from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet


class PermissionMenuItem(MenuItem):
    """A menu item shown when the user has any of ``perms``."""

    def __init__(self, *args, perms: tuple[str, ...] = (), permission: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.perms = tuple(perms) + ((permission,) if permission else ())

    def is_shown(self, request):
        return any(request.user.has_perm(perm) for perm in self.perms)


class AdminLink(ViewSet):
    """A menu-group entry that opens a URL by name — the filtered index of a viewset (``query``) or
    a custom screen — for staff with ``permission`` (or any of ``perms``)."""

    def __init__(
        self,
        *,
        name: str,
        label,
        url_name: str,
        icon: str,
        permission: str = "",
        perms: tuple[str, ...] = (),
        query: dict | None = None,
        order: int | None = None,
    ):
        super().__init__(name=name)
        self.menu_label = label
        self.icon = icon
        self.url_name = url_name
        self.query = query or {}
        self.perms = tuple(perms) + ((permission,) if permission else ())
        self.order = order

    @property
    def menu_url(self):
        url = reverse(self.url_name)
        return f"{url}?{urlencode(self.query)}" if self.query else url

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            label=self.menu_label,
            url=self.menu_url,
            name=self.name,
            icon_name=self.icon,
            order=self.order if self.order is not None else self.get_menu_item_order(order),
            perms=self.perms,
        )


class PageMenuEntry(ViewSet):
    """Deprecated shape (kept until every area uses ``AdminLink``)."""

    url_name = ""
    permission = ""

    def get_menu_item(self, order=None):
        return AdminLink(
            name=self.name,
            label=self.menu_label,
            url_name=self.url_name,
            icon=self.icon,
            permission=self.permission,
        ).get_menu_item(order)
