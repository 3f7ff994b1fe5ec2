"""URLs of a center's host: Wagtail admin, documents, media of this center only, the site."""

from django.conf import settings
from django.urls import include, path, re_path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms import views
from cms.feeds import NoticeAtomFeed, NoticeRssFeed

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    re_path(r"^media/(?P<schema>[a-z][a-z0-9_]*)/(?P<path>.+)$", views.serve_media, name="center_media"),
    path("feeds/notices/rss/", NoticeRssFeed(), name="notices_rss"),
    path("feeds/notices/atom/", NoticeAtomFeed(), name="notices_atom"),
    path("sitemap.xml", sitemap, name="sitemap"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

urlpatterns += [
    path("", include("operations.urls_public")),
    path("", include(wagtail_urls)),
]
