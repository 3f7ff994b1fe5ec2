"""The home page of a center's site (tenant schema only), and the site's sections for the navigation."""

import datetime as dt

from django.core.cache import cache
from django.db.models import F, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
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
REPORT_THUMBNAIL = "fill-320x180"
HOME_LISTS_SECONDS = 300  # as long as the whole-page cache keeps a page (PAGE_CACHE_SECONDS)
URGENT_TEMPLATE = "cms/includes/urgent_notices.html"
LISTS_TEMPLATE = "cms/includes/home_lists.html"


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
        context.update(home_lists(self, request, sections))
        return context

    def lists(self, request, sections, now) -> tuple[dict, dt.datetime | None]:
        """What the page lists, as plain data for its templates, and when that may next change by itself
        (the first listed notice or report to expire, the first listed activity to end)."""
        notices = self._notices(sections)
        reports = self._reports() if "reports" in sections else []
        activities = self._activities(now)
        evaluation = (
            EvaluationPage.objects.live().descendant_of(self).order_by("-month").first()
            if "evaluation" in sections
            else None
        )
        pages = [*notices, *reports, *(a.public_notice for a in activities if a.public_notice)]
        changes = [p.expire_at for p in pages if p.expire_at] + [a.ends_at for a in activities]
        lists = {
            "urgent_notices": [_notice_card(n, request) for n in notices if n.urgent][:HOME_URGENT_MAX],
            "latest_notices": [_notice_card(n, request) for n in notices if not n.urgent][:HOME_NOTICES],
            "latest_reports": [_report_card(r, request) for r in reports],
            "upcoming_activities": [_activity_card(a, request) for a in activities],
            "latest_evaluation": _evaluation_figures(evaluation) if evaluation is not None else None,
            "on_duty": duty_today(on=timezone.localdate(now)),
        }
        return lists, min((c for c in changes if c > now), default=None)

    def _notices(self, sections) -> list:
        """Urgent notices for the top of the page and the latest others, from one query."""
        if "notices" not in sections:
            return []
        # live_notices lists urgent ones first, so one slice holds both groups.
        return list(live_notices().descendant_of(self)[: HOME_URGENT_MAX + HOME_NOTICES])

    def _reports(self) -> list:
        renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=REPORT_THUMBNAIL)
        return list(
            live_reports()
            .descendant_of(self)
            .select_related("cover_image")
            .prefetch_related(Prefetch("cover_image__renditions", queryset=renditions))[:HOME_REPORTS]
        )

    def _activities(self, now) -> list:
        activities = list(activities_upcoming(now=now, limit=HOME_ACTIVITIES).select_related("notice_page"))
        for activity in activities:
            # Link the activity's notice only while residents may read it.
            activity.public_notice = (
                activity.notice_page if _page_visible_now(activity.notice_page, now) else None
            )
        return activities


def home_lists(home: HomePage, request, sections) -> dict:
    """The home page's lists, rendered: urgent notices (``urgent_html``), the month's figures, the latest notices,
    upcoming activities and reports (``lists_html``), and today's duty as data (``on_duty``: it sits beside
    the center's phone, which is not the page's to remember).

    Remembered in the (tenant-keyed) cache under the center's page generation, which publishing and changes
    to activities, the roster and evaluations bump (``cms.cache``), per language, host and day, until the
    first listed item expires or ends and at most ``HOME_LISTS_SECONDS``: most requests read them in one
    cache lookup instead of six queries and most of the page's template work, with or without the
    whole-page cache.
    """
    now = timezone.now()
    key = ":".join(
        (
            "cms:home-lists",
            str(page_generation(request)),
            translation.get_language() or "",
            request.get_host(),
            timezone.localdate(now).isoformat(),
        )
    )
    lists = cache.get(key)
    if lists is None:
        data, next_change = home.lists(request, sections, now)
        urgent = data["urgent_notices"]
        lists = {
            "urgent_html": render_to_string(URGENT_TEMPLATE, {"notices": urgent}) if urgent else "",
            "lists_html": render_to_string(LISTS_TEMPLATE, {**data, "sections": sections}),
            "on_duty": data["on_duty"],
        }
        seconds = HOME_LISTS_SECONDS
        if next_change is not None:
            seconds = min(seconds, int((next_change - now).total_seconds()))
        if seconds > 0:
            cache.set(key, lists, timeout=seconds)
    return lists


def _notice_card(notice, request) -> dict:
    return {
        "title": notice.title,
        "url": notice.get_url(request=request),
        "date": notice.date,
        "pinned": notice.pinned,
        "summary": notice.summary if notice.urgent else "",
    }


def _report_card(report, request) -> dict:
    card = {
        "title": report.title,
        "url": report.get_url(request=request),
        "date": report.date,
        "summary": report.summary,
        "thumbnail": None,
        "alt": "",
    }
    image = report.cover_image
    if image is not None:
        rendition = image.get_rendition(REPORT_THUMBNAIL)
        card["thumbnail"] = {"url": rendition.url, "width": rendition.width, "height": rendition.height}
        card["alt"] = image.default_alt_text if image.default_alt_text != report.title else ""
    return card


def _activity_card(activity, request) -> dict:
    return {
        "title": activity.title,
        "kind_label": str(activity.get_kind_display()),
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "place": activity.place,
        "notice_url": activity.public_notice.get_url(request=request) if activity.public_notice else "",
    }


def _evaluation_figures(evaluation) -> dict:
    names = (
        *EvaluationPage.FIGURES,
        "month",
        "in_time_percent",
        "replied_in_time_percent",
        "satisfaction_percent",
    )
    return {name: getattr(evaluation, name) for name in names}
