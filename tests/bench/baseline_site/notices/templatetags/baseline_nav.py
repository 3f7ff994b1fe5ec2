"""The baseline site's navigation: the home page's live children shown in menus."""

from django import template

from wagtail.models import Site

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menu(context):
    site = Site.find_for_request(context["request"])
    return site.root_page.get_children().live().in_menu() if site else []


@register.simple_tag(takes_context=True)
def site_name(context):
    site = Site.find_for_request(context["request"])
    return site.site_name if site else ""
