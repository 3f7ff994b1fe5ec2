"""Head office's own actions in words: centers created and suspended, the inbox's decisions, sign-in
unlocks — filtered by person, kind and period, exported; read by the administrator and the auditor."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from portal.models import SignInUnlock, Submission, SubmissionEvent
from tenants.models import CenterAuditLog

pytestmark = pytest.mark.django_db


def url():
    return reverse("portal:audit", urlconf="portal.urls")


@pytest.fixture
def hq(head_office_client, head_office_admin):
    head_office_client.login(username="hq", password="Test-pass-2026")
    return head_office_client


@pytest.fixture
def events(center_a):
    CenterAuditLog.objects.create(
        center=center_a, action="suspend", acting_username="hq", detail={"reason": "欠费"}
    )
    submission = Submission.objects.create(
        center=center_a,
        kind=Submission.Kind.PURCHASE_REQUEST,
        reference="PR-1",
        title="十二月申购单",
        snapshot={},
    )
    SubmissionEvent.objects.create(submission=submission, action="submitted", actor_name="中心主任")
    SubmissionEvent.objects.create(
        submission=submission, action="approved", actor_name="总部", comment="同意"
    )
    SignInUnlock.objects.create(
        schema_name="public", username="auditor", ip_address="10.0.0.8", unlocked_by="hq"
    )
    SignInUnlock.objects.create(schema_name="alpha", username="clerk", unlocked_by="alpha-head")


def test_head_offices_actions_in_words_not_the_centers(hq, events, center_a):
    content = hq.get(url()).content.decode()
    assert "欠费" in content and "十二月申购单" in content and "同意" in content and "auditor" in content
    assert "中心主任" not in content  # a center's own submission is not head office's action
    assert "clerk" not in content  # a center's unlock is the center's


def test_filters_and_export(hq, events):
    only = hq.get(url(), {"kind": "decision"}).content.decode()
    assert "十二月申购单" in only and "欠费" not in only
    by_person = hq.get(url(), {"person": "总部"}).content.decode()
    assert "十二月申购单" in by_person and "欠费" not in by_person
    long_ago = timezone.localdate() - dt.timedelta(days=400)
    old = hq.get(url(), {"from": long_ago, "to": long_ago + dt.timedelta(days=10)}).content.decode()
    assert "十二月申购单" not in old
    bad = hq.get(url(), {"from": "2026-12-31", "to": "2026-01-01"}, follow=True).content.decode()
    assert "不能晚于" in bad or "不得晚于" in bad or "早于" in bad
    export = hq.get(url(), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(export.content)).active.values)
    assert any("十二月申购单" in str(row) for row in rows) and any("欠费" in str(row) for row in rows)


def test_only_head_office_staff_read_it(head_office_client, events):
    assert head_office_client.get(url()).status_code == 302  # to the sign-in page
