"""活动报道: reports of held activities, drafted from the activity and published through Wagtail."""

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from cms.models.routing import OneQueryViewRestrictionsMixin, OneTypeChildrenRouteMixin, visible_now
from cms.models.search import SearchTextMixin

# Rendition specs, shared with the WeChat export and the head-office index.
LIST_THUMBNAIL = "fill-480x270"
GALLERY_THUMBNAIL = "fill-400x300"
GALLERY_LARGE = "max-1600x1600"
OPEN_GRAPH_IMAGE = "width-1200"
BODY_IMAGE = "width-800"  # cms/blocks/image_block.html
GALLERY_LIMIT = 60


def live_reports(parent: Page | None = None):
    """Reports residents may see now, newest first."""
    reports = visible_now(ActivityReportPage.objects.all())
    if parent is not None:
        reports = reports.child_of(parent)
    return reports.order_by("-date", "-first_published_at", "-pk")


class ActivityReportIndexPage(OneQueryViewRestrictionsMixin, OneTypeChildrenRouteMixin, Page):
    """活动报道: the list of the center's activity reports."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ActivityReportPage"]
    max_count_per_parent = 1
    per_page = 10

    class Meta:
        verbose_name = _("activity report list")
        verbose_name_plural = _("activity report lists")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        reports = live_reports(self).select_related("cover_image")
        page = Paginator(reports, self.per_page).get_page(request.GET.get("page"))
        attach_renditions([(r.cover_image, LIST_THUMBNAIL) for r in page.object_list if r.cover_image])
        context["reports"] = page
        return context

    @property
    def child_page_model(self):
        return ActivityReportPage


class ActivityReportPage(OneQueryViewRestrictionsMixin, SearchTextMixin, RoutablePageMixin, Page):
    """One activity report: summary, photos of the day, figures and an editable body."""

    date = models.DateField(_("activity date"), default=timezone.localdate)
    activity = models.ForeignKey(
        "operations.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_pages",
        verbose_name=_("activity"),
    )
    summary = models.TextField(_("summary"), blank=True, max_length=500)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cover image"),
    )
    gallery_collection = models.ForeignKey(
        "wagtailcore.Collection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("photo collection"),
        help_text=_("The photos of this collection are shown as the report's gallery."),
    )
    participants_count = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    repairs_done = models.PositiveIntegerField(_("repairs done"), null=True, blank=True)
    satisfaction_rate = models.DecimalField(
        _("satisfaction rate (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("activity"), FieldPanel("summary"), FieldPanel("cover_image")],
            heading=_("report"),
        ),
        MultiFieldPanel(
            [FieldPanel("participants_count"), FieldPanel("repairs_done"), FieldPanel("satisfaction_rate")],
            heading=_("figures"),
        ),
        FieldPanel("gallery_collection"),
        FieldPanel("body"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    parent_page_types = ["cms.ActivityReportIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")

    def build_search_text(self) -> str:
        return "\n".join(p for p in (super().build_search_text(), self.summary) if p)

    @property
    def figures(self) -> list[tuple[str, str]]:
        """The report's figures that are known, as (label, display value) pairs."""
        figures = []
        if self.participants_count is not None:
            figures.append((str(_("Participants")), number_format(self.participants_count)))
        if self.repairs_done is not None:
            figures.append((str(_("Repairs done")), number_format(self.repairs_done)))
        if self.satisfaction_rate is not None:
            figures.append((str(_("Satisfaction rate")), f"{number_format(self.satisfaction_rate, 1)}%"))
        return figures

    def gallery_images(self):
        """The photos of the gallery collection, oldest first."""
        if self.gallery_collection_id is None:
            return []
        return list(
            get_image_model()
            .objects.filter(collection_id=self.gallery_collection_id)
            .order_by("created_at", "pk")[:GALLERY_LIMIT]
        )

    def _page_images(self) -> tuple[list, dict]:
        """The gallery (photos not in the body), and every image the page shows by id, in one
        query with their renditions."""
        body_ids = {
            item["value"].get("image")
            for item in self.body.raw_data
            if item["type"] == "image_block" and isinstance(item.get("value"), dict)
        }
        wanted = Q(pk__in={pk for pk in body_ids | {self.cover_image_id} if isinstance(pk, int)})
        if self.gallery_collection_id is not None:
            gallery_ids = (
                get_image_model()
                .objects.filter(collection_id=self.gallery_collection_id)
                .order_by("created_at", "pk")
                .values("pk")[:GALLERY_LIMIT]
            )
            wanted |= Q(pk__in=gallery_ids)
        images = list(get_image_model().objects.filter(wanted).order_by("created_at", "pk"))
        # Each photo once: the gallery shows those the body does not.
        gallery = [
            image
            for image in images
            if image.collection_id == self.gallery_collection_id and image.pk not in body_ids
        ]
        needed = [(image, spec) for image in gallery for spec in (GALLERY_THUMBNAIL, GALLERY_LARGE)]
        needed += [(image, BODY_IMAGE) for image in images if image.pk in body_ids]
        needed += [(image, OPEN_GRAPH_IMAGE) for image in images if image.pk == self.cover_image_id]
        attach_renditions(needed)
        return gallery, {image.pk: image for image in images}

    def _body_blocks(self, images: dict) -> list[dict]:
        """The body's blocks for the template; image blocks get their image from ``images``.

        Other block types are bound by Wagtail per type as usual; image blocks are not, so the
        page loads its images once (with the gallery) instead of once more for the body.
        """
        blocks = []
        for position, item in enumerate(self.body.raw_data):
            if item["type"] != "image_block":
                blocks.append({"block": self.body[position]})
                continue
            value = item.get("value") or {}
            image = images.get(value.get("image"))
            if image is not None:  # a deleted image leaves its block out
                blocks.append(
                    {
                        "image": {
                            "image": image,
                            "caption": value.get("caption") or "",
                            "alt_text": value.get("alt_text") or image.default_alt_text,
                        }
                    }
                )
        return blocks

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["og_description"] = self.summary
        gallery, images = self._page_images()
        context["body_blocks"] = self._body_blocks(images)
        context["gallery"] = gallery
        cover = images.get(self.cover_image_id)
        if cover is not None:
            context["og_image_url"] = request.build_absolute_uri(cover.get_rendition(OPEN_GRAPH_IMAGE).url)
        # Reports sit right under their index: its address is the report's minus the slug.
        url = self.get_url(request) or ""
        context["index_url"] = url[: -len(self.slug) - 1] if url.endswith(f"/{self.slug}/") else ""
        return context


def attach_renditions(needed: list[tuple]) -> None:
    """Give images their existing renditions: from the cache, else in one query.

    ``needed`` lists (image, filter spec) pairs. Wagtail looks renditions up image by image; a
    page of photos would cost a query each on a cold cache. Attached here (where Wagtail's own
    ``prefetch_renditions`` puts them), ``{% image %}`` finds them without a query; missing
    ones are still generated on first use.
    """
    if not needed:
        return
    rendition_model = needed[0][0].get_rendition_model()
    # One cache key per (image, spec); the same image may come as several instances.
    keys: dict[str, dict[int, object]] = {}
    for image, spec in needed:
        image.prefetched_renditions = []
        key = rendition_model.construct_cache_key(image, Filter(spec=spec).get_cache_key(image), spec)
        keys.setdefault(key, {})[id(image)] = image

    def attach(key, rendition):
        images = list(keys[key].values())
        rendition.image = images[0]  # no query when the rendition's image is read (alt text)
        for image in images:
            image.prefetched_renditions.append(rendition)

    cached = rendition_model.cache_backend.get_many(list(keys))
    for key, rendition in cached.items():
        rendition._from_cache = True
        attach(key, rendition)
    missing = [key for key in keys if key not in cached]
    if not missing:
        return
    # Load the rest at once, and keep them in the cache for the next request.
    by_pk = {image.pk: image for key in missing for image in keys[key].values()}
    specs = {spec for _image, spec in needed}
    found = {}
    for rendition in rendition_model.objects.filter(image_id__in=by_pk, filter_spec__in=specs):
        image = by_pk[rendition.image_id]
        key = rendition_model.construct_cache_key(image, rendition.focal_point_key, rendition.filter_spec)
        if key in keys and key not in cached:
            attach(key, rendition)
            found[key] = rendition
    if found:
        rendition_model.cache_backend.set_many(found)
