"""The demo head office and its three service centers, each with a realistic working month.

Everything goes through the real services: provisioning (``center_create``), the center's
defaults and roles, then the demo datasets of each area. Every step is idempotent, so a
second ``seed_demo`` reuses what exists and only resets the demo logins' passwords.
"""

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from cms.models import HomePage
from cms.services.evaluations import evaluation_publish, previous_month
from cms.setup import center_pages_install
from demo.activities import activities_demo_data_install
from demo.appointments import appointments_demo_data_install
from demo.complaints import complaints_demo_data_install
from demo.elders import elders_demo_data_install
from demo.guide import guide_demo_data_install
from demo.history import HISTORY_MONTHS, history_demo_data_install
from demo.lending import lending_demo_data_install
from demo.notices import notices_demo_data_install
from demo.proposals import proposals_demo_data_install
from demo.residents import residents_demo_data_install
from demo.roster import roster_demo_data_install
from demo.stock import stock_demo_data_install
from demo.work_orders import work_orders_demo_data_install
from operations.models import StaffProfile
from operations.services.defaults import center_defaults_install
from operations.services.kpis import kpis_publish, kpis_publish_months
from portal.kpis import months_ending
from portal.models import KpiThreshold
from portal.roles import head_office_roles_sync
from portal.services import kpi_thresholds_set
from portal.twofactor import AUTHENTICATOR_NAME, RECOVERY_CODE_COUNT, RECOVERY_NAME
from tenants.models import ServiceCenter
from tenants.services import center_create, center_roles_sync

HISTORY_DAYS = 35  # day rows for the digest and the last weeks

DEMO_CENTERS = [
    {
        "name": "阳光花园服务中心",
        "code": "yangguang",
        "domain": "yangguang.localhost",
        "address": "上海市浦东新区阳光路 88 号阳光花园 3 号楼底商",
        "phone": "021-5088 6601",
        "service_hours": "每日 8:00–20:00（节假日照常）",
        "region": "上海片区",
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
        "region": "浙江片区",
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
        "region": "江苏片区",
        "admin_name": "陈志强",
        "admin_phone": "13770561188",
        "intro": "<p>锦绣华庭服务中心每季度举办义工维修日与集体生日会,欢迎业主参与。</p>",
    },
]


@dataclass(frozen=True)
class CenterSeeded:
    center: ServiceCenter
    created: bool
    seconds: float = 0.0  # of provisioning, when created


@transaction.atomic
def head_office_demo_install(*, password: str) -> bool:
    """The head office's ``admin`` (superuser) and ``auditor`` (总部督查); True when admin was created."""
    head_office_roles_sync()
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "总部管理员"}
    )
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    auditor, _ = user_model.objects.get_or_create(username="auditor", defaults={"first_name": "总部督查"})
    auditor.is_staff, auditor.is_superuser = True, False
    auditor.set_password(password)
    auditor.save()
    auditor.groups.add(Group.objects.get(name="总部督查"))
    for account in (user, auditor):
        demo_authenticator_install(user=account)
    if not KpiThreshold.objects.exists():
        # Head office's own marks for a busy month: a few breaches are amber, not red.
        kpi_thresholds_set(
            marks={
                "work_orders_breached": (Decimal(3), Decimal(8)),
                "work_orders_overdue": (Decimal(3), Decimal(8)),
                "escalations_open": (Decimal(1), Decimal(2)),
            },
            acting_username="seed_demo",
        )
    return created


def center_demo_install(*, spec: dict, password: str) -> CenterSeeded:
    """Provision the demo center of ``spec`` unless it exists, then install its demo data."""
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
        seeded = CenterSeeded(center=result.center, created=True, seconds=result.seconds)
    else:
        seeded = CenterSeeded(center=center, created=False)
    if seeded.center.region != spec["region"]:
        ServiceCenter.objects.filter(pk=seeded.center.pk).update(region=spec["region"])
    with schema_context(seeded.center.schema_name), transaction.atomic():
        center_roles_sync()
        center_defaults_install()
        admin = _center_admin(spec, password)
        _home_page(spec)
        _operations(admin, password)
        history_demo_data_install(center_code=spec["code"])
        proposals_demo_data_install(center_code=spec["code"], acting_user=admin)
        appointments_demo_data_install(center_code=spec["code"])
        # Head office's rollup of the demo's story, recomputed from its records (the services keep
        # only what changes now): a year of months, the last weeks day by day; last month's
        # 服务承诺与满意度 on the site.
        today = timezone.localdate()
        kpis_publish_months(months=months_ending(today, HISTORY_MONTHS), center=seeded.center)
        kpis_publish(days=[today - dt.timedelta(days=n) for n in range(HISTORY_DAYS)], center=seeded.center)
        evaluation_publish(month=previous_month(today))
    return seeded


def _center_admin(spec: dict, password: str):
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


def _home_page(spec: dict) -> None:
    home = HomePage.objects.first()
    if home is None:
        return
    if not home.intro:
        home.intro = spec["intro"]
        home.save_revision().publish()
    center_pages_install(home=home)
    notices_demo_data_install(home=home)


def _operations(admin, password: str) -> None:
    """Realistic day-to-day records of each area, in this order (later areas use earlier ones)."""
    residents_demo_data_install(acting_user=admin)
    roster_demo_data_install(acting_user=admin, password=password)
    guide_demo_data_install()
    work_orders_demo_data_install(acting_user=admin, password=password)
    complaints_demo_data_install()
    lending_demo_data_install()
    stock_demo_data_install(acting_user=admin)
    activities_demo_data_install(acting_user=admin)
    elders_demo_data_install(acting_user=admin, password=password)  # invited to this quarter's party


#: The head office's demo accounts sign in with two factors like real ones (portal.twofactor). Their
#: authenticator holds this published demo key, and their recovery codes are reset on every seed.
DEMO_AUTHENTICATOR_KEY = b"bianmin-demo-2fa-key"


def demo_authenticator_key() -> str:
    """The demo key as an authenticator app takes it (base32, in groups of four)."""
    secret = base64.b32encode(DEMO_AUTHENTICATOR_KEY).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def demo_recovery_codes(username: str) -> list[str]:
    return [
        hashlib.sha256(f"demo-{username}-{n}".encode()).hexdigest()[:8] for n in range(RECOVERY_CODE_COUNT)
    ]


def demo_authenticator_install(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, confirmed=True, key=DEMO_AUTHENTICATOR_KEY.hex()
    )
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=code) for code in demo_recovery_codes(user.get_username())]
    )
