"""Work order admin views: list, intake, detail actions, queues, masking, query counts, export, notifications."""

import datetime as dt
import io
import json

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

import pytest
from openpyxl import load_workbook

from operations.models import Department, Notification, Resident, StaffProfile, WorkOrder
from operations.services import work_orders as services
from tenants.services import center_roles_sync
from tests.factories import make_unit, make_user

MAX_QUERIES = 15


@pytest.fixture
def env(center_a, client_a):
    connection.set_tenant(center_a)
    center_roles_sync()  # test centers may predate the roles' newest permissions
    unit = make_unit()
    resident = Resident.objects.create(unit=unit, name="张三", phone="13812341234")
    desk = make_user("desk", group="前台客服", first_name="前台小李")
    return {
        "center": center_a,
        "client": client_a,
        "unit": unit,
        "resident": resident,
        "desk": desk,
        "officer": make_user("officer", group="社区文化活动专员"),
        "worker": make_user("worker", group="部门调度员", first_name="工程师老王"),
        "engineering": Department.objects.get(code="engineering"),
        "cleaning": Department.objects.get(code="cleaning"),
    }


def login(env, user):
    env["client"].force_login(user)
    return env["client"]


def make_orders(env, count: int, **kwargs) -> list[WorkOrder]:
    defaults = {
        "acting_user": env["desk"],
        "resident": env["resident"],
        "department": env["engineering"],
        "assignee": env["worker"],
    }
    defaults.update(kwargs)
    return [
        services.work_order_create(description=f"第{i}号报修:楼道灯不亮", **defaults) for i in range(count)
    ]


def queue_url(env) -> str:
    return f"/admin/operations/work-orders/?scope=queue&department={env['engineering'].pk}"


def numbers_in(response) -> set[str]:
    content = response.content.decode()
    return {wo.number for wo in WorkOrder.objects.all() if wo.number in content}


# --- Queues -----------------------------------------------------------------------------------------


def test_department_queue_shows_only_its_open_work_orders(env):
    mine = make_orders(env, 3, deadline=timezone.now() + dt.timedelta(days=1))
    other = make_orders(env, 2, department=env["cleaning"])
    done = mine[0]
    services.work_order_start(work_order=done, acting_user=env["worker"])
    services.work_order_complete(work_order=done, acting_user=env["worker"], result_note="好了")
    response = login(env, env["desk"]).get(queue_url(env))
    assert response.status_code == 200
    assert numbers_in(response) == {wo.number for wo in mine[1:]}
    assert not numbers_in(response) & {wo.number for wo in other}
    assert "工程部" in response.content.decode()


def test_department_queues_overview_counts(env):
    make_orders(env, 2, deadline=timezone.now() - dt.timedelta(hours=1))
    make_orders(env, 1)
    response = login(env, env["desk"]).get("/admin/operations/work-orders/", {"scope": "queue"})
    assert response.status_code == 200
    assert "工程部（未办结 3，超时 2）" in response.content.decode()


def test_the_old_department_queue_address_opens_the_filtered_index(env):
    client = login(env, env["desk"])
    response = client.get(f"/admin/operations/work-orders/queue/department/{env['engineering'].pk}/")
    assert response.status_code == 302 and response["Location"] == queue_url(env)


def test_unknown_department_queue_is_404(env):
    response = login(env, env["desk"]).get("/admin/operations/work-orders/queue/department/999999/")
    assert response.status_code == 404


def test_my_work_orders_are_those_assigned_to_me(env):
    mine = make_orders(env, 2)
    others = make_orders(env, 2, assignee=env["desk"])
    response = login(env, env["worker"]).get("/admin/operations/work-orders/?scope=mine")
    assert response.status_code == 200
    assert numbers_in(response) == {wo.number for wo in mine}
    assert not numbers_in(response) & {wo.number for wo in others}


def test_overdue_shows_open_work_orders_past_their_deadline_with_the_breach_flag(env):
    now = timezone.now()
    overdue = make_orders(env, 2, deadline=now - dt.timedelta(hours=3))
    future = make_orders(env, 1, deadline=now + dt.timedelta(hours=3))
    finished = make_orders(env, 1, deadline=now - dt.timedelta(hours=3))[0]
    services.work_order_cancel(work_order=finished, acting_user=env["desk"], reason="重复登记")
    response = login(env, env["desk"]).get("/admin/operations/work-orders/?scope=overdue")
    assert response.status_code == 200
    assert numbers_in(response) == {wo.number for wo in overdue}
    assert future[0].number not in response.content.decode()
    assert response.content.decode().count('<span class="wo-breach">') == 2


def test_due_soon_shows_deadlines_within_two_hours(env):
    now = timezone.now()
    soon = make_orders(env, 1, deadline=now + dt.timedelta(minutes=100))
    later = make_orders(env, 1, deadline=now + dt.timedelta(minutes=150))
    past = make_orders(env, 1, deadline=now - dt.timedelta(minutes=10))
    response = login(env, env["desk"]).get("/admin/operations/work-orders/?scope=due_soon")
    assert response.status_code == 200
    assert numbers_in(response) == {soon[0].number}
    assert later[0].number not in response.content.decode()
    assert past[0].number not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/operations/work-orders/?scope=queue&department={dept}",
        "/admin/operations/work-orders/?scope=overdue",
        "/admin/operations/work-orders/?scope=mine",
        "/admin/operations/work-orders/?scope=due_soon",
        "/admin/operations/work-orders/",
    ],
)
def test_queue_pages_run_a_flat_number_of_queries(env, url, django_assert_max_num_queries):
    url = url.format(dept=env["engineering"].pk)
    client = login(env, env["worker"])
    now = timezone.now()
    deadline = now - dt.timedelta(minutes=30) if "due_soon" not in url else now + dt.timedelta(minutes=30)
    make_orders(env, 5, deadline=deadline)
    client.get(url)  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make_orders(env, 35, deadline=deadline, is_urgent=True)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(numbers_in(response)) == 40
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), "the number of queries must not grow with the rows"


# --- Masking -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/operations/work-orders/?scope=queue&department={dept}",
        "/admin/operations/work-orders/?scope=overdue",
        "/admin/operations/work-orders/",
        "/admin/operations/work-orders/{pk}/",
    ],
)
def test_contact_phone_is_masked_for_the_activity_officer_but_not_the_desk(env, url):
    work_order = make_orders(env, 1, deadline=timezone.now() - dt.timedelta(hours=1))[0]
    url = url.format(dept=env["engineering"].pk, pk=work_order.pk)
    officer_page = login(env, env["officer"]).get(url).content.decode()
    assert "138****1234" in officer_page
    assert "13812341234" not in officer_page
    assert "张*" in officer_page
    desk_page = login(env, env["desk"]).get(url).content.decode()
    assert "13812341234" in desk_page


def test_users_without_work_order_permissions_are_refused(env):
    outsider = make_user("outsider")
    outsider.user_permissions.add(
        *Group.objects.get(name="社区文化活动专员").permissions.filter(codename="access_admin")
    )
    client = login(env, outsider)
    for url in (
        "/admin/operations/work-orders/?scope=overdue",
        queue_url(env),
        "/admin/operations/work-orders/new/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
    assert not WorkOrder.objects.exists()


# --- Intake and detail actions -----------------------------------------------------------------------


def test_front_desk_registers_a_work_order(env):
    client = login(env, env["desk"])
    assert client.get("/admin/operations/work-orders/new/").status_code == 200
    response = client.post(
        "/admin/operations/work-orders/new/",
        {
            "kind": "repair",
            "source": "front_desk",
            "unit": "3号楼-2单元-1201",
            "contact_name": "张三",
            "contact_phone": "",
            "description": "卫生间下水道堵塞",
            "department": env["engineering"].pk,
            "assignee": env["worker"].pk,
            "is_urgent": "on",
        },
    )
    work_order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/operations/work-orders/{work_order.pk}/"
    assert work_order.resident == env["resident"]
    assert work_order.contact_phone == "13812341234"
    assert work_order.status == WorkOrder.Status.DISPATCHED and work_order.is_urgent
    assert Notification.objects.filter(recipient=env["worker"]).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"unit": "99号楼-1单元-101"}, "没有房号"),
        ({"unit": "", "contact_name": "李四", "contact_phone": "12345"}, "不是有效的电话号码"),
        ({"unit": "", "contact_name": "", "contact_phone": ""}, "请填写房号或业户"),
        ({"is_paid": "on"}, "有偿服务需填写价格"),
    ],
)
def test_bad_intake_shows_a_chinese_message_and_writes_nothing(env, data, message):
    form = {
        "kind": "repair",
        "source": "front_desk",
        "unit": "3号楼-2单元-1201",
        "description": "卫生间下水道堵塞",
    }
    form.update(data)
    response = login(env, env["desk"]).post("/admin/operations/work-orders/new/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_detail_shows_the_timeline_and_the_allowed_actions(env):
    work_order = make_orders(env, 1)[0]
    response = login(env, env["desk"]).get(f"/admin/operations/work-orders/{work_order.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "待受理" in content and "已派单" in content
    assert 'id="action-start"' in content and 'id="action-cancel"' in content
    assert 'id="action-callback"' not in content


def test_actions_through_the_detail_page(env):
    work_order = make_orders(env, 1, deadline=timezone.now() + dt.timedelta(hours=4))[0]
    client = login(env, env["worker"])
    base = f"/admin/operations/work-orders/action/{work_order.pk}"
    assert client.post(f"{base}/start/", {"note": "已到现场"}).status_code == 302
    informed = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    new_deadline = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"{base}/extend/",
        {"new_deadline": new_deadline, "reason": "等配件", "informed_via": "phone", "informed_at": informed},
    )
    assert response.status_code == 302
    assert client.post(f"{base}/complete/", {"result_note": "更换灯泡"}).status_code == 302
    work_order.refresh_from_db()
    assert work_order.status == WorkOrder.Status.COMPLETED
    assert work_order.extensions.count() == 1
    detail = client.get(f"/admin/operations/work-orders/{work_order.pk}/").content.decode()
    assert "等配件" in detail and "更换灯泡" in detail


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("cancel", {"reason": ""}, "This field is required."),
        ("complete", {"result_note": "好了"}, "不能从“待受理”变为“已完成”"),
        ("extend", {"reason": "等配件", "informed_via": "phone"}, "This field is required."),
        ("callback", {"satisfaction": "9"}, "不在可用的选项中"),
    ],
)
def test_bad_actions_are_refused_with_a_message_and_change_nothing(env, action, data, message):
    work_order = services.work_order_create(
        acting_user=env["desk"], resident=env["resident"], description="门锁坏了"
    )
    response = login(env, env["worker"]).post(
        f"/admin/operations/work-orders/action/{work_order.pk}/{action}/", data
    )
    assert response.status_code == 400
    with translation.override("zh-hans"):
        message = gettext(message)  # Django's own messages, in the catalogue's wording
    assert message in response.content.decode()
    work_order.refresh_from_db()
    assert work_order.status == WorkOrder.Status.PENDING
    assert work_order.transitions.count() == 1


def test_list_filters_by_status_and_searches_numbers(env):
    first, second = make_orders(env, 2)
    services.work_order_cancel(work_order=first, acting_user=env["desk"], reason="重复")
    client = login(env, env["desk"])
    response = client.get("/admin/operations/work-orders/", {"status": "cancelled"})
    assert response.status_code == 200
    assert numbers_in(response) == {first.number}
    response = client.get("/admin/operations/work-orders/", {"q": second.number})
    assert numbers_in(response) == {second.number}


# --- Export ------------------------------------------------------------------------------------------


def export(client, start, end):
    return client.get(
        "/admin/operations/work-orders/", {"export": "xlsx", "created_from": start, "created_to": end}
    )


def export_rows(client) -> list[tuple]:
    today = timezone.localdate().isoformat()
    response = export(client, today, today)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return workbook_rows(response)


def workbook_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


def test_export_masks_contacts_like_the_screen(env):
    make_orders(env, 3)
    desk_rows = export_rows(login(env, env["desk"]))
    assert len(desk_rows) == 4  # heading + 3
    header = desk_rows[0]
    phone_col = header.index("联系电话")
    assert {row[phone_col] for row in desk_rows[1:]} == {"13812341234"}
    officer_rows = export_rows(login(env, env["officer"]))
    assert {row[phone_col] for row in officer_rows[1:]} == {"138****1234"}
    assert {row[header.index("联系人")] for row in officer_rows[1:]} == {"张*"}


def test_export_of_another_range_is_empty_and_bad_dates_are_refused(env):
    make_orders(env, 1)
    client = login(env, env["desk"])
    response = export(client, "2020-01-01", "2020-01-31")
    assert len(workbook_rows(response)) == 1
    response = export(client, "2026-02-01", "2026-01-01")
    assert response.status_code == 302
    assert "开始日期不能晚于结束日期" in client.get(response["Location"]).content.decode()


# --- Notifications -----------------------------------------------------------------------------------


def menu_label(text: str) -> str:
    """The sidebar menu is rendered from JSON props: labels appear JSON-encoded."""
    return json.dumps(text)[1:-1]


def test_notifications_list_unread_count_and_mark_read(env):
    make_orders(env, 2)
    client = login(env, env["worker"])
    page = client.get("/admin/operations/notifications/").content.decode()
    assert menu_label("我的通知 (2)") in page
    assert "2 条未读" in page
    first = Notification.objects.filter(recipient=env["worker"]).first()
    response = client.post(f"/admin/operations/notifications/{first.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == first.url
    assert menu_label("我的通知 (1)") in client.get("/admin/operations/notifications/").content.decode()
    client.post("/admin/operations/notifications/read-all/")
    assert not Notification.objects.filter(recipient=env["worker"], read_at__isnull=True).exists()


def test_someone_elses_notification_cannot_be_marked(env):
    make_orders(env, 1)
    theirs = Notification.objects.get(recipient=env["worker"])
    response = login(env, env["desk"]).post(f"/admin/operations/notifications/{theirs.pk}/read/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_queue_pages_past_the_end_fall_back_to_the_last_page(env):
    orders = make_orders(env, 53)
    client = login(env, env["desk"])
    url = queue_url(env)
    first = client.get(url).content.decode()
    assert "共有 53 个符合" in first
    assert len(numbers_in(client.get(url))) == 50
    second = client.get(url, {"p": 2})
    assert len(numbers_in(second)) == 3
    assert numbers_in(client.get(url, {"p": 99})) == numbers_in(second)
    assert numbers_in(client.get(url, {"p": "x"})) == numbers_in(client.get(url))
    assert {wo.number for wo in orders} == numbers_in(client.get(url)) | numbers_in(second)


# --- Issue 9, defects 2 and 15 through the screens ---------------------------------------------------


def test_a_dispatched_web_form_repair_shows_its_committed_deadline_on_the_tracking_page(env):
    work_order = services.work_order_create(
        acting_user=None,
        source=WorkOrder.Source.WEB_FORM,
        description="窗户关不严",
        contact_name="王小明",
        contact_phone="13812345678",
    )
    client = env["client"]
    track = {"code": work_order.tracking_code, "phone_last_four": "5678"}
    assert "待确定" in client.post("/track/", track).content.decode()
    login(env, env["desk"]).post(
        f"/admin/operations/work-orders/action/{work_order.pk}/dispatch/",
        {"department": env["engineering"].pk, "assignee": env["worker"].pk},
    )
    work_order.refresh_from_db()
    assert work_order.service_item.name == "报修" and work_order.deadline
    page = client.post("/track/", track).content.decode()
    assert "待确定" not in page
    assert timezone.localtime(work_order.deadline).strftime("%Y-%m-%d %H:%M") in page


def test_the_dispatch_form_offers_staff_by_department_and_refuses_another_departments_member(env):
    cleaner = make_user("cleaner", group="部门调度员", first_name="保洁阿姨")
    StaffProfile.objects.create(user=cleaner, department=env["cleaning"])
    work_order = services.work_order_create(
        acting_user=env["desk"], resident=env["resident"], description="门锁坏了"
    )
    client = login(env, env["desk"])
    page = client.get(f"/admin/operations/work-orders/{work_order.pk}/").content.decode()
    group = page.index('<optgroup label="保洁部">')
    assert group < page.index("保洁阿姨", group) < page.index("</optgroup>", group)
    response = client.post(
        f"/admin/operations/work-orders/action/{work_order.pk}/dispatch/",
        {"department": env["engineering"].pk, "assignee": cleaner.pk},
    )
    assert response.status_code == 400
    assert "保洁阿姨属于保洁部，不属于工程部" in response.content.decode()
    work_order.refresh_from_db()
    assert work_order.status == WorkOrder.Status.PENDING


# --- The admin shape: history in words, red rows in the export, menu links to the filtered index ---------


def test_the_history_is_in_words_for_every_action(env):
    work_order = make_orders(env, 1, deadline=timezone.now() + dt.timedelta(hours=4))[0]
    services.work_order_attach(
        work_order=work_order,
        acting_user=env["desk"],
        file=SimpleUploadedFile("单据.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    services.work_order_extend_deadline(
        work_order=work_order,
        acting_user=env["desk"],
        new_deadline=timezone.now() + dt.timedelta(days=2),
        reason="等配件",
        informed_via="phone",
        informed_at=timezone.now(),
    )
    services.work_order_start(work_order=work_order, acting_user=env["worker"], note="已到现场")
    page = login(env, env["desk"]).get(f"/admin/operations/work-orders/{work_order.pk}/").content.decode()
    history = page[page.index("record-history") :]
    for words in (
        "待受理 → 已派单",
        "已派单 → 处理中",
        "已到现场",
        "上传附件",
        "单据.pdf",
        "延长",
        "等配件",
        "电话",
    ):
        assert words in history, words
    assert "work_order." not in page


def test_the_export_fills_breached_rows_red(env):
    late = make_orders(env, 1, deadline=timezone.now() - dt.timedelta(hours=1))[0]
    make_orders(env, 1, deadline=timezone.now() + dt.timedelta(hours=5))
    today = timezone.localdate().isoformat()
    response = export(login(env, env["desk"]), today, today)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    fills = {row[0].value: row[0].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)}
    assert fills.pop(late.number).endswith("FFC7CE")
    assert not any(str(rgb).endswith("FFC7CE") for rgb in fills.values())


def test_the_menu_links_to_the_filtered_index(env):
    page = login(env, env["desk"]).get("/admin/").content.decode()
    for query in ("scope=mine", "scope=queue", "scope=overdue", "scope=due_soon"):
        assert f"/admin/operations/work-orders/?{query}" in page, query
    assert "/admin/operations/work-orders/new/" in page
