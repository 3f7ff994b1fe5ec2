"""Complaint services: intake rules (empty, major in writing, phone), handler, investigation, reply, close, head office."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest

from operations.calendar import add_working_days
from operations.models import AuditEntry, Complaint, Department, Notification
from operations.selectors.complaints import complaint_is_overdue, complaints_list, complaints_overdue
from operations.services import complaints as services
from tests.factories import make_user


@pytest.fixture
def desk(alpha):
    return make_user("desk_c", group="前台客服", first_name="前台小李")


@pytest.fixture
def handler(alpha):
    return make_user("handler_c", group="客户主任", first_name="客户主任小王")


def create(desk, **kwargs):
    defaults = {
        "channel": Complaint.Channel.PHONE,
        "content": "楼道灯坏了一周没人修。",
        "complainant_name": "李秀英",
        "complainant_phone": "138 1234 5678",
    }
    defaults.update(kwargs)
    return services.complaint_create(acting_user=desk, **defaults)


class TestComplaintCreate:
    def test_records_number_tracking_code_due_date_and_audit(self, desk):
        complaint = create(desk)
        today = timezone.localdate()
        assert complaint.number.startswith(f"TS{today:%Y%m%d}")
        assert len(complaint.tracking_code) == 8
        assert complaint.complainant_phone == "13812345678"
        assert complaint.status == Complaint.Status.RECEIVED
        assert complaint.reply_due == add_working_days(timezone.now(), services.REPLY_WORKING_DAYS).date()
        assert complaint.reply_due > today
        assert complaint.created_by == desk
        assert not complaint.report_to_head_office
        entry = AuditEntry.objects.get(object_id=str(complaint.pk), action="complaint_create")
        assert entry.acting_user == desk
        assert entry.changes["complainant_phone"] == ["", "138****5678"]  # the log keeps no full number

    @pytest.mark.parametrize("content", ["", "   \n "])
    def test_empty_complaint_is_refused_and_nothing_written(self, desk, content):
        with pytest.raises(ValidationError) as error:
            create(desk, content=content)
        assert "空" in error.value.message_dict["content"][0]
        assert not Complaint.objects.exists()

    def test_bad_phone_is_refused(self, desk):
        with pytest.raises(ValidationError) as error:
            create(desk, complainant_phone="12345")
        assert "complainant_phone" in error.value.message_dict
        assert not Complaint.objects.exists()

    def test_anonymous_complaint_is_accepted(self, desk):
        complaint = create(desk, complainant_name="", complainant_phone="")
        assert complaint.pk and complaint.complainant_name == ""

    @pytest.mark.parametrize(
        "channel", [Complaint.Channel.ORAL, Complaint.Channel.PHONE, Complaint.Channel.ONLINE]
    )
    def test_major_complaint_not_in_writing_is_refused(self, desk, channel):
        with pytest.raises(ValidationError) as error:
            create(desk, channel=channel, is_major=True)
        assert "书面" in error.value.message_dict["is_major"][0]
        assert not Complaint.objects.exists()

    def test_major_written_complaint_is_flagged_for_head_office_with_a_draft_report(self, desk):
        complaint = create(desk, channel=Complaint.Channel.WRITTEN, is_major=True, subject_text="地下车库")
        complaint.refresh_from_db()
        assert complaint.report_to_head_office
        assert complaint.number in complaint.head_office_report
        assert "地下车库" in complaint.head_office_report
        assert "李秀英" not in complaint.head_office_report  # the complainant stays confidential
        assert AuditEntry.objects.filter(
            object_id=str(complaint.pk), action="complaint_mark_for_head_office"
        ).exists()

    def test_major_complaint_with_a_scan(self, desk):
        scan = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 complaint letter", content_type="application/pdf")
        complaint = create(desk, channel=Complaint.Channel.WRITTEN, is_major=True, written_scan=scan)
        assert complaint.written_document is not None
        assert complaint.written_document.collection.name == services.COMPLAINT_PAPERS_COLLECTION

    def test_scan_of_a_wrong_type_is_refused(self, desk):
        scan = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
        with pytest.raises(ValidationError) as error:
            create(desk, channel=Complaint.Channel.WRITTEN, written_scan=scan)
        assert "written_scan" in error.value.message_dict
        assert not Complaint.objects.exists()

    def test_subject_must_match_its_kind(self, desk):
        with pytest.raises(ValidationError) as error:
            create(desk, subject_kind=Complaint.SubjectKind.STAFF)
        assert "subject_staff" in error.value.message_dict
        department = Department.objects.get(code="cleaning")
        complaint = create(desk, subject_kind=Complaint.SubjectKind.DEPARTMENT, subject_department=department)
        assert services.complaint_subject_display(complaint) == "保洁部"

    def test_reply_due_in_the_past_is_refused(self, desk):
        with pytest.raises(ValidationError):
            create(desk, reply_due=timezone.localdate() - dt.timedelta(days=1))


class TestHandling:
    def test_assign_notifies_the_handler_once(self, desk, handler):
        complaint = create(desk)
        services.complaint_assign(complaint=complaint, handler=handler, acting_user=desk)
        services.complaint_assign(complaint=complaint, handler=handler, acting_user=desk)
        notes = Notification.objects.filter(recipient=handler, kind="complaint_assigned")
        assert notes.count() == 1
        assert complaint.number in notes.get().title
        assert "李秀英" not in notes.get().title + notes.get().body

    def test_investigate_records_and_moves_on(self, desk, handler):
        complaint = create(desk)
        complaint = services.complaint_investigate(
            complaint=complaint,
            acting_user=handler,
            investigation_notes="现场查看",
            finding="属实",
            action_taken="已维修",
        )
        assert complaint.status == Complaint.Status.INVESTIGATING
        assert complaint.finding == "属实"
        with pytest.raises(ValidationError):
            services.complaint_investigate(complaint=complaint, acting_user=handler)

    def test_written_complaint_cannot_be_answered_orally(self, desk, handler):
        complaint = create(desk, channel=Complaint.Channel.WRITTEN)
        with pytest.raises(ValidationError) as error:
            services.complaint_reply(
                complaint=complaint, method=Complaint.ReplyMethod.ORAL, note="电话告知", acting_user=handler
            )
        assert "书面" in error.value.message_dict["reply_method"][0]
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.RECEIVED and not complaint.replied_at

    def test_written_reply_needs_its_text(self, desk, handler):
        complaint = create(desk, channel=Complaint.Channel.WRITTEN)
        with pytest.raises(ValidationError):
            services.complaint_reply(
                complaint=complaint, method=Complaint.ReplyMethod.WRITTEN, text=" ", acting_user=handler
            )
        complaint = services.complaint_reply(
            complaint=complaint,
            method=Complaint.ReplyMethod.WRITTEN,
            text="经核实已整改。",
            acting_user=handler,
        )
        assert complaint.status == Complaint.Status.REPLIED
        assert complaint.reply_text == "经核实已整改。" and complaint.replied_by == handler

    def test_oral_complaint_may_be_answered_orally_with_a_note(self, desk, handler):
        complaint = create(desk, channel=Complaint.Channel.ORAL)
        with pytest.raises(ValidationError):
            services.complaint_reply(
                complaint=complaint, method=Complaint.ReplyMethod.ORAL, acting_user=handler
            )
        complaint = services.complaint_reply(
            complaint=complaint, method=Complaint.ReplyMethod.ORAL, note="已当面答复", acting_user=handler
        )
        assert complaint.reply_method == Complaint.ReplyMethod.ORAL
        assert complaint.reply_text == "已当面答复"

    def test_close_only_after_a_reply(self, desk, handler):
        complaint = create(desk)
        with pytest.raises(ValidationError) as error:
            services.complaint_close(complaint=complaint, acting_user=handler)
        assert "答复" in error.value.messages[0]
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.RECEIVED
        services.complaint_reply(complaint=complaint, method="oral", note="电话答复", acting_user=handler)
        complaint = services.complaint_close(complaint=complaint, acting_user=handler)
        assert complaint.status == Complaint.Status.CLOSED and complaint.closed_at
        with pytest.raises(ValidationError):
            services.complaint_close(complaint=complaint, acting_user=handler)
        with pytest.raises(ValidationError):
            services.complaint_reply(complaint=complaint, method="oral", note="再次", acting_user=handler)

    def test_mark_for_head_office_needs_a_report(self, desk):
        complaint = create(desk)
        with pytest.raises(ValidationError):
            services.complaint_mark_for_head_office(complaint=complaint, report_text="", acting_user=desk)
        complaint = services.complaint_mark_for_head_office(
            complaint=complaint, report_text="情况说明", acting_user=desk
        )
        assert complaint.report_to_head_office and complaint.head_office_report == "情况说明"


class TestOverdue:
    def test_open_complaints_past_due_are_flagged(self, desk, handler):
        late = create(desk)
        answered = create(desk)
        services.complaint_reply(complaint=answered, method="oral", note="已答复", acting_user=handler)
        fresh = create(desk)
        past = timezone.localdate() - dt.timedelta(days=2)
        Complaint.objects.filter(pk__in=[late.pk, answered.pk]).update(reply_due=past)
        assert list(complaints_overdue()) == [late]
        flags = dict(complaints_list().values_list("pk", "is_overdue"))
        assert flags == {late.pk: True, answered.pk: False, fresh.pk: False}
        late.refresh_from_db()
        assert complaint_is_overdue(late)

    def test_overdue_notice_is_sent_once(self, desk, handler):
        late = create(desk, handler=handler)
        Complaint.objects.filter(pk=late.pk).update(reply_due=timezone.localdate() - dt.timedelta(days=1))
        assert services.complaints_notify_overdue() == 1
        assert services.complaints_notify_overdue() == 0
        assert Notification.objects.filter(recipient=handler, kind="complaint_overdue").count() == 1
