"""Uploads in a center's admin (#15): size and type limits, images that do not decode, metadata stripped,
and the headers every served file carries.

A too-large file is cut off while the request is read (``portal.uploads.UploadSizeCapHandler``) and
refused with Wagtail's message in Chinese; a corrupt image is a form error (200), never a 500; every
image is re-encoded upright without EXIF/XMP/GPS before it is stored; documents are attachments
unless PDF or a photo, with ``nosniff``.
"""

import html
import io
import json
import os
import re

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, UploadedFile

import pytest
from django_tenants.files.storage import TenantFileSystemStorage
from PIL import Image

from portal.uploads import OversizedUpload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>31,14.1N</exif:GPSLatitude></x:xmpmeta>'


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return gettext(msgid)


def too_big(size: int, limit: int) -> str:
    """Wagtail's "This file is too big" message in Chinese, as a resident or officer reads it."""
    message = zh("This file is too big (%(file_size)s). Maximum filesize %(max_filesize)s.") % {
        "file_size": filesizeformat(size),
        "max_filesize": filesizeformat(limit),
    }
    assert re.search("[\u4e00-\u9fff]", message), message
    return message


def text(response) -> str:
    return html.unescape(response.content.decode())


INVALID_IMAGE = zh(
    "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
)


def gps_jpeg(size=(40, 20), orientation: int | None = None) -> bytes:
    """A phone photo: camera make, GPS position (IFD 0x8825), XMP with the position, maybe an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 1.2)}
    if orientation:
        exif[ORIENTATION] = orientation
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG", exif=exif, xmp=XMP)
    data = buffer.getvalue()
    assert b"Exif" in data and b"xmpmeta" in data
    return data


def image_bytes(fmt="PNG", size=(20, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, fmt)
    return buffer.getvalue()


GARBAGE_GIF = b"GIF89a" + b"\x00" * 10 + b"garbage" * 20
BAD_IMAGES = {
    "garbage.gif": GARBAGE_GIF,
    "truncated.gif": image_bytes("GIF", (64, 64))[:40],
    "truncated.png": image_bytes("PNG", (300, 200))[:120],
    "truncated.jpg": image_bytes("JPEG", (300, 200))[:400],
}


def assert_no_metadata(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif(), dict(image.getexif())
        assert "exif" not in image.info and "xmp" not in image.info
    assert b"Exif" not in data and b"xmpmeta" not in data and b"GPSLatitude" not in data


def stored_files() -> set[str]:
    root = TenantFileSystemStorage().location
    return {os.path.join(path, name) for path, _dirs, names in os.walk(root) for name in names}


@pytest.fixture
def admin(alpha, client_a):
    """Alpha's admin (a superuser), signed in on alpha's host."""
    client_a.force_login(get_user_model().objects.get(username="admin"))
    client_a.raise_request_exception = False  # a 500 is a failed assertion, not an exception
    return client_a


@pytest.fixture
def root_collection(alpha):
    return Collection.get_first_root_node().pk


# --- Size: cut off while the request is read, refused in Chinese, nothing stored ----------------------


def test_the_upload_handler_keeps_nothing_past_the_cap(alpha, settings):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (3 * MB))
    request = RequestFactory().post("/documents/", {"file": upload})
    received = request.FILES["file"]
    assert isinstance(received, OversizedUpload)
    assert received.size >= 3 * MB
    assert received.read() == b""


def test_a_30_mb_document_is_refused_in_chinese_and_nothing_is_stored(admin, root_collection):
    before_files, before = stored_files(), get_document_model().objects.count()
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n" + b"0" * (30 * MB))
    response = admin.post(
        reverse("wagtaildocs:add"), {"title": "会议纪要", "file": upload, "collection": root_collection}
    )
    assert response.status_code == 200
    assert too_big(upload.size, 20 * MB) in text(response)
    assert get_document_model().objects.count() == before
    assert stored_files() == before_files


def test_a_30_mb_document_is_refused_by_the_multiple_upload_too(admin):
    before = get_document_model().objects.count()
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n" + b"0" * (30 * MB))
    response = admin.post(reverse("wagtaildocs:add_multiple"), {"files[]": upload})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["success"] is False
    assert too_big(upload.size, 20 * MB) in data["error_message"]
    assert get_document_model().objects.count() == before


def test_an_image_over_10_mb_is_refused_in_chinese(admin, root_collection):
    before = get_image_model().objects.count()
    upload = SimpleUploadedFile("poster.png", image_bytes("PNG") + b"\x00" * (11 * MB))
    response = admin.post(
        reverse("wagtailimages:add"), {"title": "海报", "file": upload, "collection": root_collection}
    )
    assert response.status_code == 200
    assert too_big(upload.size, 10 * MB) in text(response)
    assert get_image_model().objects.count() == before


# --- Document types ---------------------------------------------------------------------------------

DOCX = b"PK\x03\x04" + b"\x00" * 200
ALLOWED_DOCUMENTS = {
    "minutes.pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n",
    "list.docx": DOCX,
    "sheet.xlsx": DOCX,
    "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200,
    "plan.odt": DOCX,
    "notes.txt": "楼道灯已修好".encode(),
    "roster.csv": "姓名,电话\n张三,138\n".encode(),
    "scan.png": image_bytes("PNG"),
}
BLOCKED_DOCUMENTS = {
    "page.html": b"<script>alert(1)</script>",
    "logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "data.xml": b"<?xml version='1.0'?><a/>",
    "bundle.zip": DOCX,
    "setup.exe": b"MZ\x90\x00" + b"\x00" * 100,
    "macro.docm": DOCX,
    "fake.pdf": b"<html><script>alert(1)</script></html>",  # content does not match the name
    "fake.docx": b"%PDF-1.4\n",
    "binary.txt": b"MZ\x90\x00\x00\x00",
    "broken.jpg": BAD_IMAGES["truncated.jpg"],
}


@pytest.mark.parametrize("name", sorted(ALLOWED_DOCUMENTS))
def test_allowed_documents_are_accepted(admin, root_collection, name):
    upload = SimpleUploadedFile(name, ALLOWED_DOCUMENTS[name])
    response = admin.post(
        reverse("wagtaildocs:add"), {"title": name, "file": upload, "collection": root_collection}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert get_document_model().objects.filter(title=name).exists()


@pytest.mark.parametrize("name", sorted(BLOCKED_DOCUMENTS))
def test_blocked_documents_are_a_form_error(admin, root_collection, name):
    upload = SimpleUploadedFile(name, BLOCKED_DOCUMENTS[name])
    response = admin.post(
        reverse("wagtaildocs:add"), {"title": name, "file": upload, "collection": root_collection}
    )
    assert response.status_code == 200
    assert not get_document_model().objects.filter(title=name).exists()
    multiple = admin.post(
        reverse("wagtaildocs:add_multiple"), {"files[]": SimpleUploadedFile(name, BLOCKED_DOCUMENTS[name])}
    )
    assert multiple.status_code == 200
    assert json.loads(multiple.content)["success"] is False
    assert not get_document_model().objects.filter(title=name).exists()


def test_replacing_a_document_is_checked_too(admin, root_collection):
    document = get_document_model().objects.create(
        title="章程", file=ContentFile(b"%PDF-1.4\n", name="rules.pdf"), collection_id=root_collection
    )
    original = document.file.name
    response = admin.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {
            "title": "章程",
            "collection": root_collection,
            "file": SimpleUploadedFile("rules.pdf", b"<html><script>alert(1)</script>"),
        },
    )
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.file.name == original


# --- Images that do not decode: a form error, never a 500 ----------------------------------------------


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_a_corrupt_image_is_a_form_error_on_the_add_view(admin, root_collection, name):
    before = get_image_model().objects.count()
    response = admin.post(
        reverse("wagtailimages:add"),
        {"title": "坏图", "file": SimpleUploadedFile(name, BAD_IMAGES[name]), "collection": root_collection},
    )
    assert response.status_code == 200
    assert INVALID_IMAGE in text(response)
    assert get_image_model().objects.count() == before


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_a_corrupt_image_is_an_error_on_the_multiple_upload(admin, name):
    before = get_image_model().objects.count()
    response = admin.post(
        reverse("wagtailimages:add_multiple"), {"files[]": SimpleUploadedFile(name, BAD_IMAGES[name])}
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["success"] is False
    assert INVALID_IMAGE in data["error_message"]
    assert get_image_model().objects.count() == before


def test_replacing_an_image_with_a_corrupt_one_is_a_form_error(admin, root_collection):
    image = get_image_model().objects.create(
        title="旧图", file=SimpleUploadedFile("old.png", image_bytes("PNG")), collection_id=root_collection
    )
    original = image.file.name
    response = admin.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {"title": "旧图", "collection": root_collection, "file": SimpleUploadedFile("new.gif", GARBAGE_GIF)},
    )
    assert response.status_code == 200
    assert INVALID_IMAGE in text(response)
    image.refresh_from_db()
    assert image.file.name == original


def test_svg_is_not_an_accepted_image(admin, root_collection):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    response = admin.post(
        reverse("wagtailimages:add"),
        {"title": "图标", "file": SimpleUploadedFile("logo.svg", svg), "collection": root_collection},
    )
    assert response.status_code == 200
    assert not get_image_model().objects.filter(title="图标").exists()


# --- Metadata: GPS and the rest stripped, orientation applied -------------------------------------------


def test_an_uploaded_photo_is_stored_upright_without_exif_or_gps(admin, root_collection):
    response = admin.post(
        reverse("wagtailimages:add"),
        {
            "title": "楼道照片",
            "file": SimpleUploadedFile("IMG_0001.jpg", gps_jpeg((40, 20), orientation=6)),
            "collection": root_collection,
        },
    )
    assert response.status_code == 302
    image = get_image_model().objects.get(title="楼道照片")
    with image.file.open("rb") as handle:
        data = handle.read()
    assert_no_metadata(data)
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    assert (image.width, image.height) == (20, 40)  # turned as the camera said, then measured
    assert image.file_size == len(data)


def test_the_multiple_upload_strips_gps_too(admin, root_collection):
    response = admin.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": SimpleUploadedFile("IMG_0002.jpg", gps_jpeg()), "collection": root_collection},
    )
    data = json.loads(response.content)
    assert data["success"] is True
    image = get_image_model().objects.get(pk=data["image_id"])
    with image.file.open("rb") as handle:
        assert_no_metadata(handle.read())


def test_a_pending_multiple_upload_is_kept_clean_and_becomes_a_clean_image(admin, root_collection):
    """Without a valid collection Wagtail keeps the file as a pending upload, then makes the image."""
    response = admin.post(
        reverse("wagtailimages:add_multiple"), {"files[]": SimpleUploadedFile("IMG_0003.jpg", gps_jpeg())}
    )
    data = json.loads(response.content)
    pending = UploadedFile.objects.get(pk=data["uploaded_file_id"])
    with pending.file.open("rb") as handle:
        assert_no_metadata(handle.read())
    prefix = f"uploaded-image-{pending.pk}"
    response = admin.post(
        reverse("wagtailimages:create_multiple_from_uploaded_image", args=[pending.pk]),
        {f"{prefix}-title": "待补", f"{prefix}-collection": root_collection, f"{prefix}-tags": ""},
    )
    image = get_image_model().objects.get(pk=json.loads(response.content)["image_id"])
    with image.file.open("rb") as handle:
        assert_no_metadata(handle.read())


def test_any_image_saved_in_code_is_cleaned_as_well(alpha):
    """The last guard: an original saved by code that did not clean it is re-encoded on save."""
    image = get_image_model().objects.create(
        title="代码导入", file=SimpleUploadedFile("import.jpg", gps_jpeg((40, 20), orientation=8))
    )
    with image.file.open("rb") as handle:
        data = handle.read()
    assert_no_metadata(data)
    assert (image.width, image.height) == (20, 40)


def test_an_animated_gif_keeps_its_frames(admin, root_collection):
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0, comment=b"taken at home"
    )
    response = admin.post(
        reverse("wagtailimages:add"),
        {
            "title": "动图",
            "file": SimpleUploadedFile("anim.gif", buffer.getvalue()),
            "collection": root_collection,
        },
    )
    assert response.status_code == 302
    image = get_image_model().objects.get(title="动图")
    with image.file.open("rb") as handle:
        data = handle.read()
    assert Image.open(io.BytesIO(data)).n_frames == 3
    assert b"taken at home" not in data


def test_a_photo_uploaded_as_a_document_is_stripped_too(admin, root_collection):
    response = admin.post(
        reverse("wagtaildocs:add"),
        {
            "title": "扫描件",
            "file": SimpleUploadedFile("scan.jpg", gps_jpeg()),
            "collection": root_collection,
        },
    )
    assert response.status_code == 302
    document = get_document_model().objects.get(title="扫描件")
    with document.file.open("rb") as handle:
        assert_no_metadata(handle.read())


# --- Headers of served files ----------------------------------------------------------------------------


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_media_originals_and_renditions_are_nosniff_images(alpha, client_a):
    image = get_image_model().objects.create(
        title="义诊", file=SimpleUploadedFile("clinic.png", image_bytes())
    )
    rendition = image.get_rendition("fill-10x10")
    for path in (image.file.name, rendition.file.name):
        response = client_a.get(f"/media/alpha/{path}")
        assert response.status_code == 200, path
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "image/png"
        assert "attachment" not in response.get("Content-Disposition", "")
        assert body(response).startswith(b"\x89PNG")


@pytest.mark.parametrize("name", ["page.html", "logo.svg", "data.xml"])
def test_media_that_is_not_an_image_is_a_sandboxed_download(alpha, client_a, name):
    TenantFileSystemStorage().save(f"misc/{name}", ContentFile(b"<script>alert(1)</script>"))
    response = client_a.get(f"/media/alpha/misc/{name}")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "attachment"
    assert "sandbox" in response["Content-Security-Policy"]


SERVED_DOCUMENTS = [
    # name, content, content type, inline?
    ("minutes.pdf", b"%PDF-1.4\n", "application/pdf", True),
    ("scan.png", image_bytes("PNG"), "image/png", True),
    ("list.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    ("notes.txt", b"hello", "text/plain", False),
    ("legacy.html", b"<script>alert(1)</script>", "text/html", False),  # kept from before the rule
    ("legacy.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", False),
]


@pytest.mark.parametrize(("name", "content", "content_type", "inline"), SERVED_DOCUMENTS)
def test_documents_are_attachments_unless_pdf_or_photo(alpha, client_a, name, content, content_type, inline):
    document = get_document_model().objects.create(title=name, file=ContentFile(content, name=name))
    response = client_a.get(f"/documents/{document.pk}/{document.filename}")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].split(";")[0] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline") if inline else disposition.startswith("attachment"), disposition
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert body(response) == document.file.open("rb").read()


def test_static_files_from_whitenoise_are_nosniff(client_a):
    response = client_a.get("/static/wagtailadmin/js/core.js")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_staff_avatar_is_stored_without_where_it_was_taken(admin):
    """Account settings → profile picture: a small phone selfie (kept at its size by Wagtail) loses its
    EXIF and GPS; a format we do not re-encode is not kept."""
    from wagtail.users.models import UserProfile

    account = {
        "name_email-first_name": "管理员",
        "name_email-last_name": "王",
        "name_email-email": "admin@example.com",
        "locale-preferred_language": "zh-hans",
        "locale-current_time_zone": "Asia/Shanghai",
        "theme-theme": "system",
        "theme-contrast": "system",
        "theme-density": "default",
    }
    response = admin.post(
        reverse("wagtailadmin_account"),
        {**account, "avatar-avatar": SimpleUploadedFile("me.jpg", gps_jpeg(), content_type="image/jpeg")},
    )
    assert response.status_code == 302
    profile = UserProfile.objects.get(user__username="admin")
    assert profile.avatar
    with profile.avatar.open("rb") as handle:
        assert_no_metadata(handle.read())

    bmp = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(bmp, "BMP")
    response = admin.post(
        reverse("wagtailadmin_account"),
        {**account, "avatar-avatar": SimpleUploadedFile("me.bmp", bmp.getvalue(), content_type="image/bmp")},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert not profile.avatar
