"""RSS and Atom feeds of the current center's live notices and activity reports."""

import copy

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from wagtail.models import Site

from cms.models import ActivityReportIndexPage, NoticeIndexPage, live_notices, live_reports

FEED_SIZE = 30


class NoticeRssFeed(Feed):
    description = _("Notices to residents")
    index_model = NoticeIndexPage

    def __call__(self, request, *args, **kwargs):
        # One feed instance serves every request: keep the request on a per-request copy.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        site = Site.find_for_request(request)
        if site is None:
            raise Http404
        index = self.index_model.objects.live().descendant_of(site.root_page).first()
        if index is None:
            raise Http404
        return index

    def title(self, obj):
        center = getattr(self.request, "tenant", None)
        return f"{center.name} · {obj.title}" if center is not None else obj.title

    def link(self, obj):
        return obj.get_url(request=self.request)

    def items(self, obj):
        return live_notices(obj)[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url(request=self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [item.get_category_display()]


class NoticeAtomFeed(NoticeRssFeed):
    feed_type = Atom1Feed
    subtitle = NoticeRssFeed.description


class ReportRssFeed(NoticeRssFeed):
    """The current center's published activity reports, newest first."""

    description = _("Activity reports")
    index_model = ActivityReportIndexPage

    def items(self, obj):
        return live_reports(obj)[:FEED_SIZE]

    def item_description(self, item):
        return item.summary or item.search_description

    def item_categories(self, item):
        return []


class ReportAtomFeed(ReportRssFeed):
    feed_type = Atom1Feed
    subtitle = ReportRssFeed.description
