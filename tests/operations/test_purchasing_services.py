"""The monthly purchase request: drafting rules, editing, submitting, decisions, receiving."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

import pytest

from operations.models import (
    Consumable,
    LineReason,
    MovementKind,
    Notification,
    PurchaseRequest,
    PurchaseRequestLine,
    PurchaseRequestStatus,
    StockMovement,
)
from operations.services.consumables import desk_settings_update, stock_receive
from operations.services.purchasing import (
    purchase_request_apply_decision,
    purchase_request_draft,
    purchase_request_line_remove,
    purchase_request_line_set,
    purchase_request_receive,
    purchase_request_submit,
)
from portal.models import Submission
from tests.factories import make_user

MONTH = datetime.date(2026, 11, 1)


@pytest.fixture
def head(alpha):
    user = make_user("head1", "中心负责人", "李主任")
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def desk(alpha):
    user = make_user("desk2", "前台客服", "前台")
    return get_user_model().objects.get(pk=user.pk)


def test_draft_tops_up_below_minimum_and_adds_candy_standard(alpha):
    gauze = Consumable.objects.get(name="医用纱布")  # min 2, target 5
    stock_receive(consumable=gauze, quantity=1)
    plaster = Consumable.objects.get(name="创可贴")  # min 1, target 3
    stock_receive(consumable=plaster, quantity=3)  # not below minimum
    desk_settings_update(candy_monthly_standard=6)
    request = purchase_request_draft(month=datetime.date(2026, 11, 17))
    assert request.month == MONTH and request.status == PurchaseRequestStatus.DRAFT
    lines = {line.description: line for line in request.lines.all()}
    assert lines["医用纱布"].quantity == 4 and lines["医用纱布"].reason == LineReason.BELOW_MINIMUM
    assert "创可贴" not in lines
    assert lines["糖果"].quantity == 6 and lines["糖果"].reason == LineReason.CANDY_STANDARD
    assert lines["糖果"].unit == "斤"


def test_redraft_keeps_staff_lines_and_does_not_duplicate(alpha, desk):
    request = purchase_request_draft(month=MONTH)
    candy = request.lines.get(reason=LineReason.CANDY_STANDARD)
    purchase_request_line_set(request=request, line=candy, quantity="4.5", acting_user=desk)
    purchase_request_line_set(
        request=request,
        description="打印纸",
        quantity=2,
        unit="包",
        reason=LineReason.OTHER,
        acting_user=desk,
    )
    count = request.lines.count()
    again = purchase_request_draft(month=MONTH)
    assert again.pk == request.pk
    assert again.lines.count() == count
    assert again.lines.get(description="糖果").quantity == Decimal("4.5")
    assert PurchaseRequest.objects.filter(month=MONTH).count() == 1


def test_damaged_and_lost_items_drafted_when_lending_exists(alpha):
    item_model = (
        apps.get_model("operations", "ConvenienceItem")
        if "convenienceitem" in apps.all_models["operations"]
        else None
    )
    if item_model is None:
        pytest.skip("the lending area is not installed")
    item_model.objects.create(code="T-LOST-1", name="老花镜 +200", status="lost")
    item_model.objects.create(code="T-DMG-1", name="手电筒", status="damaged")
    item_model.objects.create(code="T-OK-1", name="雨伞", status="available")
    request = purchase_request_draft(month=MONTH)
    by_code = {line.item_code: line for line in request.lines.exclude(item_code="")}
    assert by_code["T-LOST-1"].reason == LineReason.LOST
    assert by_code["T-DMG-1"].reason == LineReason.DAMAGED
    assert "T-OK-1" not in by_code
    assert by_code["T-LOST-1"].consumable_id is None


def test_line_bad_input_refused(alpha, desk):
    request = purchase_request_draft(month=MONTH)
    count = request.lines.count()
    for bad in (
        {"description": "", "quantity": 1, "unit": "个"},
        {"description": "笔", "quantity": 0, "unit": "支"},
        {"description": "笔", "quantity": "x", "unit": "支"},
    ):
        with pytest.raises(ValidationError):
            purchase_request_line_set(request=request, acting_user=desk, **bad)
    assert request.lines.count() == count


def test_submit_refusals_and_success(alpha, head, desk, zh):
    from portal.models import Submission

    request = purchase_request_draft(month=MONTH)
    for line in list(request.lines.all()):
        purchase_request_line_remove(line=line, acting_user=desk)
    with pytest.raises(ValidationError) as error:  # empty
        purchase_request_submit(request=request, acting_user=head)
    assert "没有" in str(error.value) or "空" in str(error.value)
    purchase_request_line_set(request=request, description="糖果", quantity=5, unit="斤", acting_user=desk)
    with pytest.raises(ValidationError):  # no permission
        purchase_request_submit(request=request, acting_user=desk)
    assert not Submission.objects.filter(center=alpha).exists()
    purchase_request_submit(request=request, acting_user=head)
    request.refresh_from_db()
    assert request.status == PurchaseRequestStatus.SUBMITTED and request.submitted_by == head
    submission = Submission.objects.get(center=alpha, kind="purchase_request", reference=str(request.pk))
    assert submission.snapshot["lines"][0]["description"] == "糖果"
    assert submission.submitted_by_name == "李主任"
    with pytest.raises(ValidationError):  # twice
        purchase_request_submit(request=request, acting_user=head)
    assert Submission.objects.filter(center=alpha).count() == 1
    with pytest.raises(ValidationError):  # lines frozen once submitted
        purchase_request_line_set(request=request, description="笔", quantity=1, unit="支", acting_user=desk)
    with pytest.raises(ValidationError):
        purchase_request_draft(month=MONTH)


def _decide(alpha, request, decision, comment=""):
    """Head office decides through the portal inbox (which calls our handler in the center)."""
    from django_tenants.utils import schema_context

    from portal.models import Submission
    from portal.services import submission_decide

    with schema_context("public"):
        hq = get_user_model().objects.filter(
            username="hq-test"
        ).first() or get_user_model().objects.create_superuser(
            username="hq-test", password="x", first_name="总部王"
        )
        submission = Submission.objects.get(center=alpha, kind="purchase_request", reference=str(request.pk))
        submission_decide(submission=submission, decision=decision, comment=comment, acting_user=hq)


def _submitted(head):
    request = purchase_request_draft(month=MONTH)
    purchase_request_submit(request=request, acting_user=head)
    return request


def test_decision_updates_status_history_and_notifies_heads(alpha, head):
    request = _submitted(head)
    _decide(alpha, request, "returned", "糖果超标准")
    request.refresh_from_db()
    assert request.status == PurchaseRequestStatus.RETURNED
    assert request.comment == "糖果超标准" and request.decided_by_name == "总部王"
    assert request.events.filter(action="returned").exists()
    assert Notification.objects.filter(recipient=head, kind="purchase_request").count() == 1
    # returned: editable and submittable again
    purchase_request_line_set(request=request, description="笔", quantity=1, unit="支", acting_user=head)
    purchase_request_submit(request=request, acting_user=head)
    _decide(alpha, request, "approved")
    request.refresh_from_db()
    assert request.status == PurchaseRequestStatus.APPROVED
    with pytest.raises(ValidationError):  # not waiting any more
        purchase_request_apply_decision(
            reference=str(request.pk), decision="rejected", comment="x", decided_by_name="x"
        )
    with pytest.raises(ValidationError):
        purchase_request_apply_decision(
            reference="999999", decision="approved", comment="", decided_by_name="x"
        )
    with pytest.raises(ValidationError):
        purchase_request_apply_decision(
            reference=str(request.pk), decision="maybe", comment="", decided_by_name="x"
        )


def test_receive_writes_movements_once(alpha, head, desk):
    request = purchase_request_draft(month=MONTH)
    purchase_request_line_set(request=request, description="打印纸", quantity=2, unit="包", acting_user=desk)
    with pytest.raises(ValidationError):  # not approved yet
        purchase_request_receive(request=request, acting_user=desk)
    purchase_request_submit(request=request, acting_user=head)
    _decide(alpha, request, "approved")
    candy = Consumable.objects.get(name="糖果")
    before = candy.stock
    consumable_lines = request.lines.filter(consumable__isnull=False).count()
    purchase_request_receive(request=request, acting_user=desk)
    request.refresh_from_db()
    candy.refresh_from_db()
    assert request.status == PurchaseRequestStatus.RECEIVED
    assert candy.stock == before + 5
    movements = StockMovement.objects.filter(purchase_request=request)
    assert movements.count() == consumable_lines
    assert set(movements.values_list("kind", flat=True)) == {MovementKind.RECEIVED}
    with pytest.raises(ValidationError):
        purchase_request_receive(request=request, acting_user=desk)
    assert StockMovement.objects.filter(purchase_request=request).count() == consumable_lines
    assert PurchaseRequestLine.objects.filter(request=request, description="打印纸").exists()


def test_resubmitting_a_returned_request_shows_its_new_submission(alpha, head):
    """Issue 9, defect 7: the inbox shows the new submit time and lines, the center no old comment."""
    request = _submitted(head)
    _decide(alpha, request, "returned", "糖果超标准")
    first_sent = timezone.now() - datetime.timedelta(days=3)
    Submission.objects.filter(reference=str(request.pk)).update(created=first_sent, updated=F("updated"))
    purchase_request_line_set(request=request, description="笔", quantity=50, unit="支", acting_user=head)
    purchase_request_submit(request=request, acting_user=head)
    submission = Submission.objects.get(center=alpha, kind="purchase_request", reference=str(request.pk))
    assert submission.created > first_sent + datetime.timedelta(days=2)
    assert submission.status == Submission.Status.PENDING and submission.comment == ""
    assert {"description": "笔", "quantity": "50"}.items() <= submission.snapshot["lines"][-1].items()
    request.refresh_from_db()
    assert request.status == PurchaseRequestStatus.SUBMITTED
    assert (request.comment, request.decided_at, request.decided_by_name) == ("", None, "")
    assert request.events.filter(action="returned", comment="糖果超标准").exists()  # still in the history


def test_quantities_are_written_as_people_write_them(alpha, head):
    """Issue 9, defect 5: 50, not 5E+1, in the drafted note and the snapshot sent to head office."""
    pens = Consumable.objects.create(name="签字笔", unit="支", minimum_level=10, target_level=60)
    request = purchase_request_draft(month=MONTH)
    line = request.lines.get(consumable=pens)
    assert "10" in line.note and "E+" not in line.note and "10.00" not in line.note
    purchase_request_submit(request=request, acting_user=head)
    snapshot = Submission.objects.get(center=alpha, reference=str(request.pk)).snapshot
    assert {"description": "签字笔", "quantity": "60"}.items() <= next(
        row for row in snapshot["lines"] if row["description"] == "签字笔"
    ).items()
