"""The desk's appraisal (窗口工作人员考评): the figures per staff member and month, the month's bounds in
local time, flat query counts, who may see whose month, the confidential complainant and the sheet."""

import datetime as dt
import itertools
from io import BytesIO
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest
from openpyxl import load_workbook

from operations.models import (
    Booking,
    Complaint,
    Inquiry,
    QueueTicket,
    ServiceApplication,
    ServiceItem,
    WorkOrder,
    WorkOrderTransition,
)
from operations.selectors.appraisal import appraisal_records, desk_appraisal, staff_appraisal
from tests.factories import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = dt.date(2026, 11, 1)
NOW = dt.datetime(2026, 12, 10, 12, 0, tzinfo=SHANGHAI)  # "now" for the figures: after November
SECRET_COMPLAINANT = "王秘密"
SECRET_PHONE = "13900001111"

_seq = itertools.count(1)


def at(day: int, hour: int = 10, minute: int = 0, *, month: int = 11, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _stamp(instance, created):
    type(instance).objects.filter(pk=instance.pk).update(created=created)
    instance.created = created
    return instance


def inquiry(user, created, **fields):
    n = next(_seq)
    fields.setdefault("status", Inquiry.Status.HANDLING)
    obj = Inquiry.objects.create(
        number=f"SW{n:08d}", visitor_name="张先生", matter="咨询停车", first_responder=user, **fields
    )
    return _stamp(obj, created)


def application(user, created, status, item):
    n = next(_seq)
    obj = ServiceApplication.objects.create(
        number=f"SQ{n:08d}", service_item=item, applicant_name="李女士", status=status, handled_by=user
    )
    return _stamp(obj, created)


def work_order(user, created, **fields):
    n = next(_seq)
    obj = WorkOrder.objects.create(
        number=f"GD{n:08d}", tracking_code=f"T{n:08d}", description="水管漏水", created_by=user, **fields
    )
    return _stamp(obj, created)


def completion(work_order, user, when):
    transition = WorkOrderTransition.objects.create(
        work_order=work_order, from_status="in_progress", to_status="completed", acting_user=user
    )
    WorkOrderTransition.objects.filter(pk=transition.pk).update(created=when)
    return transition


def complaint(user, created, verdict=""):
    n = next(_seq)
    obj = Complaint.objects.create(
        number=f"TS{n:08d}",
        tracking_code=f"C{n:08d}",
        channel=Complaint.Channel.PHONE,
        complainant_name=SECRET_COMPLAINANT,
        complainant_phone=SECRET_PHONE,
        subject_kind=Complaint.SubjectKind.STAFF,
        subject_staff=user,
        content="态度不好",
        verdict=verdict,
    )
    return _stamp(obj, created)


def booking(user, served_at, item):
    n = next(_seq)
    return Booking.objects.create(
        code=f"B{n:08d}",
        service_item=item,
        starts_at=served_at,
        ends_at=served_at + dt.timedelta(minutes=30),
        name="赵先生",
        phone="13800000000",
        status=Booking.Status.SERVED,
        served_at=served_at,
        served_by=user,
    )


def ticket(user, called_at, wait_seconds):
    return QueueTicket.objects.create(
        day=called_at.date(),
        number=next(_seq),
        issued_at=called_at - dt.timedelta(seconds=wait_seconds),
        called_at=called_at,
        called_by=user,
        wait_seconds=wait_seconds,
        status=QueueTicket.Status.DONE,
    )


@pytest.fixture
def item(alpha):
    return ServiceItem.objects.create(name="测试事项")


@pytest.fixture
def staff(alpha):
    return {
        "li": make_user("li", "前台客服", "李前台"),
        "zhou": make_user("zhou", "前台客服", "周前台"),
        "head": make_user("boss", "中心负责人", "孙主任"),
    }


@pytest.fixture
def records(staff, item):
    """November for 李前台 (many records) and 周前台 (a few); some records just outside the month."""
    li, zhou = staff["li"], staff["zhou"]
    # First inquiries of 李: answered on the spot, completed in time, completed late, open past due,
    # open not yet due, handed over and completed, handed over and still open (not yet due).
    inquiry(li, at(1, 0, 5), status=Inquiry.Status.ANSWERED, completed_at=at(1, 0, 5))
    inquiry(li, at(3), status=Inquiry.Status.COMPLETED, due_at=at(5), completed_at=at(4))
    inquiry(li, at(6), status=Inquiry.Status.COMPLETED, due_at=at(7), completed_at=at(9))
    inquiry(li, at(10), due_at=at(12))
    inquiry(li, at(20), due_at=NOW + dt.timedelta(days=3))
    inquiry(
        li,
        at(21),
        status=Inquiry.Status.COMPLETED,
        handed_to_user=zhou,
        handed_over_at=at(21, 11),
        due_at=at(25),
        completed_at=at(22),
    )
    inquiry(
        li,
        at(30, 23, 50),
        status=Inquiry.Status.HANDED_OVER,
        handed_to_user=zhou,
        handed_over_at=at(30, 23, 55),
    )
    # Outside November in local time: 23:59 on 31 October and 00:00 on 1 December.
    inquiry(
        li, at(31, 23, 59, month=10), status=Inquiry.Status.ANSWERED, completed_at=at(31, 23, 59, month=10)
    )
    inquiry(li, at(1, 0, 0, month=12), status=Inquiry.Status.ANSWERED, completed_at=at(1, 0, 0, month=12))
    # 周: one inquiry answered on the spot.
    inquiry(zhou, at(15), status=Inquiry.Status.ANSWERED, completed_at=at(15))

    application(li, at(2), ServiceApplication.Status.COMPLETE, item)
    application(li, at(2, 11), ServiceApplication.Status.COMPLETE, item)
    application(li, at(3), ServiceApplication.Status.INCOMPLETE, item)
    application(li, at(4), ServiceApplication.Status.REFUSED, item)
    application(zhou, at(4), ServiceApplication.Status.INCOMPLETE, item)

    in_time = work_order(li, at(5), deadline=at(8), completed_at=at(7), status="completed", satisfaction=5)
    late = work_order(li, at(6), deadline=at(8), completed_at=at(9), status="completed", satisfaction=3)
    work_order(li, at(7), deadline=None, completed_at=at(8), status="completed")
    work_order(li, at(8), deadline=at(30))  # open
    # Completions recorded by 周 of 李's work orders (rated 5 and 3), and one of October's.
    completion(in_time, zhou, at(7))
    completion(late, zhou, at(9))
    earlier = work_order(
        li, at(20, month=10), completed_at=at(31, 23, month=10), status="completed", satisfaction=1
    )
    completion(earlier, zhou, at(31, 23, month=10))

    complaint(li, at(5), Complaint.Verdict.JUSTIFIED)
    complaint(li, at(6), Complaint.Verdict.UNFOUNDED)
    complaint(li, at(7))
    complaint(zhou, at(8), Complaint.Verdict.PARTLY)

    booking(li, at(11), item)
    booking(li, at(12), item)
    booking(zhou, at(1, 9, month=12), item)  # December

    ticket(li, at(11), 300)
    ticket(li, at(12), 900)
    ticket(zhou, at(13), 60)
    return staff


def by_user(appraisals):
    return {a.user.username: a for a in appraisals}


class TestFigures:
    def test_two_staff_members_month(self, records):
        rows = by_user(desk_appraisal(month=dt.date(2026, 11, 17), now=NOW))
        li, zhou = rows["li"], rows["zhou"]

        assert (li.inquiries, li.inquiries_in_time, li.inquiries_late, li.inquiries_open) == (7, 3, 2, 2)
        assert li.inquiries_in_time_rate == pytest.approx(3 / 5)
        assert (li.handovers, li.handovers_completed) == (2, 1)
        assert li.handovers_completed_rate == pytest.approx(0.5)
        assert (
            li.applications,
            li.applications_accepted,
            li.applications_incomplete,
            li.applications_refused,
        ) == (
            4,
            2,
            1,
            1,
        )
        assert (li.work_orders, li.work_orders_completed, li.work_orders_in_time) == (4, 3, 2)
        assert li.work_orders_in_time_rate == pytest.approx(2 / 3)
        assert (li.complaints, li.complaints_justified, li.complaints_partly) == (3, 1, 0)
        assert (li.complaints_unfounded, li.complaints_undecided) == (1, 1)
        assert li.rated == 0 and li.satisfaction_average is None and li.satisfied_rate is None
        assert li.bookings_served == 2
        assert li.queue_calls == 2 and li.wait_minutes_average == pytest.approx(10.0)

        assert (zhou.inquiries, zhou.inquiries_in_time, zhou.inquiries_in_time_rate) == (1, 1, 1.0)
        assert zhou.handovers == 0 and zhou.handovers_completed_rate is None
        assert (zhou.applications, zhou.applications_incomplete) == (1, 1)
        assert zhou.work_orders == 0 and zhou.work_orders_in_time_rate is None
        assert (zhou.complaints, zhou.complaints_partly) == (1, 1)
        assert zhou.rated == 2 and zhou.satisfaction_average == pytest.approx(4.0)
        assert zhou.satisfied == 1 and zhou.satisfied_rate == pytest.approx(0.5)
        assert zhou.bookings_served == 0  # served in December
        assert zhou.queue_calls == 1 and zhou.wait_minutes_average == pytest.approx(1.0)

        head = rows["boss"]  # in a staff group, no records: listed with zeros
        assert not head.has_records and head.inquiries_in_time_rate is None

    def test_month_bounds_are_local(self, records):
        li = staff_appraisal(user=records["li"], month=dt.date(2026, 10, 1), now=NOW)
        assert li.inquiries == 1  # 23:59 on 31 October, Shanghai time (15:59 UTC)
        december = staff_appraisal(user=records["li"], month=dt.date(2026, 12, 1), now=NOW)
        assert december.inquiries == 1  # 00:00 on 1 December, Shanghai time (16:00 UTC on 30 November)
        zhou = staff_appraisal(user=records["zhou"], month=dt.date(2026, 10, 1), now=NOW)
        assert zhou.rated == 1 and zhou.satisfied_rate == 0

    def test_open_inquiry_counts_late_only_once_past_due(self, records):
        before = staff_appraisal(user=records["li"], month=NOV, now=at(11))
        # At 11 Nov the inquiry due 12 Nov is still open, not late.
        assert before.inquiries_late == 1 and before.inquiries_open == 3

    def test_records_behind_figures(self, records):
        li, zhou = records["li"], records["zhou"]
        assert appraisal_records(user=li, month=NOV, figure="inquiries").count() == 7
        assert appraisal_records(user=li, month=NOV, figure="handovers").count() == 2
        assert appraisal_records(user=li, month=NOV, figure="applications").count() == 4
        assert appraisal_records(user=li, month=NOV, figure="work_orders").count() == 4
        assert appraisal_records(user=li, month=NOV, figure="complaints").count() == 3
        assert sorted(
            appraisal_records(user=zhou, month=NOV, figure="rated_work").values_list(
                "satisfaction", flat=True
            )
        ) == [3, 5]
        assert appraisal_records(user=li, month=NOV, figure="bookings").count() == 2
        assert appraisal_records(user=li, month=NOV, figure="queue_calls").count() == 2
        with pytest.raises(ValueError):
            appraisal_records(user=li, month=NOV, figure="nonsense")

    def test_who_appears(self, records, item):
        User = get_user_model()
        make_user("nogroup", None, "无组员工")  # no group, no records: not listed
        outsider = make_user("helper", None, "临时工")  # no group but records: listed
        inquiry(outsider, at(9))
        gone = make_user("gone", "前台客服", "离职员工", is_active=False)
        inquiry(gone, at(9))
        names = set(by_user(desk_appraisal(month=NOV, now=NOW)))
        assert {"li", "zhou", "boss", "helper"} <= names
        assert "nogroup" not in names and "gone" not in names
        assert "admin" not in names  # a superuser without records
        inquiry(User.objects.get(username="admin"), at(9))
        assert "admin" in by_user(desk_appraisal(month=NOV, now=NOW))

    def test_query_count_is_flat(self, records, item, django_assert_max_num_queries):
        for n in range(6):
            user = make_user(f"extra{n}", "前台客服", f"员工{n}")
            inquiry(user, at(5 + n))
            application(user, at(5 + n), ServiceApplication.Status.COMPLETE, item)
            complaint(user, at(5 + n))
            ticket(user, at(5 + n, 15), 120)
        # One query per source table (7) and one for the staff.
        with django_assert_max_num_queries(8):
            rows = desk_appraisal(month=NOV, now=NOW)
            assert len(rows) >= 9
            assert [r.user.username for r in rows]


# --- The screens ---------------------------------------------------------------------------------


def table_url(month="2026-11"):
    return f"{reverse('desk_appraisal:index')}?month={month}"


def person_url(user, month="2026-11"):
    return f"{reverse('desk_appraisal:person', args=[user.pk])}?month={month}"


def sheet_url(user, month="2026-11"):
    return f"{reverse('desk_appraisal:sheet', args=[user.pk])}?month={month}"


def refused(response) -> bool:
    """Wagtail's admin answers a PermissionDenied with a redirect to the dashboard and a message
    (the project's one refusal, tests/operations/test_viewsets.py), never a 404."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


class TestScreens:
    def test_head_sees_the_table_with_links(self, records, client_a):
        client_a.force_login(records["head"])
        response = client_a.get(table_url())
        assert response.status_code == 200
        content = response.content.decode()
        assert "李前台" in content and "周前台" in content
        assert (
            person_url(records["li"]).replace("&", "&amp;") in content or person_url(records["li"]) in content
        )
        assert 'value="2026-11"' in content

    def test_table_defaults_to_this_month(self, records, client_a):
        client_a.force_login(records["head"])
        response = client_a.get(reverse("desk_appraisal:index"))
        assert response.status_code == 200
        assert response.context["month"].day == 1

    def test_export(self, records, client_a):
        client_a.force_login(records["head"])
        response = client_a.get(table_url() + "&export=xlsx")
        assert response.status_code == 200
        assert "desk-appraisal-2026-11.xlsx" in response["Content-Disposition"]
        sheet = load_workbook(BytesIO(response.content)).active
        rows = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
        assert rows["李前台"][1] == 7  # first inquiries owned
        assert rows["周前台"][1] == 1

    def test_head_sees_a_persons_month_with_links_and_no_complainant(self, records, client_a):
        client_a.force_login(records["head"])
        response = client_a.get(person_url(records["li"]))
        assert response.status_code == 200
        content = response.content.decode()
        first = appraisal_records(user=records["li"], month=NOV, figure="inquiries").first()
        assert reverse("inquiries:inspect", args=[first.pk]) in content
        wo = appraisal_records(user=records["li"], month=NOV, figure="work_orders").first()
        assert reverse("work_orders:inspect", args=[wo.pk]) in content
        app = appraisal_records(user=records["li"], month=NOV, figure="applications").first()
        assert reverse("operations_guide:application_sheet", args=[app.pk]) in content
        c = appraisal_records(user=records["li"], month=NOV, figure="complaints").first()
        assert reverse("complaints:inspect", args=[c.pk]) in content and c.number in content
        b = appraisal_records(user=records["li"], month=NOV, figure="bookings").first()
        assert reverse("bookings:inspect", args=[b.pk]) in content
        t = appraisal_records(user=records["li"], month=NOV, figure="queue_calls").first()
        assert reverse("queue_tickets:inspect", args=[t.pk]) in content
        assert SECRET_COMPLAINANT not in content and SECRET_PHONE not in content

    def test_front_desk_sees_own_month_only(self, records, client_a):
        li, zhou = records["li"], records["zhou"]
        client_a.force_login(li)
        own = client_a.get(reverse("desk_appraisal:mine") + "?month=2026-11")
        assert own.status_code == 200
        content = own.content.decode()
        assert "李前台" in content
        assert SECRET_COMPLAINANT not in content and SECRET_PHONE not in content
        assert client_a.get(person_url(li)).status_code == 200  # their own id too
        assert refused(client_a.get(person_url(zhou)))
        assert refused(client_a.get(sheet_url(zhou)))
        assert refused(client_a.get(table_url()))
        assert refused(client_a.get(table_url() + "&export=xlsx"))
        # An id that does not exist is refused the same way (no leak of who exists).
        assert refused(client_a.get(reverse("desk_appraisal:person", args=[999999])))
        assert client_a.get(reverse("desk_appraisal:my_sheet") + "?month=2026-11").status_code == 200

    def test_head_gets_404_for_unknown_person(self, records, client_a):
        client_a.force_login(records["head"])
        assert client_a.get(reverse("desk_appraisal:person", args=[999999])).status_code == 404

    def test_anonymous_is_sent_to_login(self, records, client_a):
        response = client_a.get(reverse("desk_appraisal:mine"))
        assert response.status_code == 302 and "login" in response["Location"]

    def test_print_sheet(self, records, client_a):
        client_a.force_login(records["head"])
        response = client_a.get(sheet_url(records["li"]))
        assert response.status_code == 200
        content = response.content.decode()
        assert "appraisal-sheet" in content and "李前台" in content and "2026-11" in content
        assert "Staff member (signature)" in content or "签" in content
        assert SECRET_COMPLAINANT not in content

    def test_menu_links(self, records, client_a):
        table, mine = (f'"{reverse(name)}"' for name in ("desk_appraisal:index", "desk_appraisal:mine"))
        client_a.force_login(records["head"])
        content = client_a.get(reverse("wagtailadmin_home")).content.decode()
        assert table in content and mine in content
        client_a.force_login(records["li"])
        content = client_a.get(reverse("wagtailadmin_home")).content.decode()
        assert table not in content and mine in content

    def test_invalid_month_falls_back(self, records, client_a):
        client_a.force_login(records["li"])
        response = client_a.get(reverse("desk_appraisal:mine") + "?month=nonsense")
        assert response.status_code == 200
