"""Admin views of the first-inquiry register: my inquiries, overdue flag, detail, actions, export."""

import datetime as dt
from io import BytesIO

from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from operations.models import Inquiry, InquiryFollowUp
from operations.services.inquiries import inquiry_complete, inquiry_hand_over, inquiry_record
from tests.factories import make_user


def mine_url():
    return reverse("inquiries:index") + "?scope=mine"


def export_params(start, end):
    return {"created_from": start, "created_to": end, "export": "xlsx"}


@pytest.fixture
def staff(guide):
    return {
        "li": make_user("li", "前台客服", "李前台"),
        "zhou": make_user("zhou", "前台客服", "周前台"),
        "chen": make_user("chen", "客户服务部负责人", "陈主管"),
    }


def record(user, **kwargs):
    data = {"visitor_name": "张先生", "visitor_phone": "13812345678", "matter": "咨询", "acting_user": user}
    data.update(kwargs)
    return inquiry_record(**data)


class TestMyInquiries:
    def test_shows_only_mine_open_including_handed_over(self, staff, client_a):
        mine = record(staff["li"], matter="我的在办事项")
        handed = record(staff["li"], matter="我转交的事项")
        inquiry_hand_over(inquiry=handed, to_user=staff["zhou"], acting_user=staff["li"])
        done = record(staff["li"], matter="我已办结的事项")
        inquiry_complete(inquiry=done, resolution="好了", acting_user=staff["li"])
        answered = record(staff["li"], matter="当场答复的事项", answered_on_spot=True)
        others = record(staff["zhou"], matter="别人的事项")
        client_a.force_login(staff["li"])
        content = client_a.get(mine_url()).content.decode()
        assert mine.number in content and handed.number in content
        for inquiry in (done, answered, others):
            assert inquiry.number not in content

    def test_all_open_tab_shows_everyones_open(self, staff, client_a):
        others = record(staff["zhou"], matter="别人的事项")
        client_a.force_login(staff["li"])
        content = client_a.get(reverse("inquiries:index") + "?scope=open").content.decode()
        assert others.number in content

    def test_overdue_flagged_in_red(self, staff, guide, client_a):
        late = record(staff["li"], service_item=guide["报修"], now=timezone.now() - dt.timedelta(hours=30))
        on_time = record(staff["li"], service_item=guide["报修"])
        client_a.force_login(staff["li"])
        content = client_a.get(mine_url()).content.decode()
        rows = {n: content.split(n)[0].rsplit("<tr", 1)[1] for n in (late.number, on_time.number)}
        assert "row--flagged" in rows[late.number]
        assert "row--flagged" not in rows[on_time.number]
        overdue_tab = client_a.get(reverse("inquiries:index") + "?scope=overdue").content.decode()
        assert late.number in overdue_tab and on_time.number not in overdue_tab

    def test_query_count_flat(self, staff, guide, client_a, django_assert_max_num_queries):
        client_a.force_login(staff["li"])
        url = reverse("inquiries:index") + "?scope=open"
        record(staff["li"], service_item=guide["报修"])
        client_a.get(url)
        with django_assert_max_num_queries(30) as first:
            client_a.get(url)
        for n in range(20):
            inquiry = record(
                staff["zhou"] if n % 2 else staff["li"], service_item=guide["报修"], matter=f"事项{n}"
            )
            if n % 3 == 0:
                inquiry_hand_over(inquiry=inquiry, to_user=staff["chen"], acting_user=inquiry.first_responder)
        with django_assert_max_num_queries(len(first.captured_queries)):
            assert client_a.get(url).status_code == 200

    def test_phone_masked_without_contact_permission(self, staff, client_a):
        record(staff["li"])
        client_a.force_login(staff["chen"])
        content = client_a.get(reverse("inquiries:index") + "?scope=open").content.decode()
        assert "138****5678" in content and "13812345678" not in content
        client_a.force_login(staff["li"])
        assert "13812345678" in client_a.get(mine_url()).content.decode()

    def test_department_handover_shows_in_list_and_detail(self, staff, client_a):
        from operations.models import Department

        inquiry = record(staff["li"], matter="电梯异响")
        inquiry_hand_over(
            inquiry=inquiry, to_department=Department.objects.get(code="engineering"), acting_user=staff["li"]
        )
        client_a.force_login(staff["li"])
        content = client_a.get(mine_url()).content.decode()
        assert inquiry.number in content and "工程部" in content
        response = client_a.get(reverse("inquiries:inspect", args=[inquiry.pk]))
        assert response.status_code == 200
        assert "工程部" in response.content.decode()

    def test_roles_without_the_register_are_refused(self, guide, client_a):
        client_a.force_login(make_user("dispatch", "部门调度员"))
        assert client_a.get(mine_url()).status_code in (302, 403)


class TestRecordView:
    def test_record_answered_on_the_spot(self, staff, guide, client_a):
        client_a.force_login(staff["li"])
        response = client_a.post(
            reverse("inquiries:add"),
            {
                "visitor_name": "王女士",
                "visitor_phone": "13912345678",
                "channel": "walk_in",
                "matter": "问装修要带什么",
                "service_item": guide["装修申请"].pk,
                "outcome": "answered",
                "resolution": "已一次性告知",
            },
        )
        assert response.status_code == 302
        inquiry = Inquiry.objects.get()
        assert inquiry.status == Inquiry.Status.ANSWERED
        assert inquiry.first_responder == staff["li"]

    def test_record_with_hand_over_without_target_writes_nothing(self, staff, client_a):
        client_a.force_login(staff["li"])
        response = client_a.post(
            reverse("inquiries:add"),
            {"visitor_name": "王女士", "channel": "phone", "matter": "停车", "outcome": "hand_over"},
        )
        assert response.status_code == 200
        assert "转交" in response.content.decode()
        assert not Inquiry.objects.exists()

    def test_record_bad_phone_and_unknown_unit(self, staff, client_a):
        client_a.force_login(staff["li"])
        response = client_a.post(
            reverse("inquiries:add"),
            {
                "visitor_name": "王女士",
                "visitor_phone": "999",
                "unit": "99号楼-9999",
                "channel": "walk_in",
                "matter": "咨询",
                "outcome": "handling",
            },
        )
        assert response.status_code == 200
        assert "未知房号" in response.content.decode()
        assert not Inquiry.objects.exists()

    def test_record_with_hand_over_to_department(self, staff, client_a):
        from operations.models import Department

        client_a.force_login(staff["li"])
        engineering = Department.objects.get(code="engineering")
        response = client_a.post(
            reverse("inquiries:add"),
            {
                "visitor_name": "王女士",
                "channel": "phone",
                "matter": "楼道灯坏",
                "outcome": "hand_over",
                "to_department": engineering.pk,
                "contact": "工程部 8001",
            },
        )
        assert response.status_code == 302
        inquiry = Inquiry.objects.get()
        assert inquiry.status == Inquiry.Status.HANDED_OVER
        assert inquiry.handed_to_department == engineering


class TestDetail:
    def test_detail_shows_history_and_actions(self, staff, client_a):
        inquiry = record(staff["li"], matter="楼道灯坏")
        client_a.force_login(staff["li"])
        url = reverse("inquiries:inspect", args=[inquiry.pk])
        response = client_a.post(
            reverse("inquiries:action", args=[inquiry.pk, "hand-over"]),
            {"to_user": staff["zhou"].pk, "contact": "分机 8002"},
        )
        assert response.status_code == 302
        response = client_a.post(
            reverse("inquiries:action", args=[inquiry.pk, "follow-up"]), {"note": "已电话督办"}
        )
        assert response.status_code == 302
        content = client_a.get(url).content.decode()
        assert "周前台" in content and "分机 8002" in content and "已电话督办" in content
        response = client_a.post(
            reverse("inquiries:action", args=[inquiry.pk, "complete"]), {"resolution": "已更换灯泡"}
        )
        assert response.status_code == 302
        inquiry.refresh_from_db()
        assert inquiry.status == Inquiry.Status.COMPLETED
        assert InquiryFollowUp.objects.filter(inquiry=inquiry).count() == 1

    def test_hand_over_without_target_shows_error(self, staff, client_a):
        inquiry = record(staff["li"])
        client_a.force_login(staff["li"])
        response = client_a.post(
            reverse("inquiries:action", args=[inquiry.pk, "hand-over"]), {"contact": "8002"}
        )
        assert response.status_code == 400
        assert "转交" in response.content.decode()
        inquiry.refresh_from_db()
        assert inquiry.status == Inquiry.Status.HANDLING

    def test_completing_twice_shows_error(self, staff, client_a):
        inquiry = record(staff["li"])
        client_a.force_login(staff["li"])
        url = reverse("inquiries:action", args=[inquiry.pk, "complete"])
        assert client_a.post(url, {"resolution": "好了"}).status_code == 302
        response = client_a.post(url, {"resolution": "再次"})
        assert response.status_code == 400
        assert "已办结" in response.content.decode()
        inquiry.refresh_from_db()
        assert inquiry.resolution == "好了"


class TestExport:
    def _rows(self, response):
        workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
        return list(workbook.active.iter_rows(values_only=True))

    def test_export_masks_phone_without_contact_permission(self, staff, guide, client_a):
        record(staff["li"], service_item=guide["报修"], now=timezone.now() - dt.timedelta(hours=30))
        today = timezone.localdate()
        params = export_params((today - dt.timedelta(days=1)).isoformat(), today.isoformat())
        client_a.force_login(staff["chen"])
        response = client_a.get(reverse("inquiries:index"), params)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = self._rows(response)
        assert len(rows) == 2
        header, row = rows
        phone_col = header.index("电话")
        assert row[phone_col] == "138****5678"
        assert row[header.index("是否超时")] == "是"
        client_a.force_login(staff["li"])
        rows = self._rows(client_a.get(reverse("inquiries:index"), params))
        assert rows[1][phone_col] == "13812345678"

    def test_export_date_range(self, staff, client_a):
        old = record(staff["li"], matter="上个月的事项")
        Inquiry.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(days=40))
        new = record(staff["li"], matter="今天的事项")
        today = timezone.localdate()
        client_a.force_login(staff["li"])
        rows = self._rows(
            client_a.get(reverse("inquiries:index"), export_params(today.isoformat(), today.isoformat()))
        )
        numbers = [row[0] for row in rows[1:]]
        assert numbers == [new.number]

    def test_export_bad_range_redirects_with_message(self, staff, client_a):
        client_a.force_login(staff["li"])
        response = client_a.get(reverse("inquiries:index"), export_params("2026-12-01", "2026-11-01"))
        assert response.status_code == 302
