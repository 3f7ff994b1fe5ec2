"""Views of a center's site beside Wagtail's pages: media of this center, search, the activity calendar,
and the center's own error pages."""

import posixpath

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.static import serve

from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from django_tenants.files.storage import TenantFileSystemStorage

from cms.ics import activities_calendar
from cms.models.home import _page_visible_now
from cms.search import MAX_QUERY_LENGTH, highlight, search_query_parse, site_search
from operations.selectors.activities import activities_upcoming
from portal.errors import error_page
from portal.storage import TenantS3Storage, object_storage_response

SEARCH_PER_PAGE = 10
ICS_LIMIT = 50


# Documents are served only by /documents/<id>/<name>, which applies their collection's privacy.
PRIVATE_MEDIA_PREFIXES = ("documents/",)
IMAGE_PREFIXES = ("original_images/", "images/")
# Media shown in the browser; any other type is served as an attachment (#15).
INLINE_MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"})


def _image_collection_id(path: str) -> int | None:
    """The collection of the image whose original or rendition is stored at ``path``, if any."""
    if path.startswith("original_images/"):
        return get_image_model().objects.filter(file=path).values_list("collection_id", flat=True).first()
    return (
        get_image_model()
        .get_rendition_model()
        .objects.filter(file=path)
        .values_list("image__collection_id", flat=True)
        .first()
    )


def _image_visible_to(request, path: str) -> bool:
    """Images of a restricted collection (work-order photos…) only for whom the restriction accepts."""
    collection_id = _image_collection_id(path)
    if collection_id is None:
        return True
    restrictions = CollectionViewRestriction.objects.filter(
        collection__in=Collection.objects.get(pk=collection_id).get_ancestors(inclusive=True)
    )
    return all(restriction.accept_request(request) for restriction in restrictions)


def serve_media(request, schema: str, path: str):
    """Serve a file of the current center's media, and nothing of any other center's.

    In production a web server or object storage serves media under the same per-schema
    prefix; this view keeps the rule when Django serves them (demo, development, tests). On object
    storage (``MEDIA_STORAGE=s3``) it is the only way in: it streams the object or redirects to a
    short signed URL, after the same checks (``portal.storage``).

    Only canonical paths are served: ``./``, ``//``, ``x/../`` and their percent-encoded forms
    (decoded before routing) would otherwise reach a private file past the prefix checks.
    Documents are never served from here: ``/documents/<id>/<name>`` serves them and applies
    the privacy of their collection (complaint scans, work-order files). Images (originals and
    renditions) of a restricted collection (work-order photos) get the same check here.
    """
    if schema != connection.schema_name or posixpath.normpath(path) != path or path.startswith(("/", "../")):
        raise Http404
    if path.startswith(PRIVATE_MEDIA_PREFIXES) or "\\" in path:
        raise Http404
    if path.startswith(IMAGE_PREFIXES) and not _image_visible_to(request, path):
        raise Http404
    if isinstance(default_storage, TenantS3Storage):
        return object_storage_response(default_storage, path, inline_types=INLINE_MEDIA_TYPES)
    response = serve(request, path, document_root=TenantFileSystemStorage().location)
    response["X-Content-Type-Options"] = "nosniff"
    if response.get("Content-Type", "").split(";")[0].strip().lower() not in INLINE_MEDIA_TYPES:
        # Anything but a raster image (an HTML or SVG file that reached the media folder) is a download
        # that runs nothing on the center's origin, even if opened directly.
        response["Content-Disposition"] = "attachment"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
def search(request):
    """搜索: the center's notices and activity reports holding every word of ``q`` (Chinese too)."""
    query = search_query_parse(request.GET.get("q"))
    results = None
    if query.terms:
        results = Paginator(site_search(terms=query.terms).specific(), SEARCH_PER_PAGE).get_page(
            request.GET.get("page")
        )
        for result in results:
            result.title_html = highlight(result.title, query.terms)
    context = {
        "query": query,
        "results": results,
        "max_length": MAX_QUERY_LENGTH,
    }
    return TemplateResponse(request, "cms/search_results.html", context)


@require_safe
def activities_ics(request):
    """加入日历: the center's upcoming activities as an iCalendar file."""
    now = timezone.now()
    activities = list(activities_upcoming(now=now, limit=ICS_LIMIT).select_related("notice_page"))

    def url_for(activity):
        notice = activity.notice_page
        return notice.get_full_url(request=request) if _page_visible_now(notice, now) else None

    body = activities_calendar(
        activities=activities,
        calendar_name=request.tenant.name,
        host=request.get_host().rsplit(":", 1)[0],
        now=now,
        url_for=url_for,
    )
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="activities.ics"'
    response["Cache-Control"] = "public, max-age=300"
    return response


def _center_error(request, status: int) -> HttpResponse:
    # The tenant comes from the routing middleware: no query, so the 500 page works without the database.
    context = {"center": getattr(request, "tenant", None), "in_admin": request.path.startswith("/admin/")}
    return error_page(request, template="cms/error.html", status=status, context=context)


def bad_request(request, exception=None):
    return _center_error(request, 400)


def permission_denied(request, exception=None):
    return _center_error(request, 403)


def page_not_found(request, exception=None):
    return _center_error(request, 404)


def server_error(request):
    return _center_error(request, 500)
