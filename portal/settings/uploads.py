"""Upload limits (#15): sizes and types of what staff and residents upload; read by base.py.

Every way a file enters goes through ``portal.uploads`` (size cap while the request is read, images
decoded and re-encoded without metadata, documents checked for type and content). Sizes can be set
from the environment (bytes).
"""

import os

MB = 1024 * 1024

# Documents (Wagtail's documents, complaint scans, proposal reports, work-order files).
MAX_DOCUMENT_UPLOAD_BYTES = int(os.environ.get("MAX_DOCUMENT_UPLOAD_BYTES", 20 * MB))
WAGTAILDOCS_MAX_UPLOAD_SIZE = MAX_DOCUMENT_UPLOAD_BYTES
# Office files, PDF, plain text and photos/scans. Not allowed: html/htm/svg/xml (they would run on the
# center's origin if ever shown inline), archives (zip: contents unchecked, a way to pass anything,
# zip bombs), executables and macro-enabled Office files (docm, xlsm).
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "txt",
    "csv",
    "jpg",
    "jpeg",
    "png",
]
# Served with the right type whatever the platform's mimetypes table says.
WAGTAILDOCS_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "txt": "text/plain",
    "csv": "text/csv",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
# Only these open in the browser; everything else (and HTML, SVG, XML always) is a download.
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf", "image/jpeg", "image/png"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.uploads.DocumentForm"

# Images (Wagtail's images, work-order and activity photos, residents' photos are 5 MB: operations.forms.public).
WAGTAILIMAGES_MAX_UPLOAD_SIZE = int(os.environ.get("MAX_IMAGE_UPLOAD_BYTES", 10 * MB))
# 40 megapixels (all frames of an animation counted): about 160 MB of memory to decode at most.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = int(os.environ.get("MAX_IMAGE_PIXELS", 40_000_000))
# Formats re-encoded without metadata by portal.uploads.image_clean (no SVG, no AVIF/HEIC).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.uploads.ImageForm"

# No file larger than this is kept while a request is read (its chunks are dropped): the largest limit.
UPLOAD_MAX_BYTES = max(MAX_DOCUMENT_UPLOAD_BYTES, WAGTAILIMAGES_MAX_UPLOAD_SIZE)
FILE_UPLOAD_HANDLERS = [
    "portal.uploads.UploadSizeCapHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
