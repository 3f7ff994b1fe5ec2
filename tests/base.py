"""The tenant-aware base of the suite: test centers and a TestCase bound to one of them.

django-tenants' ``TenantTestCase`` builds a schema per class and never runs
``setUpTestData`` (DESIGN §5); ours reuses the session's centers and builds shared data in
``setUp``.
"""

from django.db import connection
from django.test import Client, TestCase

from django_tenants.utils import schema_context, schema_exists

from tenants.models import ServiceCenter
from tenants.services import center_create, center_roles_sync

TEST_PASSWORD = "Test-pass-2026"  # noqa: S105

TEST_CENTERS = {
    "alpha": {"name": "阿尔法服务中心", "domain": "alpha.localhost", "phone": "021-1111 0001"},
    "beta": {"name": "贝塔服务中心", "domain": "beta.localhost", "phone": "021-2222 0002"},
}


def ensure_test_centers() -> None:
    """Provision the test centers once; reuse them when the test database is reused."""
    for code, spec in TEST_CENTERS.items():
        center = ServiceCenter.objects.filter(code=code).first()
        if center is not None and schema_exists(center.schema_name):
            # A reused test database: bring the staff groups' permissions up to tenants.roles.
            with schema_context(center.schema_name):
                center_roles_sync()
            continue
        if center is not None:  # a row without its schema: an interrupted earlier run
            center.domains.all().delete()
            center.audit_log.all().delete()
            center.delete()
        center_create(
            name=spec["name"],
            code=code,
            domain=spec["domain"],
            phone=spec["phone"],
            address="测试路 1 号",
            service_hours="每日 8:00–18:00",
            admin_username="admin",
            admin_password=f"{code}-{TEST_PASSWORD}",
            admin_name=f"{code} 管理员",
            validate_admin_password=False,
        )


class CenterTestCase(TestCase):
    """A TestCase that runs in one test center's schema, with a client on its host."""

    center_code = "alpha"

    def setUp(self):
        super().setUp()
        self.center = ServiceCenter.objects.get(code=self.center_code)
        self.domain = TEST_CENTERS[self.center_code]["domain"]
        self.client = Client(HTTP_HOST=self.domain)
        connection.set_tenant(self.center)

    def tearDown(self):
        connection.set_schema_to_public()
        super().tearDown()
