"""Demo elders living alone (独居老人关怀): about thirty per center with a few months of history.

``elders_demo_data_install()`` runs in the current center's schema (the caller sets it), after the
residents, staff, activities and work orders. It puts about thirty of the oldest residents on the
registry through the real services, shared between the two customer managers (王强 for 1–3号楼,
陈芳 for the rest): six high-risk (高风险), ten priority (重点), the rest general (一般), with
consents, one or two emergency contacts and, for those who consented, health notes. Then:

- registered three months ago (a few last month), first home visit the same day with the
  contact card, two reached home visits in every past month (a few elders missed one), the
  current month partly done (some visited twice, some once, some not yet), a weekly call to
  every high-risk elder; nothing later than now;
- needs recorded at visits: two sent as work orders, done and replied to; one done with the
  reply visit due; one in progress and one just sent (paid and free); one answered on the spot,
  one declined, one still open;
- a care alert last month (寒潮 in winter, 高温 in summer, 暴雨 otherwise): five of the six
  high-risk elders called that morning, closed by hand the next day;
- a not-reached visit last month, resolved through the contacts (老人在女儿家), and one two hours
  ago still open, its first contact called without an answer;
- the elders born this quarter invited to this quarter's birthday party when it is still open;
- head office's monthly figures published for every month of the story.

Times are those of the story: the services run in order of time and what they write (audit
entries, notifications, visits, needs, escalations, work orders) is then moved back to when it
happened, as the work-orders demo does. Twice = once: a center that has elders is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from demo.residents import MOBILE_PREFIXES, SURNAMES, residents_demo_data_install
from demo.staff import demo_staff_install
from demo.work_orders import _backdate
from operations.models import (
    Activity,
    AuditEntry,
    CareAlert,
    Elder,
    ElderConsent,
    ElderEscalation,
    ElderNeed,
    ElderVisit,
    NeedKind,
    Notification,
    Resident,
    RiskReason,
    RiskTier,
    WorkOrder,
)
from operations.selectors.elders import month_range
from operations.services.activities import quarter_of
from operations.services.elder_activities import elder_birthday_invite
from operations.services.elder_alerts import care_alert_close, care_alert_raise
from operations.services.elder_escalations import elder_escalation_call_record, elder_escalation_resolve
from operations.services.elder_figures import elder_figures_publish
from operations.services.elder_needs import (
    elder_need_decline,
    elder_need_handle,
    elder_need_order,
    elder_need_reply,
)
from operations.services.elders import age_on, elder_care_settings, elder_register, elder_visit_record
from operations.services.residents import resident_update
from operations.services.work_orders import (
    work_order_callback,
    work_order_close,
    work_order_complete,
    work_order_dispatch,
    work_order_start,
)
from tenants.models import ServiceCenter

ELDERS = 30
HIGH_RISK = 6
PRIORITY = 10
V = ElderVisit.Kind
R = RiskReason

# The customer managers (demo.staff, roster dataset) and the buildings each looks after.
MANAGERS = ("wangqiang", "chenfang")
FIRST_MANAGER_BUILDINGS = ("1号楼", "2号楼", "3号楼")
# Who does a need's work order, by department (demo.staff, work-orders dataset).
ASSIGNEES = {"engineering": "gongcheng", "cleaning": "baojie", "security": "huwei", "service": "qiantai"}

# Given names of the demo residents too young for the registry, and the women's names.
YOUNG_NAMES = {"子涵", "浩然", "雨欣", "佳怡", "思远", "静怡", "欣悦", "家豪", "婷婷", "晓东"}
WOMEN_NAMES = {"秀英", "桂兰", "丽华", "海燕", "玉梅", "淑珍", "凤英", "兰芳", "金凤"}
CHILD_NAMES = ("伟", "敏", "静", "磊", "芳", "军", "洋", "丹", "杰", "燕", "涛", "红")
WITNESSES = ("邻居 周阿姨", "楼组长 刘建华", "社区网格员 王丽")

HIGH_REASONS = (
    [R.DEMENTIA, R.LIVES_ALONE],
    [R.HEART, R.LIVES_ALONE],
    [R.DISCHARGED, R.CHRONIC],
    [R.DISABLED, R.NO_LIFT],
    [R.TEKUN, R.CHRONIC],
    [R.FAMILY_PLANNING, R.HEART],
)
PRIORITY_REASONS = (
    [R.CHRONIC],
    [R.NO_LIFT],
    [R.LIVES_ALONE],
    [R.CHRONIC, R.NO_LIFT],
    [R.FAMILY_PLANNING],
)
HEALTH_NOTES = {
    R.DEMENTIA: "阿尔茨海默病早期，近事记忆减退，子女每周来看望两次",
    R.HEART: "冠心病，2024 年放置支架，随身带硝酸甘油",
    R.DISCHARGED: "上月因肺炎住院一周，已出院，按时到社区医院复诊",
    R.DISABLED: "脑梗后遗症，右侧肢体无力，行走需助行器",
    R.TEKUN: "高血压、糖尿病，每日服药，低保对象",
}
COMMON_NOTES = (
    "高血压，每日服用降压药，血压控制平稳",
    "2 型糖尿病，每日注射胰岛素",
    "高血压、糖尿病，按时服药",
    "慢性支气管炎，冬季容易发作",
    "白内障术后，视力尚可",
    "腰椎间盘突出，久站腰痛",
    "骨质疏松，去年摔倒过一次",
)

HOME_NOTES = (
    "精神状态良好，家中水电燃气正常",
    "身体状况平稳，按时服药",
    "饮食起居正常，家中整洁",
    "与邻居相处融洽，每天下楼散步",
    "提醒老人注意保暖，检查了燃气阀门",
    "老人说夜里睡得不太好，建议到社区医院看看",
    "子女上周来看望过，老人心情不错",
)
CONCERNS = (
    ([ElderVisit.Check.GAS], "燃气灶软管老化，已提醒更换"),
    ([ElderVisit.Check.MOBILITY], "近期走路不稳，提醒使用助行器，起夜开灯"),
    ([ElderVisit.Check.ELECTRICITY], "插线板老化发烫，已提醒停用更换"),
    ([ElderVisit.Check.HYGIENE], "家中卫生较差，建议安排家政"),
)
CALL_NOTES = ("电话问候，老人说一切都好", "电话联系，提醒按时服药", "电话问候，老人今天去了菜场")
FIRST_VISIT_NOTE = "首次上门，建立档案，发放客户主任联系卡"


@dataclass(frozen=True)
class DemoNeed:
    kind: str
    detail: str
    fate: str  # replied / reply_due / in_progress / sent / handled / declined / open
    age_days: float  # about how long before now the visit that recorded it took place
    paid: str | None = None  # the price of a paid service
    family_told: str = ""  # how the first contact was told (电话, 微信)


DEMO_NEEDS = (
    DemoNeed(NeedKind.BILLS, "代交本月水电燃气费", "replied", 30, family_told="电话"),
    DemoNeed(NeedKind.UTILITIES, "卫生间灯不亮，开关可能损坏，需上门检查", "replied", 22),
    DemoNeed(NeedKind.SHOPPING, "代购大米一袋、食用油一桶", "reply_due", 2.2, family_told="微信"),
    DemoNeed(NeedKind.CLEANING, "厨房油烟机清洗，家中需要深度保洁", "in_progress", 1, paid="80.00"),
    DemoNeed(NeedKind.CARRYING, "旧衣柜需要搬到楼下", "sent", 0.5),
    DemoNeed(NeedKind.ENQUIRY, "咨询高龄津贴申领需要哪些材料", "handled", 15),
    DemoNeed(NeedKind.HEALTH, "想请人代为预约社区医院体检", "declined", 12),
    DemoNeed(NeedKind.HOUSEWORK, "换季衣物被褥需要整理", "open", 3),
)


@dataclass
class Visit:
    at: dt.datetime
    kind: str = V.HOME
    reached: bool = True
    observations: str = ""
    concerns: list = field(default_factory=list)
    need: DemoNeed | None = None
    story: str = ""  # "alert" (a call under the care alert), "resolved" or "open" (escalations)


@dataclass
class ElderPlan:
    resident: Resident
    birth_date: dt.date
    gender: str
    manager: object
    registered_on: dt.date
    living: str = Elder.Living.ALONE
    living_note: str = ""
    mobility: str = Elder.Mobility.INDEPENDENT
    tier: str = RiskTier.GENERAL
    reasons: list = field(default_factory=list)
    health_notes: str = ""
    health_consent: bool = False
    oral_witness: str = ""
    contacts: list = field(default_factory=list)
    home_phone: str = ""
    visits: list = field(default_factory=list)
    elder: Elder | None = None
    card_given: bool = False


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _month_add(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def _quarter_months(today: dt.date) -> list[int]:
    return [3 * (quarter_of(today) - 1) + i for i in (1, 2, 3)]


# The registry -------------------------------------------------------------------------------


def _candidates() -> list[Resident]:
    """Residents old enough for the registry, oldest known first, then heads of household."""
    residents = (
        Resident.objects.filter(is_active=True, elder__isnull=True)
        .select_related("unit__building")
        .annotate(household=Count("unit__residents"))
        .order_by("pk")
    )
    today = timezone.localdate()
    old = [
        r
        for r in residents
        if r.name[1:] not in YOUNG_NAMES and (r.birth_date is None or age_on(r.birth_date, today) >= 60)
    ]
    return sorted(
        old,
        key=lambda r: (
            r.birth_date is None,
            r.birth_date or dt.date.min,
            r.relation == Resident.Relation.FAMILY,
            r.pk,
        ),
    )[:ELDERS]


def _birth_date(resident: Resident, rng: random.Random, today: dt.date, in_quarter: bool) -> dt.date:
    if resident.birth_date:
        return resident.birth_date
    months = _quarter_months(today) if in_quarter else range(1, 13)
    year = today.year - rng.choice((66, 68, 71, 73, 75, 77, 78, 80, 82, 84, 86, 88))
    return dt.date(year, rng.choice(months), rng.randint(1, 28))


def _plans(rng: random.Random, *, today: dt.date, managers: list) -> list[ElderPlan]:
    residents = _candidates()
    center = ServiceCenter.objects.filter(schema_name=connection.schema_name).first()
    area = (center.phone.split("-")[0] if center and "-" in center.phone else "") or "021"
    start = _month_add(today.replace(day=1), -3)
    plans = []
    for n, resident in enumerate(residents):
        given = resident.name[1:]
        plan = ElderPlan(
            resident=resident,
            birth_date=_birth_date(resident, rng, today, in_quarter=n % 4 == 1),
            gender=Elder.Gender.FEMALE if given in WOMEN_NAMES else Elder.Gender.MALE,
            manager=managers[0 if resident.unit.building.name in FIRST_MANAGER_BUILDINGS else 1],
            # Most registered three months ago; every seventh last month (new on the registry).
            registered_on=(
                _month_add(start, 2) + dt.timedelta(days=rng.randint(0, 6))
                if n % 7 == 6
                else start + dt.timedelta(days=rng.randint(0, 24))
            ),
        )
        if resident.household > 1:
            plan.living, plan.living_note = rng.choice(
                (
                    (Elder.Living.EMPTY_NEST, "老伴同住，子女在外地"),
                    (Elder.Living.OTHER, "子女白天上班，白天独自在家"),
                )
            )
        if n % 3 == 0:
            plan.home_phone = f"{area}-{rng.randint(5000, 8999)} {rng.randint(0, 9999):04d}"
        plans.append(plan)
    _tiers(plans, rng)
    for plan in plans:
        _care_details(plan, rng)
    return plans


def _tiers(plans: list[ElderPlan], rng: random.Random) -> None:
    """Six high-risk and ten priority elders, most of them among the oldest; none new on the registry
    is high-risk (the care alert of last month lists them)."""
    newest = max(plan.registered_on for plan in plans).replace(day=1)
    settled = [p for p in plans if p.registered_on < newest]
    by_age = sorted(settled, key=lambda p: p.birth_date)
    high = rng.sample(by_age[: max(HIGH_RISK, len(by_age) // 2)], min(HIGH_RISK, len(by_age)))
    rest = [p for p in plans if p not in high]
    priority = rng.sample(rest, min(PRIORITY, len(rest)))
    for n, plan in enumerate(high):
        plan.tier, plan.reasons = RiskTier.HIGH, list(HIGH_REASONS[n % len(HIGH_REASONS)])
    for n, plan in enumerate(priority):
        plan.tier, plan.reasons = RiskTier.PRIORITY, list(PRIORITY_REASONS[n % len(PRIORITY_REASONS)])
    carer = next((p for p in high if R.DISABLED in p.reasons), None)
    if carer is not None:
        carer.living, carer.living_note = Elder.Living.WITH_CARER, "白天有保姆照料，晚上独居"
    for plan in plans:  # "lives completely alone" only for those who do
        if plan.living != Elder.Living.ALONE and R.LIVES_ALONE in plan.reasons:
            plan.reasons = [r for r in plan.reasons if r != R.LIVES_ALONE] or [R.CHRONIC]


def _care_details(plan: ElderPlan, rng: random.Random) -> None:
    if plan.tier == RiskTier.HIGH:
        plan.health_consent = True
        reason = next((r for r in plan.reasons if r in HEALTH_NOTES), None)
        plan.health_notes = HEALTH_NOTES[reason] if reason else rng.choice(COMMON_NOTES)
        plan.mobility = (
            Elder.Mobility.AID if R.DISABLED in plan.reasons else rng.choice(list(Elder.Mobility)[:2])
        )
    else:
        plan.health_consent = rng.random() < 0.5
        plan.health_notes = rng.choice(COMMON_NOTES) if plan.health_consent else ""
        plan.mobility = Elder.Mobility.AID if rng.random() < 0.15 else Elder.Mobility.INDEPENDENT
    if rng.random() < 0.2:
        plan.oral_witness = rng.choice(WITNESSES)
    surname = plan.resident.name[0] if plan.gender == Elder.Gender.MALE else rng.choice(SURNAMES)
    child = rng.choice(("儿子", "女儿"))
    plan.contacts = [
        {"name": surname + rng.choice(CHILD_NAMES), "relation": child, "phone": _mobile(rng)},
    ]
    if plan.tier != RiskTier.GENERAL or rng.random() < 0.4:
        relation, name = rng.choice(
            (
                ("女儿" if child == "儿子" else "儿子", surname + rng.choice(CHILD_NAMES)),
                ("侄子", plan.resident.name[0] + rng.choice(CHILD_NAMES)),
                ("邻居", rng.choice(SURNAMES) + rng.choice(("阿姨", "师傅"))),
            )
        )
        plan.contacts.append({"name": name, "relation": relation, "phone": _mobile(rng)})


# The visits ---------------------------------------------------------------------------------


def _daytime(rng: random.Random, day: dt.date) -> dt.datetime:
    return _local(day, rng.randint(9, 16), rng.choice((0, 10, 20, 30, 40, 50)))


def _home(rng: random.Random, at: dt.datetime) -> Visit:
    if rng.random() < 0.1:
        concerns, note = rng.choice(CONCERNS)
        return Visit(at=at, concerns=list(concerns), observations=note)
    return Visit(at=at, observations=rng.choice(HOME_NOTES))


def _visit_schedule(plans: list[ElderPlan], rng: random.Random, *, now: dt.datetime) -> None:
    """Each elder's home visits from the registration up to ``now`` (none later), on ``plan.visits``:
    the first on the registration day, two in every past month but one or two elders who missed a
    visit that month, this month some visited twice already, some once, some not yet."""
    today = timezone.localdate(now)
    this_month = today.replace(day=1)
    latest = now - dt.timedelta(minutes=30)
    missed = {}
    month = _month_add(min(plan.registered_on for plan in plans).replace(day=1), 1)
    while month < this_month:
        missed[month] = set(rng.sample(range(len(plans)), min(len(plans), rng.randint(1, 2))))
        month = _month_add(month, 1)
    # This month: about a quarter visited twice already, almost half once, the rest not yet.
    shares = [2] * round(len(plans) * 0.25) + [1] * round(len(plans) * 0.45)
    shares += [0] * (len(plans) - len(shares))
    rng.shuffle(shares)
    for n, (plan, share) in enumerate(zip(plans, shares, strict=True)):
        visits = [Visit(at=_local(plan.registered_on, 10), observations=FIRST_VISIT_NOTE)]
        second = plan.registered_on + dt.timedelta(days=rng.randint(9, 14))
        if second.month == plan.registered_on.month:  # registered late in the month: one visit only
            visits.append(_home(rng, _daytime(rng, second)))
        month = _month_add(plan.registered_on.replace(day=1), 1)
        while month < this_month:
            _start, end = month_range(month)
            days = [month.replace(day=rng.randint(2, 12)), month.replace(day=rng.randint(15, end.day - 2))]
            visits += [_home(rng, _daytime(rng, day)) for day in days[: 1 if n in missed[month] else 2]]
            month = _month_add(month, 1)
        if share and plan.registered_on < this_month:
            first = rng.randint(1, max(1, (today.day + 1) // 2))
            days = [first] if share == 1 else [first, rng.randint(min(first + 3, today.day), today.day)]
            visits += [_home(rng, _daytime(rng, this_month.replace(day=day))) for day in sorted(set(days))]
        plan.visits = [visit for visit in visits if visit.at <= latest]


def _weekly_calls(
    plans: list[ElderPlan], rng: random.Random, *, now: dt.datetime, avoid: tuple[dt.datetime, dt.datetime]
) -> None:
    """A call to every high-risk elder in each week without a reached contact, up to now and
    outside ``avoid`` (the care alert, whose calls are its own)."""
    latest = now - dt.timedelta(minutes=30)
    for plan in (p for p in plans if p.tier == RiskTier.HIGH):
        monday = plan.registered_on - dt.timedelta(days=plan.registered_on.weekday())
        while monday <= timezone.localdate(now):
            week = (_local(monday, 0), _local(monday + dt.timedelta(days=7), 0))
            if not any(week[0] <= v.at < week[1] and v.reached for v in plan.visits):
                hour, minute = rng.choice((9, 10, 15)), rng.choice((0, 15, 30))
                for offset in (rng.choice((2, 3)), 4, 5):
                    at = _local(monday + dt.timedelta(days=offset), hour, minute)
                    if avoid[0] <= at <= avoid[1]:
                        continue
                    if _local(plan.registered_on, 10) < at <= latest:
                        plan.visits.append(Visit(at=at, kind=V.PHONE, observations=rng.choice(CALL_NOTES)))
                    break
            monday += dt.timedelta(days=7)


ALERTS = {  # the previous month's number → (kind, title)
    **dict.fromkeys((11, 12, 1, 2, 3), (CareAlert.Kind.COLD, "寒潮预警")),
    **dict.fromkeys((6, 7, 8, 9), (CareAlert.Kind.HEAT, "高温预警")),
    **dict.fromkeys((4, 5, 10), (CareAlert.Kind.TYPHOON, "暴雨预警")),
}
ALERT_NOTES = {
    CareAlert.Kind.COLD: (
        "气象台发布寒潮蓝色预警，最低气温降至零下，请逐一电话联系高风险老人，提醒关好门窗、注意保暖。",
        "寒潮关怀电话：提醒关好门窗、注意保暖，老人状态良好",
    ),
    CareAlert.Kind.HEAT: (
        "气象台发布高温橙色预警，最高气温 38℃，请逐一电话联系高风险老人，提醒多喝水、少外出。",
        "高温关怀电话：提醒多喝水、开空调、少外出，老人状态良好",
    ),
    CareAlert.Kind.TYPHOON: (
        "气象台发布暴雨黄色预警，请逐一电话联系高风险老人，提醒关好门窗、不要外出。",
        "暴雨关怀电话：提醒关好门窗、不要外出，老人状态良好",
    ),
}


ALERT_CLOSE_NOTE = "预警已解除；一位老人未能及时联系上，明早电话回访"


@dataclass
class Story:
    """The times of last month's care alert and the two escalations."""

    alert_kind: str
    alert_title: str
    alert_raised: dt.datetime
    alert_closed: dt.datetime
    resolved: ElderPlan | None
    open: ElderPlan | None


def _story(plans: list[ElderPlan], rng: random.Random, *, now: dt.datetime) -> Story:
    """Place the care alert (five of the six high-risk elders called) and the two not-reached visits."""
    today = timezone.localdate(now)
    last_month = _month_add(today.replace(day=1), -1)
    kind, title = ALERTS[last_month.month]
    day = last_month.replace(day=rng.randint(12, 16))
    raised, closed = _local(day, 8, 30), _local(day + dt.timedelta(days=1), 17, 30)
    story = Story(kind, f"{title} {day.month} 月 {day.day}–{day.day + 1} 日", raised, closed, None, None)
    high = [p for p in plans if p.tier == RiskTier.HIGH]
    for n, plan in enumerate(high):
        plan.visits = [v for v in plan.visits if not raised <= v.at <= closed]
        if n < len(high) - 1:
            at = raised + dt.timedelta(minutes=30 + 25 * n)
            plan.visits.append(Visit(at=at, kind=V.PHONE, observations=ALERT_NOTES[kind][1], story="alert"))
        else:  # not reached in time: called the morning after the alert closed
            at = _local(day + dt.timedelta(days=2), 10)
            plan.visits.append(Visit(at=at, kind=V.PHONE, observations="预警过后电话回访，老人状态良好"))
    others = [
        p
        for p in plans
        if p.tier == RiskTier.PRIORITY and len(p.contacts) > 1 and p.registered_on < last_month
    ]
    if len(others) >= 2:
        story.resolved, story.open = others[0], others[1]
        at = _local(last_month.replace(day=rng.randint(19, 24)), 15)
        story.resolved.visits = [v for v in story.resolved.visits if v.at.date() != at.date()]
        story.resolved.visits.append(
            Visit(at=at, reached=False, observations="敲门无人应答，电话未接通", story="resolved")
        )
        at = (now - dt.timedelta(hours=2)).replace(second=0, microsecond=0)
        hour = timezone.localtime(at).hour
        story.open.visits = [v for v in story.open.visits if v.at < at - dt.timedelta(hours=1)]
        story.open.visits.append(
            Visit(
                at=at,
                kind=V.HOME if 8 <= hour < 20 else V.PHONE,
                reached=False,
                observations="敲门无人应答，老人手机无人接听"
                if 8 <= hour < 20
                else "老人手机和家中电话均无人接听",
                story="open",
            )
        )
    return story


def _needs(plans: list[ElderPlan], story: Story, *, now: dt.datetime) -> None:
    """Attach each demo need to the reached home visit closest to its age, one per elder."""
    used = {id(story.resolved), id(story.open)}
    for need in DEMO_NEEDS:
        target = now - dt.timedelta(days=need.age_days)
        # A need whose work order is done (and replied to) needs the time it takes before now.
        ready_by = now - dt.timedelta(days={"replied": 4, "reply_due": 1.5}.get(need.fate, 0))
        choices = [
            (abs((visit.at - target).total_seconds()), plan, visit)
            for plan in plans
            if id(plan) not in used
            for visit in plan.visits
            if visit.kind == V.HOME and visit.reached and not visit.need and visit.at <= ready_by
        ]
        if not choices:
            continue
        _distance, plan, visit = min(choices, key=lambda choice: choice[0])
        visit.need = need
        used.add(id(plan))


def schedule(plans: list[ElderPlan], rng: random.Random, *, now: dt.datetime) -> Story:
    """Plan every elder's visits and calls up to ``now`` (never later), last month's care alert,
    the two not-reached visits and the visits where the demo needs are recorded."""
    _visit_schedule(plans, rng, now=now)
    story = _story(plans, rng, now=now)
    _weekly_calls(plans, rng, now=now, avoid=(story.alert_raised, story.alert_closed))
    _needs(plans, story, now=now)
    return story


# Installing ---------------------------------------------------------------------------------

BACKDATED = (AuditEntry, Notification, Elder, ElderConsent, ElderVisit, ElderNeed, ElderEscalation)
STAFF_TOLD = (AuditEntry, Notification)


class Clock:
    """Moves what the services just wrote (``created`` at the real now) back to when it happened;
    what staff were told then they have read since."""

    def __init__(self, now: dt.datetime):
        self.since = now

    def at(self, moment: dt.datetime, *models) -> None:
        for model in models or BACKDATED:
            rows = model.objects.filter(created__gte=self.since)
            if model is Notification:
                rows.update(created=moment, read_at=moment + dt.timedelta(minutes=15))
            else:
                rows.update(created=moment)


def _register(plan: ElderPlan, clock: Clock) -> None:
    moment = _local(plan.registered_on, 9, 30)
    consent = {"given_on": plan.registered_on, "method": ElderConsent.Method.SIGNED}
    if plan.oral_witness:
        consent = {**consent, "method": ElderConsent.Method.ORAL, "witness": plan.oral_witness}
    if plan.resident.birth_date is None:
        resident_update(resident=plan.resident, birth_date=plan.birth_date, acting_user=plan.manager)
    plan.elder = elder_register(
        acting_user=plan.manager,
        resident=plan.resident,
        birth_date=plan.birth_date,
        gender=plan.gender,
        manager=plan.manager,
        phone=plan.resident.phone,
        home_phone=plan.home_phone,
        living=plan.living,
        living_note=plan.living_note,
        mobility=plan.mobility,
        risk_tier=plan.tier,
        risk_reasons=plan.reasons,
        registry_consent=consent,
        health_consent=(
            {"given_on": plan.registered_on, "method": ElderConsent.Method.SIGNED}
            if plan.health_consent
            else None
        ),
        health_notes=plan.health_notes,
        contacts=plan.contacts,
        registered_on=plan.registered_on,
    )
    clock.at(moment)


def _visit(plan: ElderPlan, visit: Visit, clock: Clock) -> ElderVisit:
    first_home = visit.kind == V.HOME and visit.reached and not plan.card_given
    record = elder_visit_record(
        elder=plan.elder,
        visited_at=visit.at,
        kind=visit.kind,
        reached=visit.reached,
        concerns=visit.concerns,
        observations=visit.observations,
        card_given=first_home,
        needs=[{"kind": visit.need.kind, "detail": visit.need.detail}] if visit.need else None,
        acting_user=plan.manager,
    )
    plan.card_given = plan.card_given or first_home
    models = [AuditEntry, ElderVisit]
    models += [ElderNeed] if visit.need else []
    models += [] if visit.reached else [ElderEscalation]
    clock.at(visit.at + dt.timedelta(minutes=5), *models)  # recorded on the spot
    return record


def _told(plan: ElderPlan, spec: DemoNeed) -> str:
    return f"{spec.family_told}告知{plan.contacts[0]['relation']}" if spec.family_told else ""


def _work_order_done(need: ElderNeed, plan: ElderPlan, spec: DemoNeed, staff: dict, desk, clock: Clock):
    """The need's work order, sent an hour after the visit, done the same day, called back and closed
    the next day; the need is then handled (the reply visit due)."""
    received = need.visit.visited_at + dt.timedelta(hours=1)
    completed = received + dt.timedelta(hours=4)
    closed = completed + dt.timedelta(hours=21)
    work_order = elder_need_order(
        need=need,
        acting_user=plan.manager,
        family_told=bool(spec.family_told),
        family_told_how=_told(plan, spec),
    )
    shift = work_order.created - received
    clock.at(received, *STAFF_TOLD)
    assignee = staff.get(work_order.department.code if work_order.department else "service")
    work_order = work_order_dispatch(
        work_order=work_order, acting_user=desk, department=work_order.department, assignee=assignee
    )
    clock.at(received + dt.timedelta(minutes=20), *STAFF_TOLD)
    work_order = work_order_start(work_order=work_order, acting_user=assignee)
    clock.at(received + dt.timedelta(hours=1), *STAFF_TOLD)
    work_order = work_order_complete(
        work_order=work_order, acting_user=assignee, result_note="已办妥，老人确认", completed_at=completed
    )
    clock.at(completed, *STAFF_TOLD)
    work_order = work_order_callback(
        work_order=work_order, acting_user=plan.manager, satisfaction=5, comment="老人很满意"
    )
    clock.at(completed + dt.timedelta(hours=20), *STAFF_TOLD)
    work_order = work_order_close(work_order=work_order, acting_user=desk)
    clock.at(closed, *STAFF_TOLD)
    work_order.refresh_from_db()
    _backdate(work_order, received=received, completed=completed, now=timezone.now())
    WorkOrder.objects.filter(pk=work_order.pk).update(deadline=work_order.deadline - shift)
    ElderNeed.objects.filter(pk=need.pk).update(handled_at=closed)
    return closed


def _need_follow_up(
    record: ElderVisit, plan: ElderPlan, spec: DemoNeed, staff: dict, desk, clock: Clock, later: list
) -> int:
    """What happened to the need recorded at ``record``; work orders still under way are sent at
    the end, today (added to ``later``). Returns the number of work orders made here."""
    need = record.needs.get()
    at = record.visited_at
    if spec.fate in ("replied", "reply_due"):
        closed = _work_order_done(need, plan, spec, staff, desk, clock)
        if spec.fate == "replied":
            replied_on = timezone.localdate(closed) + dt.timedelta(days=1)
            elder_need_reply(
                need=need,
                replied_on=replied_on,
                note="已上门告知老人办理结果，老人满意",
                acting_user=plan.manager,
            )
            clock.at(_local(replied_on, 10), AuditEntry)
        return 1
    if spec.fate == "handled":
        elder_need_handle(
            need=need, note="已当场告知所需材料：身份证、户口本、银行卡", acting_user=plan.manager
        )
        clock.at(at + dt.timedelta(minutes=25), AuditEntry)
        ElderNeed.objects.filter(pk=need.pk).update(handled_at=at + dt.timedelta(minutes=25))
    elif spec.fate == "declined":
        elder_need_decline(need=need, note="家属已帮老人预约好了", acting_user=plan.manager)
        clock.at(at + dt.timedelta(days=1), AuditEntry)
    elif spec.fate in ("in_progress", "sent"):
        later.append((need, plan, spec))
    return 0


def _work_orders_now(later: list, staff: dict, desk) -> int:
    """The needs' work orders still under way, sent by the managers today."""
    for need, plan, spec in later:
        work_order = elder_need_order(
            need=need,
            acting_user=plan.manager,
            is_paid=bool(spec.paid),
            price=Decimal(spec.paid) if spec.paid else None,
            family_told=bool(spec.family_told),
            family_told_how=_told(plan, spec),
        )
        if spec.fate == "in_progress":
            assignee = staff.get(work_order.department.code if work_order.department else "service")
            work_order = work_order_dispatch(
                work_order=work_order, acting_user=desk, department=work_order.department, assignee=assignee
            )
            work_order_start(work_order=work_order, acting_user=assignee)
    return len(later)


def _escalation(record: ElderVisit, plan: ElderPlan, story: str, clock: Clock) -> None:
    """Move the escalation to the visit's time; record the calls (and the outcome, last month)."""
    escalation = record.escalation
    at = record.visited_at
    hours = elder_care_settings().escalation_hours  # as if the visit had been recorded at once
    ElderEscalation.objects.filter(pk=escalation.pk).update(
        created=at, deadline=at + dt.timedelta(hours=hours)
    )
    contacts = list(plan.elder.contacts.filter(is_active=True).order_by("order"))
    if story == "open":
        elder_escalation_call_record(
            escalation=escalation,
            contact=contacts[0],
            answered=False,
            note="无人接听",
            called_at=at + dt.timedelta(minutes=20),
            acting_user=plan.manager,
        )
        clock.at(at + dt.timedelta(minutes=20), AuditEntry)
        return
    elder_escalation_call_record(
        escalation=escalation,
        contact=contacts[0],
        answered=False,
        note="无人接听",
        called_at=at + dt.timedelta(minutes=15),
        acting_user=plan.manager,
    )
    clock.at(at + dt.timedelta(minutes=15), AuditEntry)
    family = contacts[1].relation in ("儿子", "女儿")
    elder_escalation_call_record(
        escalation=escalation,
        contact=contacts[1],
        answered=True,
        note=f"{contacts[1].relation}说老人这几天住在{'自己' if family else '子女'}家，一切都好",
        called_at=at + dt.timedelta(minutes=35),
        acting_user=plan.manager,
    )
    clock.at(at + dt.timedelta(minutes=35), AuditEntry)
    resolved = at + dt.timedelta(minutes=50)
    elder_escalation_resolve(
        escalation=escalation,
        outcome=ElderEscalation.Outcome.WITH_FAMILY,
        note=f"老人在子女家小住几天，下周回来；已与{contacts[1].relation}{contacts[1].name}电话确认",
        acting_user=plan.manager,
    )
    clock.at(resolved, AuditEntry)
    ElderEscalation.objects.filter(pk=escalation.pk).update(resolved_at=resolved, updated=resolved)


def _birthday_invites(*, acting_user, today: dt.date) -> int:
    """Invite this quarter's birthdays to this quarter's birthday party while it is still open."""
    months = _quarter_months(today)
    party = (
        Activity.objects.filter(
            kind=Activity.Kind.BIRTHDAY_PARTY,
            starts_at__year=today.year,
            starts_at__month__in=months,
        )
        .exclude(status__in=(Activity.Status.REPORTED, Activity.Status.CANCELLED))
        .order_by("starts_at")
        .first()
    )
    if party is None:
        return 0
    return len(elder_birthday_invite(acting_user=acting_user, activity=party))


def _center_head(acting_user):
    if acting_user is not None:
        return acting_user
    return get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


@transaction.atomic
def elders_demo_data_install(*, acting_user=None, password: str | None = None) -> dict[str, int]:
    """Install the demo elders of the current center (see the module); returns counts. Twice = once.

    ``acting_user`` is the center head who raises the care alert and invites to the birthday party
    (default: the center's first superuser); the managers record everything else.
    """
    counts = dict.fromkeys(
        ("elders", "visits", "needs", "work_orders", "escalations", "care_alerts", "invited"), 0
    )
    if Elder.objects.exists():
        return counts
    residents_demo_data_install(acting_user=acting_user)
    roster = demo_staff_install(dataset="roster", password=password)
    workers = demo_staff_install(dataset="work_orders", password=password)
    staff = {code: workers[username] for code, username in ASSIGNEES.items()}
    managers = [roster[username] for username in MANAGERS]
    head = _center_head(acting_user) or managers[0]
    now = timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(f"elders-{connection.schema_name}")  # noqa: S311 — demo data, not security

    plans = _plans(rng, today=today, managers=managers)
    if not plans:
        return counts
    story = schedule(plans, rng, now=now)

    clock = Clock(now)
    # In order of time; at the same moment the registration before the first visit.
    events = [(_local(plan.registered_on, 9, 30), 0, "register", plan, None) for plan in plans]
    events += [(visit.at, 1, "visit", plan, visit) for plan in plans for visit in plan.visits]
    events += [(story.alert_raised, 0, "raise", None, None), (story.alert_closed, 0, "close", None, None)]
    alert = None
    later: list = []
    for at, _order, action, plan, visit in sorted(events, key=lambda event: event[:2]):
        if action == "register":
            _register(plan, clock)
            counts["elders"] += 1
        elif action == "raise":
            alert = care_alert_raise(
                acting_user=head,
                kind=story.alert_kind,
                title=story.alert_title,
                note=ALERT_NOTES[story.alert_kind][0],
                raised_at=at,
            )
            clock.at(at, *STAFF_TOLD)
            counts["care_alerts"] += 1
        elif action == "close":
            care_alert_close(alert=alert, note=ALERT_CLOSE_NOTE, acting_user=head)
            clock.at(at, AuditEntry)
            CareAlert.objects.filter(pk=alert.pk).update(closed_at=at)
        else:
            record = _visit(plan, visit, clock)
            counts["visits"] += 1
            if visit.need:
                counts["needs"] += 1
                counts["work_orders"] += _need_follow_up(record, plan, visit.need, staff, head, clock, later)
            if visit.story in ("resolved", "open"):
                _escalation(record, plan, visit.story, clock)
                counts["escalations"] += 1
    counts["work_orders"] += _work_orders_now(later, staff, head)
    counts["invited"] = _birthday_invites(acting_user=head, today=today)
    # Head office's figures of every month of the story (the services refresh them as they go,
    # but the times were moved back since).
    month = min(plan.registered_on for plan in plans).replace(day=1)
    while month <= today:
        elder_figures_publish(month=month)
        month = _month_add(month, 1)
    return counts
