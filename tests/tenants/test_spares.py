"""Spare schemas (tenants.spares): centers made ahead of time, claimed by center_create."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from wagtail.models import GroupPagePermission, Page, Site

import pytest
from django_tenants.utils import schema_context, schema_exists

from cms.models import HomePage
from operations.models import StaffProfile
from portal.settings.jobs import CELERY_BEAT_SCHEDULE
from tenants import services, spares
from tenants.models import CenterAuditLog, ServiceCenter, SpareSchema
from tenants.repair import centers_inconsistencies
from tenants.roles import ROLES

pytestmark = pytest.mark.django_db

GOOD = {"name": "新苑服务中心", "code": "xinyuan", "domain": "xinyuan.localhost"}


def create(**overrides):
    return services.center_create(**{**GOOD, **overrides})


def table_counts(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", [schema])
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def spare():
    return spares.spare_schema_prepare()


def test_a_spare_holds_what_does_not_name_a_center(spare):
    assert spare.schema_name.startswith("_spare_") and schema_exists(spare.schema_name)
    assert spare.fingerprint == spares.spare_fingerprint()
    with schema_context(spare.schema_name):
        site = Site.objects.get()
        assert site.hostname == "localhost"  # no center's domain: a spare is never served
        assert [page.slug for page in site.root_page.get_children()] == ["notices", "reports", "guide"]
        assert set(Group.objects.values_list("name", flat=True)) == {role.name for role in ROLES}
        assert not get_user_model().objects.exists()
    connection.set_schema_to_public()


def test_creating_a_center_claims_the_spare(spare):
    result = create(admin_name="赵敏", admin_phone="13800001111", acting_username="hq")
    assert result.from_spare
    assert not SpareSchema.objects.exists()
    assert not schema_exists(spare.schema_name) and schema_exists("xinyuan")
    entry = CenterAuditLog.objects.get(center=result.center, action="create")
    assert entry.detail["spare"] == spare.schema_name
    with schema_context("xinyuan"):
        site = Site.objects.get()
        assert (site.hostname, site.site_name, site.is_default_site) == (
            "xinyuan.localhost",
            "新苑服务中心",
            True,
        )
        home = site.root_page.specific
        assert isinstance(home, HomePage) and home.title == home.draft_title == "新苑服务中心"
        admin = get_user_model().objects.get(username="admin")
        assert admin.check_password(result.admin_password) and admin.first_name == "赵敏"
        assert list(admin.groups.values_list("name", flat=True)) == ["中心负责人"]
        assert StaffProfile.objects.get(user=admin).phone == "13800001111"
        head = Group.objects.get(name="中心负责人")
        assert GroupPagePermission.objects.filter(
            group=head, page=home, permission__codename="publish_page"
        ).exists()
    connection.set_schema_to_public()
    # The site answers on the center's host with the center's name.
    response = Client().get("/", HTTP_HOST="xinyuan.localhost")
    assert response.status_code == 200 and "新苑服务中心" in response.content.decode()
    connection.set_schema_to_public()
    assert ServiceCenter.objects.get(code="xinyuan").schema_name == "xinyuan"


def test_a_center_from_a_spare_has_the_same_rows_as_one_from_a_clone(spare):
    """Every table of a claimed spare holds as many rows as a center provisioned the cold way."""
    warm = create()
    cold = create(name="东湖服务中心", code="donghu", domain="donghu.localhost")
    assert warm.from_spare and not cold.from_spare
    assert table_counts("xinyuan") == table_counts("donghu")
    with schema_context("xinyuan"):
        warm_pages = list(Page.objects.order_by("path").values_list("depth", "slug", "live"))
    with schema_context("donghu"):
        cold_pages = list(Page.objects.order_by("path").values_list("depth", "slug", "live"))
    assert warm_pages == cold_pages


def test_a_failed_creation_gives_the_spare_back(spare, monkeypatch):
    def broken_admin(**kwargs):
        raise RuntimeError("injected failure after the spare was claimed")

    monkeypatch.setattr(services, "_create_first_admin", broken_admin)
    with pytest.raises(RuntimeError, match="injected failure"):
        create()
    assert not schema_exists("xinyuan")
    assert not ServiceCenter.objects.filter(code="xinyuan").exists()
    assert list(SpareSchema.objects.values_list("schema_name", flat=True)) == [spare.schema_name]
    assert schema_exists(spare.schema_name)
    assert connection.schema_name == "public"
    monkeypatch.undo()
    assert create().from_spare  # still good for the next creation


def test_a_stale_spare_is_not_claimed_and_the_refill_replaces_it(spare):
    SpareSchema.objects.filter(pk=spare.pk).update(fingerprint="0.0.stale")
    assert not create().from_spare  # cloned instead
    assert schema_exists(spare.schema_name)

    refill = spares.spare_pool_refill(size=1)
    assert refill.dropped == [spare.schema_name] and len(refill.made) == 1 and refill.ready == 1
    assert not schema_exists(spare.schema_name)
    assert list(SpareSchema.objects.values_list("schema_name", flat=True)) == refill.made
    assert SpareSchema.objects.get().fingerprint == spares.spare_fingerprint()


def test_a_new_template_migration_makes_spares_stale(spare):
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{settings.TENANT_BASE_SCHEMA}".django_migrations (app, name, applied) '
            "VALUES ('cms', '9999_later', now())"
        )
    assert spares.spare_fingerprint() != spare.fingerprint
    assert spares.spare_schema_claim(schema_name="anything") is None


def test_refill_tops_up_and_trims_the_pool():
    assert spares.spare_pool_refill(size=0).ready == 0 and not SpareSchema.objects.exists()
    first = spares.spare_pool_refill(size=2)
    assert len(first.made) == 2 and first.ready == 2
    assert all(schema_exists(name) for name in first.made)
    again = spares.spare_pool_refill(size=2)
    assert (again.made, again.dropped, again.ready) == ([], [], 2)
    trimmed = spares.spare_pool_refill(size=1)
    assert trimmed.dropped == [first.made[1]] and trimmed.ready == 1
    assert not schema_exists(first.made[1])


def test_a_spare_is_no_orphan_for_repair(spare):
    survey = centers_inconsistencies()
    assert spare.schema_name not in {finding.subject for finding in survey.findings}
    assert spare.schema_name not in survey.foreign_schemas


def test_a_creation_queues_a_refill(settings, django_capture_on_commit_callbacks):
    """After the commit, the refill job (eager here) makes a spare in place of the one used."""
    settings.SPARE_SCHEMAS = 1
    with django_capture_on_commit_callbacks(execute=True):
        assert not create().from_spare
    assert SpareSchema.objects.count() == 1
    assert CELERY_BEAT_SCHEDULE["spare-pool-refill"]["args"] == ("spare_pool_refill",)
    with django_capture_on_commit_callbacks(execute=True):
        assert create(name="东湖服务中心", code="donghu", domain="donghu.localhost").from_spare
    assert SpareSchema.objects.count() == 1


def test_migrate_rebuilds_the_pool(spare, settings):
    """After ``migrate`` the spares match the template again: stale ones dropped, the pool topped up."""
    from io import StringIO

    from django.core.management import call_command

    settings.SPARE_SCHEMAS = 2
    SpareSchema.objects.filter(pk=spare.pk).update(fingerprint="0.0.before-a-migration")
    out = StringIO()
    call_command("migrate", interactive=False, verbosity=1, stdout=out)
    assert "Spare schemas for new centers: 2 ready, 2 made, 1 stale dropped." in out.getvalue()
    assert not schema_exists(spare.schema_name)
    assert set(SpareSchema.objects.values_list("fingerprint", flat=True)) == {spares.spare_fingerprint()}
