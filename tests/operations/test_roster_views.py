"""Duty roster admin: the week view, the template editor, generating weeks, the list of shifts."""

import datetime
import io
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from openpyxl import load_workbook

from operations.history import is_labelled
from operations.models import DutyShift, DutyTemplateSlot, StaffProfile
from operations.services import roster as roster_services
from operations.services.roster import duty_shift_set, duty_template_slot_set
from tests.base import TEST_PASSWORD, CenterTestCase

MONDAY = datetime.date(2026, 11, 30)
T8, T18 = datetime.time(8), datetime.time(18)


class RosterAdminTestCase(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.client.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
        self.zhang = self.make_staff("zhang", "张敏", "13800001111")
        self.li = self.make_staff("li", "李静", "13900002222")
        self.week_url = reverse("roster:week")

    @staticmethod
    def make_staff(username, name, phone=""):
        user = get_user_model().objects.create_user(
            username=username, first_name=name, password=TEST_PASSWORD
        )
        StaffProfile.objects.create(user=user, phone=phone)
        return user

    def fill_week(self, monday, staff):
        for offset in range(7):
            for post in "AB":
                duty_shift_set(
                    date=monday + datetime.timedelta(days=offset),
                    post=post,
                    staff=staff,
                    start_time=T8,
                    end_time=T18,
                )


class DutyWeekViewTests(RosterAdminTestCase):
    def test_renders_the_week_with_gaps_in_red_and_listed(self):
        duty_shift_set(date=MONDAY, post="A", staff=self.zhang, start_time=T8, end_time=T18)
        response = self.client.get(self.week_url, {"start": "2026-12-02"})  # a Wednesday: its week
        self.assertEqual(response.status_code, 200)
        week = response.context["week"]
        self.assertEqual(week["start"], MONDAY)
        self.assertEqual(len(week["gaps"]), 13)
        content = response.content.decode()
        self.assertIn('data-roster-week="2026-11-30"', content)
        self.assertIn("张敏", content)
        self.assertIn("13800001111", content)
        self.assertEqual(content.count('<td class="roster-gap'), 13)
        self.assertIn("?start=2026-11-23", content)  # previous week
        self.assertIn("?start=2026-12-07", content)  # next week

    def test_form_sets_a_shift(self):
        response = self.client.post(
            self.week_url,
            {
                "action": "set",
                "start": "2026-11-30",
                "date": "2026-12-03",
                "post": "B",
                "staff": self.li.pk,
                "start_time": "09:00",
                "end_time": "17:30",
                "phone": "",
                "note": "",
            },
        )
        self.assertRedirects(response, f"{self.week_url}?start=2026-11-30", fetch_redirect_response=False)
        shift = DutyShift.objects.get(date=datetime.date(2026, 12, 3), post="B")
        self.assertEqual(
            (shift.staff, shift.phone, shift.end_time), (self.li, "13900002222", datetime.time(17, 30))
        )

    def test_form_replaces_and_clears_a_shift(self):
        duty_shift_set(date=MONDAY, post="A", staff=self.zhang, start_time=T8, end_time=T18)
        self.client.post(
            self.week_url,
            {
                "action": "set",
                "date": "2026-11-30",
                "post": "A",
                "staff": self.li.pk,
                "start_time": "08:00",
                "end_time": "12:00",
            },
        )
        self.assertEqual(DutyShift.objects.get(date=MONDAY, post="A").staff, self.li)
        response = self.client.post(
            self.week_url, {"action": "clear", "start": "2026-11-30", "date": "2026-11-30", "post": "A"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(DutyShift.objects.exists())

    def test_bad_input_shows_chinese_errors_and_writes_nothing(self):
        cases = [
            {"start_time": "18:00", "end_time": "08:00"},
            {"phone": "12345"},
            {"post": "C"},
            {"date": "2026-13-45"},
            {"staff": "999999"},
        ]
        for case in cases:
            with self.subTest(case=case):
                data = {
                    "action": "set",
                    "date": "2026-11-30",
                    "post": "A",
                    "staff": self.zhang.pk,
                    "start_time": "08:00",
                    "end_time": "18:00",
                    **case,
                }
                response = self.client.post(self.week_url, data)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)
                self.assertContains(response, "未保存")
                self.assertFalse(DutyShift.objects.exists())

    def test_end_before_start_message(self):
        data = {
            "action": "set",
            "date": "2026-11-30",
            "post": "A",
            "staff": self.zhang.pk,
            "start_time": "18:00",
            "end_time": "08:00",
        }
        response = self.client.post(self.week_url, data)
        self.assertIn("end_time", response.context["form"].errors)

    def test_clearing_with_a_bad_date_says_so(self):
        for day in ("2026-99-99", "x", ""):
            with self.subTest(day=day):
                response = self.client.post(
                    self.week_url, {"action": "clear", "date": day, "post": "A"}, follow=True
                )
                self.assertContains(response, "该日期和岗位没有可清除的值班。")

    def test_garbage_start_falls_back_to_this_week(self):
        response = self.client.get(self.week_url, {"start": "not-a-date", "date": "2026-99-99", "post": "Z"})
        self.assertEqual(response.status_code, 200)

    def test_query_count_is_flat(self):
        def count_queries():
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(self.week_url, {"start": "2026-11-30"})
            self.assertEqual(response.status_code, 200)
            return len(ctx.captured_queries)

        empty = count_queries()
        for index in range(20):
            self.make_staff(f"staff{index}", f"员工{index}", f"1380000{index:04d}")
        staff = list(get_user_model().objects.filter(username__startswith="staff"))
        for offset in range(7):
            for post_index, post in enumerate("AB"):
                duty_shift_set(
                    date=MONDAY + datetime.timedelta(days=offset),
                    post=post,
                    staff=staff[(offset * 2 + post_index) % len(staff)],
                    start_time=T8,
                    end_time=T18,
                )
        full = count_queries()
        self.assertLessEqual(full, empty)
        with self.assertNumQueries(full):
            self.client.get(self.week_url, {"start": "2026-11-30"})

    def test_view_only_role_sees_but_cannot_change(self):
        desk = self.make_staff("desk", "前台小王")
        desk.groups.add(Group.objects.get(name="前台客服"))
        self.client.logout()
        self.client.login(username="desk", password=TEST_PASSWORD)
        response = self.client.get(self.week_url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'id="set-shift"')
        data = {
            "action": "set",
            "date": "2026-11-30",
            "post": "A",
            "staff": desk.pk,
            "start_time": "08:00",
            "end_time": "18:00",
        }
        response = self.client.post(self.week_url, data)
        self.assertIn(response.status_code, (302, 403))  # Wagtail turns PermissionDenied into a redirect
        self.assertNotEqual(response.get("Location", ""), self.week_url)
        self.assertFalse(DutyShift.objects.exists())

    def test_anonymous_is_sent_to_login(self):
        self.client.logout()
        response = self.client.get(self.week_url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


class DutyTemplateAndGenerateViewTests(RosterAdminTestCase):
    def test_template_editor_sets_and_clears_a_slot(self):
        url = reverse("roster:template")
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(
            url,
            {
                "action": "set",
                "weekday": "6",
                "post": "B",
                "staff": self.zhang.pk,
                "start_time": "08:00",
                "end_time": "18:00",
                "phone": "",
            },
        )
        self.assertEqual(response.status_code, 302)
        slot = DutyTemplateSlot.objects.get(weekday=6, post="B")
        self.assertContains(self.client.get(url), "张敏")
        self.client.post(url, {"action": "clear", "slot": slot.pk})
        self.assertFalse(DutyTemplateSlot.objects.exists())
        self.assertEqual(self.client.post(url, {"action": "clear", "slot": "abc"}).status_code, 404)

    def test_template_editor_bad_input(self):
        url = reverse("roster:template")
        response = self.client.post(
            url,
            {
                "action": "set",
                "weekday": "9",
                "post": "B",
                "staff": self.zhang.pk,
                "start_time": "18:00",
                "end_time": "08:00",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(DutyTemplateSlot.objects.exists())

    def test_generate_form_creates_weeks_once(self):
        for weekday in range(7):
            for post in "AB":
                duty_template_slot_set(
                    weekday=weekday, post=post, staff=self.zhang, start_time=T8, end_time=T18
                )
        url = reverse("roster:generate")
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(url, {"start": "2026-11-30", "weeks": "3"})
        self.assertRedirects(response, f"{self.week_url}?start=2026-11-30", fetch_redirect_response=False)
        self.assertEqual(DutyShift.objects.count(), 42)
        self.client.post(url, {"start": "2026-11-30", "weeks": "3"})
        self.assertEqual(DutyShift.objects.count(), 42)

    def test_generate_bad_input(self):
        url = reverse("roster:generate")
        for data in ({"start": "2026-11-30", "weeks": "0"}, {"start": "x", "weeks": "2"}, {"weeks": "200"}):
            with self.subTest(data=data):
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)
        self.assertFalse(DutyShift.objects.exists())


class DutyShiftViewSetTests(RosterAdminTestCase):
    def test_list_with_filters(self):
        self.fill_week(MONDAY, self.zhang)
        duty_shift_set(
            date=MONDAY + datetime.timedelta(days=7), post="A", staff=self.li, start_time=T8, end_time=T18
        )
        url = reverse("dutyshift:index")
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        response = self.client.get(url, {"staff": self.li.pk})
        self.assertEqual(response.status_code, 200)
        self.assertEqual([shift.staff for shift in response.context["object_list"]], [self.li])
        response = self.client.get(url, {"post": "B", "date_from": "2026-11-30", "date_to": "2026-12-01"})
        self.assertEqual(len(response.context["object_list"]), 2)

    def test_list_query_count_is_flat(self):
        url = reverse("dutyshift:index")
        self.fill_week(MONDAY, self.zhang)
        self.client.get(url)  # warm the user's permission cache and the content types
        few = self._count(url)
        self.fill_week(MONDAY + datetime.timedelta(days=7), self.li)
        self.assertLessEqual(self._count(url), few)
        with self.assertNumQueries(few):
            self.client.get(url)

    def _count(self, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            self.client.get(url)
        return len(ctx.captured_queries)

    def test_create_edit_delete_go_through_the_services(self):
        add = reverse("dutyshift:add")
        response = self.client.post(
            add,
            {
                "date": "2026-11-30",
                "post": "A",
                "staff": self.zhang.pk,
                "start_time": "08:00",
                "end_time": "18:00",
                "phone": "",
                "note": "",
            },
        )
        self.assertEqual(response.status_code, 302)
        shift = DutyShift.objects.get()
        self.assertEqual(shift.phone, "13800001111")  # filled in by duty_shift_set
        edit = reverse("dutyshift:edit", args=[shift.pk])
        response = self.client.post(
            edit,
            {"staff": self.li.pk, "start_time": "08:00", "end_time": "12:00", "phone": "", "note": "换班"},
        )
        self.assertEqual(response.status_code, 302)
        shift.refresh_from_db()
        self.assertEqual((shift.staff, shift.note, shift.date, shift.post), (self.li, "换班", MONDAY, "A"))
        response = self.client.post(edit, {"staff": self.li.pk, "start_time": "12:00", "end_time": "08:00"})
        self.assertEqual(response.status_code, 200)
        shift.refresh_from_db()
        self.assertEqual(shift.end_time, datetime.time(12))
        self.client.post(reverse("dutyshift:delete", args=[shift.pk]))
        self.assertFalse(DutyShift.objects.exists())

    def test_menu_group(self):
        import json

        response = self.client.get(reverse("wagtailadmin_home"))
        # The sidebar is rendered from JSON props, where Chinese is \u-escaped.
        for label in ("值班管理", "值班周表", "每周值班模板", "生成值班周", "全部班次"):
            self.assertContains(response, json.dumps(label)[1:-1])
        self.assertContains(response, reverse("roster:week"))


class HistoryLabelTests(RosterAdminTestCase):
    def test_every_audit_action_of_the_roster_reads_in_words(self):
        self.assertEqual(self.client.get(self.week_url).status_code, 200)  # viewsets registered
        actions = set(re.findall(r'action="(\w+)"', Path(roster_services.__file__).read_text()))
        self.assertEqual(actions, {"create", "update", "delete", "generate"})
        self.assertTrue(all(is_labelled(action) for action in actions))


class PrefillTests(RosterAdminTestCase):
    def test_change_link_prefills_the_form_with_the_current_shift_and_slot(self):
        duty_shift_set(
            date=MONDAY,
            post="B",
            staff=self.li,
            start_time=datetime.time(9),
            end_time=datetime.time(17),
            note="代班",
        )
        response = self.client.get(self.week_url, {"start": "2026-11-30", "date": "2026-11-30", "post": "B"})
        form = response.context["form"]
        self.assertEqual((form.initial["staff"], form.initial["note"]), (self.li.pk, "代班"))
        self.assertEqual(form.initial["start_time"], datetime.time(9))
        duty_template_slot_set(
            weekday=3, post="A", staff=self.zhang, start_time=T8, end_time=datetime.time(12)
        )
        response = self.client.get(reverse("roster:template"), {"weekday": "3", "post": "A"})
        self.assertEqual(response.context["form"].initial["staff"], self.zhang.pk)
        self.assertEqual(response.context["form"].initial["end_time"], datetime.time(12))
        response = self.client.get(reverse("roster:template"), {"weekday": "99", "post": "Q"})
        self.assertEqual(response.status_code, 200)

    def test_shift_list_shows_staff_names(self):
        duty_shift_set(date=MONDAY, post="A", staff=self.zhang, start_time=T8, end_time=T18)
        self.assertContains(self.client.get(reverse("dutyshift:index")), "张敏")

    def test_shift_export_names_the_post_and_the_staff(self):
        duty_shift_set(date=MONDAY, post="A", staff=self.zhang, start_time=T8, end_time=T18)
        response = self.client.get(reverse("dutyshift:index"), {"export": "xlsx"})
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        row = [cell.value for cell in sheet[2]]
        self.assertEqual(row[1:3], ["A 岗", "张敏"])  # as on screen: the post's name, the staff's name
