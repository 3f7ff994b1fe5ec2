"""Appointments and the queue on screen: the residents' booking pages, the waiting room's screen,
the desk's bookings, queue screen and the application started from a booking."""

from __future__ import annotations

import datetime as dt
import json
from io import BytesIO

from django.db import connection
from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from operations.models import Booking, QueueTicket, ServiceApplication, ServiceItem
from operations.services.appointments import booking_create
from operations.services.queue import queue_call_next, queue_ticket_issue
from tests.factories import make_user
from tests.operations.test_appointments_services import at, working_day_ahead


@pytest.fixture
def site(alpha, client_a):
    return client_a


@pytest.fixture
def certificate(alpha) -> ServiceItem:
    return ServiceItem.objects.get(name="证明开具")


def book_data(day, **overrides) -> dict:
    data = {
        "book": "1",
        "starts_at": f"{day}T09:00",
        "name": "刘芳",
        "phone": "139 1234 5678",
        "unit_text": "",
        "website": "",
    }
    data.update(overrides)
    return data


def today_booking(item, *, code="TODAY001", phone="13912345678", name="刘芳") -> Booking:
    """A booking whose slot began at midnight today (always today, always begun)."""
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 0)))
    return Booking.objects.create(
        code=code,
        service_item=item,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=15),
        name=name,
        phone=phone,
    )


class TestResidentBooking:
    def test_the_list_offers_the_bookable_matters(self, site, certificate):
        content = site.get(reverse("public_booking_list")).content.decode()
        assert "证明开具" in content and "入住手续" in content and "报修" not in content

    def test_everything_is_told_before_a_time_is_chosen(self, site, certificate):
        day = working_day_ahead()
        response = site.get(reverse("public_booking_new", args=[certificate.pk]) + f"?day={day}")
        content = response.content.decode()
        assert response.status_code == 200
        for material in certificate.materials.all():
            assert material.name in content
        for step in certificate.procedure_steps:
            assert step in content
        assert "承诺时限" in content and "收费" in content
        assert f'value="{day}T09:00"' in content and f'value="{day}T12:00"' not in content

    def test_booking_thanks_page_repeats_code_and_materials(self, site, certificate):
        day = working_day_ahead()
        response = site.post(reverse("public_booking_new", args=[certificate.pk]), book_data(day))
        assert response.status_code == 302
        booking = Booking.objects.get()
        assert booking.phone == "13912345678" and timezone.localtime(booking.starts_at).date() == day
        done = site.get(response["Location"]).content.decode()
        assert booking.code in done
        for material in certificate.materials.all():
            assert material.name in done

    def test_bad_input_gets_chinese_messages_and_writes_nothing(self, site, certificate):
        day = working_day_ahead()
        url = reverse("public_booking_new", args=[certificate.pk])
        response = site.post(url, book_data(day, name="", phone="12345"))
        content = response.content.decode()
        assert response.status_code == 400 and "请填写您的姓名" in content and "不是有效的电话号码" in content
        response = site.post(url, book_data(day, starts_at=f"{day}T12:30"))
        assert response.status_code == 400 and "营业时间" in response.content.decode()
        response = site.post(url, book_data(day, starts_at="tomorrow morning"))
        assert response.status_code == 400 and "可选时间" in response.content.decode()
        assert not Booking.objects.exists()

    def test_a_second_booking_of_the_day_is_refused(self, site, certificate):
        day = working_day_ahead()
        url = reverse("public_booking_new", args=[certificate.pk])
        site.post(url, book_data(day))
        response = site.post(url, book_data(day, starts_at=f"{day}T14:00"))
        assert response.status_code == 400 and "已有此事项的预约" in response.content.decode()
        assert Booking.objects.count() == 1

    def test_choosing_a_day_keeps_what_was_typed_and_books_nothing(self, site, certificate):
        day = working_day_ahead()
        response = site.post(
            reverse("public_booking_new", args=[certificate.pk]),
            {"day": str(day), "name": "刘芳", "phone": "13912345678", "starts_at": ""},
        )
        assert response.status_code == 200 and 'value="刘芳"' in response.content.decode()
        assert not Booking.objects.exists()

    def test_the_honeypot_saves_nothing_and_floods_are_limited(self, site, certificate):
        day = working_day_ahead()
        url = reverse("public_booking_new", args=[certificate.pk])
        assert site.post(url, book_data(day, website="http://spam")).status_code == 302
        assert not Booking.objects.exists()
        codes = {site.post(url, book_data(day, name="")).status_code for _ in range(25)}
        assert 429 in codes
        assert not Booking.objects.exists()

    def test_an_unknown_or_closed_item_is_404(self, site, certificate):
        repair = ServiceItem.objects.get(name="报修")
        assert site.get(reverse("public_booking_new", args=[repair.pk])).status_code == 404


class TestManage:
    def book(self, item, day):
        return booking_create(service_item=item, starts_at=at(day, 9), name="刘芳", phone="13912345678")

    def test_a_wrong_code_or_digits_finds_nothing(self, site, certificate):
        booking = self.book(certificate, working_day_ahead())
        url = reverse("public_booking_manage")
        for code, digits in ((booking.code, "0000"), ("XXXXXXXX", "5678")):
            content = site.post(url, {"code": code, "phone_last_four": digits}).content.decode()
            assert "没有找到" in content and "刘芳" not in content

    def test_cancel_with_code_and_digits(self, site, certificate):
        booking = self.book(certificate, working_day_ahead())
        url = reverse("public_booking_manage")
        content = site.post(url, {"code": booking.code, "phone_last_four": "5678"}).content.decode()
        assert booking.code in content and "取消这个预约" in content
        response = site.post(url, {"code": booking.code, "phone_last_four": "5678", "action": "cancel"})
        assert "已取消" in response.content.decode()
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED

    def test_move_to_another_time(self, site, certificate):
        day = working_day_ahead()
        booking = self.book(certificate, day)
        url = reverse("public_booking_manage")
        data = {"code": booking.code, "phone_last_four": "5678", "action": "move"}
        # A day button shows that day's times without moving anything.
        shown = site.post(url, data | {"day": str(day)})
        assert shown.status_code == 200 and f'value="{day}T10:00"' in shown.content.decode()
        moved = site.post(url, data | {"starts_at": f"{day}T10:00"})
        assert "已改期" in moved.content.decode()
        booking.refresh_from_db()
        assert timezone.localtime(booking.starts_at).time() == dt.time(10)
        refused = site.post(url, data | {"starts_at": f"{day}T12:30"})
        assert refused.status_code == 400 and "营业时间" in refused.content.decode()

    def test_another_centers_host_does_not_know_the_code(self, site, certificate, center_b, client_b):
        booking = self.book(certificate, working_day_ahead())
        connection.set_tenant(center_b)
        content = client_b.post(
            reverse("public_booking_manage"), {"code": booking.code, "phone_last_four": "5678"}
        ).content.decode()
        assert "没有找到" in content


class TestScreen:
    def test_the_screen_shows_numbers_only(self, site, certificate):
        booking = today_booking(certificate, name="王秀兰", phone="13800001111")
        clerk = make_user("desk_screen", "前台客服", "前台小吴")
        queue_ticket_issue(booking=booking, acting_user=clerk)
        queue_ticket_issue(acting_user=clerk)
        queue_call_next(acting_user=clerk, counter="2号窗口")
        page = site.get(reverse("public_queue_screen"))
        content = page.content.decode()
        assert page.status_code == 200 and "Y001" in content and "2号窗口" in content
        state = json.loads(site.get(reverse("public_queue_state")).content)
        assert state["called"][0] == {"number": "Y001", "counter": "2号窗口", "at": state["called"][0]["at"]}
        assert state["waiting"] == 1
        raw = json.dumps(state, ensure_ascii=False)
        assert "王秀兰" not in raw and "1111" not in raw and "证明" not in raw

    def test_the_state_is_computed_once_for_many_screens(self, site, django_assert_max_num_queries):
        site.get(reverse("public_queue_state"))
        with django_assert_max_num_queries(3):  # the tenant's domain lookup is cached too
            for _ in range(5):
                site.get(reverse("public_queue_state"))


class TestDesk:
    @pytest.fixture
    def clerk(self, alpha):
        return make_user("desk_book", "前台客服", "前台小林")

    def test_today_lists_bookings_and_masks_phones_for_staff_without_contact_rights(
        self, alpha, client_a, certificate
    ):
        booking = today_booking(certificate)
        service_head = make_user("svc_head_b", "客户服务部负责人", "陈主管")
        client_a.force_login(service_head)
        content = client_a.get(reverse("bookings:index") + "?scope=today").content.decode()
        assert booking.code in content and "139****5678" in content and "13912345678" not in content
        export = client_a.get(reverse("bookings:index") + "?scope=today&export=xlsx")
        rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.values)
        assert any("139****5678" in row for row in rows)

    def test_arrived_gives_a_number_and_the_application_starts_from_the_booking(
        self, alpha, client_a, clerk, certificate
    ):
        booking = today_booking(certificate)
        client_a.force_login(clerk)
        response = client_a.post(reverse("bookings:action", args=[booking.pk, "arrived"]), follow=True)
        assert "Y001" in response.content.decode()
        booking.refresh_from_db()
        assert booking.status == Booking.Status.ARRIVED and booking.ticket.display == "Y001"
        page = client_a.get(reverse("bookings:inspect", args=[booking.pk])).content.decode()
        apply_url = (
            reverse("operations_guide:application_create", args=[certificate.pk]) + f"?booking={booking.pk}"
        )
        assert apply_url.replace("&", "&amp;") in page or apply_url in page
        form = client_a.get(apply_url).content.decode()
        assert 'value="刘芳"' in form and booking.code in form
        materials = [str(m.pk) for m in certificate.materials.all()]
        response = client_a.post(
            apply_url,
            {
                "applicant_name": "刘芳",
                "applicant_phone": "13912345678",
                "materials": materials,
                "decision": "accept",
            },
        )
        assert response.status_code == 302
        application = ServiceApplication.objects.get()
        booking.refresh_from_db()
        assert booking.status == Booking.Status.SERVED and booking.application == application
        assert application.due_at is not None
        assert "承诺于" in client_a.get(response["Location"]).content.decode()

    def test_no_show_and_refusals_show_the_record_again(self, alpha, client_a, clerk, certificate):
        booking = today_booking(certificate)
        client_a.force_login(clerk)
        client_a.post(reverse("bookings:action", args=[booking.pk, "no-show"]))
        booking.refresh_from_db()
        assert booking.status == Booking.Status.NO_SHOW
        again = client_a.post(reverse("bookings:action", args=[booking.pk, "arrived"]))
        assert again.status_code == 400 and "未到" in again.content.decode()

    def test_the_queue_screen_issues_calls_and_finishes(self, alpha, client_a, clerk):
        client_a.force_login(clerk)
        assert client_a.get(reverse("queue_desk:desk")).status_code == 200
        slip = client_a.post(reverse("queue_desk:issue"), {"service_item": ""}, follow=True)
        assert "A001" in slip.content.decode()
        response = client_a.post(reverse("queue_desk:call"), {"counter": "3号窗口"}, follow=True)
        content = response.content.decode()
        assert "A001" in content and "3号窗口" in content
        ticket = QueueTicket.objects.get()
        assert ticket.status == QueueTicket.Status.CALLED and ticket.called_by == clerk
        client_a.post(reverse("queue_desk:ticket", args=[ticket.pk, "finish"]))
        ticket.refresh_from_db()
        assert ticket.status == QueueTicket.Status.DONE
        nobody = client_a.post(reverse("queue_desk:call"), {"counter": "3号窗口"}, follow=True)
        assert "没有人在等候" in nobody.content.decode()

    def test_staff_without_queue_rights_are_refused(self, alpha, client_a):
        officer = make_user("officer_q", "社区文化活动专员", "孙专员")
        client_a.force_login(officer)
        assert client_a.get(reverse("queue_desk:desk")).status_code in (302, 403)
        assert client_a.post(reverse("queue_desk:call"), {"counter": "1号窗口"}).status_code in (302, 403)
        assert not QueueTicket.objects.exists()
        assert client_a.get(reverse("bookings:index")).status_code in (302, 403)


class TestSettings:
    def test_overlapping_hours_and_a_backwards_closure_are_form_errors(self, alpha, client_a):
        from operations.models import DeskClosure, DeskHours

        head = make_user("svc_head_h", "客户服务部负责人", "陈主管")
        client_a.force_login(head)
        before = DeskHours.objects.count()
        response = client_a.post(
            reverse("desk_hours:add"), {"day_type": "working", "opens": "11:00", "closes": "14:00"}
        )
        assert response.status_code == 200 and "重叠" in response.content.decode()
        assert DeskHours.objects.count() == before
        response = client_a.post(
            reverse("desk_closures:add"),
            {"start_date": "2027-01-03", "end_date": "2027-01-01", "reason": "holiday", "note": ""},
        )
        assert response.status_code == 200 and "不能早于" in response.content.decode()
        assert not DeskClosure.objects.exists()
        response = client_a.post(
            reverse("desk_closures:add"),
            {"start_date": "2027-01-01", "end_date": "2027-01-01", "reason": "holiday", "note": "元旦"},
        )
        assert response.status_code == 302 and DeskClosure.objects.get().note == "元旦"


class TestHomePanel:
    def test_the_desk_sees_todays_bookings_and_the_queue_on_the_admin_home(
        self, alpha, client_a, certificate
    ):
        clerk = make_user("desk_home", "前台客服", "前台小郑")
        today_booking(certificate)  # began at midnight, still "booked": to be marked
        queue_ticket_issue(acting_user=clerk)
        client_a.force_login(clerk)
        content = client_a.get(reverse("wagtailadmin_home")).content.decode()
        assert 'id="ops-desk-today-section"' in content and "今日预约与排队" in content
        assert "?scope=to_mark" in content and reverse("queue_desk:desk") in content

    def test_staff_without_bookings_do_not_get_the_panel(self, alpha, client_a):
        officer = make_user("officer_home", "社区文化活动专员", "孙专员")
        client_a.force_login(officer)
        assert (
            'id="ops-desk-today-section"' not in client_a.get(reverse("wagtailadmin_home")).content.decode()
        )


def test_the_booking_page_costs_the_same_for_two_weeks_or_two_months(
    site, certificate, django_assert_max_num_queries
):
    """The days, their closures and places are read once, not per day offered."""
    from operations.models import BookableService

    url = reverse("public_booking_new", args=[certificate.pk])
    site.get(url)  # warms the host lookup and the site's navigation
    with django_assert_max_num_queries(12) as short:
        site.get(url)
    BookableService.objects.filter(service_item=certificate).update(days_ahead=60)
    with django_assert_max_num_queries(len(short.captured_queries)):
        assert site.get(url).status_code == 200
