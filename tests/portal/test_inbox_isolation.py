"""Isolation: a center submits and reads only its own submissions; head office writes a
center's tables only through the center's handler, run in that center's schema."""

from django.core.exceptions import ValidationError
from django.db import connection

import pytest

from operations.models import NumberCounter
from portal import decisions, selectors
from portal.models import Submission
from portal.services import submission_decide, submission_submit

pytestmark = pytest.mark.django_db


def submit(center, reference="1"):
    return submission_submit(
        center=center,
        kind="purchase_request",
        reference=reference,
        title=f"{center.name}申购单",
        snapshot={"lines": []},
        submitted_by_name="主任",
    )


def test_a_center_cannot_submit_for_another_center(in_center, center_a, center_b, zh):
    with in_center(center_a), pytest.raises(ValidationError, match="只能提交本中心"):
        submit(center_b)
    assert not Submission.objects.exists()


def test_head_office_cannot_submit_in_a_centers_name(center_a, zh):
    assert connection.schema_name == "public"
    with pytest.raises(ValidationError, match="只能提交本中心"):
        submit(center_a)
    assert not Submission.objects.exists()


def test_a_center_reads_only_its_own_submissions(in_center, center_a, center_b):
    with in_center(center_a):
        own = submit(center_a)
    with in_center(center_b):
        other = submit(center_b)
    with in_center(center_a):
        assert list(selectors.submissions_for_current_center()) == [own]
        assert selectors.submission_for_current_center(kind="purchase_request", reference="1") == own
    with in_center(center_b):
        assert list(selectors.submissions_for_current_center()) == [other]
    assert not selectors.submissions_for_current_center().exists()  # public schema: no center


def test_the_same_reference_in_two_centers_is_two_submissions(in_center, center_a, center_b):
    with in_center(center_a):
        submit(center_a, reference="5")
    with in_center(center_b):
        submit(center_b, reference="5")
    assert Submission.objects.filter(reference="5").count() == 2


def writing_handler(*, reference, decision, comment, decided_by_name):
    NumberCounter.objects.create(prefix="HQ", day="2026-11-27", last=int(reference))


def test_head_office_writes_a_center_only_through_its_handler_in_its_schema(
    in_center, center_a, center_b, head_office_admin, monkeypatch
):
    monkeypatch.setitem(decisions.DECISION_HANDLERS, "purchase_request", writing_handler)
    with in_center(center_a):
        submission = submit(center_a, reference="42")
    submission_decide(submission=submission, decision="approved", comment="", acting_user=head_office_admin)
    assert connection.schema_name == "public"
    with in_center(center_a):
        assert NumberCounter.objects.get(prefix="HQ").last == 42
    with in_center(center_b):
        assert not NumberCounter.objects.filter(prefix="HQ").exists()
    with connection.cursor() as cursor:  # nothing of the center's landed in the public schema
        cursor.execute("SELECT to_regclass('public.operations_numbercounter')")
        assert cursor.fetchone()[0] is None
