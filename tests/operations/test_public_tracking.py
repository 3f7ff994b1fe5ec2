"""The status page: tracking number + last four digits → public progress only, one answer for any miss."""

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

import pytest

from operations import ratelimit
from operations.models import Complaint, Department, WorkOrder
from operations.selectors.tracking import normalize_tracking_code, tracking_status
from operations.services import complaints as complaint_services
from operations.services import work_orders as wo_services
from tenants.services import center_roles_sync
from tests.factories import make_user

PHONE = "13812345678"
NOT_FOUND = (
    "No request was found for this tracking number and these digits. "
    "Please check both and try again, or call the service center."
)


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return gettext(msgid)


@pytest.fixture
def env(center_a, client_a):
    connection.set_tenant(center_a)
    center_roles_sync()
    work_order = wo_services.work_order_create(
        acting_user=None,
        description="<script>alert(1)</script>卫生间下水道堵塞",
        source=WorkOrder.Source.WEB_FORM,
        contact_name="王小明",
        contact_phone=PHONE,
    )
    complaint = complaint_services.complaint_create(
        acting_user=None,
        content="楼道灯坏了一周没人修",
        channel=Complaint.Channel.ONLINE,
        complainant_name="李秀英",
        complainant_phone="021-5088 6601",
    )
    return {"client": client_a, "center": center_a, "work_order": work_order, "complaint": complaint}


def look_up(client, code, digits, **extra):
    return client.post("/track/", {"code": code, "phone_last_four": digits}, **extra)


def test_a_work_order_shows_only_its_public_progress(env, django_assert_max_num_queries):
    work_order = env["work_order"]
    env["client"].get("/track/")  # the host lookup and the site navigation are cached after it
    with django_assert_max_num_queries(2):
        response = look_up(env["client"], work_order.tracking_code, "5678")
    html = response.content.decode()
    assert response.status_code == 200
    assert str(WorkOrder.Kind.REPAIR.label) in html or zh("Repair") in html
    assert zh("Received") in html and zh("Dispatched") in html
    assert zh("Committed completion by") in html
    for private in ("王小明", PHONE, "5678", "卫生间下水道堵塞", "alert(1)", work_order.number):
        assert private not in html, private
    assert zh(NOT_FOUND) not in html


def test_progress_follows_the_work_order(env):
    connection.set_tenant(env["center"])
    desk = make_user("desk_t", group="前台客服", first_name="前台小李")
    worker = make_user("worker_t", group="部门调度员", first_name="工程师老王")
    work_order = wo_services.work_order_dispatch(
        work_order=env["work_order"],
        acting_user=desk,
        department=Department.objects.get(code="engineering"),
        assignee=worker,
    )
    work_order = wo_services.work_order_start(work_order=work_order, acting_user=worker)
    status = tracking_status(code=work_order.tracking_code, phone_last_four="5678")
    assert status.status == zh("In progress")
    assert [m.reached for m in status.milestones] == [True, True, True, False]
    html = look_up(env["client"], work_order.tracking_code, "5678").content.decode()
    assert "工程师老王" not in html and "前台小李" not in html

    wo_services.work_order_complete(work_order=work_order, acting_user=worker, result_note="已疏通")
    status = tracking_status(code=work_order.tracking_code, phone_last_four="5678")
    assert status.status == zh("Completed") and status.is_closed and all(m.reached for m in status.milestones)
    assert "已疏通" not in look_up(env["client"], work_order.tracking_code, "5678").content.decode()


def test_a_complaint_shows_its_reply_due_date_then_the_reply(env):
    complaint = env["complaint"]
    html = look_up(env["client"], complaint.tracking_code, "6601").content.decode()
    assert zh("Reply due by") in html and complaint.reply_due.isoformat() in html
    assert zh("Complaint") in html
    assert "李秀英" not in html and "楼道灯" not in html and "6601" not in html

    connection.set_tenant(env["center"])
    complaint_services.complaint_reply(
        complaint=complaint, method=Complaint.ReplyMethod.ORAL, text="已联系电工更换灯泡"
    )
    html = look_up(env["client"], complaint.tracking_code, "6601").content.decode()
    assert zh("Replied") in html and "已联系电工更换灯泡" not in html
    assert zh("Reply due by") not in html


@pytest.mark.parametrize(
    "code,digits",
    [
        pytest.param("right", "0000", id="wrong-digits"),
        pytest.param("ABCDEFGH", "5678", id="unknown-number"),
        pytest.param("no such code!", "5678", id="malformed-number"),
        pytest.param("complaint", "5678", id="digits-of-another-record"),
    ],
)
def test_every_miss_gives_the_same_generic_answer(env, code, digits):
    code = {"right": env["work_order"].tracking_code, "complaint": env["complaint"].tracking_code}.get(
        code, code
    )
    response = look_up(env["client"], code, digits)
    html = response.content.decode()
    assert response.status_code == 200
    assert zh(NOT_FOUND) in html
    assert 'class="pf-status"' not in html


def test_a_number_of_center_a_is_not_found_on_center_b(env, client_b):
    for code, digits in ((env["work_order"].tracking_code, "5678"), (env["complaint"].tracking_code, "6601")):
        response = look_up(client_b, code, digits)
        html = response.content.decode()
        assert response.status_code == 200 and zh(NOT_FOUND) in html
        assert 'class="pf-status"' not in html


def test_lower_case_and_spaced_numbers_are_accepted(env):
    code = env["work_order"].tracking_code
    spaced = f" {code[:4].lower()} {code[4:].lower()} "
    assert normalize_tracking_code(spaced) == code
    assert zh(NOT_FOUND) not in look_up(env["client"], spaced, "5678").content.decode()


def test_bad_digits_are_refused_with_a_message(env):
    html = look_up(env["client"], env["work_order"].tracking_code, "56a8").content.decode()
    assert zh("Enter exactly four digits.") in html
    html = look_up(env["client"], "", "").content.decode()
    assert zh("Please enter your tracking number.") in html
    assert zh("Please enter the last four digits of the phone number you gave.") in html


def test_typed_html_is_shown_escaped(env):
    html = look_up(env["client"], "<b>AB</b>", "5678").content.decode()
    assert "<b>AB</b>" not in html
    assert 'value="&lt;b&gt;AB&lt;/b&gt;"' in html  # kept in the field, as text
    assert zh(NOT_FOUND) in html
    html = look_up(env["client"], "<script>alert(1)</script>", "5678").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_guessing_is_rate_limited(env):
    client = env["client"]
    for i in range(ratelimit.LOOKUPS_PER_WINDOW):
        assert look_up(client, f"ABCDEF{i % 10 + 2}A"[:8], "5678").status_code == 200
    response = look_up(client, env["work_order"].tracking_code, "5678")
    html = response.content.decode()
    assert response.status_code == 429
    assert zh("Too many look-ups from your connection. Please wait 10 minutes and try again.") in html
    assert zh("Committed completion by") not in html
    assert env["work_order"].tracking_code in html  # the form keeps what was typed


def test_the_status_page_in_few_queries(env, django_assert_max_num_queries):
    env["client"].get("/track/")  # the host lookup and the site navigation are cached after it
    with django_assert_max_num_queries(1):
        response = env["client"].get("/track/")
    assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()


def test_a_lookup_misses_in_at_most_two_queries(env, django_assert_max_num_queries):
    env["client"].get("/track/")
    with django_assert_max_num_queries(3):  # search_path, work orders, complaints
        look_up(env["client"], "ABCDEFGH", "5678")
