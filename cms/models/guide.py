"""办事指南: the public service guide of a center (一次性告知)."""

from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from operations.selectors.guide import service_items_published
from operations.services.guide import fee_display, time_limit_display


class ServiceGuidePage(Page):
    """Every published service item with its materials, procedure, time limit, fee and basis."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("service guide")
        verbose_name_plural = _("service guides")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Two queries however many items: the items with their department, then all materials.
        items = list(service_items_published())
        for item in items:
            item.anchor = f"item-{item.pk}"
            item.time_limit_text = time_limit_display(item)
            item.fee_text = fee_display(item)
        context["items"] = items
        return context
