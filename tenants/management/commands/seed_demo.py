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

    DEMO_NOTICES = [
        (
            "water-outage",
            "明日 9:00–15:00 3 号楼停水通知",
            "utilities",
            True,
            "因二次供水水箱清洗，明日 9:00–15:00 3 号楼暂停供水，请提前储水。给您带来不便，敬请谅解。",
        ),
        (
            "mid-autumn-repair-day",
            "中秋义工维修日活动预告",
            "event",
            False,
            "中秋节前，服务中心将在小区广场举办义工维修日，免费修理小家电、自行车、磨刀等，欢迎业主参加。",
        ),
        (
            "winter-reminder",
            "冬季防火防滑温馨提示",
            "reminder",
            False,
            "冬季天干物燥，请勿在楼道堆放杂物；雨雪天气请注意防滑，老人出行请结伴。",
        ),
    ]

    @staticmethod
    def ensure_demo_notices(home) -> None:
        from cms.models import NoticeIndexPage, NoticePage

        index = NoticeIndexPage.objects.child_of(home).first()
        if index is None:
            return
        for slug, title, category, urgent, text in Command.DEMO_NOTICES:
            if NoticePage.objects.child_of(index).filter(slug=slug).exists():
                continue
            notice = NoticePage(
                title=title,
                slug=slug,
                category=category,
                urgent=urgent,
                body=[("paragraph_block", f"<p>{text}</p>")],
            )
            index.add_child(instance=notice)
            notice.save_revision().publish()

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
