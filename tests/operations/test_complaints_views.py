"""Complaint admin: list with filters and masking, intake form, detail actions, reply letter, Excel export."""

import datetime as dt
import io
import json

from django.db import connection
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from operations.models import Complaint
from operations.services import complaints as services
from tenants.services import center_roles_sync
from tests.factories import make_user

NAME, PHONE = "李秀英", "13812345678"
MASKED_NAME, MASKED_PHONE = "李**", "138****5678"


@pytest.fixture
def env(center_a, client_a):
    connection.set_tenant(center_a)
    center_roles_sync()
    desk = make_user("desk_v", group="前台客服", first_name="前台小李")
    head = make_user("head_v", group="中心负责人", first_name="中心主任")
    handler = make_user("handler_v", group="客户主任", first_name="客户主任小王")
    complaint = services.complaint_create(
        acting_user=desk,
        channel=Complaint.Channel.WRITTEN,
        content="物业费公示不清楚。",
        complainant_name=NAME,
        complainant_phone=PHONE,
        handler=handler,
    )
    return {"client": client_a, "desk": desk, "head": head, "handler": handler, "complaint": complaint}


def page(env, user, url, **kwargs):
    env["client"].force_login(user)
    return env["client"].get(url, **kwargs)


def detail_url(complaint):
    return f"/admin/complaints/{complaint.pk}/"


class TestMasking:
    def test_front_desk_sees_the_complainant_masked(self, env):
        listing = page(env, env["desk"], "/admin/complaints/").content.decode()
        assert env["complaint"].number in listing
        assert MASKED_NAME in listing and MASKED_PHONE in listing
        assert NAME not in listing and PHONE not in listing
        detail = page(env, env["desk"], detail_url(env["complaint"])).content.decode()
        assert MASKED_NAME in detail and MASKED_PHONE in detail
        assert NAME not in detail and PHONE not in detail

    def test_handler_and_center_head_see_the_complainant(self, env):
        for user in (env["handler"], env["head"]):
            detail = page(env, user, detail_url(env["complaint"])).content.decode()
            assert NAME in detail and PHONE in detail
        listing = page(env, env["head"], "/admin/complaints/").content.decode()
        assert NAME in listing and PHONE in listing

    def test_handler_of_another_complaint_sees_it_masked(self, env):
        other = services.complaint_create(
            acting_user=env["desk"],
            channel="oral",
            content="噪音扰民",
            complainant_name="赵敏",
            complainant_phone="13755556666",
        )
        detail = page(env, env["handler"], detail_url(other)).content.decode()
        assert "赵*" in detail and "13755556666" not in detail

    def test_export_masks_like_the_screen(self, env):
        today = timezone.localdate()
        url = f"/admin/complaints/export/?start={today - dt.timedelta(days=1)}&end={today}"
        response = page(env, env["desk"], url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "编号" and "投诉人" in rows[0]
        assert len(rows) == 2
        assert rows[1][0] == env["complaint"].number
        assert MASKED_NAME in rows[1] and MASKED_PHONE in rows[1] and NAME not in rows[1]
        head_rows = list(
            load_workbook(io.BytesIO(page(env, env["head"], url).content)).active.iter_rows(values_only=True)
        )
        assert NAME in head_rows[1] and PHONE in head_rows[1]

    def test_export_with_a_bad_period_shows_the_form(self, env):
        response = page(env, env["desk"], "/admin/complaints/export/?start=2026-05-01&end=2026-04-01")
        assert response.status_code == 200
        assert "结束日期早于开始日期" in response.content.decode()


class TestList:
    def test_query_count_does_not_grow_with_rows(self, env, django_assert_max_num_queries):
        for i in range(30):
            services.complaint_create(
                acting_user=env["desk"],
                channel="phone",
                content=f"第{i}条投诉",
                complainant_phone="13900000000",
                handler=env["handler"] if i % 2 else None,
            )
        env["client"].force_login(env["desk"])
        with django_assert_max_num_queries(25):
            response = env["client"].get("/admin/complaints/")
        assert response.status_code == 200
        assert response.content.decode().count("139****0000") == 30

    def test_overdue_filter_and_flag(self, env):
        late = services.complaint_create(acting_user=env["desk"], channel="oral", content="逾期的投诉")
        Complaint.objects.filter(pk=late.pk).update(reply_due=timezone.localdate() - dt.timedelta(days=3))
        html = page(env, env["desk"], "/admin/complaints/?overdue=true").content.decode()
        assert late.number in html and env["complaint"].number not in html
        assert "已逾期" in html

    def test_menu_group(self, env):
        html = page(env, env["desk"], "/admin/").content.decode()
        for label in ("投诉建议", "满意度调查", "逾期未答复"):  # the sidebar is JSON with \u escapes
            assert json.dumps(label)[1:-1] in html or label in html


class TestIntakeForm:
    def test_create_through_the_form(self, env):
        env["client"].force_login(env["desk"])
        response = env["client"].post(
            "/admin/complaints/new/",
            {
                "kind": "complaint",
                "channel": "phone",
                "subject_kind": "other",
                "subject_text": "停车",
                "content": "车位被占用。",
                "complainant_name": "王建国",
                "complainant_phone": "13987654321",
            },
        )
        complaint = Complaint.objects.get(content="车位被占用。")
        assert response.status_code == 302 and response["Location"] == detail_url(complaint)
        assert complaint.created_by == env["desk"]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"channel": "phone", "content": "  "}, "投诉内容不能为空"),
            ({"channel": "oral", "content": "重大问题", "is_major": "on"}, "书面形式"),
            ({"channel": "phone", "content": "有问题", "complainant_phone": "12345"}, "不是有效的电话号码"),
        ],
    )
    def test_bad_input_shows_a_chinese_message_and_writes_nothing(self, env, data, message):
        env["client"].force_login(env["desk"])
        before = Complaint.objects.count()
        response = env["client"].post(
            "/admin/complaints/new/", {"kind": "complaint", "subject_kind": "other", **data}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert Complaint.objects.count() == before

    def test_a_user_without_permission_is_refused(self, env):
        dispatcher = make_user("dispatch_v", group="部门调度员")
        assert page(env, dispatcher, "/admin/complaints/new/").status_code in (302, 403)
        assert page(env, dispatcher, detail_url(env["complaint"])).status_code in (302, 403)


class TestDetailActions:
    def post(self, env, user, action, data):
        env["client"].force_login(user)
        payload = {"action": action, **{f"{action}-{k}": v for k, v in data.items()}}
        return env["client"].post(detail_url(env["complaint"]), payload)

    def test_written_complaint_replied_orally_is_refused_on_the_page(self, env):
        response = self.post(
            env, env["handler"], "reply", {"reply_method": "oral", "reply_text": "电话说过了"}
        )
        assert response.status_code == 200
        assert "书面投诉必须书面答复" in response.content.decode()
        env["complaint"].refresh_from_db()
        assert env["complaint"].status == Complaint.Status.RECEIVED

    def test_handler_investigates_replies_in_writing_and_closes(self, env):
        assert self.post(env, env["handler"], "investigate", {"finding": "公示栏位置偏僻"}).status_code == 302
        refused = self.post(env, env["handler"], "close", {})  # no reply yet: no close action
        assert refused.status_code in (302, 403) and refused.get("Location") != detail_url(env["complaint"])
        env["complaint"].refresh_from_db()
        assert env["complaint"].status == Complaint.Status.INVESTIGATING
        response = self.post(
            env, env["handler"], "reply", {"reply_method": "written", "reply_text": "已在大堂增设公示栏。"}
        )
        assert response.status_code == 302
        letter = page(env, env["handler"], f"{detail_url(env['complaint'])}letter/")
        html = letter.content.decode()
        assert letter.status_code == 200
        assert "投诉答复函" in html and "已在大堂增设公示栏。" in html and NAME in html
        masked_letter = page(env, env["desk"], f"{detail_url(env['complaint'])}letter/").content.decode()
        assert NAME not in masked_letter
        assert self.post(env, env["handler"], "close", {}).status_code == 302
        env["complaint"].refresh_from_db()
        assert env["complaint"].status == Complaint.Status.CLOSED

    def test_front_desk_cannot_act_on_a_complaint(self, env):
        assert self.post(env, env["desk"], "assign", {"handler": env["desk"].pk}).status_code in (302, 403)
        env["complaint"].refresh_from_db()
        assert env["complaint"].handler == env["handler"]

    def test_center_head_marks_for_head_office(self, env):
        response = self.post(
            env, env["head"], "head_office", {"head_office_report": "涉及收费公示，报总部备案。"}
        )
        assert response.status_code == 302
        env["complaint"].refresh_from_db()
        assert env["complaint"].report_to_head_office
        empty = self.post(env, env["head"], "head_office", {"head_office_report": ""})
        assert empty.status_code == 200 and "请填写上报总部的报告内容" in empty.content.decode()

    def test_letter_without_written_reply_redirects_with_a_message(self, env):
        response = page(env, env["handler"], f"{detail_url(env['complaint'])}letter/")
        assert response.status_code == 302


@pytest.mark.parametrize(
    "path",
    ["/admin/complaints/new/", "/admin/complaints/export/", "/admin/surveys/new/", "/admin/surveys/period/"],
)
def test_admin_forms_render(env, path):
    response = page(env, env["head"], path)
    assert response.status_code == 200
    assert "<form" in response.content.decode()
