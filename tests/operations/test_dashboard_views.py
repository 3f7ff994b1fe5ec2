"""The center's admin home: today's duty, my open items, breaches."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operations.models import Complaint, Inquiry, StaffProfile, WorkOrder
from operations.selectors.dashboard import breaches_overview, staff_open_items
from operations.services.inquiries import inquiry_complete, inquiry_hand_over, inquiry_record
from operations.services.roster import duty_shift_set
from operations.views.dashboard import record_url_finder
from tests.base import TEST_PASSWORD, CenterTestCase
from tests.factories import make_user

SEQUENCE = itertools.count(1)


def work_order(**kwargs):
    n = next(SEQUENCE)
    defaults = {"number": f"GD-T{n:05d}", "tracking_code": f"WT{n:06d}", "description": "厨房水管漏水"}
    return WorkOrder.objects.create(**{**defaults, **kwargs})


def inquiry(**kwargs):
    n = next(SEQUENCE)
    defaults = {"number": f"SW-T{n:05d}", "visitor_name": "王建国", "matter": "咨询装修申请"}
    return Inquiry.objects.create(**{**defaults, **kwargs})


def complaint(**kwargs):
    n = next(SEQUENCE)
    defaults = {
        "number": f"TS-T{n:05d}",
        "tracking_code": f"CT{n:06d}",
        "channel": Complaint.Channel.PHONE,
        "content": "夜间噪音",
        "complainant_name": "李秀英",
        "subject_text": "楼道噪音",
    }
    return Complaint.objects.create(**{**defaults, **kwargs})


class AdminHomeTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.admin = get_user_model().objects.get(username="admin")
        self.client.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
        self.other = get_user_model().objects.create_user(
            username="li", first_name="李静", password=TEST_PASSWORD
        )
        StaffProfile.objects.create(user=self.other, phone="13900002222")
        self.home = reverse("wagtailadmin_home")
        self.now = timezone.now()
        self.past = self.now - datetime.timedelta(hours=3)
        self.future = self.now + datetime.timedelta(days=2)

    def test_no_data_renders_all_panels(self):
        response = self.client.get(self.home)
        self.assertEqual(response.status_code, 200)
        for panel_id in ("ops-today-duty", "ops-my-items", "ops-breaches"):
            self.assertContains(response, f'id="{panel_id}-section"')
        self.assertContains(response, "今日值班")
        self.assertContains(response, "我的待办")
        self.assertContains(response, "超时预警")

    def test_shows_todays_duty_with_phones(self):
        today = timezone.localdate()
        duty_shift_set(
            date=today,
            post="A",
            staff=self.admin,
            start_time=datetime.time(8),
            end_time=datetime.time(18),
            phone="13800001111",
        )
        duty_shift_set(
            date=today, post="B", staff=self.other, start_time=datetime.time(9), end_time=datetime.time(17)
        )
        response = self.client.get(self.home)
        self.assertContains(response, "alpha 管理员")
        self.assertContains(response, "13800001111")
        self.assertContains(response, "李静")
        self.assertContains(response, "13900002222")
        self.assertNotContains(response, "今日无人值班")

    def test_missing_post_today_is_flagged(self):
        today = timezone.localdate()
        duty_shift_set(
            date=today, post="A", staff=self.admin, start_time=datetime.time(8), end_time=datetime.time(18)
        )
        response = self.client.get(self.home)
        self.assertContains(response, "今日无人值班")

    def test_shows_my_open_items_and_breaches(self):
        mine = work_order(assignee=self.admin, status=WorkOrder.Status.IN_PROGRESS, deadline=self.past)
        work_order(
            assignee=self.admin, status=WorkOrder.Status.COMPLETED, description="已经修好", deadline=self.past
        )
        others = work_order(assignee=self.other, status=WorkOrder.Status.DISPATCHED, deadline=self.past)
        not_due = work_order(assignee=self.other, status=WorkOrder.Status.PENDING, deadline=self.future)
        my_inquiry = inquiry(first_responder=self.admin, status=Inquiry.Status.HANDED_OVER, due_at=self.past)
        inquiry(first_responder=self.admin, status=Inquiry.Status.COMPLETED)
        inquiry(first_responder=self.admin, status=Inquiry.Status.ANSWERED)
        my_complaint = complaint(
            handler=self.admin, reply_due=timezone.localdate() - datetime.timedelta(days=1)
        )
        complaint(handler=self.admin, status=Complaint.Status.CLOSED)

        items = staff_open_items(user=self.admin)
        self.assertEqual([o.pk for o in items["work_orders"]["items"]], [mine.pk])
        self.assertEqual([i.pk for i in items["inquiries"]["items"]], [my_inquiry.pk])
        self.assertEqual([c.pk for c in items["complaints"]["items"]], [my_complaint.pk])
        overview = breaches_overview()
        self.assertEqual(overview["work_orders"]["count"], 2)
        self.assertEqual({o.pk for o in overview["work_orders"]["items"]}, {mine.pk, others.pk})
        self.assertEqual(overview["inquiries"]["count"], 1)
        self.assertEqual(overview["complaints"]["count"], 1)

        response = self.client.get(self.home)
        content = response.content.decode()
        my_panel = content[
            content.index('id="ops-my-items-section"') : content.index('id="ops-breaches-section"')
        ]
        breach_panel = content[content.index('id="ops-breaches-section"') :]
        self.assertIn(mine.number, my_panel)
        self.assertNotIn(others.number, my_panel)
        self.assertIn(my_inquiry.number, my_panel)
        self.assertIn(my_complaint.number, my_panel)
        self.assertIn(others.number, breach_panel)
        self.assertNotIn(not_due.number, breach_panel)
        self.assertNotIn("李秀英", content)  # the complainant stays confidential on the dashboard
        self.assertIn("王建国", my_panel)  # the center head may see visitors' names

    def test_masks_visitor_names_for_roles_without_contact_permission(self):
        dispatcher = make_user("zhao", "部门调度员", "赵磊")
        inquiry(first_responder=dispatcher, status=Inquiry.Status.HANDLING, visitor_name="王建国")
        order = work_order(assignee=dispatcher, status=WorkOrder.Status.DISPATCHED, deadline=self.past)
        complaint(handler=self.admin, reply_due=timezone.localdate() - datetime.timedelta(days=1))
        self.client.logout()
        self.client.login(username="zhao", password=TEST_PASSWORD)
        response = self.client.get(self.home)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "王**")
        self.assertNotContains(response, "王建国")
        self.assertContains(response, order.number)
        breach_panel = response.content.decode().split('id="ops-breaches-section"')[1]
        self.assertNotIn("TS-T", breach_panel)  # a dispatcher cannot view complaints

    def test_query_count_stays_flat_with_many_rows(self):
        def count():
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(self.home)
            self.assertEqual(response.status_code, 200)
            return len(ctx.captured_queries)

        self.client.get(self.home)
        few = count()
        today = timezone.localdate()
        duty_shift_set(
            date=today, post="A", staff=self.admin, start_time=datetime.time(8), end_time=datetime.time(18)
        )
        duty_shift_set(
            date=today, post="B", staff=self.other, start_time=datetime.time(8), end_time=datetime.time(18)
        )
        for _ in range(25):
            work_order(assignee=self.admin, status=WorkOrder.Status.PENDING, deadline=self.past)
            work_order(assignee=self.other, status=WorkOrder.Status.IN_PROGRESS, deadline=self.past)
            inquiry(first_responder=self.admin, status=Inquiry.Status.HANDLING, due_at=self.past)
            complaint(handler=self.admin, reply_due=today - datetime.timedelta(days=2))
        many = count()
        self.assertLessEqual(many, few)
        with self.assertNumQueries(many):
            self.client.get(self.home)
        response = self.client.get(self.home)
        self.assertContains(response, "25")


class HandedOverInquiryTests(CenterTestCase):
    """Issue 9, defect 3: an inquiry handed over to a colleague is on that colleague's to-do list."""

    def test_colleague_sees_the_inquiry_handed_to_them_until_it_is_completed(self):
        admin = get_user_model().objects.get(username="admin")
        colleague = make_user("desk", "前台客服", "前台小王")
        handed = inquiry_record(visitor_name="王建国", matter="咨询停车证办理", acting_user=admin)
        inquiry_hand_over(inquiry=handed, to_user=colleague, contact="电话联系", acting_user=admin)
        inquiry_record(visitor_name="李秀英", matter="咨询装修申请", acting_user=admin)  # not handed over

        items = staff_open_items(user=colleague)
        self.assertEqual([i.pk for i in items["inquiries"]["items"]], [handed.pk])
        self.assertEqual(staff_open_items(user=admin)["inquiries"]["count"], 2)  # the owner keeps both
        self.client.login(username="desk", password=TEST_PASSWORD)
        content = self.client.get(reverse("wagtailadmin_home")).content.decode()
        my_panel = content[
            content.index('id="ops-my-items-section"') : content.index('id="ops-breaches-section"')
        ]
        self.assertIn(handed.number, my_panel)
        self.assertNotIn("暂无待办", my_panel)

        inquiry_complete(inquiry=handed, resolution="已办理", acting_user=colleague)
        self.assertEqual(staff_open_items(user=colleague)["inquiries"]["count"], 0)
        content = self.client.get(reverse("wagtailadmin_home")).content.decode()
        self.assertIn("暂无待办", content)


class AdminHomeLinkTests(CenterTestCase):
    def test_items_link_to_admin_pages_or_to_nothing(self):
        admin = get_user_model().objects.get(username="admin")
        edit_url = record_url_finder(admin)
        for obj in (
            work_order(assignee=admin),
            inquiry(first_responder=admin),
            complaint(handler=admin),
        ):
            url = edit_url(obj)
            self.assertTrue(url == "" or (url.startswith("/admin/") and str(obj.pk) in url), url)
