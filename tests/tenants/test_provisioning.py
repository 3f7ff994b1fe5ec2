import threading

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import translation

from wagtail.models import GroupApprovalTask, GroupPagePermission, Site

import pytest
from django_tenants.utils import schema_context, schema_exists

from cms.models import HomePage
from operations.models import StaffProfile
from tenants import provisioning, services
from tenants.models import CenterAuditLog, Domain, ServiceCenter
from tenants.roles import ROLES
from tests.factories import make_user

pytestmark = pytest.mark.django_db

GOOD = {"name": "新苑服务中心", "code": "xinyuan", "domain": "xinyuan.localhost"}


def create(**overrides):
    return services.center_create(**{**GOOD, **overrides})


class TestCenterCreate:
    def test_creates_schema_domain_site_home_groups_and_admin(self):
        result = create(
            address="北京市朝阳区新苑路 1 号",
            phone="010-1234 5678",
            service_hours="每日 8:00–18:00",
            admin_name="赵敏",
            admin_phone="13800001111",
            admin_email="zhao@example.com",
            acting_username="hq",
        )
        center = result.center
        assert center.schema_name == "xinyuan"
        assert schema_exists("xinyuan")
        assert Domain.objects.get(domain="xinyuan.localhost").tenant == center
        assert result.password_generated and len(result.admin_password) >= 12
        assert CenterAuditLog.objects.filter(center=center, action="create", acting_username="hq").exists()

        with schema_context("xinyuan"):
            site = Site.objects.get()
            assert (site.hostname, site.port, site.is_default_site) == (
                "xinyuan.localhost",
                settings.SITE_PORT,
                True,
            )
            home = site.root_page.specific
            assert isinstance(home, HomePage) and home.title == "新苑服务中心" and home.live
            # The site starts with notices, reports and the guide (cms.setup.center_pages_install).
            assert [(p.title, p.slug, p.live) for p in home.get_children()] == [
                ("通知公告", "notices", True),
                ("活动报道", "reports", True),
                ("办事指南", "guide", True),
            ]
            assert set(Group.objects.values_list("name", flat=True)) == {role.name for role in ROLES}
            admin = get_user_model().objects.get(username="admin")
            assert admin.is_superuser and admin.first_name == "赵敏" and admin.email == "zhao@example.com"
            assert admin.check_password(result.admin_password)
            assert list(admin.groups.values_list("name", flat=True)) == ["中心负责人"]
            assert StaffProfile.objects.get(user=admin).phone == "13800001111"
            head = Group.objects.get(name="中心负责人")
            assert head.permissions.filter(codename="access_admin").exists()
            assert set(
                GroupPagePermission.objects.filter(group=head, page=home).values_list(
                    "permission__codename", flat=True
                )
            ) >= {"add_page", "change_page", "publish_page"}
            officer = Group.objects.get(name="社区文化活动专员")
            assert not GroupPagePermission.objects.filter(
                group=officer, permission__codename="publish_page"
            ).exists()
            assert all(head in task.groups.all() for task in GroupApprovalTask.objects.all())

    def test_given_password_is_kept_and_validated(self, zh):
        result = create(admin_username="boss", admin_password="Xinyuan-2026!")
        with schema_context("xinyuan"):
            assert get_user_model().objects.get(username="boss").check_password("Xinyuan-2026!")
        assert not result.password_generated
        with pytest.raises(ValidationError) as err:
            create(code="other", domain="other.localhost", admin_password="123")
        assert "admin_password" in err.value.message_dict

    def test_bare_label_and_uppercase_are_normalised(self):
        result = create(code="XinYuan", domain="  HTTP://XinYuan  ")
        assert result.center.code == "xinyuan"
        assert result.domain == f"xinyuan.{settings.BASE_DOMAIN}"


BAD_INPUT = [
    ({"name": "  "}, "name", "请输入服务中心名称"),
    ({"domain": "xin_yuan.localhost"}, "domain", "下划线"),
    ({"domain": "xin yuan.localhost"}, "domain", "空格"),
    ({"domain": "xin-.localhost"}, "domain", "不是有效的域名"),
    ({"domain": settings.BASE_DOMAIN}, "domain", "总部"),
    ({"code": "public"}, "code", "保留"),
    ({"code": settings.TENANT_BASE_SCHEMA}, "code", "保留"),
    ({"code": "pg_catalog"}, "code", "保留"),
    ({"code": "1abc"}, "code", "简码"),
    ({"code": ""}, "code", "请输入简码"),
]


class TestCenterCreateBadInput:
    @pytest.mark.parametrize(("overrides", "field", "fragment"), BAD_INPUT)
    def test_clear_chinese_message_and_nothing_created(self, overrides, field, fragment, zh):
        tenants_before = ServiceCenter.objects.count()
        with pytest.raises(ValidationError) as err:
            create(**overrides)
        messages = " ".join(err.value.message_dict[field])
        assert fragment in messages
        assert ServiceCenter.objects.count() == tenants_before
        assert not schema_exists("xinyuan")

    def test_duplicate_code_and_domain(self, center_a, zh):
        with pytest.raises(ValidationError) as err:
            create(code="alpha")
        assert "简码" in " ".join(err.value.message_dict["code"])
        with pytest.raises(ValidationError) as err:
            create(domain="alpha.localhost")
        assert "已被使用" in " ".join(err.value.message_dict["domain"])
        # Both of one existing center (the form sent twice): one message that it exists already.
        with pytest.raises(ValidationError) as err:
            create(code="alpha", domain="alpha.localhost")
        assert list(err.value.message_dict) == ["__all__"]
        assert center_a.name in err.value.message_dict["__all__"][0]
        assert ServiceCenter.objects.filter(code="alpha").count() == 1

    def test_messages_in_english_when_english_is_active(self):
        with translation.override("en"), pytest.raises(ValidationError) as err:
            create(domain="bad_domain")
        assert "underscores" in err.value.message_dict["domain"][0]


class TestCenterCreateIsAtomic:
    def test_failure_at_the_last_step_leaves_nothing(self, monkeypatch):
        def broken_admin(**kwargs):
            raise RuntimeError("injected failure after schema, site and groups were created")

        monkeypatch.setattr(services, "_create_first_admin", broken_admin)
        before = (ServiceCenter.objects.count(), Domain.objects.count(), CenterAuditLog.objects.count())
        with pytest.raises(RuntimeError, match="injected failure"):
            create()
        assert not schema_exists("xinyuan")
        assert not ServiceCenter.objects.filter(code="xinyuan").exists()
        assert not Domain.objects.filter(domain="xinyuan.localhost").exists()
        assert (
            ServiceCenter.objects.count(),
            Domain.objects.count(),
            CenterAuditLog.objects.count(),
        ) == before
        assert connection.schema_name == "public"

    def test_failure_of_a_registered_step_leaves_nothing(self, monkeypatch):
        """A step an app registered (here: after every other) fails: no schema, no rows."""

        def broken_step(new_center):
            assert new_center.home is not None and new_center.admin is not None  # earlier steps ran
            raise RuntimeError("injected failure in the last registered step")

        monkeypatch.setattr(provisioning, "_steps", dict(provisioning._steps))
        provisioning.register_provisioning_step(provisioning.PROFILE + 1, broken_step)
        assert provisioning.provisioning_steps()[-1].run is broken_step
        with pytest.raises(RuntimeError, match="injected failure"):
            create()
        assert not schema_exists("xinyuan")
        assert not ServiceCenter.objects.filter(code="xinyuan").exists()
        assert not Domain.objects.filter(domain="xinyuan.localhost").exists()
        assert connection.schema_name == "public"


def test_every_app_registers_its_provisioning_step_in_order():
    """cms, operations and tenants fill the registry; tenants imports neither (DESIGN "Layers")."""
    steps = [(step.order, step.name, step.ahead) for step in provisioning.provisioning_steps()]
    assert steps == [
        # Ahead: they do not name the center, so a spare schema runs them when it is made (tenants.spares).
        (provisioning.SITE, "cms.provisioning.center_site_install", True),
        (provisioning.GROUPS, "tenants.services._groups_step", True),
        (provisioning.DEFAULTS, "operations.provisioning.center_operations_install", True),
        (provisioning.SITE_NAME, "cms.provisioning.center_site_name", False),
        (provisioning.FIRST_ADMIN, "tenants.services._first_admin_step", False),
        (provisioning.PROFILE, "operations.provisioning.first_admin_profile_create", False),
    ]


@pytest.mark.django_db(transaction=False)
def test_concurrent_creations_of_one_domain_one_wins(django_db_blocker):
    """Two requests race for the same domain, each in its own committed transaction."""
    results: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def attempt(code):
        try:
            barrier.wait(timeout=10)
            results[code] = services.center_create(name=f"并发{code}", code=code, domain="race.localhost")
        except ValidationError as exc:
            results[code] = exc
        finally:
            connections.close_all()

    def cleanup():
        try:
            for code in ("racea", "raceb"):
                center = ServiceCenter.objects.filter(code=code).first()
                if center:
                    with connection.cursor() as cursor:
                        cursor.execute(f'DROP SCHEMA IF EXISTS "{code}" CASCADE')
                    Domain.objects.filter(tenant=center).delete()
                    CenterAuditLog.objects.filter(center=center).delete()
                    center.delete()
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=attempt, args=(code,)) for code in ("racea", "raceb")]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            winners = [r for r in results.values() if isinstance(r, services.ProvisionedCenter)]
            losers = [r for r in results.values() if isinstance(r, ValidationError)]
            assert len(winners) == 1 and len(losers) == 1, results
            assert "domain" in losers[0].message_dict
        finally:
            t = threading.Thread(target=cleanup)
            t.start()
            t.join()


class TestCreateCenterCommand:
    def test_prints_what_it_created(self, capsys):
        call_command(
            "create_center",
            "--name",
            "新苑服务中心",
            "--code",
            "xinyuan",
            "--domain",
            "xinyuan.localhost",
            "--admin-username",
            "boss",
            "--admin-password",
            "Xinyuan-2026!",
        )
        out = capsys.readouterr().out
        assert (
            "新苑服务中心" in out and "xinyuan.localhost" in out and "boss" in out and "Xinyuan-2026!" in out
        )
        assert schema_exists("xinyuan")

    def test_bad_input_raises_command_error_with_message(self, zh):
        with pytest.raises(CommandError) as err:
            call_command("create_center", "--name", "坏", "--code", "public", "--domain", "bad_domain")
        assert "保留" in str(err.value) and "下划线" in str(err.value)
        assert not ServiceCenter.objects.filter(name="坏").exists()


def test_template_schema_is_fully_migrated():
    """`migrate` keeps the template current, so cloned centers never miss a migration."""
    from django.apps import apps

    template = settings.TENANT_BASE_SCHEMA
    assert schema_exists(template)
    assert not Domain.objects.filter(tenant__schema_name=template).exists()
    tenant_labels = {cfg.label for cfg in apps.get_app_configs() if cfg.name in settings.TENANT_APPS}
    leaves = {
        leaf
        for leaf in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
        if leaf[0] in tenant_labels
    }
    assert {"cms", "operations", "wagtailcore"} <= {app for app, _ in leaves}
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{template}".django_migrations')
        applied = set(cursor.fetchall())
    assert leaves <= applied, f"template schema misses migrations: {sorted(leaves - applied)}"


def test_a_stale_template_is_refused_not_cloned(monkeypatch, zh):
    """A template missing a migration would be cloned with that migration faked as applied."""
    monkeypatch.setattr(services, "_template_verified", False)
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{settings.TENANT_BASE_SCHEMA}".django_migrations WHERE app = %s '
            "AND name = (SELECT max(name) FROM "
            f'"{settings.TENANT_BASE_SCHEMA}".django_migrations WHERE app = %s)',
            ["cms", "cms"],
        )
    with pytest.raises(ValidationError, match="manage.py migrate"):
        create()
    assert not schema_exists("xinyuan")


def test_center_absolute_url_uses_the_primary_domain(center_a, in_center):
    from tenants.selectors import center_absolute_url, center_base_url

    with in_center(center_a):
        assert center_base_url() == "http://alpha.localhost"
        assert center_absolute_url("/admin/x/") == "http://alpha.localhost/admin/x/"
        assert center_absolute_url("https://example.com/") == "https://example.com/"


def test_activity_officer_media_stays_out_of_other_collections(center_a, in_center):
    """The officer uploads website media but never browses e.g. the complaint scans' collection."""
    from wagtail.documents import get_document_model
    from wagtail.models import Collection
    from wagtail.permissions import policy_registry

    permission_policy = policy_registry.get_by_type(get_document_model())

    with in_center(center_a):
        root = Collection.get_first_root_node()
        private = root.add_child(name="投诉书面材料")
        officer = make_user("officer", "社区文化活动专员")
        head = make_user("head", "中心负责人")
        officer_collections = {
            c.name for c in permission_policy.collections_user_has_permission_for(officer, "choose")
        }
        assert officer_collections == {"网站素材"}
        head_collections = set(permission_policy.collections_user_has_permission_for(head, "choose"))
        assert private in head_collections


def test_roles_sync_moves_media_rights_off_the_root_collection(center_a, in_center):
    from wagtail.models import Collection, GroupCollectionPermission

    with in_center(center_a):
        officer = Group.objects.get(name="社区文化活动专员")
        root = Collection.get_first_root_node()
        grant = GroupCollectionPermission.objects.filter(group=officer).first()
        GroupCollectionPermission.objects.filter(group=officer).update(collection=root)  # an old center
        assert "社区文化活动专员" in services.center_roles_sync()
        assert not GroupCollectionPermission.objects.filter(group=officer, collection=root).exists()
        assert GroupCollectionPermission.objects.filter(group=officer, permission=grant.permission).exists()
        assert services.center_roles_sync() == []
