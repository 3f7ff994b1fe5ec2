"""Media storage: the file system by default, S3-compatible object storage when configured (#16).

``MEDIA_STORAGE=s3`` stores the centers' media in a bucket under a per-schema prefix
(``portal.storage.TenantS3Storage``); anything else, or nothing, keeps ``STORAGES`` as in base (media under
``MEDIA_ROOT/<schema>/``). Credentials may also come from boto3's own chain (instance role, profile) when the
key variables are unset.
"""

import os

from django.core.exceptions import ImproperlyConfigured

MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem").strip().lower() or "filesystem"
if MEDIA_STORAGE not in ("filesystem", "s3"):
    raise ImproperlyConfigured("MEDIA_STORAGE is 'filesystem' (the default) or 's3'.")

# How the media view hands out a file it has authorised on object storage: "stream" (through the web
# process; the bucket need not be reachable by browsers) or "signed-url" (a redirect to a URL signed for
# AWS_QUERYSTRING_EXPIRE seconds).
MEDIA_S3_DELIVERY = os.environ.get("MEDIA_S3_DELIVERY", "stream").strip().lower()

if MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    if MEDIA_S3_DELIVERY not in ("stream", "signed-url"):
        raise ImproperlyConfigured("MEDIA_S3_DELIVERY is 'stream' (the default) or 'signed-url'.")
    _options = {
        "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "300")),
        # MinIO and most S3-compatible servers want path-style addressing; AWS takes either.
        "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
        "signature_version": "s3v4",
        "location": os.environ.get("AWS_LOCATION", ""),
    }
    STORAGES = {
        "default": {"BACKEND": "portal.storage.TenantS3Storage", "OPTIONS": _options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
