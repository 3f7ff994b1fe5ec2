"""The home page of a center's site (tenant schema only), and the site's sections for the navigation."""

from django.core.cache import cache
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.images import get_image_model
from wagtail.models import Page

from cms.cache import page_generation
from cms.models.evaluations import EvaluationIndexPage, EvaluationPage
from cms.models.guide import ServiceGuidePage
from cms.models.notices import NoticeIndexPage, live_notices
from cms.models.reports import ActivityReportIndexPage, live_reports
from cms.models.routing import OneQueryViewRestrictionsMixin
from operations.selectors.activities import activities_upcoming
from operations.selectors.roster import duty_today

HOME_URGENT_MAX = 5
HOME_NOTICES = 5
HOME_REPORTS = 3
HOME_ACTIVITIES = 5
REPORT_THUMBNAIL = "fill-320x180"  # as in cms/includes/report_card.html


def site_sections(request=None) -> dict[str, dict]:
    """The live 通知公告, 活动报道 and 办事指南 pages of the center: ``{key: {"title", "url"}}``.

    Every public page shows them in its navigation, so they are remembered on the request and
    in the (tenant-keyed) cache under the center's page generation, which publishing, moving
    or deleting a page bumps (``cms.cache``): no query on a warm cache.
    """
    if request is not None and hasattr(request, "_cms_site_sections"):
        return request._cms_site_sections

    key = f"cms:site-sections:{page_generation(request)}"
    sections = cache.get(key)
    if sections is None:
        # Matched by model name through a join: django-tenants empties the ContentType cache
        # on every request, so get_for_model() would cost a query per model.
        kinds = {
            NoticeIndexPage._meta.model_name: "notices",
            ActivityReportIndexPage._meta.model_name: "reports",
            ServiceGuidePage._meta.model_name: "guide",
            EvaluationIndexPage._meta.model_name: "evaluation",
        }
        pages = (
            Page.objects.live()
            .filter(content_type__app_label="cms", content_type__model__in=kinds)
            .annotate(model_name=F("content_type__model"))
            .order_by("path")
        )
        sections = {}
        for page in pages:
            name = kinds[page.model_name]
            if name not in sections:
                sections[name] = {"title": page.title, "url": page.get_url(request=request)}
        cache.set(key, sections, timeout=3600)
    if request is not None:
        request._cms_site_sections = sections
    return sections


def _page_visible_now(page, now) -> bool:
    return (
        page is not None
        and page.live
        and (page.go_live_at is None or page.go_live_at <= now)
        and (page.expire_at is None or page.expire_at > now)
    )


class HomePage(OneQueryViewRestrictionsMixin, Page):
    """The root of a center's site: who the center is and how to reach it."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.NoticeIndexPage",
        "cms.ActivityReportIndexPage",
        "cms.ServiceGuidePage",
        "cms.EvaluationIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The center is the tenant the request was routed to; pages never hold center data.
        sections = site_sections(request)
        context["sections"] = sections
        context.update(self._notices(sections))
        context["latest_reports"] = self._reports() if "reports" in sections else []
        context["upcoming_activities"] = self._activities()
        context["latest_evaluation"] = (
            EvaluationPage.objects.live().descendant_of(self).order_by("-month").first()
            if "evaluation" in sections
            else None
        )

        context["on_duty"] = duty_today()
        return context

    def _notices(self, sections) -> dict:
        """Urgent notices for the top of the page and the latest others, from one query."""
        if "notices" not in sections:
            return {"urgent_notices": [], "latest_notices": []}
        # live_notices lists urgent ones first, so one slice holds both groups.
        notices = list(live_notices().descendant_of(self)[: HOME_URGENT_MAX + HOME_NOTICES])
        return {
            "urgent_notices": [n for n in notices if n.urgent][:HOME_URGENT_MAX],
            "latest_notices": [n for n in notices if not n.urgent][:HOME_NOTICES],
        }

    def _reports(self) -> list:
        renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=REPORT_THUMBNAIL)
        return list(
            live_reports()
            .descendant_of(self)
            .select_related("cover_image")
            .prefetch_related(Prefetch("cover_image__renditions", queryset=renditions))[:HOME_REPORTS]
        )

    def _activities(self) -> list:
        now = timezone.now()
        activities = list(activities_upcoming(now=now, limit=HOME_ACTIVITIES).select_related("notice_page"))
        for activity in activities:
            # Link the activity's notice only while residents may read it.
            activity.public_notice = (
                activity.notice_page if _page_visible_now(activity.notice_page, now) else None
            )
        return activities
