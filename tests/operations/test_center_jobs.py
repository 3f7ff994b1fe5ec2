"""The periodic jobs command runs per center with the tenant set, and is safe to run twice."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

import pytest

from operations.models import Complaint, Notification
from operations.services.complaints import complaint_create

pytestmark = pytest.mark.django_db


def test_jobs_remind_once_and_only_in_the_right_center(center_a, center_b, in_center, capsys):
    with in_center(center_a):
        handler = get_user_model().objects.get(username="admin")
        complaint = complaint_create(
            channel=Complaint.Channel.PHONE, content="电梯长期故障无人处理", acting_user=handler
        )
        Complaint.objects.filter(pk=complaint.pk).update(
            handler=handler, reply_due=timezone.localdate() - dt.timedelta(days=2)
        )
    call_command("run_center_jobs")
    call_command("run_center_jobs")
    out = capsys.readouterr().out
    assert "alpha: " in out and "beta: " in out
    with in_center(center_a):
        assert Notification.objects.filter(kind="complaint_overdue", recipient=handler).count() == 1
    with in_center(center_b):
        assert not Notification.objects.filter(kind="complaint_overdue").exists()


def test_jobs_publish_scheduled_notices_and_expire_old_ones_per_center(center_a, center_b, in_center, capsys):
    from cms.models import NoticeIndexPage, NoticePage

    now = timezone.now()
    with in_center(center_a):
        index = NoticeIndexPage.objects.get()
        scheduled = NoticePage(title="明日停水通知", slug="scheduled", live=False)
        index.add_child(instance=scheduled)
        scheduled.go_live_at = now + dt.timedelta(minutes=5)
        scheduled.save_revision().publish()  # Wagtail keeps it back until its go-live time
        expiring = NoticePage(title="上月停电通知", slug="expiring")
        index.add_child(instance=expiring)
        expiring.save_revision().publish()
        NoticePage.objects.filter(pk=expiring.pk).update(expire_at=now - dt.timedelta(minutes=1))
        scheduled.refresh_from_db()
        assert not scheduled.live
        from wagtail.models import Revision

        # five minutes later: the go-live time has come
        past = now - dt.timedelta(minutes=1)
        for revision in Revision.page_revisions.filter(object_id=str(scheduled.pk)):
            revision.content["go_live_at"] = past.isoformat()
            revision.approved_go_live_at = past
            revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("run_center_jobs")
    out = capsys.readouterr().out
    assert "alpha: " in out and "pages 1 published as scheduled, 1 expired" in out
    with in_center(center_a):
        assert NoticePage.objects.get(slug="scheduled").live
        assert not NoticePage.objects.get(slug="expiring").live
    call_command("run_center_jobs")
    assert "pages 0 published as scheduled, 0 expired" in capsys.readouterr().out


def test_a_failing_job_is_reported_and_the_other_jobs_and_centers_still_run(center_a, center_b, monkeypatch):
    import io as _io

    from django.core.management import call_command as _call

    from operations import hooks

    def broken(*, now):
        raise RuntimeError("page tree broken")

    monkeypatch.setattr(hooks, "_center_jobs", [("broken", broken), *hooks._center_jobs])
    out = _io.StringIO()
    _call("run_center_jobs", stdout=out, stderr=_io.StringIO())
    lines = out.getvalue()
    assert "alpha:" in lines and "beta:" in lines
    assert lines.count("broken failed") == 2
