"""Files the operations services store (#15): work-order attachments, complaint scans, activity photos and
the residents' repair photo are checked and re-encoded by ``portal.uploads`` like the admin's uploads."""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.documents import get_document_model

import pytest
from PIL import Image

from operations.models import Complaint, WorkOrder, WorkOrderAttachment
from operations.services.activities import activity_photo_add
from operations.services.complaints import complaint_create
from operations.services.work_orders import work_order_attach, work_order_create
from tests.cms.test_uploads import BAD_IMAGES, assert_no_metadata, gps_jpeg
from tests.operations.test_activities_photos import make as make_activity
from tests.operations.test_public_forms import feedback_data, repair_data, zh

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def stored(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def order(alpha):
    return work_order_create(
        acting_user=None, description="楼道灯不亮", contact_name="王师傅", contact_phone="13812345678"
    )


def test_a_work_order_photo_is_stored_upright_without_gps(order):
    attachment = work_order_attach(
        work_order=order, acting_user=None, file=SimpleUploadedFile("IMG_1.jpg", gps_jpeg((40, 20), 6))
    )
    data = stored(attachment.image.file)
    assert_no_metadata(data)
    assert (attachment.image.width, attachment.image.height) == (20, 40)


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_a_corrupt_work_order_photo_is_refused(order, name):
    with pytest.raises(ValidationError) as error:
        work_order_attach(work_order=order, acting_user=None, file=SimpleUploadedFile(name, BAD_IMAGES[name]))
    assert "file" in error.value.message_dict
    assert not WorkOrderAttachment.objects.filter(work_order=order).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("quote.pdf", b"<html><script>alert(1)</script></html>"),
        ("page.html", b"<script>alert(1)</script>"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (21 * MB)),
    ],
)
def test_work_order_documents_are_checked(order, name, content):
    before = get_document_model().objects.count()
    with pytest.raises(ValidationError) as error:
        work_order_attach(work_order=order, acting_user=None, file=SimpleUploadedFile(name, content))
    assert "file" in error.value.message_dict
    assert get_document_model().objects.count() == before


def test_a_photographed_complaint_letter_loses_its_gps(alpha):
    complaint = complaint_create(
        content="楼下噪音",
        channel=Complaint.Channel.ONLINE,
        written_scan=SimpleUploadedFile("letter.jpg", gps_jpeg()),
    )
    assert_no_metadata(stored(complaint.written_document.file))


def test_a_complaint_scan_that_is_not_what_it_says_is_refused(alpha):
    with pytest.raises(ValidationError) as error:
        complaint_create(
            content="楼下噪音",
            channel=Complaint.Channel.ONLINE,
            written_scan=SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert "written_scan" in error.value.message_dict


def test_an_activity_photo_is_stored_without_gps(officer):
    image = activity_photo_add(
        acting_user=officer, activity=make_activity(), file=SimpleUploadedFile("IMG_2.jpg", gps_jpeg())
    )
    assert_no_metadata(stored(image.file))


def test_a_truncated_activity_photo_is_refused(officer):
    with pytest.raises(ValidationError):
        activity_photo_add(
            acting_user=officer,
            activity=make_activity(),
            file=SimpleUploadedFile("IMG_3.jpg", BAD_IMAGES["truncated.jpg"]),
        )


# --- The residents' repair form ------------------------------------------------------------------------


def test_the_residents_repair_photo_is_re_encoded_without_gps(alpha, client_a):
    response = client_a.post(
        "/repair/", repair_data(photo=SimpleUploadedFile("IMG_4.jpg", gps_jpeg((40, 20), 6)))
    )
    assert response.status_code == 302
    attachment = WorkOrderAttachment.objects.get(work_order__source=WorkOrder.Source.WEB_FORM)
    data = stored(attachment.image.file)
    assert_no_metadata(data)
    assert Image.open(io.BytesIO(data)).size == (20, 40)


@pytest.mark.parametrize("name", ["truncated.jpg", "truncated.png"])
def test_a_truncated_repair_photo_is_a_form_error_not_a_500(alpha, client_a, name):
    client_a.raise_request_exception = False
    response = client_a.post("/repair/", repair_data(photo=SimpleUploadedFile(name, BAD_IMAGES[name])))
    assert response.status_code == 200
    assert (
        zh("This file is not a JPEG, PNG or WebP photo: please choose a photo.") in response.content.decode()
    )
    assert not WorkOrder.objects.filter(source=WorkOrder.Source.WEB_FORM).exists()


def test_the_residents_feedback_photo_loses_its_gps(alpha, client_a):
    response = client_a.post(
        "/feedback/", feedback_data(attachment=SimpleUploadedFile("scan.jpg", gps_jpeg()))
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert_no_metadata(stored(complaint.written_document.file))
