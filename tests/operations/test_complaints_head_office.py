"""A major complaint reaches head office for real: its report arrives in the inbox, updates arrive
as the center investigates and replies, head office acknowledges or asks for more (the center sees
it on the complaint, and is told), and the report closes with the complaint."""

from django.core.exceptions import ValidationError
from django.test import Client

import pytest

from operations.models import Complaint, Notification
from operations.services import complaints as services
from portal.models import Submission, SubmissionEvent
from portal.services import submission_decide
from tests.base import TEST_PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("alpha")


@pytest.fixture
def desk(alpha):
    return make_user("desk_c", group="前台客服", first_name="前台小李")


@pytest.fixture
def head(alpha):
    return make_user("zhuren", group="中心负责人", first_name="张主任")


@pytest.fixture
def hq_user(alpha):
    return make_user("hq_stand_in", perms=("portal.decide_submission",), first_name="总部刘主任")


def major(desk):
    return services.complaint_create(
        content="地下车库积水，电梯停运两天，多户老人无法出门。",
        channel=Complaint.Channel.WRITTEN,
        is_major=True,
        complainant_name="李秀英",
        complainant_phone="13812345678",
        subject_text="地下车库",
        acting_user=desk,
    )


def report_of(complaint) -> Submission:
    return Submission.objects.get(kind="major_complaint", reference=str(complaint.pk))


def test_a_major_complaint_arrives_in_the_inbox_without_the_complainant(zh, desk):
    complaint = major(desk)
    report = report_of(complaint)
    assert report.status == Submission.Status.PENDING
    assert report.snapshot["number"] == complaint.number
    assert "积水" in report.snapshot["content"] and complaint.number in report.snapshot["report"]
    assert "李秀英" not in str(report.snapshot) and "13812345678" not in str(report.snapshot)
    assert list(report.events.values_list("action", flat=True)) == ["submitted"]


def test_updates_arrive_as_the_center_works_and_the_report_closes_with_the_complaint(zh, desk, head, hq_user):
    complaint = major(desk)
    submission_decide(
        submission=report_of(complaint), decision="acknowledged", comment="", acting_user=hq_user
    )
    assert report_of(complaint).status == Submission.Status.ACKNOWLEDGED
    complaint = services.complaint_investigate(
        complaint=complaint, finding="排水泵故障", action_taken="更换水泵，恢复电梯", acting_user=head
    )
    report = report_of(complaint)
    assert report.status == Submission.Status.PENDING  # new information waits for head office again
    assert report.snapshot["finding"] == "排水泵故障"
    complaint = services.complaint_reply(
        complaint=complaint, method="written", text="已更换水泵，电梯恢复运行。", acting_user=head
    )
    assert report_of(complaint).snapshot["reply"] == "已更换水泵，电梯恢复运行。"
    services.complaint_close(complaint=complaint, acting_user=head)
    report = report_of(complaint)
    assert report.status == Submission.Status.CLOSED
    assert list(report.events.values_list("action", flat=True)) == [
        "submitted",
        "acknowledged",
        "updated",
        "updated",
        "closed",
    ]
    with pytest.raises(ValidationError):
        submission_decide(submission=report, decision="acknowledged", comment="", acting_user=hq_user)


def test_head_office_asks_for_more_and_the_center_sees_it(
    zh, desk, head, hq_user, django_capture_on_commit_callbacks
):
    complaint = major(desk)
    with pytest.raises(ValidationError) as refused:
        submission_decide(
            submission=report_of(complaint), decision="returned", comment="", acting_user=hq_user
        )
    assert "补充" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        submission_decide(
            submission=report_of(complaint), decision="approved", comment="", acting_user=hq_user
        )
    submission_decide(
        submission=report_of(complaint),
        decision="returned",
        comment="请补充受影响住户数量。",
        acting_user=hq_user,
    )
    assert Notification.objects.filter(recipient=head, kind="complaint_head_office").exists()
    client = Client(HTTP_HOST="alpha.localhost")
    assert client.login(username=head.username, password=TEST_PASSWORD)
    page = client.get(f"/admin/operations/complaints/inspect/{complaint.pk}/").content.decode()
    assert "请补充受影响住户数量。" in page and "要求补充" in page  # the exchange and the history in words
    # The center revises its report: an update, waiting for head office again.
    services.complaint_mark_for_head_office(
        complaint=complaint, report_text="受影响住户 36 户，其中独居老人 5 户。", acting_user=head
    )
    report = report_of(complaint)
    assert report.status == Submission.Status.PENDING
    assert report.events.filter(action=SubmissionEvent.Action.UPDATED).count() == 1


def test_a_complaint_reported_later_is_submitted_then(zh, desk, head):
    complaint = services.complaint_create(
        content="保安态度恶劣。", channel=Complaint.Channel.PHONE, acting_user=desk
    )
    assert not Submission.objects.exists()
    services.complaint_mark_for_head_office(
        complaint=complaint, report_text="涉及员工服务态度，需总部关注。", acting_user=head
    )
    assert report_of(complaint).status == Submission.Status.PENDING


def test_the_complainants_name_and_phone_are_masked_in_their_own_words(zh, desk):
    complaint = services.complaint_create(
        content="我是李秀英，电话 13812345678，地下车库积水。",
        channel=Complaint.Channel.WRITTEN,
        is_major=True,
        complainant_name="李秀英",
        complainant_phone="13812345678",
        subject_text="地" * 195,  # a long subject still makes a title that fits
        acting_user=desk,
    )
    report = report_of(complaint)
    assert "13812345678" not in report.snapshot["content"] and "138****5678" in report.snapshot["content"]
    assert "李秀英" not in str(report.snapshot)
    assert len(report.title) <= 200
