"""Lending register services: items, lending, returns with inspection, follow-ups, end of day."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

import pytest

from operations.models import (
    AuditEntry,
    ConvenienceItem,
    Loan,
    LoanDueRule,
    LoanFollowUp,
    LoanItem,
    Notification,
    ReadingGlassesUse,
    Resident,
    ToolboxContent,
)
from operations.services.lending import (
    TOOLBOX_DEFAULT_CONTENTS,
    convenience_item_create,
    convenience_item_retire,
    convenience_item_update,
    lending_install_defaults,
    loan_follow_up,
    loan_lend,
    loan_return,
    loans_close_day,
    reading_glasses_use_record,
)
from tests.factories import make_unit, make_user


@pytest.fixture
def desk(center_a):
    connection.set_tenant(center_a)
    lending_install_defaults()
    return make_user("li", "前台客服", "李前台")


@pytest.fixture
def unit(desk):
    return make_unit()


def item(code="GJ-09", kind="tool", name="电钻"):
    return ConvenienceItem.objects.create(code=code, name=name, kind=kind)


def at(hour, minute=0, day=None):
    day = day or timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class TestDefaults:
    def test_defaults_seeded_for_every_center(self, desk):
        assert ConvenienceItem.objects.filter(kind="reading_glasses").count() == 2
        toolbox = ConvenienceItem.objects.get(kind="toolbox")
        assert [c.name for c in toolbox.contents.all()] == TOOLBOX_DEFAULT_CONTENTS
        assert ConvenienceItem.objects.filter(kind="first_aid_kit").count() == 1
        assert LoanDueRule.objects.get(kind="tool").due_time == dt.time(18, 0)
        lending_install_defaults()
        assert ConvenienceItem.objects.count() == 4
        assert ToolboxContent.objects.count() == len(TOOLBOX_DEFAULT_CONTENTS)

    def test_new_toolbox_gets_standard_contents(self, desk):
        box = convenience_item_create(code="GJX-09", name="工具箱", kind="toolbox", acting_user=desk)
        assert box.contents.count() == 8
        assert AuditEntry.objects.filter(action="convenience_item_create", object_id=str(box.pk)).exists()

    def test_duplicate_code_refused(self, desk):
        with pytest.raises(ValidationError) as error:
            convenience_item_create(code="LHJ-01", name="老花镜", kind="reading_glasses", acting_user=desk)
        assert "已存在" in str(error.value.message_dict["code"])

    def test_update_and_retire_audited(self, desk):
        tool = item()
        convenience_item_update(item=tool, location="储物间", acting_user=desk)
        tool.refresh_from_db()
        assert tool.location == "储物间"
        convenience_item_retire(item=tool, acting_user=desk, note="报废")
        tool.refresh_from_db()
        assert tool.status == "retired"
        with pytest.raises(ValidationError):
            convenience_item_retire(item=tool, acting_user=desk)
        assert (
            AuditEntry.objects.filter(object_id=str(tool.pk), action__startswith="convenience_item").count()
            == 2
        )


class TestLend:
    def test_lend_by_resident_fills_unit_name_phone_and_due_today(self, desk, unit):
        resident = Resident.objects.create(unit=unit, name="王建国", phone="13812345678")
        drill, ladder = item(), item("GJ-10", name="梯子")
        loan = loan_lend(items=[drill, ladder], resident=resident, acting_user=desk, now=at(10))
        assert (loan.unit, loan.borrower_name, loan.phone) == (unit, "王建国", "13812345678")
        assert timezone.localtime(loan.due_at) == at(18)
        assert loan.status == "out" or loan.status == "overdue"
        assert loan.status_at(at(12)) == "out"
        assert loan.status_at(at(19)) == "overdue"
        assert set(
            ConvenienceItem.objects.filter(pk__in=[drill.pk, ladder.pk]).values_list("status", flat=True)
        ) == {"lent"}
        entry = AuditEntry.objects.get(action="loan_lend")
        assert entry.acting_user == desk and entry.changes["phone"] == [None, "138****5678"]

    def test_due_rule_per_kind_configurable(self, desk):
        LoanDueRule.objects.filter(kind="tool").update(due_time=dt.time(17, 0), days=1)
        loan = loan_lend(
            items=[item()], borrower_name="张先生", phone="13900001111", acting_user=desk, now=at(10)
        )
        assert timezone.localtime(loan.due_at) == at(17, day=timezone.localdate() + dt.timedelta(days=1))

    def test_lend_without_phone_or_unit_refused(self, desk, zh):
        with pytest.raises(ValidationError) as error:
            loan_lend(items=[item()], borrower_name="张先生", acting_user=desk)
        assert "房号" in " ".join(error.value.messages) or "电话" in " ".join(error.value.messages)
        assert not Loan.objects.exists() and ConvenienceItem.objects.get(code="GJ-09").status == "available"

    def test_lend_invalid_phone_refused(self, desk):
        with pytest.raises(ValidationError) as error:
            loan_lend(items=[item()], borrower_name="张先生", phone="12345", acting_user=desk)
        assert "phone" in error.value.message_dict
        assert not Loan.objects.exists()

    def test_lend_with_unit_without_phone_allowed(self, desk, unit):
        loan = loan_lend(items=[item()], borrower_name="张先生", unit_id=unit.pk, acting_user=desk)
        assert loan.unit == unit and loan.phone == ""

    @pytest.mark.parametrize("status", ["lent", "damaged", "lost", "retired"])
    def test_unavailable_item_refused_nothing_written(self, desk, status, zh):
        good, bad = item(), item("GJ-11", name="梯子")
        ConvenienceItem.objects.filter(pk=bad.pk).update(status=status)
        with pytest.raises(ValidationError) as error:
            loan_lend(items=[good, bad], borrower_name="张先生", phone="13900001111", acting_user=desk)
        assert "梯子" in " ".join(error.value.message_dict["items"])
        assert not Loan.objects.exists() and not LoanItem.objects.exists()
        good.refresh_from_db()
        assert good.status == "available"

    def test_no_items_refused(self, desk):
        with pytest.raises(ValidationError) as error:
            loan_lend(items=[], borrower_name="张先生", phone="13900001111", acting_user=desk)
        assert "items" in error.value.message_dict


class TestReturn:
    @pytest.fixture
    def loan(self, desk):
        return loan_lend(
            items=[item()], borrower_name="张先生", phone="13900001111", acting_user=desk, now=at(9)
        )

    def test_return_good_makes_item_available(self, desk, loan):
        loan_return(loan=loan, condition="good", acting_user=desk, now=at(11))
        loan.refresh_from_db()
        assert loan.status == "returned" and loan.received_by == desk and loan.return_condition == "good"
        assert ConvenienceItem.objects.get(code="GJ-09").status == "available"

    @pytest.mark.parametrize("condition", ["damaged", "lost"])
    def test_damaged_or_lost_leave_service(self, desk, loan, condition):
        loan_return(loan=loan, condition=condition, note="把手断了", acting_user=desk)
        tool = ConvenienceItem.objects.get(code="GJ-09")
        assert tool.status == condition and tool.condition_note == "把手断了"
        with pytest.raises(ValidationError):
            loan_lend(items=[tool], borrower_name="李四", phone="13900002222", acting_user=desk)

    def test_return_without_inspection_refused(self, desk, loan, zh):
        for condition in ("", None, "fine"):
            with pytest.raises(ValidationError) as error:
                loan_return(loan=loan, condition=condition, acting_user=desk)
            assert "检查" in " ".join(error.value.messages) or "condition" in error.value.message_dict
        loan.refresh_from_db()
        assert loan.returned_at is None and ConvenienceItem.objects.get(code="GJ-09").status == "lent"

    def test_damaged_needs_note(self, desk, loan):
        with pytest.raises(ValidationError) as error:
            loan_return(loan=loan, condition="damaged", acting_user=desk)
        assert "note" in error.value.message_dict

    def test_return_twice_refused(self, desk, loan, zh):
        loan_return(loan=loan, condition="good", acting_user=desk)
        with pytest.raises(ValidationError) as error:
            loan_return(loan=loan, condition="damaged", note="x", acting_user=desk)
        assert "已归还" in " ".join(error.value.messages)
        assert ConvenienceItem.objects.get(code="GJ-09").status == "available"
        assert AuditEntry.objects.filter(action="loan_return").count() == 1


class TestFollowUpAndGlasses:
    def test_follow_up_recorded_and_lender_notified(self, desk):
        other = make_user("zhou", "前台客服", "周前台")
        loan = loan_lend(
            items=[item()], borrower_name="张先生", phone="13900001111", acting_user=desk, now=at(8)
        )
        follow = loan_follow_up(
            loan=loan,
            method="called",
            outcome="答应明早归还",
            promised_at=at(9) + dt.timedelta(days=1),
            acting_user=other,
        )
        assert follow.loan == loan and LoanFollowUp.objects.count() == 1
        assert Notification.objects.filter(recipient=desk, kind="loan_follow_up").exists()
        with pytest.raises(ValidationError):
            loan_follow_up(loan=loan, method="emailed", outcome="x", acting_user=other)
        with pytest.raises(ValidationError):
            loan_follow_up(loan=loan, method="called", outcome=" ", acting_user=other)

    def test_follow_up_on_returned_loan_refused(self, desk):
        loan = loan_lend(items=[item()], borrower_name="张先生", phone="13900001111", acting_user=desk)
        loan_return(loan=loan, condition="good", acting_user=desk)
        with pytest.raises(ValidationError):
            loan_follow_up(loan=loan, method="called", outcome="x", acting_user=desk)

    def test_reading_glasses_use(self, desk):
        glasses = ConvenienceItem.objects.filter(kind="reading_glasses").first()
        reading_glasses_use_record(item=glasses, acting_user=desk)
        assert ReadingGlassesUse.objects.filter(item=glasses).count() == 1
        with pytest.raises(ValidationError):
            reading_glasses_use_record(item=item(), acting_user=desk)


class TestCloseDay:
    def test_notifies_desk_once_and_sets_kpi_twice_safe(self, desk, center_a):
        from portal.models import CenterKpi

        late = loan_lend(
            items=[item()],
            borrower_name="张先生",
            phone="13900001111",
            acting_user=desk,
            now=timezone.now() - dt.timedelta(days=2),
        )
        loan_lend(items=[item("GJ-12")], borrower_name="李四", phone="13900002222", acting_user=desk)
        first = loans_close_day(center=center_a)
        second = loans_close_day(center=center_a)
        assert first["overdue"] == 1 and first["reminders"] == 1
        assert second == {"overdue": 1, "reminders": 0}
        assert Notification.objects.filter(recipient=desk, kind="loan_overdue").count() == 1
        assert CenterKpi.objects.get(center=center_a).overdue_loans == 1
        loan_return(loan=late, condition="good", acting_user=desk)
        loans_close_day(center=center_a)
        assert CenterKpi.objects.get(center=center_a).overdue_loans == 0

    def test_center_head_when_no_desk_staff(self, center_a):
        connection.set_tenant(center_a)
        head = make_user("boss", "中心负责人")
        loan_lend(
            items=[item()],
            borrower_name="张先生",
            phone="13900001111",
            acting_user=head,
            now=timezone.now() - dt.timedelta(days=1),
        )
        loans_close_day(center=center_a)
        assert Notification.objects.filter(recipient=head, kind="loan_overdue").count() == 1

    def test_command_runs_per_center_twice(self, desk, center_a, center_b):
        from portal.models import CenterKpi

        loan_lend(
            items=[item()],
            borrower_name="张先生",
            phone="13900001111",
            acting_user=desk,
            now=timezone.now() - dt.timedelta(days=1),
        )
        connection.set_schema_to_public()
        call_command("close_lending_day", center=["alpha", "beta"])
        call_command("close_lending_day", center=["alpha", "beta"])
        assert CenterKpi.objects.get(center=center_a).overdue_loans == 1
        assert CenterKpi.objects.get(center=center_b).overdue_loans == 0
        connection.set_tenant(center_a)
        assert Notification.objects.filter(kind="loan_overdue").count() == 1
