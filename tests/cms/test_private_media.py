"""Private files of a center are served only through a view that applies their collection's privacy.

Operational attachments (work-order photos and files, complaint scans) sit in login-only collections;
documents go through /documents/<id>/<name>; images of a restricted collection through the media view,
which serves only canonical paths, so no ./, //, x/../ or percent-encoded form reaches a private file.
"""

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from wagtail.images import get_image_model
from wagtail.models import CollectionViewRestriction

import pytest
from PIL import Image as PILImage

from operations.models import Resident
from operations.services import work_orders
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def png_file(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 6), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def traversal_forms(path: str) -> list[str]:
    """Spellings of ``path`` (below /media/<schema>/) that a prefix check before normalising would miss."""
    return [
        f"./{path}",
        f"/{path}",  # //
        f"x/../{path}",
        f"%2e/{path}",
        f"%2E/{path}",
        f"x/%2E%2E/{path}",
        f"x/%2e%2e/{path}",
        f".%2F{path}",
        f"x%2F..%2F{path}",
        path.replace("/", "%2F"),
        f"./{path}".replace("/", "%2f"),
    ]


@pytest.fixture
def attachments(center_a, in_center):
    """A resident's repair with a photo and a PDF, attached as the residents' form does (no acting user)."""
    with in_center(center_a):
        from operations.models import Building, Unit

        block, _ = Building.objects.get_or_create(name="9号楼")
        unit, _ = Unit.objects.get_or_create(building=block, entrance="1单元", room="101")
        resident = Resident.objects.create(unit=unit, name="张三", phone="13812341234")
        order = work_orders.work_order_create(acting_user=None, description="厨房漏水", resident=resident)
        photo = work_orders.work_order_attach(work_order=order, acting_user=None, file=png_file("leak.png"))
        pdf = work_orders.work_order_attach(
            work_order=order,
            acting_user=None,
            file=SimpleUploadedFile("quote.pdf", b"%PDF-1.4 private quote", content_type="application/pdf"),
        )
        rendition = photo.image.get_rendition("fill-40x30")
        yield {
            "image": photo.image,
            "original": photo.image.file.name,
            "rendition": rendition.file.name,
            "document": pdf.document,
        }
    connection.set_schema_to_public()


@pytest.fixture
def public_image(center_a, in_center):
    with in_center(center_a):
        image = get_image_model().objects.create(title="义诊现场", file=png_file("clinic.png"))
        rendition = image.get_rendition("fill-40x30")
        return {"original": image.file.name, "rendition": rendition.file.name}


def staff_client(client, center, in_center):
    with in_center(center):
        get_user_model().objects.create_user(username="desk", password=TEST_PASSWORD)
        assert client.login(username="desk", password=TEST_PASSWORD)
    return client


def test_work_order_attachments_are_in_a_login_only_collection(attachments):
    for item in (attachments["image"], attachments["document"]):
        restrictions = item.collection.get_view_restrictions()
        assert [r.restriction_type for r in restrictions] == [CollectionViewRestriction.LOGIN]
        assert item.collection.name == work_orders.WORK_ORDER_ATTACHMENTS_COLLECTION


def test_a_private_document_needs_a_login_at_its_serve_url(client_a, attachments):
    document = attachments["document"]
    response = client_a.get(f"/documents/{document.pk}/{document.filename}")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "/_util/login" in response["Location"]


@pytest.mark.parametrize("kind", ["document", "original", "rendition"])
def test_private_files_are_404_at_the_media_url_and_every_traversal_form(client_a, attachments, kind):
    path = attachments["document"].file.name if kind == "document" else attachments[kind]
    assert client_a.get(f"/media/alpha/{path}").status_code == 404
    for form in traversal_forms(path):
        assert client_a.get(f"/media/alpha/{form}").status_code == 404, form


def test_private_photos_are_served_to_signed_in_staff(client_a, center_a, in_center, attachments):
    staff = staff_client(client_a, center_a, in_center)
    for kind in ("original", "rendition"):
        response = staff.get(f"/media/alpha/{attachments[kind]}")
        assert response.status_code == 200, kind
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_public_images_are_served_at_their_legit_path_only(client_a, public_image):
    for kind in ("original", "rendition"):
        path = public_image[kind]
        response = client_a.get(f"/media/alpha/{path}")
        assert response.status_code == 200, kind
        for form in traversal_forms(path)[:3]:
            assert client_a.get(f"/media/alpha/{form}").status_code == 404, form


def test_another_centers_host_never_serves_them(client_b, public_image):
    assert client_b.get(f"/media/alpha/{public_image['original']}").status_code == 404
