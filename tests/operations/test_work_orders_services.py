"""Work order services: intake, every transition, refusals of bad input and out-of-order changes."""

import datetime as dt
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from wagtail.models import Collection, CollectionViewRestriction

import pytest

from operations.models import (
    AuditEntry,
    DeadlineExtension,
    Department,
    Notification,
    Resident,
    ServiceItem,
    StaffProfile,
    WorkdayOverride,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderTransition,
)
from operations.services import work_orders as services
from tests.factories import make_unit, make_user

TZ = dt.timezone(dt.timedelta(hours=8))


def make_service_item(name: str, *, value: int, unit: str, department: Department | None = None, **extra):
    # update_or_create: every center already has a default guide with items such as 报修.
    item, _ = ServiceItem.objects.update_or_create(
        name=name,
        defaults={"time_limit_value": value, "time_limit_unit": unit, "department": department, **extra},
    )
    return item


@pytest.fixture
def env(center_a):
    connection.set_tenant(center_a)
    unit = make_unit()
    resident = Resident.objects.create(unit=unit, name="张三", phone="13812341234")
    return {
        "center": center_a,
        "unit": unit,
        "resident": resident,
        "desk": make_user("desk", group="前台客服", first_name="前台小李"),
        "worker": make_user("worker", group="部门调度员", first_name="工程师老王"),
        "engineering": Department.objects.get(code="engineering"),
        "cleaning": Department.objects.get(code="cleaning"),
    }


def create(env, **kwargs) -> WorkOrder:
    defaults = {"acting_user": env["desk"], "description": "厨房水龙头漏水", "resident": env["resident"]}
    defaults.update(kwargs)
    return services.work_order_create(**defaults)


def through(env, work_order: WorkOrder, status: str) -> WorkOrder:
    """Move ``work_order`` along the normal flow up to ``status``."""
    steps = [
        (
            WorkOrder.Status.DISPATCHED,
            lambda wo: services.work_order_dispatch(
                work_order=wo, acting_user=env["desk"], department=env["engineering"], assignee=env["worker"]
            ),
        ),
        (
            WorkOrder.Status.IN_PROGRESS,
            lambda wo: services.work_order_start(work_order=wo, acting_user=env["worker"]),
        ),
        (
            WorkOrder.Status.COMPLETED,
            lambda wo: services.work_order_complete(
                work_order=wo, acting_user=env["worker"], result_note="已更换阀芯"
            ),
        ),
        (
            WorkOrder.Status.CALLED_BACK,
            lambda wo: services.work_order_callback(
                work_order=wo, acting_user=env["desk"], satisfaction=5, comment="很满意"
            ),
        ),
        (
            WorkOrder.Status.CLOSED,
            lambda wo: services.work_order_close(work_order=wo, acting_user=env["desk"]),
        ),
    ]
    for target, step in steps:
        work_order = step(work_order)
        if target == status:
            break
    return work_order


# --- Intake ----------------------------------------------------------------------------------------


def test_create_registers_a_pending_work_order_with_number_code_transition_and_audit(env):
    work_order = create(env)
    assert work_order.status == WorkOrder.Status.PENDING
    assert work_order.number.startswith("GD" + timezone.localdate().strftime("%Y%m%d"))
    assert len(work_order.tracking_code) == 8
    assert work_order.unit == env["unit"]
    assert (work_order.contact_name, work_order.contact_phone) == ("张三", "13812341234")
    assert work_order.created_by == env["desk"]
    assert work_order.accepted_at is not None
    transitions = list(work_order.transitions.all())
    assert [(t.from_status, t.to_status, t.acting_user) for t in transitions] == [
        ("", "pending", env["desk"])
    ]
    entry = AuditEntry.objects.get(action="work_order.create", object_id=str(work_order.pk))
    assert entry.acting_user == env["desk"]
    assert entry.changes["contact_phone"] == ["", "138****1234"]  # personal data masked in the log


def test_numbers_are_sequential(env):
    first, second = create(env), create(env)
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1
    assert first.tracking_code != second.tracking_code


def test_create_with_contact_only_validates_and_normalises_the_phone(env):
    work_order = create(
        env, resident=None, contact_name="李四", contact_phone="+86 139 1234 5678", source="phone"
    )
    assert work_order.contact_phone == "13912345678"
    assert work_order.unit is None
    assert work_order.source == "phone"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"resident": None}, "contact_name"),
        ({"resident": None, "contact_name": "李四"}, "contact_name"),
        ({"resident": None, "contact_name": "李四", "contact_phone": "12345"}, "contact_phone"),
        ({"description": "   "}, "description"),
        ({"is_paid": True}, "price"),
        ({"is_paid": True, "price": "-5"}, "price"),
        ({"kind": "nonsense"}, "kind"),
    ],
)
def test_bad_intake_is_refused_in_chinese_and_writes_nothing(env, kwargs, field):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        create(env, **kwargs)
    assert field in excinfo.value.message_dict
    message = " ".join(excinfo.value.message_dict[field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not WorkOrder.objects.exists()
    assert not WorkOrderTransition.objects.exists()


def test_paid_work_order_keeps_its_price_and_a_free_one_has_none(env):
    paid = create(env, kind="special_service", is_paid=True, price="30.00")
    assert paid.is_paid and paid.price == Decimal("30.00")
    free = create(env, price="30.00")
    assert not free.is_paid and free.price is None


def test_paid_work_order_takes_the_fee_of_its_service_item(env):
    item = make_service_item(
        "代购物", value=1, unit="working_days", fee_type="paid", fee_amount=Decimal("10.00")
    )
    work_order = create(env, service_item=item, is_paid=True)
    assert work_order.price == Decimal("10.00")


def test_service_item_sets_department_and_deadline_in_working_days(env):
    # Friday 2026-11-27 10:00; Monday 30 November made a holiday by an admin override.
    WorkdayOverride.objects.create(date=dt.date(2026, 11, 30), is_working_day=False, note="测试")
    item = make_service_item("报修", value=2, unit="working_days", department=env["engineering"])
    received = dt.datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
    work_order = create(env, service_item=item, received_at=received)
    assert work_order.department == env["engineering"]
    # Working days after Friday: Tuesday 1 Dec (1), Wednesday 2 Dec (2).
    assert timezone.localtime(work_order.deadline) == dt.datetime(2026, 12, 2, 10, 0, tzinfo=TZ)


def test_service_item_deadline_in_working_days_skips_the_weekend(env):
    item = make_service_item("证明开具", value=1, unit="working_days")
    received = dt.datetime(2026, 11, 27, 16, 30, tzinfo=TZ)  # Friday
    work_order = create(env, service_item=item, received_at=received)
    assert timezone.localtime(work_order.deadline) == dt.datetime(2026, 11, 30, 16, 30, tzinfo=TZ)  # Monday


def test_service_item_deadline_in_hours(env):
    item = make_service_item("急修", value=4, unit="hours", department=env["engineering"])
    received = dt.datetime(2026, 11, 28, 22, 0, tzinfo=TZ)  # a Saturday night: hours run on
    work_order = create(env, service_item=item, received_at=received)
    assert work_order.deadline == received + dt.timedelta(hours=4)


def test_an_explicit_department_wins_over_the_service_item(env):
    item = make_service_item("清洁", value=4, unit="hours", department=env["engineering"])
    work_order = create(env, service_item=item, department=env["cleaning"])
    assert work_order.department == env["cleaning"]


def test_create_with_an_assignee_dispatches_and_notifies(env, django_capture_on_commit_callbacks, mailoutbox):
    env["worker"].email = "worker@example.com"
    env["worker"].save()
    with django_capture_on_commit_callbacks(execute=True):
        work_order = create(env, department=env["engineering"], assignee=env["worker"], is_urgent=True)
    assert work_order.status == WorkOrder.Status.DISPATCHED
    assert list(work_order.transitions.values_list("to_status", flat=True)) == ["pending", "dispatched"]
    notification = Notification.objects.get(recipient=env["worker"])
    assert work_order.number in notification.title
    assert notification.url == f"/admin/operations/work-orders/{work_order.pk}/"
    assert len(mailoutbox) == 1
    # The e-mail links to the center's own host, not a bare path.
    assert f"http://alpha.localhost/admin/operations/work-orders/{work_order.pk}/" in mailoutbox[0].body


# --- Transitions -----------------------------------------------------------------------------------


def test_the_whole_flow_records_every_transition(env):
    work_order = through(env, create(env), WorkOrder.Status.CLOSED)
    work_order.refresh_from_db()
    assert work_order.status == WorkOrder.Status.CLOSED
    for field in ("dispatched_at", "started_at", "completed_at", "called_back_at", "closed_at"):
        assert getattr(work_order, field) is not None, field
    assert work_order.result_note == "已更换阀芯"
    assert (work_order.satisfaction, work_order.callback_comment) == (5, "很满意")
    steps = list(work_order.transitions.values_list("from_status", "to_status", "acting_user__username"))
    assert steps == [
        ("", "pending", "desk"),
        ("pending", "dispatched", "desk"),
        ("dispatched", "in_progress", "worker"),
        ("in_progress", "completed", "worker"),
        ("completed", "called_back", "desk"),
        ("called_back", "closed", "desk"),
    ]
    actions = set(AuditEntry.objects.filter(object_id=str(work_order.pk)).values_list("action", flat=True))
    assert {
        "work_order.dispatch",
        "work_order.start",
        "work_order.complete",
        "work_order.callback",
    } <= actions


def test_dispatch_notifies_the_assignee(env):
    work_order = through(env, create(env), WorkOrder.Status.DISPATCHED)
    assert work_order.assignee == env["worker"]
    assert Notification.objects.filter(recipient=env["worker"], kind="work_order.assigned").count() == 1


def test_dispatch_needs_department_and_assignee(env):
    work_order = create(env)
    with pytest.raises(ValidationError):
        services.work_order_dispatch(
            work_order=work_order, acting_user=env["desk"], department=env["engineering"], assignee=None
        )
    work_order.refresh_from_db()
    assert work_order.status == WorkOrder.Status.PENDING


@pytest.mark.parametrize(
    ("status", "action", "names"),
    [
        ("pending", "start", ("待受理", "处理中")),
        ("pending", "complete", ("待受理", "已完成")),
        ("dispatched", "callback", ("已派单", "已回访")),
        ("in_progress", "close", ("处理中", "已关闭")),
        ("closed", "dispatch", ("已关闭", "已派单")),
        ("completed", "cancel", ("已完成", "已取消")),
    ],
)
def test_illegal_transitions_are_refused_naming_both_states(env, status, action, names):
    work_order = through(env, create(env), status) if status != "pending" else create(env)
    before = WorkOrderTransition.objects.count()
    calls = {
        "start": lambda: services.work_order_start(work_order=work_order, acting_user=env["worker"]),
        "complete": lambda: services.work_order_complete(
            work_order=work_order, acting_user=env["worker"], result_note="好了"
        ),
        "callback": lambda: services.work_order_callback(
            work_order=work_order, acting_user=env["desk"], satisfaction=4
        ),
        "close": lambda: services.work_order_close(work_order=work_order, acting_user=env["desk"]),
        "dispatch": lambda: services.work_order_dispatch(
            work_order=work_order, acting_user=env["desk"], department=env["cleaning"], assignee=env["worker"]
        ),
        "cancel": lambda: services.work_order_cancel(
            work_order=work_order, acting_user=env["desk"], reason="重复"
        ),
    }
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        calls[action]()
    message = excinfo.value.messages[0]
    assert names[0] in message and names[1] in message, message
    assert WorkOrderTransition.objects.count() == before
    work_order.refresh_from_db()
    assert work_order.status == status


def test_completion_after_the_deadline_is_a_breach(env):
    work_order = create(env, deadline=timezone.now() + dt.timedelta(hours=1))
    work_order = through(env, work_order, WorkOrder.Status.IN_PROGRESS)
    done = services.work_order_complete(
        work_order=work_order,
        acting_user=env["worker"],
        result_note="修好了",
        completed_at=timezone.now() + dt.timedelta(hours=2),
    )
    assert done.is_breached


def test_completion_within_the_deadline_is_not_a_breach(env):
    work_order = create(env, deadline=timezone.now() + dt.timedelta(hours=1))
    done = through(env, work_order, WorkOrder.Status.COMPLETED)
    assert not done.is_breached


def test_complete_needs_a_result(env):
    work_order = through(env, create(env), WorkOrder.Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as excinfo:
        services.work_order_complete(work_order=work_order, acting_user=env["worker"], result_note=" ")
    assert "result_note" in excinfo.value.message_dict


def test_a_second_callback_is_refused(env):
    work_order = through(env, create(env), WorkOrder.Status.CALLED_BACK)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        services.work_order_callback(work_order=work_order, acting_user=env["desk"], satisfaction=1)
    assert "已经回访" in excinfo.value.messages[0]
    work_order.refresh_from_db()
    assert work_order.satisfaction == 5
    assert work_order.transitions.filter(to_status="called_back").count() == 1


@pytest.mark.parametrize("rating", [0, 6, "abc", None])
def test_callback_rating_must_be_1_to_5(env, rating):
    work_order = through(env, create(env), WorkOrder.Status.COMPLETED)
    with pytest.raises(ValidationError) as excinfo:
        services.work_order_callback(work_order=work_order, acting_user=env["desk"], satisfaction=rating)
    assert "satisfaction" in excinfo.value.message_dict
    work_order.refresh_from_db()
    assert work_order.status == WorkOrder.Status.COMPLETED


def test_cancel_needs_a_reason(env):
    work_order = create(env)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        services.work_order_cancel(work_order=work_order, acting_user=env["desk"], reason="  ")
    assert "reason" in excinfo.value.message_dict
    work_order.refresh_from_db()
    assert work_order.status == WorkOrder.Status.PENDING


@pytest.mark.parametrize("status", ["pending", "dispatched", "in_progress"])
def test_open_work_orders_can_be_cancelled_with_a_reason(env, status):
    work_order = create(env)
    if status != "pending":
        work_order = through(env, work_order, status)
    cancelled = services.work_order_cancel(
        work_order=work_order, acting_user=env["desk"], reason="业主已自行修好"
    )
    assert cancelled.status == WorkOrder.Status.CANCELLED
    assert cancelled.cancel_reason == "业主已自行修好"
    assert cancelled.transitions.last().note == "业主已自行修好"


# --- Deadline extensions ---------------------------------------------------------------------------


def extend(env, work_order, **kwargs):
    defaults = {
        "work_order": work_order,
        "acting_user": env["desk"],
        "new_deadline": work_order.deadline + dt.timedelta(days=2),
        "reason": "配件需要从厂家订购",
        "informed_via": "phone",
        "informed_at": timezone.now(),
    }
    defaults.update(kwargs)
    return services.work_order_extend_deadline(**defaults)


def test_extension_moves_the_deadline_and_records_how_the_resident_was_told(env):
    old = timezone.now() + dt.timedelta(hours=3)
    work_order = create(env, deadline=old)
    extension = extend(env, work_order)
    work_order.refresh_from_db()
    assert work_order.deadline == old + dt.timedelta(days=2)
    assert extension.previous_deadline == old
    assert (extension.informed_via, extension.acting_user) == ("phone", env["desk"])
    assert AuditEntry.objects.filter(
        action="work_order.extend_deadline", object_id=str(work_order.pk)
    ).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"informed_via": ""}, "informed_via"),
        ({"informed_at": None}, "informed_at"),
        ({"new_deadline": None}, "new_deadline"),
    ],
)
def test_extension_without_reason_or_resident_told_record_is_refused(env, kwargs, field):
    work_order = create(env, deadline=timezone.now() + dt.timedelta(hours=3))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        extend(env, work_order, **kwargs)
    assert field in excinfo.value.message_dict
    assert not DeadlineExtension.objects.exists()


def test_extension_must_be_later_than_the_current_deadline(env):
    deadline = timezone.now() + dt.timedelta(hours=3)
    work_order = create(env, deadline=deadline)
    with pytest.raises(ValidationError) as excinfo:
        extend(env, work_order, new_deadline=deadline - dt.timedelta(hours=1))
    assert "new_deadline" in excinfo.value.message_dict
    work_order.refresh_from_db()
    assert work_order.deadline == deadline


def test_a_completed_work_order_cannot_be_extended(env):
    work_order = through(env, create(env, deadline=timezone.now() + dt.timedelta(hours=3)), "completed")
    with pytest.raises(ValidationError):
        extend(env, work_order)


# --- Attachments -----------------------------------------------------------------------------------


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_attach_a_photo_as_a_wagtail_image(env):
    work_order = create(env)
    photo = SimpleUploadedFile("leak.png", png_bytes(), content_type="image/png")
    attachment = services.work_order_attach(
        work_order=work_order, acting_user=env["desk"], file=photo, caption="漏水处"
    )
    assert attachment.image is not None and attachment.document is None
    assert (attachment.image.width, attachment.image.height) == (8, 6)
    assert attachment.image.file.name  # stored by the tenant storage, under the center's schema
    assert work_order.attachments.count() == 1


def test_attach_a_document(env):
    work_order = create(env)
    document = SimpleUploadedFile("quote.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = services.work_order_attach(work_order=work_order, acting_user=env["desk"], file=document)
    assert attachment.document is not None and attachment.image is None


def test_attachments_kept_before_they_were_private_move_into_the_private_collection(env):
    """Issue 9, defect 10: files attached by the old code sat in the Root collection, public by id."""
    work_order = create(env)
    photo = services.work_order_attach(
        work_order=work_order, acting_user=env["desk"], file=SimpleUploadedFile("a.png", png_bytes())
    ).image
    document = services.work_order_attach(
        work_order=work_order, acting_user=env["desk"], file=SimpleUploadedFile("q.pdf", b"%PDF-1.4 x")
    ).document
    root = Collection.get_first_root_node()
    for file in (photo, document):
        type(file).objects.filter(pk=file.pk).update(collection=root)  # as the old code stored them
    call_command("secure_attachments", "--center", "alpha", stdout=io.StringIO())
    private = Collection.objects.get(name=services.WORK_ORDER_ATTACHMENTS_COLLECTION)
    assert CollectionViewRestriction.objects.filter(collection=private).exists()
    for file in (photo, document):
        file.refresh_from_db()
        assert file.collection == private
    assert services.work_order_attachments_secure() == 0  # safe to run twice


@pytest.mark.parametrize(("name", "content"), [("virus.exe", b"MZ"), ("fake.jpg", b"not an image at all")])
def test_attach_refuses_other_files(env, name, content):
    work_order = create(env)
    with pytest.raises(ValidationError) as excinfo:
        services.work_order_attach(
            work_order=work_order, acting_user=env["desk"], file=SimpleUploadedFile(name, content)
        )
    assert "file" in excinfo.value.message_dict
    assert not WorkOrderAttachment.objects.exists()


# --- The deadline job in one center ----------------------------------------------------------------


def test_check_deadlines_flags_breaches_and_reminds_once(env):
    now = timezone.now()
    overdue = create(env, assignee=env["worker"], deadline=now - dt.timedelta(minutes=5))
    due_soon = create(env, assignee=env["worker"], deadline=now + dt.timedelta(minutes=90))
    later = create(env, assignee=env["worker"], deadline=now + dt.timedelta(hours=5))
    first = services.work_orders_check_deadlines(now=now)
    second = services.work_orders_check_deadlines(now=now)
    assert first == {"breached": 1, "due_soon": 1, "breach": 1}
    assert second == {"breached": 0, "due_soon": 0, "breach": 0}
    overdue.refresh_from_db()
    assert overdue.is_breached
    kinds = list(
        Notification.objects.filter(recipient=env["worker"])
        .exclude(kind="work_order.assigned")
        .values_list("kind", "dedupe_key")
    )
    assert sorted(kinds) == sorted(
        [
            ("work_order.breached", f"wo:{overdue.pk}:breached"),
            ("work_order.due_soon", f"wo:{due_soon.pk}:due_soon:{due_soon.deadline:%Y%m%d%H%M}"),
        ]
    )
    later.refresh_from_db()
    assert not later.is_breached and later.due_soon_notified_at is None


def test_notification_mark_read(env):
    create(env, assignee=env["worker"])
    create(env, assignee=env["worker"])
    one = Notification.objects.filter(recipient=env["worker"]).first()
    assert services.notification_mark_read(acting_user=env["worker"], notification=one) == 1
    assert services.notification_mark_read(acting_user=env["desk"]) == 0  # not someone else's
    assert services.notification_mark_read(acting_user=env["worker"]) == 1
    assert not Notification.objects.filter(recipient=env["worker"], read_at__isnull=True).exists()


def test_an_overdue_work_order_dispatched_later_still_gets_its_breach_reminder(env):
    now = timezone.now()
    work_order = create(env, deadline=now - dt.timedelta(hours=1))
    assert services.work_orders_check_deadlines(now=now) == {"breached": 1, "due_soon": 0, "breach": 0}
    services.work_order_dispatch(
        work_order=work_order, acting_user=env["desk"], department=env["engineering"], assignee=env["worker"]
    )
    assert services.work_orders_check_deadlines(now=now)["breach"] == 1
    assert services.work_orders_check_deadlines(now=now)["breach"] == 0
    assert Notification.objects.filter(recipient=env["worker"], kind="work_order.breached").count() == 1


# --- Issue 9, defect 2: accepting a work order without a service item sets the committed deadline --------


@pytest.mark.parametrize("source", [WorkOrder.Source.WEB_FORM, WorkOrder.Source.ACTIVITY_DAY])
def test_dispatching_a_repair_without_a_service_item_gives_it_the_repair_item_and_its_deadline(env, source):
    work_order = services.work_order_create(
        acting_user=None,
        source=source,
        description="窗户关不严",
        contact_name="王小明",
        contact_phone="13812345678",
    )
    assert work_order.service_item is None and work_order.deadline is None
    before = timezone.now()
    work_order = services.work_order_dispatch(
        work_order=work_order, acting_user=env["desk"], department=None, assignee=env["worker"]
    )
    repair_item = ServiceItem.objects.get(name="报修")  # the default guide's repair item: 24 hours
    assert work_order.service_item == repair_item
    assert work_order.department == repair_item.department
    assert before + dt.timedelta(hours=24) <= work_order.deadline <= timezone.now() + dt.timedelta(hours=24)
    later = work_order.deadline + dt.timedelta(minutes=1)
    assert services.work_orders_check_deadlines(now=later)["breached"] == 1


def test_dispatch_counts_the_deadline_from_the_chosen_item_and_keeps_an_existing_one(env):
    item = make_service_item("上门开锁", value=2, unit="hours", department=env["engineering"])
    work_order = services.work_order_dispatch(
        work_order=create(env, kind="other"),
        acting_user=env["desk"],
        department=env["engineering"],
        assignee=env["worker"],
        service_item=item,
    )
    assert work_order.service_item == item
    assert work_order.deadline - work_order.dispatched_at == dt.timedelta(hours=2)
    fixed = timezone.now() + dt.timedelta(days=3)
    kept = services.work_order_dispatch(
        work_order=create(env, deadline=fixed),
        acting_user=env["desk"],
        department=env["engineering"],
        assignee=env["worker"],
    )
    assert kept.deadline == fixed


def test_dispatching_a_non_repair_without_a_service_item_is_refused_in_chinese(env):
    work_order = create(env, kind="other")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        services.work_order_dispatch(
            work_order=work_order,
            acting_user=env["desk"],
            department=env["engineering"],
            assignee=env["worker"],
        )
    assert "请选择服务事项" in excinfo.value.message_dict["service_item"][0]
    work_order.refresh_from_db()
    assert work_order.status == WorkOrder.Status.PENDING and work_order.deadline is None


# --- Issue 9, defect 15: the assignee belongs to the department the work order goes to ------------------


def test_a_member_of_another_department_cannot_be_assigned(env):
    cleaner = make_user("cleaner", group="部门调度员", first_name="保洁阿姨")
    StaffProfile.objects.create(user=cleaner, department=env["cleaning"])
    work_order = create(env)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        services.work_order_dispatch(
            work_order=work_order, acting_user=env["desk"], department=env["engineering"], assignee=cleaner
        )
    message = excinfo.value.message_dict["assignee"][0]
    assert "保洁阿姨" in message and "保洁部" in message and "工程部" in message
    work_order.refresh_from_db()
    assert work_order.status == WorkOrder.Status.PENDING and work_order.assignee is None
    with pytest.raises(ValidationError) as excinfo:
        create(env, department=env["engineering"], assignee=cleaner)
    assert "assignee" in excinfo.value.message_dict
    dispatched = services.work_order_dispatch(
        work_order=work_order, acting_user=env["desk"], department=env["cleaning"], assignee=cleaner
    )
    assert dispatched.assignee == cleaner and dispatched.department == env["cleaning"]


def test_staff_of_the_department_or_with_no_department_recorded_can_be_assigned(env):
    StaffProfile.objects.create(user=env["worker"], department=env["engineering"])
    dispatched = services.work_order_dispatch(
        work_order=create(env), acting_user=env["desk"], department=env["engineering"], assignee=env["worker"]
    )
    assert dispatched.assignee == env["worker"]
    assert create(env, department=env["cleaning"], assignee=env["desk"]).assignee == env["desk"]
