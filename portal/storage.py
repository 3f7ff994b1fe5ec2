"""Media of a center on S3-compatible object storage, under the center's own key prefix (#16).

The layout is the file system's (``MEDIA_ROOT/<schema>/<name>``, django-tenants'
``TenantFileSystemStorage``) moved into a bucket: a file is stored under the key ``<schema>/<name>``, the
schema being the connection's when the file is saved or read, and the name kept in the database is the
same as on the file system (``original_images/x.jpg``), so a media folder and a bucket hold the same tree.
A name is always resolved below the current schema's prefix (``..`` is refused): code running for center
B can neither read nor sign a key of center A.

Everything stays private, as on the file system, where every file of a center is served through a view
of ours (``cms.views.serve_media`` for images and renditions, ``/documents/<id>/<name>`` for documents,
the head-office inbox for submission attachments): objects are stored without a public ACL, ``url()``
answers the same ``/media/<schema>/<name>`` URL as today (stable, so pages and the renditions cache may
keep it), and only that view, after it has applied the image's collection privacy, streams the object or
redirects to a signed URL of a few minutes (``MEDIA_S3_DELIVERY``). No public variant: residents' pages
already load their images through the view.
"""

import mimetypes
import posixpath

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import connection
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.encoding import filepath_to_uri

from django_tenants.utils import parse_tenant_config_path
from storages.backends.s3 import S3Storage
from storages.utils import clean_name, setting

# A signed URL is short-lived: the view signs one per request, after its own checks.
DEFAULT_SIGNED_URL_SECONDS = 300
DELIVERY_STREAM = "stream"
DELIVERY_SIGNED_URL = "signed-url"
DELIVERIES = (DELIVERY_STREAM, DELIVERY_SIGNED_URL)


class TenantS3Storage(S3Storage):
    """Private S3 storage whose keys start with the current schema, as ``TenantFileSystemStorage``'s paths."""

    # The bucket-wide prefix (``AWS_LOCATION`` or the ``location`` option) above the schemas; usually none.
    _root = ""

    def __init__(self, **options):
        self._root = str(options.pop("location", setting("AWS_LOCATION", "")) or "").strip("/")
        super().__init__(**options)
        if not self.querystring_auth:
            raise ImproperlyConfigured("TenantS3Storage serves private media: querystring_auth must stay on.")
        if self.default_acl and self.default_acl.startswith("public"):
            raise ImproperlyConfigured("TenantS3Storage serves private media: no public ACL.")
        if self.custom_domain:
            # A custom domain's URLs are unsigned (CloudFront signing aside): the bucket would have to be public.
            raise ImproperlyConfigured("TenantS3Storage serves private media: no custom domain.")

    def get_default_settings(self):
        defaults = super().get_default_settings()
        # Safe defaults differing from django-storages': private objects, short signed URLs, and never
        # overwrite a file of the same name (two images uploaded as photo.jpg), as on the file system.
        defaults["default_acl"] = None
        defaults["querystring_auth"] = True
        defaults["querystring_expire"] = setting("AWS_QUERYSTRING_EXPIRE", DEFAULT_SIGNED_URL_SECONDS)
        defaults["file_overwrite"] = setting("AWS_S3_FILE_OVERWRITE", False)
        return defaults

    @property
    def schema_prefix(self) -> str:
        """The current schema's part of every key (``alpha``), from ``MULTITENANT_RELATIVE_MEDIA_ROOT``."""
        relative = getattr(settings, "MULTITENANT_RELATIVE_MEDIA_ROOT", "%s")
        prefix = parse_tenant_config_path(relative).strip("/")
        if not prefix or connection.schema_name not in prefix.split("/"):
            raise SuspiciousOperation("Media storage used without a schema.")
        return prefix

    @property
    def location(self) -> str:
        # Read at each access (not cached): the schema changes from request to request.
        return posixpath.join(self._root, self.schema_prefix) if self._root else self.schema_prefix

    @location.setter
    def location(self, value):
        self._root = str(value or "").strip("/")

    def _normalize_name(self, name):
        key = super()._normalize_name(name)  # refuses a name escaping the prefix (``..``)
        if key != self.location and not key.startswith(self.location + "/"):
            raise SuspiciousOperation(f"Attempted access to '{name}' denied.")
        return key

    def key(self, name: str) -> str:
        """The object's key in the bucket for ``name`` in the current schema."""
        return self._normalize_name(clean_name(name))

    def url(self, name, parameters=None, expire=None, http_method=None):
        """The media view's URL, ``/media/<schema>/<name>``, as on the file system: it applies the access
        rules, then streams or signs. Stable, so cached pages and renditions may hold it."""
        relative = self.key(name)[len(self.location) + 1 :]
        return f"{settings.MEDIA_URL}{filepath_to_uri(self.schema_prefix)}/{filepath_to_uri(relative)}"

    def signed_url(self, name: str, *, attachment: bool = False) -> str:
        """A GET URL of the object signed for ``querystring_expire`` seconds; only for a view that has
        checked the request's access first."""
        parameters = {"ResponseContentDisposition": "attachment"} if attachment else None
        return super().url(name, parameters=parameters)


def media_delivery() -> str:
    delivery = getattr(settings, "MEDIA_S3_DELIVERY", DELIVERY_STREAM)
    if delivery not in DELIVERIES:
        raise ImproperlyConfigured(f"MEDIA_S3_DELIVERY must be one of {', '.join(DELIVERIES)}.")
    return delivery


def object_storage_response(storage: TenantS3Storage, name: str, *, inline_types: frozenset[str]):
    """Serve ``name`` of the current center from object storage, once the caller has checked access:
    streamed through this process, or a redirect to a short signed URL (``MEDIA_S3_DELIVERY``).

    The headers are the media view's: a raster image is shown, anything else is a sandboxed download.
    """
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type in inline_types
    if media_delivery() == DELIVERY_SIGNED_URL:
        if not storage.exists(name):  # a 404 of ours, as on the file system, not a signature for nothing
            raise Http404
        response = HttpResponseRedirect(storage.signed_url(name, attachment=not inline))
        # The signed URL lives a few minutes; a browser must come back here for a fresh one.
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    except FileNotFoundError:
        raise Http404 from None
    response["X-Content-Type-Options"] = "nosniff"
    if not inline:
        response["Content-Disposition"] = "attachment"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
