"""Background work on Celery (portal.jobs, operations.jobs), eager here: a center's task runs in the schema it
was sent from and refuses head office's; the beat's fan-out runs a job once per active center with a schema,
recording the heartbeat head office reads; notifications are delivered after the commit, retried, and a
failure is recorded for the center."""

from django.core import mail
from django.db import connection

import pytest
from django_tenants.utils import schema_context

from operations.jobs import deliver_notification
from operations.models import Notification
from operations.notify import notify
from portal.jobs import NotInACenter, fan_out, fan_out_job, register_center_job, run_center_job
from portal.models import JobRun
from tenants.models import ServiceCenter
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=False)

seen: list[tuple[str, str]] = []


def probe(*, center, now):
    seen.append((connection.schema_name, center.code))
    if center.code == "beta" and getattr(probe, "fail_beta", False):
        raise RuntimeError("beta's data is broken")
    return "ok"


register_center_job("test_probe", probe)


@pytest.fixture(autouse=True)
def _clear():
    seen.clear()
    probe.fail_beta = False


def test_a_center_task_runs_in_the_schema_it_was_sent_from(center_a, center_b):
    with schema_context("beta"):
        run_center_job.delay("test_probe")
    assert seen == [("beta", "beta")]
    assert connection.schema_name == "public"  # put back after the task


def test_a_center_task_is_refused_from_head_office_unless_a_center_is_named(center_a):
    connection.set_schema_to_public()
    with pytest.raises(NotInACenter):
        run_center_job.delay("test_probe")
    run_center_job.apply_async(args=("test_probe",), headers={"_schema_name": "alpha"})
    assert seen == [("alpha", "alpha")]


def test_the_fan_out_runs_every_active_center_once_and_records_the_heartbeat(center_a, center_b):
    ServiceCenter.objects.filter(code="beta").update(status=ServiceCenter.Status.SUSPENDED)
    try:
        assert (
            fan_out_job("test_probe", spread_seconds=0)
            == ServiceCenter.objects.filter(status="active").count()
        )
    finally:
        ServiceCenter.objects.filter(code="beta").update(status=ServiceCenter.Status.ACTIVE)
    assert ("alpha", "alpha") in seen and all(code != "beta" for _schema, code in seen)
    assert len(seen) == len({code for _schema, code in seen})
    run = JobRun.objects.get(name="test_probe")
    assert run.done == run.expected and run.failed == 0 and run.finished is not None


def test_a_failing_center_is_recorded_and_does_not_stop_the_others(center_a, center_b):
    probe.fail_beta = True
    fan_out.delay("test_probe")  # the beat's task, sent as the beat sends it
    codes = [code for _schema, code in seen]
    assert "alpha" in codes and "beta" in codes
    run = JobRun.objects.get(name="test_probe")
    assert run.failed == 1 and run.failed_centers == ["beta"] and "beta's data is broken" in run.last_error
    assert run.done == run.expected - 1


def test_a_center_row_without_its_schema_is_skipped(center_a):
    ghost = ServiceCenter.objects.create(schema_name="ghost_schema", code="ghost", name="幽灵")
    try:
        fan_out_job("test_probe", spread_seconds=0)
        assert "ghost" not in [code for _schema, code in seen]
    finally:
        ghost.delete()


def test_notifications_are_sent_after_the_commit_and_the_outcome_recorded(
    alpha, django_capture_on_commit_callbacks
):
    user = make_user("notified", "前台客服", "小李", email="li@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=user, kind="test", title="测试通知", body="正文")
    note.refresh_from_db()
    assert note.email_status == Notification.Delivery.SENT and note.delivered_at is not None
    assert [m.subject for m in mail.outbox] == ["测试通知"]


def test_a_failing_delivery_is_retried_then_recorded_for_the_center(
    alpha, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.portal.test_jobs.BrokenMail"
    user = make_user("notified2", "前台客服", "小王", email="wang@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=user, kind="test", title="测试通知", body="正文")
    note.refresh_from_db()
    assert note.email_status == Notification.Delivery.FAILED
    assert note.delivery_attempts == deliver_notification.max_retries + 1
    assert "SMTP server away" in note.delivery_error


class BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server away")


def test_head_office_reads_the_heartbeat(head_office_client, head_office_admin, center_a, center_b, zh):
    probe.fail_beta = True
    fan_out_job("center_jobs", spread_seconds=0)
    JobRun.objects.filter(name="center_jobs").update(
        failed=1, failed_centers=["beta"], last_error="beta: boom"
    )
    head_office_client.force_login(head_office_admin)
    page = head_office_client.get("/jobs/").content.decode()
    assert "定时任务" in page and "工单时限、提醒与定时发布" in page
    assert "beta: boom" in page and "（已逾期）" in page  # the daily jobs never ran here


def test_the_center_head_sees_a_failed_delivery_and_sends_it_again(
    alpha, admin_client, settings, django_capture_on_commit_callbacks, zh
):
    settings.EMAIL_BACKEND = "tests.portal.test_jobs.BrokenMail"
    user = make_user("notified3", "前台客服", "小赵", email="zhao@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=user, kind="test", title="发送失败的通知", body="正文")
    page = admin_client.get("/admin/operations/notifications/deliveries/").content.decode()
    assert "发送失败的通知" in page and "SMTP server away" in page and "重新发送" in page
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/operations/notifications/deliveries/", {"pk": note.pk})
    note.refresh_from_db()
    assert note.email_status == Notification.Delivery.SENT
    assert (
        'class="delivery'
        not in admin_client.get("/admin/operations/notifications/deliveries/").content.decode()
    )
    clerk = make_user("clerk_d", "前台客服", "小钱")
    admin_client.force_login(clerk)
    assert admin_client.get("/admin/operations/notifications/deliveries/").status_code in (302, 403)


def test_every_scheduled_job_is_registered_and_runs_in_a_center(center_a):
    """The beat schedule names only registered jobs; each center job runs in every center without failing."""
    from django.conf import settings

    from portal.jobs import registered_jobs

    jobs = registered_jobs()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        name = entry["args"][0]
        assert name in jobs, name
        if jobs[name].scope == "center":
            fan_out_job(name, spread_seconds=0)
            run = JobRun.objects.get(name=name)
            assert run.expected >= 2 and run.done == run.expected and run.failed == 0, (name, run.last_error)


class BrokenSms:
    def send(self, *, phone, message):
        raise TimeoutError("SMS gateway away")


def test_a_residents_sms_is_queued_retried_recorded_and_sent_again(
    alpha, admin_client, settings, django_capture_on_commit_callbacks, zh
):
    from operations.models import OutgoingSms
    from operations.sms import LocmemSmsBackend, sms_queue

    LocmemSmsBackend.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        sms_queue(phone="13800138000", message="预约成功", kind="booking")
    assert LocmemSmsBackend.outbox == [("13800138000", "预约成功")]
    assert OutgoingSms.objects.get(phone="13800138000").status == "sent"

    settings.SMS_BACKEND = "tests.portal.test_jobs.BrokenSms"
    with django_capture_on_commit_callbacks(execute=True):
        failed = sms_queue(phone="13900139000", message="明天提醒", kind="booking_reminder")
    failed.refresh_from_db()
    assert failed.status == "failed" and failed.attempts == 6 and "SMS gateway away" in failed.error
    page = admin_client.get("/admin/operations/notifications/deliveries/").content.decode()
    assert "SMS gateway away" in page and 'class="sms-delivery flagged"' in page
    settings.SMS_BACKEND = "operations.sms.LocmemSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/operations/notifications/deliveries/", {"sms": failed.pk})
    failed.refresh_from_db()
    assert failed.status == "sent" and ("13900139000", "明天提醒") in LocmemSmsBackend.outbox


def test_a_rolled_back_change_sends_no_sms(alpha):
    from django.db import transaction

    from operations.models import OutgoingSms
    from operations.sms import LocmemSmsBackend, sms_queue

    LocmemSmsBackend.outbox = []
    with pytest.raises(RuntimeError), transaction.atomic():
        sms_queue(phone="13800138001", message="不应发出", kind="booking")
        raise RuntimeError
    assert not OutgoingSms.objects.filter(phone="13800138001").exists() and LocmemSmsBackend.outbox == []


def test_deliveries_never_attempted_are_queued_again_by_the_ten_minute_jobs(
    alpha, django_capture_on_commit_callbacks
):
    """The broker was away at the commit: the rows stay pending; the next run of the jobs sends them, once."""
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    from operations.models import OutgoingSms
    from operations.notify import deliveries_requeue
    from operations.sms import LocmemSmsBackend, sms_queue

    LocmemSmsBackend.outbox = []
    user = make_user("notified4", "前台客服", "小孙", email="sun@example.com")
    broker_away = mock.patch(
        "operations.jobs.deliver_notification.delay", side_effect=ConnectionError("broker")
    )
    sms_away = mock.patch("operations.jobs.deliver_sms.delay", side_effect=ConnectionError("broker"))
    with broker_away, sms_away, django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=user, kind="test", title="队列不可用时的通知")
        sms = sms_queue(phone="13700137000", message="队列不可用时的短信", kind="booking")
    note.refresh_from_db()
    assert note.email_status == Notification.Delivery.PENDING and mail.outbox == []
    now = timezone.now()
    assert deliveries_requeue(now=now) == 0  # too recent: maybe still on its way
    Notification.objects.filter(pk=note.pk).update(created=now - dt.timedelta(minutes=11))
    OutgoingSms.objects.filter(pk=sms.pk).update(created=now - dt.timedelta(minutes=11))
    assert deliveries_requeue(now=now) == 2
    note.refresh_from_db()
    sms.refresh_from_db()
    assert note.email_status == Notification.Delivery.SENT and sms.status == "sent"
    assert [m.subject for m in mail.outbox] == ["队列不可用时的通知"]
    assert LocmemSmsBackend.outbox == [("13700137000", "队列不可用时的短信")]
    assert deliveries_requeue(now=now) == 0  # sent once, never again


def test_a_web_process_knows_every_scheduled_job_without_a_worker():
    """The 定时任务 page names the jobs in the web process too (they register when Django starts, not only
    when a worker autodiscovers them)."""
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings; from portal.jobs import registered_jobs; "
        "print(sorted({e['args'][0] for e in settings.CELERY_BEAT_SCHEDULE.values()} - set(registered_jobs())))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
