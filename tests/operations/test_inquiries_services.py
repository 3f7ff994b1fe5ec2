"""First-inquiry register services: record, hand over, follow up, complete; due times; bad input."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

import pytest

from operations.models import (
    AuditEntry,
    Building,
    Department,
    Inquiry,
    InquiryFollowUp,
    Notification,
    StaffProfile,
    Unit,
)
from operations.selectors.inquiries import inquiries_mine, inquiries_open, inquiries_overdue, inquiry_history
from operations.services.inquiries import (
    inquiry_complete,
    inquiry_follow_up,
    inquiry_hand_over,
    inquiry_is_overdue,
    inquiry_record,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def staff(guide):
    User = get_user_model()
    return {
        "li": User.objects.create_user(
            username="li", password="x", first_name="李前台", email="li@example.com"
        ),
        "wang": User.objects.create_user(
            username="wang", password="x", first_name="王师傅", email="wang@example.com"
        ),
    }


def record(user, **kwargs):
    data = {"visitor_name": "张先生", "matter": "咨询报修", "acting_user": user}
    data.update(kwargs)
    return inquiry_record(**data)


class TestRecord:
    def test_answered_on_the_spot_is_completed_now(self, staff):
        inquiry = record(staff["li"], answered_on_spot=True, resolution="已当场答复")
        assert inquiry.status == Inquiry.Status.ANSWERED
        assert inquiry.completed_at is not None
        assert inquiry.first_responder == staff["li"]
        assert inquiry.number.startswith("SW")
        assert not inquiries_open().filter(pk=inquiry.pk).exists()

    def test_handling_gets_due_time_from_hours(self, staff, guide):
        start = dt.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
        inquiry = record(staff["li"], service_item=guide["报修"], now=start)
        assert inquiry.status == Inquiry.Status.HANDLING
        assert inquiry.completed_at is None
        assert inquiry.due_at == start + dt.timedelta(hours=24)

    def test_handling_gets_due_time_from_working_days(self, staff, guide):
        start = dt.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)  # Friday
        inquiry = record(staff["li"], service_item=guide["装修申请"], now=start)
        assert inquiry.due_at == dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)

    def test_without_service_item_no_due_time(self, staff):
        assert record(staff["li"]).due_at is None

    def test_phone_is_normalised_and_audit_written(self, staff):
        inquiry = record(staff["li"], visitor_phone="+86 139-1234-5678", channel=Inquiry.Channel.PHONE)
        assert inquiry.visitor_phone == "13912345678"
        entry = AuditEntry.objects.get(action="inquiry_record", object_id=str(inquiry.pk))
        assert entry.acting_user == staff["li"]

    def test_bad_phone_rejected(self, staff, zh):
        with pytest.raises(ValidationError) as error:
            record(staff["li"], visitor_phone="1381234")
        assert "电话" in error.value.message_dict["visitor_phone"][0]
        assert not Inquiry.objects.exists()

    def test_unknown_unit_rejected(self, staff, zh):
        with pytest.raises(ValidationError) as error:
            record(staff["li"], unit_id=424242)
        assert "unit" in error.value.message_dict
        assert not Inquiry.objects.exists()

    def test_known_unit_kept(self, staff):
        unit = Unit.objects.create(building=Building.objects.create(name="1号楼"), room="101")
        assert record(staff["li"], unit_id=unit.pk).unit == unit

    def test_empty_matter_and_bad_channel_rejected(self, staff):
        with pytest.raises(ValidationError) as error:
            record(staff["li"], matter=" ", channel="email")
        assert {"matter", "channel"} <= set(error.value.message_dict)


class TestHandOverFollowUpComplete:
    def test_hand_over_to_colleague_keeps_first_responder_and_notifies(
        self, staff, guide, django_capture_on_commit_callbacks
    ):
        inquiry = record(staff["li"], service_item=guide["报修"])
        with django_capture_on_commit_callbacks(execute=True):
            inquiry = inquiry_hand_over(
                inquiry=inquiry,
                to_user=staff["wang"],
                contact="分机 8002，今日 16:00 前",
                acting_user=staff["li"],
            )
        assert inquiry.status == Inquiry.Status.HANDED_OVER
        assert inquiry.first_responder == staff["li"]
        assert inquiry.handed_to_user == staff["wang"]
        assert inquiry.handed_over_at is not None
        assert inquiry.handover_contact.startswith("分机")
        assert Notification.objects.filter(recipient=staff["wang"], kind="inquiry_hand_over").count() == 1
        assert list(inquiries_mine(user=staff["li"])) == [inquiry]
        assert not inquiries_mine(user=staff["wang"]).exists()

    def test_hand_over_to_department_notifies_its_staff(self, staff):
        engineering = Department.objects.get(code="engineering")
        StaffProfile.objects.create(user=staff["wang"], department=engineering)
        inquiry = inquiry_hand_over(
            inquiry=record(staff["li"]), to_department=engineering, acting_user=staff["li"]
        )
        assert inquiry.handed_to_department == engineering
        assert Notification.objects.filter(recipient=staff["wang"]).exists()

    def test_hand_over_without_target_rejected(self, staff, zh):
        inquiry = record(staff["li"])
        with pytest.raises(ValidationError) as error:
            inquiry_hand_over(inquiry=inquiry, contact="8002", acting_user=staff["li"])
        assert "同事" in error.value.message_dict["to_user"][0]
        inquiry.refresh_from_db()
        assert inquiry.status == Inquiry.Status.HANDLING
        assert not Notification.objects.exists()

    def test_hand_over_to_oneself_rejected(self, staff):
        with pytest.raises(ValidationError):
            inquiry_hand_over(inquiry=record(staff["li"]), to_user=staff["li"], acting_user=staff["li"])

    def test_follow_up_and_history(self, staff):
        inquiry = record(staff["li"])
        inquiry_hand_over(inquiry=inquiry, to_user=staff["wang"], acting_user=staff["li"])
        inquiry_follow_up(inquiry=inquiry, note="已电话督办王师傅", acting_user=staff["li"])
        inquiry_complete(inquiry=inquiry, resolution="已修好", acting_user=staff["wang"])
        actions = [event.action for event in inquiry_history(inquiry)]
        assert actions == ["inquiry_record", "inquiry_hand_over", "inquiry_follow_up", "inquiry_complete"]
        assert InquiryFollowUp.objects.get(inquiry=inquiry).acting_user == staff["li"]

    def test_follow_up_needs_a_note(self, staff):
        with pytest.raises(ValidationError):
            inquiry_follow_up(inquiry=record(staff["li"]), note="", acting_user=staff["li"])

    def test_complete_then_twice_rejected(self, staff, zh):
        inquiry = record(staff["li"])
        inquiry = inquiry_complete(inquiry=inquiry, resolution="已答复", acting_user=staff["li"])
        assert inquiry.status == Inquiry.Status.COMPLETED
        assert inquiry.completed_at is not None
        with pytest.raises(ValidationError) as error:
            inquiry_complete(inquiry=inquiry, resolution="再次", acting_user=staff["li"])
        assert "已办结" in error.value.messages[0]
        inquiry.refresh_from_db()
        assert inquiry.resolution == "已答复"
        assert not inquiries_mine(user=staff["li"]).exists()

    def test_answered_inquiry_cannot_be_handed_over_or_completed(self, staff):
        inquiry = record(staff["li"], answered_on_spot=True)
        with pytest.raises(ValidationError):
            inquiry_hand_over(inquiry=inquiry, to_user=staff["wang"], acting_user=staff["li"])
        with pytest.raises(ValidationError):
            inquiry_complete(inquiry=inquiry, resolution="x", acting_user=staff["li"])

    def test_complete_needs_resolution(self, staff):
        with pytest.raises(ValidationError):
            inquiry_complete(inquiry=record(staff["li"]), resolution=" ", acting_user=staff["li"])


class TestOverdue:
    def test_overdue_until_completed(self, staff, guide):
        start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
        late = record(staff["li"], service_item=guide["报修"], now=start)
        on_time = record(
            staff["li"], service_item=guide["投诉建议"], now=dt.datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
        )
        now = dt.datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)
        assert list(inquiries_overdue(now=now)) == [late]
        assert inquiries_open(now=now).get(pk=late.pk).is_overdue is True
        assert inquiries_open(now=now).get(pk=on_time.pk).is_overdue is False
        assert inquiry_is_overdue(late, now=now)
        inquiry_complete(inquiry=late, resolution="已修", acting_user=staff["li"])
        assert not inquiries_overdue(now=now).exists()
