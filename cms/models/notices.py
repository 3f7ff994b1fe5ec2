"""Residents' notices (通知公告): the index and the notice pages."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from modelcluster.fields import ParentalKey, ParentalManyToManyField

from cms.blocks import BaseStreamBlock
from cms.models.routing import OneQueryViewRestrictionsMixin, OneTypeChildrenRouteMixin, visible_now
from cms.models.search import SearchTextMixin
from cms.qr import qr_svg


class NoticeCategory(models.TextChoices):
    UTILITIES = "utilities", _("Water and power outages")
    REMINDER = "reminder", _("Friendly reminder")
    EVENT = "event", _("Upcoming event")
    POLICY = "policy", _("Policy information")
    EMERGENCY = "emergency", _("Emergency notice")


def live_notices(parent: Page | None = None):
    """Notices residents may see now: published, already gone live and not yet expired."""
    notices = visible_now(NoticePage.objects.all())
    if parent is not None:
        notices = notices.child_of(parent)
    return notices.order_by("-urgent", "-pinned", "-date", "-first_published_at", "-pk")


class NoticeIndexPage(OneQueryViewRestrictionsMixin, OneTypeChildrenRouteMixin, Page):
    """通知公告: the list of the center's notices to residents."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NoticePage"]
    max_count_per_parent = 1
    per_page = 10

    class Meta:
        verbose_name = _("notice list")
        verbose_name_plural = _("notice lists")

    @property
    def child_page_model(self):
        return NoticePage

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notices = live_notices(self)
        category = request.GET.get("category", "")
        if category in NoticeCategory.values:
            notices = notices.filter(category=category)
        else:
            category = ""
        context["notices"] = Paginator(notices, self.per_page).get_page(request.GET.get("page"))
        context["categories"] = NoticeCategory.choices
        context["category"] = category
        return context


class NoticePage(OneQueryViewRestrictionsMixin, SearchTextMixin, RoutablePageMixin, Page):
    """One notice to residents; Wagtail's go-live and expiry dates schedule it."""

    date = models.DateField(_("notice date"), default=timezone.localdate)
    category = models.CharField(
        _("category"), max_length=20, choices=NoticeCategory.choices, default=NoticeCategory.REMINDER
    )
    urgent = models.BooleanField(
        _("mark as urgent"), default=False, help_text=_("Urgent notices are listed first and highlighted.")
    )
    pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("Pinned notices are listed before the others.")
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)
    whole_estate = models.BooleanField(
        _("whole estate"), default=True, help_text=_("Untick to address only the buildings selected below.")
    )
    buildings = ParentalManyToManyField("operations.Building", verbose_name=_("buildings"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("category"), FieldPanel("urgent"), FieldPanel("pinned")],
            heading=_("notice"),
        ),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("attachments")),
        MultiFieldPanel([FieldPanel("whole_estate"), FieldPanel("buildings")], heading=_("audience")),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("body"),
        index.FilterField("category"),
        index.FilterField("date"),
        index.FilterField("urgent"),
    ]

    parent_page_types = ["cms.NoticeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def clean(self):
        super().clean()
        if self.go_live_at and self.expire_at and self.expire_at <= self.go_live_at:
            raise ValidationError({"expire_at": _("The expiry must be after the go-live date.")})

    @property
    def summary(self) -> str:
        """The search description, or the start of the first paragraph."""
        if self.search_description:
            return self.search_description
        for block in self.body:
            if block.block_type == "paragraph_block":
                return Truncator(strip_tags(block.value.source)).chars(160)
        return ""

    @property
    def audience_label(self) -> str:
        if self.whole_estate:
            return str(_("Whole estate"))
        return "、".join(b.name for b in self.buildings.all()) or str(_("Whole estate"))

    def is_visible_now(self) -> bool:
        now = timezone.now()
        return (
            self.live
            and (self.go_live_at is None or self.go_live_at <= now)
            and (self.expire_at is None or self.expire_at > now)
        )

    def get_sitemap_urls(self, request=None):
        if not self.is_visible_now():
            return []
        return super().get_sitemap_urls(request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["og_description"] = self.summary
        image = next((b.value["image"] for b in self.body if b.block_type == "image_block"), None)
        if image is not None:
            context["og_image_url"] = request.build_absolute_uri(image.get_rendition("width-1200").url)
        context["attachments"] = self.attachments.select_related("document")
        return context

    @path("poster/")
    def poster(self, request):
        """A printable A4 poster with a QR code to the notice, for the lobby boards."""
        url = self.get_full_url(request)
        context = self.get_context(request)
        context.update(qr_svg=qr_svg(url), notice_url=url)
        return TemplateResponse(request, "cms/notice_poster.html", context)


class NoticeAttachment(Orderable):
    page = ParentalKey(NoticePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("link text"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title or self.document.title
