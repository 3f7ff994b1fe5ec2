"""Care compliance by manager and month (operations.selectors.elder_compliance) and the head
office's monthly figures (operations.services.elder_figures, portal.CenterMonth)."""

import datetime as dt
import io

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

import pytest

from operations.models import Elder, ElderEscalation, ElderNeed, ElderVisit, NeedKind, RiskTier
from operations.selectors.elder_compliance import compliance_total, elder_compliance
from operations.services.elder_figures import elder_figures, elder_figures_publish
from operations.services.elders import elder_visit_record
from portal.models import CenterMonth
from tenants.models import ServiceCenter
from tests.factories import make_elder, make_manager

pytestmark = pytest.mark.usefixtures("alpha")

LAST_MONTH = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def visit(elder, day, *, kind=ElderVisit.Kind.HOME, reached=True, hour=10):
    return ElderVisit.objects.create(
        elder=elder,
        visitor=elder.manager,
        kind=kind,
        reached=reached,
        visited_at=timezone.make_aware(dt.datetime.combine(day, dt.time(hour))),
    )


def registry(registered_on=None):
    """Two managers: 陈主任 with three elders (one fully visited, one once, one with three visits),
    王主任 with one fully visited; registered before last month."""
    registered_on = registered_on or LAST_MONTH - dt.timedelta(days=40)
    chen = make_manager()
    wang = make_manager("wangqiang", "王主任")
    full = make_elder("李秀英", manager=chen, registered_on=registered_on)
    once = make_elder("王桂兰", manager=chen, registered_on=registered_on)
    extra = make_elder("张凤英", manager=chen, registered_on=registered_on)
    other = make_elder("刘玉珍", manager=wang, registered_on=registered_on)
    for day in (3, 20):
        visit(full, LAST_MONTH.replace(day=day))
        visit(other, LAST_MONTH.replace(day=day))
    visit(once, LAST_MONTH.replace(day=5))
    visit(once, LAST_MONTH.replace(day=6), kind=ElderVisit.Kind.PHONE)  # calls don't count
    visit(once, LAST_MONTH.replace(day=7), reached=False)  # not reached doesn't count
    for day in (2, 9, 16):
        visit(extra, LAST_MONTH.replace(day=day))
    return chen, wang, [full, once, extra, other]


def test_visits_done_against_required_by_manager_in_one_query(django_assert_num_queries):
    chen, wang, _elders = registry()
    with django_assert_num_queries(1):
        rows = elder_compliance(month=LAST_MONTH, required=2)
    by_manager = {row.manager_id: row for row in rows}
    assert by_manager[chen.pk].elders == 3
    assert by_manager[chen.pk].required == 6
    assert by_manager[chen.pk].done == 5  # 2 + 1 + min(3, 2): extra visits don't hide missing ones
    assert by_manager[chen.pk].fully_visited == 2
    assert by_manager[chen.pk].rate == 83 and by_manager[chen.pk].fully_visited_share == 67
    assert by_manager[wang.pk].rate == 100
    assert rows[0].manager_id == chen.pk  # the weakest first
    total = compliance_total(rows)
    assert (total.required, total.done, total.fully_visited) == (8, 7, 3)


def test_who_counts_in_a_month():
    chen, _wang, (full, once, extra, other) = registry()
    # registered after the month: not counted
    make_elder("赵淑珍", manager=chen, registered_on=timezone.localdate())
    # moved away before the month's end: not counted; in hospital after it: still counted
    Elder.objects.filter(pk=once.pk).update(
        status=Elder.Status.MOVED, status_since=LAST_MONTH.replace(day=10)
    )
    Elder.objects.filter(pk=extra.pk).update(
        status=Elder.Status.IN_HOSPITAL, status_since=timezone.localdate()
    )
    # without the registry consent: not counted
    Elder.objects.filter(pk=other.pk).update(registry_consent=False)
    rows = elder_compliance(month=LAST_MONTH, required=2)
    assert compliance_total(rows).elders == 2
    assert elder_compliance(month=LAST_MONTH, required=2, manager=chen)[0].elders == 2


def test_open_escalations_and_unanswered_needs_are_counted():
    chen, _wang, (full, once, _extra, _other) = registry()
    missed = visit(once, timezone.localdate(), reached=False)
    ElderEscalation.objects.create(elder=once, visit=missed, deadline=timezone.now())
    seen = visit(full, timezone.localdate())
    ElderNeed.objects.create(visit=seen, elder=full, kind=NeedKind.SHOPPING)
    ElderNeed.objects.create(
        visit=seen,
        elder=full,
        kind=NeedKind.BILLS,
        status=ElderNeed.Status.HANDLED,
        handled_at=timezone.now(),
    )
    ElderNeed.objects.create(
        visit=seen,
        elder=full,
        kind=NeedKind.ENQUIRY,
        status=ElderNeed.Status.HANDLED,
        handled_at=timezone.now(),
        replied_on=timezone.localdate(),
    )
    row = elder_compliance(month=timezone.localdate(), required=2, manager=chen)[0]
    assert row.open_escalations == 1
    assert row.needs_unanswered == 2  # open + handled without the reply visit


def test_monthly_figures_have_no_personal_data_and_are_safe_to_recompute():
    registry()
    make_elder("孙桂芝", risk_tier=RiskTier.HIGH, registered_on=LAST_MONTH - dt.timedelta(days=3))
    figures = elder_figures(month=LAST_MONTH)
    assert figures["elders_general"] == 4 and figures["elders_high"] == 1
    assert figures["elder_visits_required"] == 10 and figures["elder_visits_done"] == 7
    assert all(isinstance(value, int) for value in figures.values())
    first = elder_figures_publish(month=LAST_MONTH)
    again = elder_figures_publish(month=LAST_MONTH)
    assert first.pk == again.pk
    stored = CenterMonth.objects.get(center__schema_name=connection.schema_name, month=LAST_MONTH)
    assert stored.elders == 5 and stored.elder_visits_done == 7


def test_a_recorded_visit_refreshes_the_figures_once_committed(django_capture_on_commit_callbacks):
    manager = make_manager()
    elder = make_elder(manager=manager, card_given_on=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        visit = elder_visit_record(
            elder=elder, visited_at=timezone.now() - dt.timedelta(hours=1), acting_user=manager
        )
    month = timezone.localtime(visit.visited_at).date().replace(day=1)
    stored = CenterMonth.objects.get(center__schema_name=connection.schema_name, month=month)
    assert stored.elder_visits_done == 1 and stored.elders_general == 1


def test_the_command_publishes_every_center():
    registry()
    out = io.StringIO()
    call_command("publish_center_months", "--months", "2", stdout=out)
    center = ServiceCenter.objects.get(schema_name=connection.schema_name)
    assert CenterMonth.objects.filter(center=center, month=LAST_MONTH, elder_visits_done=7).exists()
    assert center.code in out.getvalue()


def test_many_changes_in_one_transaction_recompute_the_month_once(django_capture_on_commit_callbacks):
    manager = make_manager()
    elders = [make_elder(f"老人{n}", manager=manager, card_given_on=timezone.localdate()) for n in range(3)]
    visited_at = timezone.now()
    with django_capture_on_commit_callbacks() as callbacks:
        for elder in elders:
            elder_visit_record(elder=elder, visited_at=visited_at, acting_user=manager)
    figures = [c for c in callbacks if hasattr(c, "elder_figures_key")]
    assert len(figures) == 1
