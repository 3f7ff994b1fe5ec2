"""URLs of a center's host: Wagtail admin, documents, media of this center only, the site."""

from django.conf import settings
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path, re_path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms import views
from cms.cache import cache_page_for_residents
from cms.feeds import NoticeAtomFeed, NoticeRssFeed, ReportAtomFeed, ReportRssFeed
from cms.health import healthz
from cms.language import switch_language
from cms.serving import remembering_routes
from portal.errors import database_outage_aware

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
# The database unreachable answers the 503 page, here as on head office's host (portal.errors).
handler500 = database_outage_aware(views.server_error)

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("lang/<str:code>/", switch_language, name="switch_language"),
    path("healthz/", healthz, name="healthz"),
    re_path(r"^media/(?P<schema>[a-z][a-z0-9_]*)/(?P<path>.+)$", views.serve_media, name="center_media"),
    path("feeds/notices/rss/", NoticeRssFeed(), name="notices_rss"),
    path("feeds/notices/atom/", NoticeAtomFeed(), name="notices_atom"),
    path("feeds/reports/rss/", ReportRssFeed(), name="reports_rss"),
    path("feeds/reports/atom/", ReportAtomFeed(), name="reports_atom"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("search/", views.search, name="site_search"),
    path("activities.ics", views.activities_ics, name="activities_ics"),
]

if settings.DEBUG:
    urlpatterns += staticfiles_urlpatterns()

urlpatterns += [
    path("", include("operations.urls_public")),
    # Wagtail's page serving, with whole-page caching for residents (cms.cache) and the Site and route
    # remembered per center (cms.serving).
    *[
        re_path(
            p.pattern.regex.pattern, cache_page_for_residents(remembering_routes(p.callback)), name=p.name
        )
        if p.name == "wagtail_serve"
        else p
        for p in wagtail_urls.urlpatterns
    ],
]
