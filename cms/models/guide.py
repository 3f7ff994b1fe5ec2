"""办事指南: the public service guide of a center (一次性告知)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms.models.routing import OneQueryViewRestrictionsMixin
from operations.selectors.guide import service_items_published
from operations.services.appointments import bookable_services
from operations.services.guide import item_terms


class ServiceGuidePage(OneQueryViewRestrictionsMixin, Page):
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
        # Three queries however many items: the items with their department, all materials, and
        # which items residents may book online.
        items = list(service_items_published())
        bookable = set(bookable_services().values_list("service_item_id", flat=True))
        for item in items:
            item_terms(item)
            item.booking_url = reverse("public_booking_new", args=[item.pk]) if item.pk in bookable else ""
        context["items"] = items
        return context
