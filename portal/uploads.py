"""Every file that enters a center passes here (#15): size cap while the request is read, images fully
decoded and re-encoded without metadata, documents checked for size, type and content.

One module for every way in: Wagtail's admin forms (``cms.uploads``, named by the settings), the
residents' forms and the operations services (work-order attachments, complaint scans, proposal reports,
activity photos), and a last guard on every image saved (``image_pre_save``, connected by cms).
Limits are settings (``portal/settings/uploads.py``). Plain Django and Pillow: no models, so any app may
use it.
"""

from __future__ import annotations

import io
import logging
import os
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from PIL import Image, ImageOps, ImageSequence

logger = logging.getLogger("bianmin.uploads")

# --- Messages ------------------------------------------------------------------------------------
# Wagtail's and Django's own msgids, so that their Chinese translations apply (locale/ is not ours).
FILE_TOO_LARGE = _("This file is too big (%(file_size)s). Maximum filesize %(max_filesize)s.")
IMAGE_INVALID = _("Upload a valid image. The file you uploaded was either not an image or a corrupted image.")
IMAGE_TOO_MANY_PIXELS = _(
    "This file has too many pixels (%(num_pixels)s). Maximum pixels %(max_pixels_count)s."
)
EXTENSION_NOT_ALLOWED = _(
    "File extension “%(extension)s” is not allowed. Allowed extensions are: %(allowed_extensions)s."
)
CONTENT_MISMATCH = _("This file is not a real .%(extension)s file: its content is of another kind.")


# --- Size: cut off while the request is read -------------------------------------------------------


class OversizedUpload(UploadedFile):
    """Stands for a file cut off at ``UPLOAD_MAX_BYTES`` while the request was read.

    It keeps the name and the size the client sent and no content, so every size check (Wagtail's
    fields, ours, the services') refuses it with its usual message; nothing of it is ever stored.
    """

    oversized = True

    def __init__(self, name, content_type, size, charset=None, content_type_extra=None):
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)


def is_oversized(upload) -> bool:
    return bool(getattr(upload, "oversized", False))


class UploadSizeCapHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: past ``UPLOAD_MAX_BYTES`` a file's chunks are dropped (not kept in
    memory nor written to disk) and the file becomes an ``OversizedUpload`` carrying its real size."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over = False

    def receive_data_chunk(self, raw_data, start):
        self.received = start + len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.over = True
            return None  # the handlers after this one (memory, temporary file) get nothing more
        return raw_data

    def file_complete(self, file_size):
        if not self.over:
            return None
        return OversizedUpload(
            self.file_name, self.content_type, self.received, self.charset, self.content_type_extra
        )


def size_check(upload, max_bytes: int) -> None:
    """ValidationError (Wagtail's message, in Chinese) when ``upload`` is larger than ``max_bytes``."""
    size = getattr(upload, "size", None) or 0
    if is_oversized(upload) or size > max_bytes:
        raise ValidationError(
            FILE_TOO_LARGE % {"file_size": filesizeformat(size), "max_filesize": filesizeformat(max_bytes)},
            code="file_too_large",
        )


# --- Images: decoded in full, re-encoded without metadata ----------------------------------------

# Pillow format → save options. Only formats we re-encode are accepted anywhere (WAGTAILIMAGES_EXTENSIONS).
IMAGE_SAVE_OPTIONS = {
    "JPEG": {"quality": 90},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 90},
    "GIF": {},
}
# Kept from the original's info: colour (ICC profile) and transparency; never EXIF, XMP, comments, text.
KEPT_INFO = ("icc_profile", "transparency")
_JPEG_MODES = {"RGB", "L", "CMYK"}
_CLEAN_MARK = "_bianmin_image_clean"


def _bare(image: Image.Image, source_info: dict) -> Image.Image:
    """``image`` with no metadata left in ``info`` (Pillow's savers read some of it from there)."""
    image.info = {key: source_info[key] for key in KEPT_INFO if key in source_info}
    return image


def _reencode(image: Image.Image, image_format: str) -> bytes:
    options = dict(IMAGE_SAVE_OPTIONS[image_format])
    source_info = dict(image.info)
    out = io.BytesIO()
    if getattr(image, "n_frames", 1) > 1:
        # Animated GIF/WebP/PNG: every frame is kept (with its duration and the loop count), upright,
        # without metadata. The pixel limit counts every frame.
        frames, durations = [], []
        for frame in ImageSequence.Iterator(image):
            durations.append(frame.info.get("duration", 100))
            frames.append(_bare(ImageOps.exif_transpose(frame.convert("RGBA")), {}))
        frames[0].save(
            out,
            image_format,
            save_all=True,
            append_images=frames[1:],
            duration=durations,
            loop=source_info.get("loop", 0),
            **options,
        )
        return out.getvalue()
    image.load()  # decodes every pixel: a truncated or corrupt file fails here
    upright = ImageOps.exif_transpose(image)  # a copy, turned as the camera's orientation says
    if image_format == "JPEG" and upright.mode not in _JPEG_MODES:
        upright = upright.convert("RGB")
    elif image_format == "WEBP" and upright.mode not in {"RGB", "RGBA"}:
        upright = upright.convert("RGBA" if "A" in upright.mode or "transparency" in source_info else "RGB")
    upright = _bare(upright, source_info)
    for key in ("icc_profile", "transparency"):
        if key in upright.info:
            options[key] = upright.info[key]
    upright.save(out, image_format, **options)
    return out.getvalue()


def _replace_content(upload, data: bytes) -> None:
    """Put ``data`` in place of the upload's content, in the same object (whoever holds it stores the
    clean bytes: a form's cleaned data, ``request.FILES``, Wagtail's pending multiple uploads)."""
    if hasattr(upload, "temporary_file_path"):
        handle = upload.file
        handle.seek(0)
        handle.truncate()
        handle.write(data)
        handle.flush()
        handle.seek(0)
    else:
        upload.file = io.BytesIO(data)
    upload.size = len(data)


def image_clean(upload, *, formats: set[str] | None = None, max_pixels: int | None = None) -> str:
    """Decode ``upload`` in full and re-encode it in place without EXIF, XMP or GPS; returns its format.

    The EXIF orientation is applied first, so the photo stays upright. The format is kept (JPEG at
    quality 90, PNG, WebP, GIF with all its frames). Raises ValidationError for a file Pillow cannot
    decode completely, a format not in ``formats`` (default: the ones re-encoded) or more pixels than
    ``max_pixels`` (default ``WAGTAILIMAGES_MAX_IMAGE_PIXELS``). Safe to call twice: a cleaned upload is
    marked and left alone.
    """
    if getattr(upload, _CLEAN_MARK, None):
        return getattr(upload, _CLEAN_MARK)
    formats = set(formats or IMAGE_SAVE_OPTIONS) & set(IMAGE_SAVE_OPTIONS)
    max_pixels = max_pixels or settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                if image_format not in formats:
                    raise ValidationError(IMAGE_INVALID, code="invalid_image")
                width, height = image.size
                pixels = width * height * getattr(image, "n_frames", 1)
                if pixels > max_pixels:
                    raise ValidationError(
                        IMAGE_TOO_MANY_PIXELS % {"num_pixels": pixels, "max_pixels_count": max_pixels},
                        code="file_too_many_pixels",
                    )
                data = _reencode(image, image_format)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds of errors for bad or hostile files
        raise ValidationError(IMAGE_INVALID, code="invalid_image") from exc
    _replace_content(upload, data)
    upload.seek(0)
    setattr(upload, _CLEAN_MARK, image_format)
    return image_format


def image_pre_save(sender, instance, **kwargs) -> None:
    """Last guard (pre_save of the image model): a new original not cleaned on its way in is cleaned
    here, and the image's size, dimensions and hash are measured again from the clean file."""
    field_file = instance.file
    if not field_file or getattr(field_file, "_committed", True):
        return
    upload = field_file.file
    if getattr(upload, _CLEAN_MARK, None):
        return
    image_clean(upload)
    with Image.open(upload) as image:
        instance.width, instance.height = image.size
    upload.seek(0)
    instance._set_image_file_metadata()


def avatar_pre_save(sender, instance, **kwargs) -> None:
    """A staff member's new avatar (Wagtail's ``UserProfile.avatar``, account settings) is re-encoded
    without metadata too: a phone's selfie carries where it was taken."""
    field_file = instance.avatar
    if not field_file or getattr(field_file, "_committed", True):
        return
    upload = field_file.file
    if getattr(upload, _CLEAN_MARK, None):
        return
    try:
        image_clean(upload)
    except ValidationError:
        # A format we do not re-encode (BMP, TIFF…) is not kept: the account shows its initials, as
        # before any upload. (A pre_save cannot answer with a form error; Wagtail's form took the file.)
        logger.warning("avatar of user %s not kept: not an image we re-encode", instance.user_id)
        instance.avatar = None


# --- Documents: size, type, content ----------------------------------------------------------------


def _is_pdf(head: bytes) -> bool:
    return head.startswith(b"%PDF-")


def _is_zip(head: bytes) -> bool:  # Office Open XML (docx, xlsx, pptx) and OpenDocument (odt, ods)
    return head.startswith(b"PK\x03\x04")


def _is_ole(head: bytes) -> bool:  # Office 97-2003 (doc, xls, ppt)
    return head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _is_text(head: bytes) -> bool:
    return b"\x00" not in head


# What a document of each allowed extension must start with; images are decoded instead.
DOCUMENT_SIGNATURES = {
    "pdf": _is_pdf,
    "doc": _is_ole,
    "xls": _is_ole,
    "ppt": _is_ole,
    "docx": _is_zip,
    "xlsx": _is_zip,
    "pptx": _is_zip,
    "odt": _is_zip,
    "ods": _is_zip,
    "txt": _is_text,
    "csv": _is_text,
}
DOCUMENT_IMAGE_FORMATS = {"jpg": {"JPEG"}, "jpeg": {"JPEG"}, "png": {"PNG"}}


def file_extension(upload) -> str:
    return os.path.splitext(getattr(upload, "name", "") or "")[1].lower().lstrip(".")


def document_extensions() -> list[str]:
    return [extension.lower() for extension in settings.WAGTAILDOCS_EXTENSIONS]


def document_content_check(upload) -> None:
    """The content matches the (allowed) extension; a photo kept as a document is re-encoded like any
    image. An extension that is not allowed is left to the caller (Wagtail's model check names it)."""
    extension = file_extension(upload)
    if extension in DOCUMENT_IMAGE_FORMATS:
        image_clean(upload, formats=DOCUMENT_IMAGE_FORMATS[extension])
        return
    check = DOCUMENT_SIGNATURES.get(extension)
    if check is None:
        return
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if not check(head):
        raise ValidationError(CONTENT_MISMATCH % {"extension": extension}, code="invalid_content")


def document_clean(upload) -> None:
    """Every check a document gets before it is stored: size, allowed extension, content."""
    size_check(upload, settings.MAX_DOCUMENT_UPLOAD_BYTES)
    extension = file_extension(upload)
    allowed = document_extensions()
    if extension not in allowed:
        raise ValidationError(
            EXTENSION_NOT_ALLOWED % {"extension": extension, "allowed_extensions": ", ".join(allowed)},
            code="invalid_extension",
        )
    document_content_check(upload)
