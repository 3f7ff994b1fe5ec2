"""The center's audit trail in words (操作日志): who did what to which record and when, filtered by
person, record type and period, exported; person-named records hidden from staff without contact
rights; only for holders of operations.view_auditentry (the center head)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from operations.models import AuditEntry, Inquiry, Resident
from operations.services.inquiries import inquiry_record
from operations.services.residents import resident_create
from tests.factories import make_unit, make_user

URL = "audit_log:index"


@pytest.fixture
def records(alpha):
    clerk = make_user("audit_clerk", "前台客服", "前台小吴")
    other = make_user("audit_other", "前台客服", "前台小钱")
    inquiry = inquiry_record(
        visitor_name="张先生", visitor_phone="13812345678", matter="咨询停车", acting_user=clerk
    )
    resident = resident_create(name="王秀英", phone="13900001234", unit=make_unit(), acting_user=other)
    return {"clerk": clerk, "other": other, "inquiry": inquiry, "resident": resident}


def test_the_center_head_reads_who_did_what_in_words(records, client_a):
    head = make_user("audit_head", "中心负责人", "周主任")
    client_a.force_login(head)
    content = client_a.get(reverse(URL)).content.decode()
    assert records["inquiry"].number in content and "前台小吴" in content
    assert "inquiry_record" not in content  # the action in words, never its code
    assert "王秀英" in content  # the head may see residents


def test_filters_by_person_record_type_and_period(records, client_a):
    head = make_user("audit_head2", "中心负责人", "周主任")
    client_a.force_login(head)
    by_person = client_a.get(reverse(URL), {"acting_user": records["other"].pk}).content.decode()
    assert "王秀英" in by_person and records["inquiry"].number not in by_person
    inquiry_type = ContentType.objects.get_for_model(Inquiry).pk
    by_type = client_a.get(reverse(URL), {"content_type": inquiry_type}).content.decode()
    assert records["inquiry"].number in by_type and "王秀英" not in by_type
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    old = client_a.get(
        reverse(URL), {"created_from": yesterday - dt.timedelta(days=5), "created_to": yesterday}
    ).content.decode()
    assert records["inquiry"].number not in old


def test_the_export_and_person_named_records_masked_without_contact_rights(records, client_a):
    auditor = make_user("audit_reader", perms=("wagtailadmin.access_admin", "operations.view_auditentry"))
    client_a.force_login(auditor)
    content = client_a.get(reverse(URL)).content.decode()
    assert "王秀英" not in content and f"#{records['resident'].pk}" in content
    export = client_a.get(reverse(URL), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.values)
    text = str(rows)
    assert records["inquiry"].number in text and "王秀英" not in text and "13900001234" not in text


def test_front_desk_staff_cannot_read_the_log(records, client_a):
    client_a.force_login(records["clerk"])
    assert client_a.get(reverse(URL)).status_code in (302, 403)
    assert AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Resident)).exists()
