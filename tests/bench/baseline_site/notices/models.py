"""Pages of the baseline site, written as a typical Wagtail site writes them."""

from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

HOME_NOTICES = 10
RECENT_NOTICES = 5


class HomePage(Page):
    """The site's root: an introduction and the latest notices."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["baseline_notices.NoticeIndexPage", "baseline_notices.SectionPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_notices"] = (
            NoticePage.objects.live().descendant_of(self).order_by("-date", "-pk")[:HOME_NOTICES]
        )
        return context


class SectionPage(Page):
    """Another section of the site (activity reports, guide to services): shown in the navigation."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["baseline_notices.HomePage"]


class NoticeIndexPage(Page):
    """The list of notices."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["baseline_notices.HomePage"]
    subpage_types = ["baseline_notices.NoticePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["notices"] = NoticePage.objects.live().child_of(self).order_by("-date", "-pk")[:20]
        return context


class NoticePage(Page):
    """One notice: a date and a rich-text body; the page lists the recent other notices beside it."""

    date = models.DateField()
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("body")]
    parent_page_types = ["baseline_notices.NoticeIndexPage"]
    subpage_types: list[str] = []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["recent_notices"] = (
            NoticePage.objects.live()
            .sibling_of(self, inclusive=False)
            .order_by("-date", "-pk")[:RECENT_NOTICES]
        )
        return context
