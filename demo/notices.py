"""The demo notices of every demo center: a dozen realistic ones, every category, one urgent,
one pinned, one scheduled to go live in a few days and one already expired.
"""

import datetime

from django.utils import timezone
from django.utils.html import escape

from cms.models import NoticeIndexPage, NoticePage

# The scheduled and the expired notice are hidden from residents.
DEMO_NOTICES = [
    {
        "slug": "water-outage",
        "title": "明日 9:00–15:00 3 号楼停水通知",
        "category": "utilities",
        "urgent": True,
        "days_ago": 0,
        "text": [
            "因二次供水水箱清洗消毒，明日 9:00–15:00 3 号楼暂停供水，请提前储水。",
            "恢复供水初期水质可能发黄，请放水 3–5 分钟后再使用。给您带来不便，敬请谅解。",
        ],
    },
    {
        "slug": "service-promise",
        "title": "服务中心联系方式与服务承诺",
        "category": "policy",
        "pinned": True,
        "days_ago": 60,
        "text": [
            "服务中心实行首问负责、一次性告知、限时办结：报修 24 小时内上门，投诉 2 个工作日内答复。",
            "前台提供工具借用、老花镜与医药箱、复印打印等便民服务，欢迎业主来访或来电。",
        ],
    },
    {
        "slug": "power-maintenance",
        "title": "本周四 22:00 至次日 2:00 配电房检修停电通知",
        "category": "utilities",
        "days_ago": 1,
        "text": [
            "供电公司将于本周四 22:00 至次日 2:00 对小区 2 号配电房进行年度检修，1–4 号楼停电。",
            "停电期间电梯暂停运行，请勿乘坐；家中冰箱请提前调低温度，医疗设备请备好电源。",
        ],
    },
    {
        "slug": "mid-autumn-repair-day",
        "title": "中秋义工维修日活动预告",
        "category": "event",
        "days_ago": 3,
        "text": [
            "中秋节前，服务中心将在小区广场举办义工维修日，免费修理小家电、自行车、磨刀等，欢迎业主参加。",
            "房屋结构等质量问题请到前台登记，由工程部另行安排检查。",
        ],
    },
    {
        "slug": "free-clinic",
        "title": "社区义诊活动预告：测血压、测血糖、健康咨询",
        "category": "event",
        "days_ago": 5,
        "text": [
            "服务中心联合社区卫生服务中心在会所一楼举办义诊，为居民免费测量血压、血糖，提供用药咨询。",
            "请携带医保卡和近期病历；行动不便的老人可提前致电前台预约上门。",
        ],
    },
    {
        "slug": "birthday-party",
        "title": "本季度集体生日会报名通知",
        "category": "event",
        "days_ago": 7,
        "text": [
            "本季度生日的长者和业主可到前台报名参加集体生日会，现场有蛋糕、长寿面和文艺节目。",
            "报名截止到活动前三天，名额有限，先到先得。",
        ],
    },
    {
        "slug": "winter-reminder",
        "title": "冬季防火防滑温馨提示",
        "category": "reminder",
        "days_ago": 9,
        "text": [
            "冬季天干物燥，请勿在楼道堆放杂物，电动自行车请勿入户充电。",
            "雨雪天气请注意防滑，老人出行请结伴，夜间出行请走有照明的道路。",
        ],
    },
    {
        "slug": "elevator-inspection",
        "title": "5 号楼电梯年检暂停使用提示",
        "category": "reminder",
        "days_ago": 12,
        "text": [
            "5 号楼 1 号电梯将于下周二 9:00–12:00 进行年度检验，期间暂停使用，2 号电梯正常运行。",
            "如有老人、孕妇需要协助上下楼，请致电前台，工作人员将上门帮助。",
        ],
    },
    {
        "slug": "waste-sorting",
        "title": "生活垃圾分类投放宣传",
        "category": "policy",
        "days_ago": 15,
        "text": [
            "根据《生活垃圾管理条例》，请将垃圾分为可回收物、有害垃圾、湿垃圾和干垃圾，定时定点投放。",
            "每日 7:00–9:00、18:00–20:00 投放点有志愿者值守指导，大件垃圾请预约清运。",
        ],
    },
    {
        "slug": "anti-fraud",
        "title": "防范电信诈骗，守护长者钱袋子",
        "category": "policy",
        "days_ago": 20,
        "text": [
            "近期冒充医保、快递客服的诈骗电话增多。凡是要求转账、提供验证码的，一律是诈骗。",
            "如有疑问请先挂断电话，拨打 96110 咨询，或到服务中心前台求助。",
        ],
    },
    {
        "slug": "gas-safety",
        "title": "燃气安全紧急提示：闻到燃气味怎么办",
        "category": "emergency",
        "days_ago": 25,
        "text": [
            "闻到燃气味时请立即关闭燃气总阀，打开门窗通风，不要开关电器、不要使用明火或在室内打电话。",
            "到室外安全处拨打燃气公司抢修电话，并告知服务中心值班人员。",
        ],
    },
    {
        "slug": "spring-festival-hours",
        "title": "春节期间服务时间调整通知",
        "category": "reminder",
        "go_live_in_days": 3,
        "text": [
            "春节期间服务中心前台服务时间调整为每日 9:00–17:00，报修与应急值班电话 24 小时畅通。",
            "祝各位业主新春快乐、阖家幸福！",
        ],
    },
    {
        "slug": "national-day-parking",
        "title": "国庆假期访客车辆停放安排",
        "category": "policy",
        "expired_days_ago": 10,
        "days_ago": 40,
        "text": [
            "国庆假期访客车辆较多，请访客车辆停放在地面临时车位，勿占用消防通道。",
            "假期结束后恢复正常停车管理。",
        ],
    },
]


def notices_demo_data_install(*, home) -> None:
    """Publish the demo notices missing under the center's 通知公告 list (matched by slug)."""
    index = NoticeIndexPage.objects.child_of(home).first()
    if index is None:
        return
    now, today = timezone.now(), timezone.localdate()
    existing = set(NoticePage.objects.child_of(index).values_list("slug", flat=True))
    for spec in DEMO_NOTICES:
        if spec["slug"] in existing:
            continue
        notice = NoticePage(
            title=spec["title"],
            slug=spec["slug"],
            category=spec["category"],
            urgent=spec.get("urgent", False),
            pinned=spec.get("pinned", False),
            date=today - datetime.timedelta(days=spec.get("days_ago", 0)),
            body=[("paragraph_block", f"<p>{escape(text)}</p>") for text in spec["text"]],
            live=False,
        )
        if "go_live_in_days" in spec:
            # Scheduled: Wagtail keeps it unpublished until publish_scheduled reaches go_live_at.
            notice.go_live_at = now + datetime.timedelta(days=spec["go_live_in_days"])
            notice.date = today + datetime.timedelta(days=spec["go_live_in_days"])
        if "expired_days_ago" in spec:
            notice.go_live_at = now - datetime.timedelta(days=spec.get("days_ago", 0))
            notice.expire_at = now - datetime.timedelta(days=spec["expired_days_ago"])
        index.add_child(instance=notice)
        notice.save_revision().publish()
        if "expired_days_ago" in spec:
            # What publish_scheduled does once expire_at has passed.
            notice.refresh_from_db()
            notice.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
