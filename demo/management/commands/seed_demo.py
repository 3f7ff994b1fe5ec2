"""Seed the demo: a head-office admin and three service centers with Chinese data.

Safe to run again: what exists is reused (never duplicated) and the demo passwords are
reset to DEMO_PASSWORD (or the default) so that the printed logins always work.
"""

import os
from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from django_tenants.utils import schema_context

from operations.services.defaults import center_defaults_install
from tenants.models import ServiceCenter
from tenants.services import center_create, center_roles_sync

DEFAULT_DEMO_PASSWORD = "Bianmin@2026"  # noqa: S105 - the documented demo login, printed by make demo

DEMO_CENTERS = [
    {
        "name": "阳光花园服务中心",
        "code": "yangguang",
        "domain": "yangguang.localhost",
        "address": "上海市浦东新区阳光路 88 号阳光花园 3 号楼底商",
        "phone": "021-5088 6601",
        "service_hours": "每日 8:00–20:00(节假日照常)",
        "admin_name": "王建国",
        "admin_phone": "13816601234",
        "intro": "<p>阳光花园服务中心为小区 1,286 户业主提供前台便民服务:工具借用、老花镜与医药箱、"
        "报修受理、独居老人关爱探访与社区文化活动。</p>",
    },
    {
        "name": "翠湖苑服务中心",
        "code": "cuihu",
        "domain": "cuihu.localhost",
        "address": "杭州市西湖区翠湖路 16 号翠湖苑会所一楼",
        "phone": "0571-8765 4321",
        "service_hours": "每日 8:30–18:30",
        "admin_name": "李秀英",
        "admin_phone": "13957112345",
        "intro": "<p>翠湖苑服务中心:首问负责、一次性告知、限时办结。有事请找前台。</p>",
    },
    {
        "name": "锦绣华庭服务中心",
        "code": "jinxiu",
        "domain": "jinxiu.localhost",
        "address": "南京市鼓楼区锦绣街 9 号锦绣华庭 A 座大堂",
        "phone": "025-8432 1188",
        "service_hours": "周一至周日 8:00–19:00",
        "admin_name": "陈志强",
        "admin_phone": "13770561188",
        "intro": "<p>锦绣华庭服务中心每季度举办义工维修日与集体生日会,欢迎业主参与。</p>",
    },
]


class Command(BaseCommand):
    help = "Create or refresh the demo head office and service centers, then print URLs and logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        port = options["port"]
        self.ensure_head_office_admin(password)
        for spec in DEMO_CENTERS:
            self.ensure_center(spec, password)
        # End of the demo day: overdue loans reach the desk and the head-office count.
        call_command("close_lending_day", stdout=StringIO())
        self.print_summary(password, port, password_from_env=bool(os.environ.get("DEMO_PASSWORD")))

    @transaction.atomic
    def ensure_head_office_admin(self, password: str) -> None:
        from portal.roles import head_office_roles_sync

        head_office_roles_sync()
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "总部管理员"}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(("created" if created else "reused") + " head-office user admin")
        auditor, _ = user_model.objects.get_or_create(username="auditor", defaults={"first_name": "总部督查"})
        auditor.is_staff, auditor.is_superuser = True, False
        auditor.set_password(password)
        auditor.save()
        auditor.groups.add(Group.objects.get(name="总部督查"))

    def ensure_center(self, spec: dict, password: str) -> None:
        center = ServiceCenter.objects.filter(code=spec["code"]).first()
        if center is None:
            result = center_create(
                name=spec["name"],
                code=spec["code"],
                domain=spec["domain"],
                address=spec["address"],
                phone=spec["phone"],
                service_hours=spec["service_hours"],
                admin_username="admin",
                admin_password=password,
                admin_name=spec["admin_name"],
                admin_phone=spec["admin_phone"],
                acting_username="seed_demo",
                validate_admin_password=False,
            )
            center = result.center
            self.stdout.write(f"created center {center.code} in {result.seconds:.2f}s")
        else:
            self.stdout.write(f"reused center {center.code}")
        with schema_context(center.schema_name), transaction.atomic():
            center_roles_sync()
            center_defaults_install()
            admin = self.ensure_center_admin(spec, password)
            self.ensure_home_intro(spec)
            self.install_operations_demo(admin, password)

    def install_operations_demo(self, admin, password: str) -> None:
        """Realistic day-to-day records of each area; every installer is idempotent."""
        from operations.services.demo_activities import activities_demo_data_install
        from operations.services.demo_complaints import complaints_demo_data_install
        from operations.services.demo_guide import guide_demo_data_install
        from operations.services.demo_lending import lending_demo_data_install
        from operations.services.demo_residents import residents_demo_data_install
        from operations.services.demo_roster import roster_demo_data_install
        from operations.services.demo_stock import stock_demo_data_install
        from operations.services.demo_work_orders import work_orders_demo_data_install

        residents_demo_data_install(acting_user=admin)
        roster_demo_data_install(acting_user=admin, password=password)
        guide_demo_data_install()
        work_orders_demo_data_install(acting_user=admin, password=password)
        complaints_demo_data_install()
        lending_demo_data_install()
        stock_demo_data_install(acting_user=admin)
        activities_demo_data_install()

    @staticmethod
    def ensure_center_admin(spec: dict, password: str):
        from operations.models import StaffProfile

        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(
            username="admin",
            defaults={"is_staff": True, "is_superuser": True, "first_name": spec["admin_name"]},
        )
        user.is_active = user.is_superuser = True
        user.set_password(password)
        user.save()
        StaffProfile.objects.get_or_create(user=user, defaults={"phone": spec["admin_phone"]})
        return user

    @staticmethod
    def ensure_home_intro(spec: dict) -> None:
        from cms.models import HomePage
        from cms.setup import center_pages_install

        home = HomePage.objects.first()
        if home is not None and not home.intro:
            home.intro = spec["intro"]
            home.save_revision().publish()
        if home is not None:
            center_pages_install(home=home)
            Command.ensure_demo_notices(home)

    # About a dozen notices per demo center, every category: one urgent, one pinned, one
    # scheduled to go live in a few days and one already expired (both hidden from residents).
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

    @staticmethod
    def ensure_demo_notices(home) -> None:
        """Publish the demo notices missing under the center's 通知公告 list (matched by slug)."""
        import datetime

        from django.utils import timezone
        from django.utils.html import escape

        from cms.models import NoticeIndexPage, NoticePage

        index = NoticeIndexPage.objects.child_of(home).first()
        if index is None:
            return
        now, today = timezone.now(), timezone.localdate()
        existing = set(NoticePage.objects.child_of(index).values_list("slug", flat=True))
        for spec in Command.DEMO_NOTICES:
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

    def print_summary(self, password: str, port: str, password_from_env: bool) -> None:
        suffix = "" if str(port) in ("80", "") else f":{port}"
        base = f"http://{settings.BASE_DOMAIN}{suffix}"
        lines = [
            "",
            "=" * 72,
            "便民服务中心云 demo is ready",
            "=" * 72,
            f"Head office portal   {base}/",
            "  login: admin / " + password + "   (read-only auditor: auditor / " + password + ")",
        ]
        for center in ServiceCenter.objects.prefetch_related("domains").order_by("code"):
            domain = next((d.domain for d in center.domains.all() if d.is_primary), None)
            if not domain:
                continue
            site = f"http://{domain}{suffix}"
            lines += [
                f"{center.name} [{center.get_status_display()}]",
                f"  site   {site}/",
                f"  admin  {site}/admin/   login: admin / "
                + (password if center.code in {c["code"] for c in DEMO_CENTERS} else "(set when created)"),
            ]
        from operations.services.demo_roster import DEMO_STAFF

        staff = ", ".join(f"{username} ({group})" for username, _name, group, _dept, _phone in DEMO_STAFF)
        lines += [
            "",
            f"Staff of each demo center (same password, to try the roles): {staff}",
            "Password from DEMO_PASSWORD."
            if password_from_env
            else f"Default demo password {password!r}; set DEMO_PASSWORD to choose another.",
            "Each center has its own users: a login works only on its own host.",
            "Stop everything with: make stop",
            "=" * 72,
        ]
        self.stdout.write("\n".join(lines))
