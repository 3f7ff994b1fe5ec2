"""Activity services: lifecycle, publicity, participants, birthday invitees, repair-day intake, compliance."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from operations.models import (
    Activity,
    ActivityParticipant,
    ActivityPublicity,
    ActivityRepairItem,
    AuditEntry,
    Building,
    Resident,
    Unit,
    WorkOrder,
)
from operations.selectors.activities import activities_compliance, festival_start, repair_day_counts
from operations.services.activities import (
    activity_attendance_set,
    activity_birthday_invitees_propose,
    activity_cancel,
    activity_create,
    activity_hold,
    activity_mark_reported,
    activity_participant_add,
    activity_publicise,
    activity_publicity_tick,
    activity_repair_intake,
    activity_update,
)

K = Activity.Kind
S = Activity.Status


def aware(*args):
    return timezone.make_aware(dt.datetime(*args))


def make(officer, kind=K.FREE_CLINIC, starts_at=None, **extra):
    starts_at = starts_at or timezone.now() - dt.timedelta(hours=1)
    return activity_create(
        acting_user=officer,
        kind=kind,
        title="社区义诊",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place="中心广场",
        **extra,
    )


def publicised(officer, **kw):
    activity = make(officer, **kw)
    activity_publicity_tick(acting_user=officer, activity=activity, channel="banner")
    return activity_publicise(acting_user=officer, activity=activity)


def test_create_numbers_audits_and_validates_phone(officer):
    activity = make(officer, partner_name="社区医院", partner_contact="王医生", partner_phone="138 0013 8000")
    assert activity.number.startswith("HD")
    assert activity.status == S.PLANNED
    assert activity.organiser == officer
    assert activity.partner_phone == "13800138000"
    assert AuditEntry.objects.filter(object_id=str(activity.pk), action="activity_create").exists()
    with pytest.raises(ValidationError):
        make(officer, partner_phone="12345")
    with pytest.raises(ValidationError):
        activity_create(acting_user=officer, kind=K.OTHER, title="", starts_at=timezone.now(), place="x")
    start = timezone.now()
    with pytest.raises(ValidationError):
        activity_create(
            acting_user=officer,
            kind=K.OTHER,
            title="t",
            starts_at=start,
            ends_at=start - dt.timedelta(hours=1),
            place="x",
        )
    assert Activity.objects.count() == 1


def test_update_changes_and_audits(officer):
    activity = make(officer)
    activity_update(acting_user=officer, activity=activity, title="秋季义诊", festival="mid_autumn")
    activity.refresh_from_db()
    assert activity.title == "秋季义诊"
    entry = AuditEntry.objects.get(object_id=str(activity.pk), action="activity_update")
    assert entry.changes["title"] == ["社区义诊", "秋季义诊"]
    with pytest.raises(ValidationError):
        activity_update(acting_user=officer, activity=activity, number="x")


def test_full_lifecycle(officer):
    activity = make(officer)
    tick = activity_publicity_tick(acting_user=officer, activity=activity, channel="sms", note="全体业主")
    assert tick.done_by == officer and tick.done_at
    activity = activity_publicise(acting_user=officer, activity=activity)
    assert activity.status == S.PUBLICISED
    activity = activity_hold(acting_user=officer, activity=activity)
    assert activity.status == S.HELD
    activity = activity_mark_reported(acting_user=officer, activity=activity)
    assert activity.status == S.REPORTED
    actions = set(AuditEntry.objects.filter(object_id=str(activity.pk)).values_list("action", flat=True))
    assert {"activity_publicised", "activity_held", "activity_reported"} <= actions
    with pytest.raises(ValidationError):
        activity_update(acting_user=officer, activity=activity, title="x")


def test_publicise_needs_a_channel(officer, zh):
    activity = make(officer)
    with pytest.raises(ValidationError, match="宣传渠道"):
        activity_publicise(acting_user=officer, activity=activity)
    activity.refresh_from_db()
    assert activity.status == S.PLANNED


def test_publicity_same_channel_twice_refused(officer, zh):
    activity = make(officer)
    activity_publicity_tick(acting_user=officer, activity=activity, channel="wechat")
    with pytest.raises(ValidationError) as exc:
        activity_publicity_tick(acting_user=officer, activity=activity, channel="wechat")
    assert "微信" in str(exc.value)
    assert ActivityPublicity.objects.filter(activity=activity).count() == 1
    with pytest.raises(ValidationError):
        activity_publicity_tick(acting_user=officer, activity=activity, channel="pigeon")


def test_illegal_transitions_name_both_states_in_chinese(officer, zh):
    activity = make(officer)
    with pytest.raises(ValidationError) as exc:
        activity_hold(acting_user=officer, activity=activity)
    message = str(exc.value)
    assert "已计划" in message and "已举办" in message
    with pytest.raises(ValidationError):
        activity_mark_reported(acting_user=officer, activity=activity)
    activity_cancel(acting_user=officer, activity=activity, reason="台风")
    activity.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        activity_publicise(acting_user=officer, activity=activity)
    assert "已取消" in str(exc.value)
    held = publicised(officer)
    activity_hold(acting_user=officer, activity=held)
    with pytest.raises(ValidationError):
        activity_cancel(acting_user=officer, activity=held, reason="x")
    with pytest.raises(ValidationError):
        activity_hold(acting_user=officer, activity=held)


def test_hold_only_after_start(officer, zh):
    activity = publicised(officer, starts_at=timezone.now() + dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="尚未开始"):
        activity_hold(acting_user=officer, activity=activity)
    activity.refresh_from_db()
    assert activity.status == S.PUBLICISED


def test_cancel_needs_reason(officer):
    activity = publicised(officer)
    with pytest.raises(ValidationError):
        activity_cancel(acting_user=officer, activity=activity, reason="  ")
    activity.refresh_from_db()
    assert activity.status == S.PUBLICISED
    activity_cancel(acting_user=officer, activity=activity, reason="合作医院临时取消")
    activity.refresh_from_db()
    assert activity.status == S.CANCELLED and activity.cancel_reason == "合作医院临时取消"


@pytest.fixture
def residents(officer):
    building = Building.objects.create(name="9号楼")
    unit = Unit.objects.create(building=building, entrance="1", room="101")
    return [
        Resident.objects.create(unit=unit, name="张三", phone="13900000001", birth_date=dt.date(1950, 8, 3)),
        Resident.objects.create(unit=unit, name="李四", phone="13900000002", birth_date=dt.date(1948, 2, 9)),
        Resident.objects.create(unit=unit, name="王五", birth_date=None),
        Resident.objects.create(unit=unit, name="赵六", birth_date=dt.date(1955, 9, 30), is_active=False),
    ]


def test_participants_and_attendance(officer, residents):
    activity = make(officer)
    participant = activity_participant_add(acting_user=officer, activity=activity, resident=residents[0])
    assert participant.name == "张三" and participant.unit == residents[0].unit
    with pytest.raises(ValidationError):
        activity_participant_add(acting_user=officer, activity=activity, resident=residents[0])
    with pytest.raises(ValidationError):
        activity_participant_add(acting_user=officer, activity=activity)
    with pytest.raises(ValidationError):
        activity_participant_add(acting_user=officer, activity=activity, name="路人", phone="abc")
    walk_in = activity_participant_add(
        acting_user=officer, activity=activity, name="路人甲", phone="13700000000"
    )
    activity_attendance_set(acting_user=officer, participant=walk_in, attended=True)
    walk_in.refresh_from_db()
    assert walk_in.attended
    assert activity.participants.count() == 2


def test_birthday_invitees_in_quarter_idempotent(officer, residents):
    party = make(officer, kind=K.BIRTHDAY_PARTY, starts_at=aware(2026, 8, 20, 15))
    added = activity_birthday_invitees_propose(acting_user=officer, activity=party)
    assert [p.resident for p in added] == [residents[0]]
    assert added[0].invited
    assert activity_birthday_invitees_propose(acting_user=officer, activity=party) == []
    assert party.participants.count() == 1
    clinic = make(officer)
    with pytest.raises(ValidationError):
        activity_birthday_invitees_propose(acting_user=officer, activity=clinic)


def test_repair_intake_creates_engineering_work_order(officer, residents):
    day = publicised(officer, kind=K.REPAIR_DAY, festival="mid_autumn")
    item = activity_repair_intake(
        acting_user=officer, activity=day, description="厨房水龙头漏水", resident=residents[0]
    )
    order = item.work_order
    assert order.source == WorkOrder.Source.ACTIVITY_DAY
    assert order.department.code == "engineering"
    assert order.resident == residents[0]
    assert not item.out_of_scope


def test_repair_intake_out_of_scope_records_advice_no_work_order(officer, residents):
    day = publicised(officer, kind=K.REPAIR_DAY)
    before = WorkOrder.objects.count()
    with pytest.raises(ValidationError):
        activity_repair_intake(acting_user=officer, activity=day, description="外墙裂缝", out_of_scope=True)
    item = activity_repair_intake(
        acting_user=officer,
        activity=day,
        description="外墙裂缝渗水",
        out_of_scope=True,
        advice="属房屋质量问题，建议联系开发商保修",
        resident=residents[1],
    )
    assert item.work_order is None and item.out_of_scope
    assert WorkOrder.objects.count() == before
    participant = ActivityParticipant.objects.get(activity=day, resident=residents[1])
    assert "开发商" in participant.note
    with pytest.raises(ValidationError):
        activity_repair_intake(acting_user=officer, activity=day, description="")
    assert ActivityRepairItem.objects.filter(activity=day).count() == 1


def test_repair_intake_only_on_repair_days(officer):
    clinic = publicised(officer)
    with pytest.raises(ValidationError):
        activity_repair_intake(acting_user=officer, activity=clinic, description="灯坏了", contact_name="甲")


def _held(kind, starts_at, festival=""):
    return Activity.objects.create(
        number=f"HD{Activity.objects.count():06d}",
        kind=kind,
        title="t",
        starts_at=starts_at,
        ends_at=starts_at,
        place="p",
        festival=festival,
        status=S.HELD,
    )


def test_festival_dates_from_calendar():
    assert festival_start("mid_autumn", dt.date(2026, 9, 1)) == dt.date(2026, 9, 25)
    assert festival_start("national_day", dt.date(2026, 9, 1)) == dt.date(2026, 10, 1)
    assert festival_start("double_ninth", dt.date(2026, 9, 1)) is None


def test_repair_day_counts_only_within_30_days_before_festival(officer):
    assert repair_day_counts(_held(K.REPAIR_DAY, aware(2026, 9, 10, 9), "mid_autumn"))
    assert not repair_day_counts(_held(K.REPAIR_DAY, aware(2026, 7, 10, 9), "mid_autumn"))
    assert not repair_day_counts(_held(K.REPAIR_DAY, aware(2026, 9, 10, 9)))
    assert repair_day_counts(_held(K.REPAIR_DAY, aware(2026, 10, 10, 9), "double_ninth"))


def test_compliance_grid_states(officer):
    _held(K.FREE_CLINIC, aware(2026, 3, 5, 9))
    _held(K.FREE_CLINIC, aware(2026, 6, 5, 9))
    _held(K.BIRTHDAY_PARTY, aware(2026, 2, 5, 9))
    _held(K.BIRTHDAY_PARTY, aware(2026, 11, 5, 9))
    _held(K.REPAIR_DAY, aware(2026, 1, 20, 9), "spring")
    _held(K.REPAIR_DAY, aware(2026, 9, 1, 9), "mid_autumn")
    _held(K.REPAIR_DAY, aware(2026, 4, 1, 9))  # no festival: does not count
    rows = activities_compliance(year=2026, today=dt.date(2026, 11, 27))
    clinic, party, repair = rows
    assert clinic.cells[0].state == "met" and clinic.cells[0].colour == "green"
    assert [c.state for c in party.cells] == ["met", "missed", "missed", "met"]
    assert [c.state for c in repair.cells] == ["met", "missed", "met", "at_risk"]
    assert repair.cells[3].colour == "amber" and party.cells[1].colour == "red"
    early = activities_compliance(year=2027, today=dt.date(2027, 2, 1))
    assert early[0].cells[0].state == "at_risk"
    assert early[2].cells[3].state == "upcoming"
