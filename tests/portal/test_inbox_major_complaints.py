"""Head office's inbox with a center's major complaint: listed under 重大投诉, read without the
complainant, answered by acknowledging or asking for more."""

from django.urls import reverse

import pytest

from operations.models import Complaint
from operations.services.complaints import complaint_create
from portal.models import Submission
from tests.base import TEST_PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"portal:{name}", args=args, urlconf="portal.urls")


def test_the_inbox_lists_major_complaints_and_offers_acknowledge_or_ask(
    in_center, center_a, head_office_client, head_office_admin, zh
):
    with in_center(center_a):
        desk = make_user("desk_c", group="前台客服", first_name="前台小李")
        complaint = complaint_create(
            content="地下车库积水，电梯停运两天，多户老人无法出门。",
            channel=Complaint.Channel.WRITTEN,
            is_major=True,
            complainant_name="李秀英",
            complainant_phone="13812345678",
            subject_text="地下车库",
            acting_user=desk,
        )
    report = Submission.objects.get(kind="major_complaint", reference=str(complaint.pk))
    head_office_client.login(username="hq", password=TEST_PASSWORD)
    listing = head_office_client.get(url("inbox_list"), {"kind": "major_complaint"}).content.decode()
    assert complaint.number in listing
    detail = head_office_client.get(url("inbox_detail", report.pk)).content.decode()
    assert "已知悉" in detail and "要求中心补充" in detail and "批准" not in detail
    assert "积水" in detail and "李秀英" not in detail and "13812345678" not in detail
    response = head_office_client.post(
        url("inbox_decide", report.pk), {"decision": "returned", "comment": ""}
    )
    assert response.status_code == 200 and "补充" in response.content.decode()
    head_office_client.post(url("inbox_decide", report.pk), {"decision": "acknowledged", "comment": ""})
    report.refresh_from_db()
    assert report.status == Submission.Status.ACKNOWLEDGED
