"""Demo activities, through the same services staff use.

``activities_demo_data_install()`` runs in the current center's schema (the caller sets it).

- The year's plan: two free clinics, a birthday party in Q1, Q3 and Q4 (Q2 left out on purpose:
  the compliance grid shows that gap in red), a festival repair day in every quarter (work
  orders and an out-of-scope item at the Mid-Autumn and Double Ninth ones). What is past is
  publicised (with its 活动预告 notice) and held; what is ahead stays planned. Early in
  the year (before the first birthday party) last year's plan is installed too, so that held
  activities exist.
- The latest held free clinic, birthday party and repair day are the showcase: participants with
  attendance, 4–6 generated photos (Pillow, in memory) in the activity's collection, a
  satisfaction survey with answers, and a published activity report.
- One upcoming activity, publicised, with its notice.

Twice = once: activities are found by title, and each showcase step is skipped when done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from PIL import Image, ImageDraw

from cms.services.notices import notice_for_activity
from cms.services.reports import activity_report_draft
from demo.residents import residents_demo_data_install
from operations.models import Activity, ActivityPublicity, Survey, SurveyQuestion
from operations.selectors.activities import activity_photo_count
from operations.services.activities import (
    activity_attendance_set,
    activity_birthday_invitees_propose,
    activity_create,
    activity_hold,
    activity_mark_reported,
    activity_participant_add,
    activity_photo_add,
    activity_publicise,
    activity_publicity_tick,
    activity_repair_intake,
    activity_survey_start,
)
from operations.services.common import user_or_none
from operations.services.surveys import survey_answer_by_token, survey_response_enter
from operations.services.work_orders import work_order_complete, work_order_dispatch, work_order_start

K = Activity.Kind
S = Activity.Status
PLACE = "服务中心广场"
UPCOMING_TITLE = "家庭急救知识讲座"


def _plan(year: int) -> list[dict]:
    return [
        {
            "kind": K.FREE_CLINIC,
            "title": f"{year}年春季社区义诊",
            "date": (3, 14),
            "partner": "社区卫生服务中心",
        },
        {
            "kind": K.FREE_CLINIC,
            "title": f"{year}年秋季社区义诊",
            "date": (9, 12),
            "partner": "社区卫生服务中心",
        },
        {"kind": K.BIRTHDAY_PARTY, "title": f"{year}年第一季度集体生日会", "date": (3, 20)},
        {"kind": K.BIRTHDAY_PARTY, "title": f"{year}年第三季度集体生日会", "date": (8, 22)},
        {"kind": K.REPAIR_DAY, "title": f"{year}年迎春义工维修日", "date": (1, 24), "festival": "spring"},
        {
            "kind": K.REPAIR_DAY,
            "title": f"{year}年迎端午义工维修日",
            "date": (6, 6),
            "festival": "dragon_boat",
        },
        {
            "kind": K.REPAIR_DAY,
            "title": f"{year}年迎中秋义工维修日",
            "date": (9, 5),
            "festival": "mid_autumn",
        },
        {
            "kind": K.REPAIR_DAY,
            "title": f"{year}年迎重阳义工维修日",
            "date": (10, 10),
            "festival": "double_ninth",
        },
        {"kind": K.BIRTHDAY_PARTY, "title": f"{year}年第四季度集体生日会", "date": (12, 18)},
    ]


def _publicise(activity: Activity, *, acting_user, done_at: dt.datetime) -> Activity:
    """Tick 条幅 and 温馨提示 (the notice is dated the day of the ticks) and publicise."""
    # A center whose site has no 通知公告 list publicises without a notice.
    with contextlib.suppress(ValidationError):
        notice_for_activity(
            acting_user=acting_user, activity=activity, date=timezone.localtime(done_at).date()
        )
    for channel in (ActivityPublicity.Channel.BANNER, ActivityPublicity.Channel.NOTICE):
        activity_publicity_tick(acting_user=acting_user, activity=activity, channel=channel, done_at=done_at)
    return activity_publicise(acting_user=acting_user, activity=activity)


def _install_plan(year: int, *, acting_user, now: dt.datetime, created: dict) -> None:
    for spec in _plan(year):
        if Activity.objects.filter(title=spec["title"]).exists():
            continue
        month, day = spec["date"]
        starts_at = timezone.make_aware(dt.datetime(year, month, day, 9, 0))
        activity = activity_create(
            acting_user=acting_user,
            kind=spec["kind"],
            title=spec["title"],
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=3),
            place=PLACE,
            festival=spec.get("festival", ""),
            partner_name=spec.get("partner", ""),
            partner_contact="刘主任" if spec.get("partner") else "",
            partner_phone="02088886666" if spec.get("partner") else "",
            plan_text="活动方案：时间、地点、分工、物资、安全预案。",
        )
        created["activities"] += 1
        if activity.kind == K.BIRTHDAY_PARTY:
            activity_birthday_invitees_propose(acting_user=acting_user, activity=activity)
        if starts_at > now:
            continue  # ahead: stays planned
        activity = _publicise(activity, acting_user=acting_user, done_at=starts_at - dt.timedelta(days=7))
        if activity.kind == K.REPAIR_DAY and spec.get("festival") in ("mid_autumn", "double_ninth"):
            _repair_intake(activity, acting_user=acting_user, created=created)
        activity_hold(acting_user=acting_user, activity=activity)


def _repair_intake(activity: Activity, *, acting_user, created: dict) -> None:
    """Requests taken at the repair day; the first two are done by the engineering department."""
    orders = []
    for description, phone in (
        ("厨房水龙头漏水", "13800000011"),
        ("楼道感应灯不亮", "13800000012"),
        ("阳台晾衣架卡住", "13800000013"),
    ):
        item = activity_repair_intake(
            acting_user=acting_user,
            activity=activity,
            description=description,
            contact_name="陈先生",
            contact_phone=phone,
        )
        orders.append(item.work_order)
        created["work_orders"] += 1
    activity_repair_intake(
        acting_user=acting_user,
        activity=activity,
        description="卧室外墙裂缝渗水",
        out_of_scope=True,
        advice="属房屋质量问题，已告知联系开发商保修部门",
        contact_name="周女士",
    )
    assignee = (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__department__code="engineering")
        .order_by("pk")
        .first()
    )
    if assignee is None:
        return
    for order in orders[:2]:
        order = work_order_dispatch(
            work_order=order, acting_user=acting_user, department=order.department, assignee=assignee
        )
        order = work_order_start(work_order=order, acting_user=assignee)
        work_order_complete(work_order=order, acting_user=assignee, result_note="已现场维修完毕，业主确认。")


# --- the showcase: participants, photos, survey, report --------------------------------------

GUESTS = [
    ("张桂兰", "13900001001"),
    ("李建华", "13900001002"),
    ("王秀珍", "13900001003"),
    ("赵国强", "13900001004"),
    ("刘玉梅", "13900001005"),
    ("陈志明", "13900001006"),
    ("杨淑芬", "13900001007"),
    ("黄德明", "13900001008"),
]


def _participants(activity: Activity, *, acting_user) -> None:
    if activity.status != S.HELD or activity.participants.filter(name=GUESTS[0][0]).exists():
        return
    known = {p.name for p in activity.participants.all()}
    for name, phone in GUESTS:
        if name not in known:
            activity_participant_add(acting_user=acting_user, activity=activity, name=name, phone=phone)
    for i, participant in enumerate(activity.participants.order_by("pk")):
        if i % 5 != 4:  # most came; every fifth invitee did not
            activity_attendance_set(acting_user=acting_user, participant=participant, attended=True)


# Colours of the generated scenes, by kind: sky, ground, and the accents of the scene.
PALETTES = {
    K.FREE_CLINIC: ((170, 210, 240), (120, 170, 110), [(255, 255, 255), (220, 40, 40), (60, 120, 200)]),
    K.BIRTHDAY_PARTY: ((250, 220, 180), (200, 150, 110), [(240, 80, 110), (250, 200, 60), (120, 90, 200)]),
    K.REPAIR_DAY: ((190, 220, 235), (150, 150, 150), [(240, 140, 30), (40, 90, 160), (90, 90, 90)]),
    K.OTHER: ((200, 230, 210), (110, 160, 110), [(60, 140, 90), (250, 250, 250), (200, 120, 60)]),
}


def demo_scene_jpeg(kind: str, variant: int, *, size: tuple[int, int] = (1200, 800)) -> bytes:
    """A simple coloured scene (sky, ground, a tent or table, people, balloons) as JPEG bytes."""
    width, height = size
    sky, ground, accents = PALETTES.get(kind, PALETTES[K.OTHER])
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    horizon = int(height * (0.55 + 0.05 * (variant % 3)))
    for y in range(horizon):  # a soft gradient towards the horizon
        shade = tuple(min(255, c + (y * 40) // horizon) for c in sky)
        draw.line([(0, y), (width, y)], fill=shade)
    draw.rectangle([0, horizon, width, height], fill=ground)
    draw.ellipse([width - 220 - 60 * variant, 60, width - 120 - 60 * variant, 160], fill=(255, 236, 150))
    # the tent or table of the activity
    left = 120 + 90 * (variant % 4)
    main, second, third = accents
    draw.polygon([(left, horizon - 40), (left + 230, horizon - 220), (left + 460, horizon - 40)], fill=second)
    draw.rectangle([left + 20, horizon - 40, left + 440, horizon + 60], fill=main)
    if kind == K.FREE_CLINIC:  # a red cross on the tent
        cx, cy = left + 230, horizon + 10
        draw.rectangle([cx - 40, cy - 12, cx + 40, cy + 12], fill=(220, 40, 40))
        draw.rectangle([cx - 12, cy - 40, cx + 12, cy + 40], fill=(220, 40, 40))
    elif kind == K.BIRTHDAY_PARTY:  # a cake with candles
        cx = left + 230
        draw.rectangle([cx - 90, horizon - 10, cx + 90, horizon + 50], fill=(255, 245, 235))
        draw.rectangle([cx - 90, horizon - 10, cx + 90, horizon + 5], fill=(240, 80, 110))
        for i in range(5):
            x = cx - 60 + 30 * i
            draw.rectangle([x - 3, horizon - 40, x + 3, horizon - 10], fill=(250, 250, 250))
            draw.ellipse([x - 6, horizon - 55, x + 6, horizon - 38], fill=(250, 180, 40))
    elif kind == K.REPAIR_DAY:  # tools on the table
        draw.rectangle([left + 80, horizon - 5, left + 200, horizon + 10], fill=(90, 90, 90))
        draw.ellipse([left + 270, horizon - 20, left + 330, horizon + 40], outline=(40, 40, 40), width=8)
    # people: a head and a body each
    for i in range(4 + variant % 3):
        x = 80 + (i * 180 + variant * 47) % (width - 160)
        y = horizon + 90 + (i * 37) % 120
        colour = accents[(i + variant) % 3]
        draw.ellipse([x - 22, y - 110, x + 22, y - 66], fill=(240, 200, 170))
        draw.rounded_rectangle([x - 34, y - 64, x + 34, y + 40], radius=18, fill=colour)
    # balloons or bunting
    for i in range(6):
        x = 60 + i * (width - 120) // 5
        y = 120 + (i * 53 + variant * 31) % 140
        draw.line([(x, y + 35), (x + 10, y + 150)], fill=(90, 90, 90), width=2)
        draw.ellipse([x - 25, y - 35, x + 25, y + 35], fill=accents[i % 3])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


PHOTO_CAPTIONS = ["签到处", "活动现场", "居民参与", "志愿者服务", "合影留念", "活动花絮"]


def _photos(activity: Activity, *, acting_user, count: int) -> None:
    activity.refresh_from_db()
    if activity_photo_count(activity=activity):
        return
    for i in range(count):
        content = ContentFile(demo_scene_jpeg(activity.kind, i), name=f"demo-{i + 1}.jpg")
        activity_photo_add(
            acting_user=acting_user,
            activity=activity,
            file=content,
            title=f"{activity.title} · {PHOTO_CAPTIONS[i % len(PHOTO_CAPTIONS)]}",
        )


#: Ratings given by the demo answers, one list per answer (paper forms and web links).
DEMO_RATINGS = [5, 5, 4, 5, 3, 4]


def _survey(activity: Activity, *, acting_user) -> None:
    if Survey.objects.filter(activity=activity).exists():
        return
    survey = activity_survey_start(acting_user=acting_user, activity=activity, send_sms=False)
    questions = list(survey.template.questions.all())

    def answers(rating: int, i: int) -> dict:
        result = {}
        for question in questions:
            if question.kind == SurveyQuestion.Kind.RATING:
                result[question.pk] = rating
            elif question.kind == SurveyQuestion.Kind.SINGLE and question.option_list:
                result[question.pk] = question.option_list[i % len(question.option_list)]
            elif question.kind == SurveyQuestion.Kind.TEXT and i % 2 == 0:
                result[question.pk] = "活动组织得很好，希望多办几次。" if rating >= 4 else "排队时间有点长。"
        return result

    invitations = list(survey.invitations.order_by("pk"))
    for i, rating in enumerate(DEMO_RATINGS):
        if i < len(invitations) and i % 2 == 0:
            survey_answer_by_token(token=invitations[i].token, answers=answers(rating, i))
        else:
            survey_response_enter(survey=survey, answers=answers(rating, i), acting_user=acting_user)


def _report(activity: Activity, *, acting_user) -> None:
    if not activity.report_pages.filter(live=True).exists():
        page = activity_report_draft(acting_user=acting_user, activity=activity)
        page.get_latest_revision().publish(user=user_or_none(acting_user))
    activity.refresh_from_db()
    if activity.status == S.HELD:
        activity_mark_reported(acting_user=acting_user, activity=activity)


def _showcase(*, acting_user, now: dt.datetime) -> list[Activity]:
    chosen = []
    for kind in (K.FREE_CLINIC, K.BIRTHDAY_PARTY, K.REPAIR_DAY):
        activity = (
            Activity.objects.filter(kind=kind, status__in=(S.HELD, S.REPORTED), starts_at__lte=now)
            .order_by("-starts_at")
            .first()
        )
        if activity is not None:
            chosen.append(activity)
    for n, activity in enumerate(chosen):
        _participants(activity, acting_user=acting_user)
        _photos(activity, acting_user=acting_user, count=4 + n)
        _survey(activity, acting_user=acting_user)
        _report(activity, acting_user=acting_user)
    return chosen


def _upcoming(*, acting_user, now: dt.datetime, created: dict) -> None:
    if Activity.objects.filter(status=S.PUBLICISED, starts_at__gt=now).exists():
        return
    day = timezone.localdate() + dt.timedelta(days=6)
    starts_at = timezone.make_aware(dt.datetime(day.year, day.month, day.day, 14, 30))
    activity = activity_create(
        acting_user=acting_user,
        kind=K.OTHER,
        title=UPCOMING_TITLE,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place="服务中心二楼活动室",
        partner_name="社区卫生服务中心",
        partner_contact="刘主任",
        partner_phone="02088886666",
        plan_text="讲解心肺复苏、海姆立克急救法，现场演练。",
    )
    created["activities"] += 1
    _publicise(activity, acting_user=acting_user, done_at=timezone.now())


def activities_demo_data_install(*, acting_user=None) -> dict[str, int]:
    residents_demo_data_install(acting_user=acting_user)
    now = timezone.now()
    today = timezone.localdate()
    created = {"activities": 0, "work_orders": 0}
    first_party = dt.date(today.year, 3, 20)
    years = [today.year] if today > first_party else [today.year - 1, today.year]
    for year in years:
        _install_plan(year, acting_user=acting_user, now=now, created=created)
    _showcase(acting_user=acting_user, now=now)
    _upcoming(acting_user=acting_user, now=now, created=created)
    return created
