"""Admin UI of the center's site: the 微信图文 export of a published activity report; avatars and help
links that need no outside host (Gravatar and guide.wagtail.org are unreachable for many of our users)."""

import hashlib
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.widgets import Button

from cms.models import ActivityReportPage
from cms.wechat import wechat_article

WECHAT_LABEL = gettext_lazy("WeChat article")


def report_wechat_export(request, page_id: int):
    """Preview and copy-ready HTML of a published report, for editors who may edit the page."""
    page = get_object_or_404(ActivityReportPage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    context = {
        "page_title": _("WeChat article: %(title)s") % {"title": page.title},
        "header_icon": "doc-full",
        "report": page,
        "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
    }
    if not page.live:
        context["not_published"] = _(
            "This report is not published yet. Publish it first (after the center head approves it), "
            "then export it as a WeChat article."
        )
    else:
        site = page.get_site()
        root_url = site.root_url if site else request.build_absolute_uri("/").rstrip("/")
        context["article"] = wechat_article(page, root_url=root_url)
    return TemplateResponse(request, "cms/wechat_export.html", context)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("cms/reports/<int:page_id>/wechat/", report_wechat_export, name="cms_report_wechat")]


def _wechat_button(page, user, priority: int):
    if page.specific_class is not ActivityReportPage or not page.live:
        return None
    if not page.permissions_for_user(user).can_edit():
        return None
    return Button(
        WECHAT_LABEL, reverse("cms_report_wechat", args=[page.pk]), icon_name="doc-full", priority=priority
    )


@hooks.register("register_page_header_buttons")
def report_header_buttons(page, user, view_name=None, next_url=None):
    button = _wechat_button(page, user, priority=66)
    if button is not None:
        yield button


@hooks.register("register_page_listing_more_buttons")
def report_listing_buttons(page, user, next_url=None):
    button = _wechat_button(page, user, priority=45)
    if button is not None:
        yield button


# Wagtail's help menu links to guide.wagtail.org (English, outside our host): staff get neither.
EXTERNAL_HELP_ITEMS = {"editor-guide", "whats-new-in-wagtail"}
AVATAR_COLOURS = ("#0b6e4f", "#0a58a8", "#8a4b08", "#6b3fa0", "#b42318", "#3d5a80")


@hooks.register("construct_help_menu")
def drop_external_help_items(request, menu_items):
    menu_items[:] = [
        item for item in menu_items if not any(item.name.startswith(name) for name in EXTERNAL_HELP_ITEMS)
    ]


def initials_avatar_url(user) -> str:
    """A data: URL of an SVG circle with the first character of the user's name (no request at all)."""
    name = (user.get_full_name() or user.get_username() or "?").strip()
    digest = hashlib.sha256(user.get_username().encode()).digest()
    colour = AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        f'<circle cx="50" cy="50" r="50" fill="{colour}"/>'
        '<text x="50" y="50" dy=".35em" text-anchor="middle" font-size="50" fill="#fff" '
        f'font-family="sans-serif">{escape(name[:1].upper())}</text></svg>'
    )
    return "data:image/svg+xml," + quote(svg)


@hooks.register("get_avatar_url")
def avatar_from_our_host(user, size):
    """The uploaded avatar (served by this center's host), else the user's initial."""
    if not hasattr(user, "get_username"):
        return None  # Wagtail's own default image, a static file of ours
    profile = getattr(user, "wagtail_userprofile", None)
    if profile is not None and profile.avatar:
        return profile.avatar.url
    return initials_avatar_url(user)
