"""Template tags of the residents' site: the main navigation."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from cms.models.home import site_sections

register = template.Library()


@register.simple_tag(takes_context=True)
def site_navigation(context) -> list[dict]:
    """``{% site_navigation as items %}``: home, the live section pages, and search.

    Each item has ``label``, ``url`` and ``current`` (the section the visitor is in).
    """
    request = context.get("request")
    sections = context.get("sections") or site_sections(request)
    items = [{"key": "home", "label": _("Home"), "url": "/"}]
    labels = {"notices": _("Notices"), "reports": _("Activity reports"), "guide": _("Guide to services")}
    for key, label in labels.items():
        if key in sections and sections[key]["url"]:
            items.append({"key": key, "label": label, "url": sections[key]["url"]})
    items.append({"key": "search", "label": _("Search"), "url": reverse("site_search")})
    path = getattr(request, "path", "") or ""
    current = "home" if path == "/" else None
    for item in items[1:]:
        if path.startswith(item["url"]):
            current = item["key"]
    for item in items:
        item["current"] = item["key"] == current
    return items


@register.simple_tag(takes_context=True)
def parent_url(context, page) -> str:
    """``{% parent_url page %}``: the URL of the page's parent, cut from the page's own URL.

    Wagtail's page URLs follow the tree (``/notices/n5/`` is under ``/notices/``), so this needs no
    query, where ``page.get_parent`` costs one when the page was not reached by walking the tree.
    """
    url = page.get_url(request=context.get("request")) or ""
    return url[: url.rstrip("/").rfind("/") + 1] if url.rstrip("/") else ""
