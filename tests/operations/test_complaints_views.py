"""Complaint admin: list with filters and masking, intake form, detail actions, reply letter, Excel export."""

import datetime as dt
import io
import json
import re
from pathlib import Path

from django.db import connection
from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from operations.history import is_labelled
from operations.models import Complaint
from operations.services import complaints as services
from operations.services import surveys as survey_services
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


def xlsx_rows(response):
    return list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )


def page(env, user, url, **kwargs):
    env["client"].force_login(user)
    return env["client"].get(url, **kwargs)


def detail_url(complaint):
    return reverse("complaints:inspect", args=[complaint.pk])


def letter_url(complaint):
    return reverse("complaints:letter", args=[complaint.pk])


INDEX = "/admin/operations/complaints/"


class TestMasking:
    def test_front_desk_sees_the_complainant_masked(self, env):
        listing = page(env, env["desk"], INDEX).content.decode()
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
        listing = page(env, env["head"], INDEX).content.decode()
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
        params = {"created_from": today - dt.timedelta(days=1), "created_to": today, "export": "xlsx"}
        response = page(env, env["desk"], INDEX, data=params)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = xlsx_rows(response)
        assert rows[0][0] == "编号" and "投诉人" in rows[0]
        assert len(rows) == 2
        assert rows[1][0] == env["complaint"].number
        assert MASKED_NAME in rows[1] and MASKED_PHONE in rows[1] and NAME not in rows[1]
        head_rows = xlsx_rows(page(env, env["head"], INDEX, data=params))
        assert NAME in head_rows[1] and PHONE in head_rows[1]

    def test_export_with_a_bad_period_is_refused_with_the_message(self, env):
        params = {"created_from": "2026-05-01", "created_to": "2026-04-01", "export": "xlsx"}
        response = page(env, env["desk"], INDEX, data=params, follow=True)
        assert response["Content-Type"].startswith("text/html")
        assert "开始日期不能晚于结束日期" in response.content.decode()


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
            response = env["client"].get(INDEX)
        assert response.status_code == 200
        assert response.content.decode().count("139****0000") == 30

    def test_overdue_filter_and_flag(self, env):
        late = services.complaint_create(acting_user=env["desk"], channel="oral", content="逾期的投诉")
        Complaint.objects.filter(pk=late.pk).update(reply_due=timezone.localdate() - dt.timedelta(days=3))
        html = page(env, env["desk"], INDEX + "?scope=overdue").content.decode()
        assert late.number in html and env["complaint"].number not in html
        assert "已逾期" in html

    def test_assigned_to_me(self, env):
        other = services.complaint_create(acting_user=env["desk"], channel="oral", content="别人的投诉")
        html = page(env, env["handler"], INDEX + "?scope=mine").content.decode()
        assert env["complaint"].number in html and other.number not in html

    def test_menu_group(self, env):
        html = page(env, env["desk"], "/admin/").content.decode()
        for label in ("投诉建议", "满意度调查", "逾期未答复"):  # the sidebar is JSON with \u escapes
            assert json.dumps(label)[1:-1] in html or label in html


class TestIntakeForm:
    def test_create_through_the_form(self, env):
        env["client"].force_login(env["desk"])
        response = env["client"].post(
            reverse("complaints:add"),
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
            reverse("complaints:add"), {"kind": "complaint", "subject_kind": "other", **data}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert Complaint.objects.count() == before

    def test_a_user_without_permission_is_refused(self, env):
        dispatcher = make_user("dispatch_v", group="部门调度员")
        assert page(env, dispatcher, reverse("complaints:add")).status_code in (302, 403)
        assert page(env, dispatcher, detail_url(env["complaint"])).status_code in (302, 403)


class TestDetailActions:
    def post(self, env, user, action, data):
        env["client"].force_login(user)
        return env["client"].post(reverse("complaints:action", args=[env["complaint"].pk, action]), data)

    def test_written_complaint_replied_orally_is_refused_on_the_page(self, env):
        response = self.post(
            env, env["handler"], "reply", {"reply_method": "oral", "reply_text": "电话说过了"}
        )
        assert response.status_code == 400
        assert "书面投诉必须书面答复" in response.content.decode()
        env["complaint"].refresh_from_db()
        assert env["complaint"].status == Complaint.Status.RECEIVED

    def test_handler_investigates_replies_in_writing_and_closes(self, env):
        assert self.post(env, env["handler"], "investigate", {"finding": "公示栏位置偏僻"}).status_code == 302
        refused = self.post(env, env["handler"], "close", {})  # no reply yet: refused with the reason
        assert refused.status_code == 400 and "投诉须先答复投诉人，才能办结" in refused.content.decode()
        env["complaint"].refresh_from_db()
        assert env["complaint"].status == Complaint.Status.INVESTIGATING
        response = self.post(
            env, env["handler"], "reply", {"reply_method": "written", "reply_text": "已在大堂增设公示栏。"}
        )
        assert response.status_code == 302
        letter = page(env, env["handler"], letter_url(env["complaint"]))
        html = letter.content.decode()
        assert letter.status_code == 200
        assert "投诉答复函" in html and "已在大堂增设公示栏。" in html and NAME in html
        masked_letter = page(env, env["desk"], letter_url(env["complaint"])).content.decode()
        assert NAME not in masked_letter
        assert self.post(env, env["handler"], "close", {}).status_code == 302
        env["complaint"].refresh_from_db()
        assert env["complaint"].status == Complaint.Status.CLOSED

    def test_front_desk_cannot_act_on_a_complaint(self, env):
        assert self.post(env, env["desk"], "assign", {"handler": env["desk"].pk}).status_code in (302, 403)
        assert self.post(env, env["desk"], "investigate", {"finding": "看过了"}).status_code in (302, 403)
        env["complaint"].refresh_from_db()
        assert env["complaint"].handler == env["handler"] and env["complaint"].finding == ""
        html = page(env, env["desk"], detail_url(env["complaint"])).content.decode()
        assert "record-action" not in html  # no action forms for them either

    def test_center_head_marks_for_head_office(self, env):
        response = self.post(
            env, env["head"], "head-office", {"head_office_report": "涉及收费公示，报总部备案。"}
        )
        assert response.status_code == 302
        env["complaint"].refresh_from_db()
        assert env["complaint"].report_to_head_office
        empty = self.post(env, env["head"], "head-office", {"head_office_report": ""})
        assert empty.status_code == 400 and "请填写上报总部的报告内容" in empty.content.decode()

    def test_letter_without_written_reply_redirects_with_a_message(self, env):
        response = page(env, env["handler"], letter_url(env["complaint"]))
        assert response.status_code == 302


@pytest.mark.parametrize(
    "path",
    ["complaints:add", "complaints:index", "surveys:add", "surveys:period_results"],
)
def test_admin_forms_render(env, path):
    response = page(env, env["head"], reverse(path))
    assert response.status_code == 200
    assert "<form" in response.content.decode()


class TestHistoryInWords:
    """Issue 9, defect 4: the history showed raw codes and the close button said 关闭工单."""

    def test_complaint_history_and_close_button_say_what_happened(self, env):
        major = services.complaint_create(
            acting_user=env["desk"],
            channel=Complaint.Channel.WRITTEN,
            is_major=True,
            content="收费不透明。",
            complainant_name=NAME,
            handler=env["handler"],
        )
        services.complaint_reply(
            complaint=major, method="written", text="已公示收费明细。", acting_user=env["handler"]
        )
        html = page(env, env["handler"], detail_url(major)).content.decode()
        history = html.split("record-history", 1)[1].split("</table>", 1)[0]
        for code in (
            "complaint_create",
            "complaint_mark_for_head_office",
            "complaint_assign",
            "complaint_reply",
        ):
            assert code not in html
        for words in ("登记：投诉 · 书面 · 重大投诉", "已标记上报总部", "指派处理人", "答复投诉人：书面"):
            assert words in history
        assert NAME not in history and MASKED_NAME not in history  # the complainant stays out of the history
        assert "关闭工单" not in html
        close_form = html.split('id="action-close"', 1)[1].split("</form>", 1)[0]
        assert "办结投诉" in close_form

    def test_every_audit_action_of_complaints_and_surveys_has_words(self):
        sources = (
            Path(services.__file__).read_text(),
            Path(survey_services.__file__).read_text(),
        )
        actions = {action for source in sources for action in re.findall(r'action="([a-z_]+)"', source)}
        assert len(actions) >= 12
        assert [action for action in sorted(actions) if not is_labelled(action)] == []
