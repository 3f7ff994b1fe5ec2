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
