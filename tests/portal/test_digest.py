"""Head office's morning digest: one e-mail per administrator with the centers in red, the alerts,
the major complaints reported, yesterday's breaches and the inbox; sent once a morning; nothing
on a quiet morning."""

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

import pytest

from portal.digest import daily_digest_send
from portal.models import CenterDay, CenterKpi, CenterMonth, DigestDelivery, Submission
from portal.roles import head_office_roles_sync
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def people(head_office_admin):
    head_office_roles_sync()
    users = get_user_model().objects
    auditor = users.create_user("audit", "audit@example.com", TEST_PASSWORD)
    auditor.groups.add(Group.objects.get(name="总部督查"))
    admin = users.create_user("liu", "liu@example.com", TEST_PASSWORD, first_name="刘")
    admin.groups.add(Group.objects.get(name="总部管理员"))
    users.create_user("gone", "gone@example.com", TEST_PASSWORD, is_active=False).groups.add(
        Group.objects.get(name="总部管理员")
    )
    return {"superuser": head_office_admin, "admin": admin, "auditor": auditor}


def test_each_administrator_gets_one_digest_a_morning(people, center_a, center_b, mailoutbox):
    CenterMonth.objects.create(
        center=center_a, month=TODAY.replace(day=1), work_orders_completed=10, work_orders_in_time=7
    )
    CenterDay.objects.create(center=center_b, day=TODAY - dt.timedelta(days=1), work_orders_breached=2)
    CenterKpi.objects.create(center=center_b, escalations_over_day=1)
    Submission.objects.create(center=center_a, kind="purchase_request", reference="3", title="12月申购单")
    Submission.objects.create(
        center=center_b, kind="major_complaint", reference="9", title="重大投诉 TS1：地下车库"
    )
    assert daily_digest_send(day=TODAY) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["hq@example.com", "liu@example.com"]
    body = mailoutbox[0].body
    assert f"总部日报 {TODAY:%Y-%m-%d}" in mailoutbox[0].subject
    assert f"{center_a.name} — 按时完成工单" in body  # 70%: red
    assert "1 位老人超过 24 小时未联系上" in body
    assert "重大投诉 TS1：地下车库" in body
    assert "昨日 2 张工单超时" in body
    assert "月度申购单 — 1" in body and "/dashboard/" in body
    assert daily_digest_send(day=TODAY) == 0  # safe to run twice
    call_command("send_daily_digest", stdout=io.StringIO())
    assert len(mailoutbox) == 2 and DigestDelivery.objects.count() == 2


def test_a_quiet_morning_sends_nothing(people, center_a, mailoutbox):
    CenterMonth.objects.create(
        center=center_a, month=TODAY.replace(day=1), work_orders_completed=10, work_orders_in_time=10
    )
    assert daily_digest_send(day=TODAY) == 0 and mailoutbox == []
