"""The centers of ``make reliability`` (tests/reliability/load_faults.py runs this in a process of its own).

    DJANGO_SETTINGS_MODULE=portal.settings.demo DATABASE_URL=… python tests/reliability/load_setup.py \\
        --centers 50 --password … --out var/reliability/centers.json

Migrates, then creates the centers ``lt001`` … with the real provisioning (``tenants.services.center_create``)
and a light version of the demo's data through the demo's own installers: the home page and its notices,
buildings and residents, the staff roster (accounts ``zhangmin`` … with ``--password``), the service guide
with first inquiries, work orders and complaints — so that staff lists are not empty — plus one survey open
to every resident. About 8 s a center, once: a center that has its survey is complete and is reused by
later runs. Writes what the locust users need (hosts, notice pages, the survey's questions) as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from django_tenants.utils import schema_context  # noqa: E402

from cms.models import NoticePage  # noqa: E402
from demo import centers as demo_centers  # noqa: E402
from demo.complaints import complaints_demo_data_install  # noqa: E402
from demo.guide import guide_demo_data_install  # noqa: E402
from demo.residents import residents_demo_data_install  # noqa: E402
from demo.roster import roster_demo_data_install  # noqa: E402
from demo.work_orders import work_orders_demo_data_install  # noqa: E402
from operations.models import Survey, SurveyTemplate  # noqa: E402
from operations.services.surveys import survey_create  # noqa: E402
from tenants.models import ServiceCenter  # noqa: E402
from tenants.services import center_create  # noqa: E402

SURVEY_TITLE = "压测满意度调查"
STAFF = ("zhangmin", "lijing")  # 前台客服: inquiries, work orders, complaints (tenants.roles)


def spec_for(index: int) -> dict:
    code = f"lt{index:03d}"
    return {
        "name": f"压测{index:03d}号服务中心",
        "code": code,
        "domain": f"{code}.localhost",
        "address": f"压测路 {index} 号",
        "phone": f"021-5555 {index:04d}",
        "service_hours": "每日 8:00–20:00",
        "region": "压测片区",
        "admin_name": "压测管理员",
        "admin_phone": "13800000000",
        "intro": "<p>压测用服务中心。</p>",
    }


def seed(spec: dict, password: str) -> None:
    """The light demo data of one center (every installer is idempotent), then the public survey."""
    with schema_context(spec["code"]), transaction.atomic():
        admin = demo_centers._center_admin(spec, password)
        demo_centers._home_page(spec)
        residents_demo_data_install(acting_user=admin)
        roster_demo_data_install(acting_user=admin, password=password)
        guide_demo_data_install()
        work_orders_demo_data_install(acting_user=admin, password=password)
        complaints_demo_data_install()
        today = timezone.localdate()
        survey_create(
            title=SURVEY_TITLE,
            template=SurveyTemplate.objects.filter(is_active=True).order_by("pk").first(),
            acting_user=admin,
            period_start=today - dt.timedelta(days=7),
            period_end=today + dt.timedelta(days=365),
            is_public=True,
        )


def describe(spec: dict) -> dict:
    with schema_context(spec["code"]):
        survey = Survey.objects.get(title=SURVEY_TITLE)
        notices = [page.get_url_parts()[2] for page in NoticePage.objects.live().order_by("-pk")[:8]]
        questions = [
            {"id": question.pk, "kind": question.kind, "choices": question.option_list}
            for question in survey.template.questions.all()
        ]
    return {
        "code": spec["code"],
        "host": spec["domain"],
        "notices": [path for path in notices if path],
        "survey": {"id": survey.pk, "questions": questions},
        "staff": list(STAFF),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--centers", type=int, default=50)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"  migrated in {time.perf_counter() - started:.0f} s", flush=True)
    centers = []
    created = 0
    for index in range(1, args.centers + 1):
        spec = spec_for(index)
        connection.set_schema_to_public()
        center = ServiceCenter.objects.filter(code=spec["code"]).first()
        if center is None:
            center_create(
                name=spec["name"],
                code=spec["code"],
                domain=spec["domain"],
                address=spec["address"],
                phone=spec["phone"],
                service_hours=spec["service_hours"],
                admin_username="admin",
                admin_password=args.password,
                admin_name=spec["admin_name"],
                admin_phone=spec["admin_phone"],
                acting_username="reliability",
                validate_admin_password=False,
            )
        with schema_context(spec["code"]):
            complete = Survey.objects.filter(title=SURVEY_TITLE).exists()
        if not complete:
            # The demo's history notifies staff as it is written: no SMS or e-mail leaves for it.
            with override_settings(
                SMS_BACKEND="operations.sms.LocmemSmsBackend",
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            ):
                seed(spec, args.password)
            created += 1
            print(f"  center {spec['code']} ready ({time.perf_counter() - started:.0f} s)", flush=True)
        centers.append(describe(spec))
    connection.set_schema_to_public()
    Path(args.out).write_text(json.dumps(centers, ensure_ascii=False, indent=1))
    print(
        f"  {len(centers)} centers ({created} seeded now) in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
