"""Service functions for centers: provisioning, suspending, reactivating.

Provisioning is one atomic function used by the portal form, the demo seed and the
``create_center`` command. It clones the migrated template schema (``tenants.cloning``, in
constant time however many centers exist), then runs the provisioning steps the apps registered
(``tenants.provisioning``): the center's Wagtail site and home page, staff groups, defaults and
first admin. PostgreSQL DDL is transactional, so when any step fails the whole transaction rolls
back: no schema, no tenant row, no domain.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.models import Collection, GroupApprovalTask, GroupCollectionPermission, GroupPagePermission

from django_tenants.utils import schema_context, schema_exists

from tenants.cloning import clone_template
from tenants.middleware import forget_center_hosts
from tenants.models import CenterAuditLog, Domain, ServiceCenter
from tenants.provisioning import (
    FIRST_ADMIN,
    GROUPS,
    NewCenter,
    provisioning_steps,
    register_provisioning_step,
)
from tenants.roles import CENTER_HEAD, ROLES
from tenants.signals import center_created
from tenants.spares import spare_schema_claim
from tenants.validators import normalize_code, normalize_domain

logger = logging.getLogger("bianmin.tenants")

# Serialises provisioning, so that a race for one code or domain ends in a clear message
# (the second request re-checks under the lock) rather than in a constraint error.
PROVISIONING_LOCK_ID = 0x6269616E  # "bian"


@dataclass(frozen=True)
class ProvisionedCenter:
    center: ServiceCenter
    domain: str
    admin_username: str
    admin_password: str
    password_generated: bool
    seconds: float
    from_spare: bool = False


def _validation_error(errors: dict[str, list[str]]) -> ValidationError:
    return ValidationError(
        {field: [ValidationError(msg) for msg in messages] for field, messages in errors.items()}
    )


def _clean_center_input(*, name: str, code: str, domain: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("Enter the center's name."))
    try:
        code = normalize_code(code)
    except ValidationError as exc:
        errors.setdefault("code", []).extend(exc.messages)
    try:
        domain = normalize_domain(domain)
    except ValidationError as exc:
        errors.setdefault("domain", []).extend(exc.messages)
    if "code" not in errors and "domain" not in errors:
        same = ServiceCenter.objects.filter(
            Q(code__iexact=code) | Q(schema_name__iexact=code), domains__domain=domain
        ).first()
        if same is not None:
            # The whole center exists already (typically the form sent twice): say it once.
            raise _validation_error(
                {
                    NON_FIELD_ERRORS: [
                        _(
                            "“%(name)s” already exists with the short code “%(code)s” and the domain “%(domain)s”."
                        )
                        % {"name": same.name, "code": code, "domain": domain}
                    ]
                }
            )
    if "code" not in errors:
        if (
            ServiceCenter.objects.filter(code__iexact=code).exists()
            or ServiceCenter.objects.filter(schema_name__iexact=code).exists()
        ):
            errors.setdefault("code", []).append(
                _("A center with the short code “%(code)s” already exists.") % {"code": code}
            )
        elif schema_exists(code, case_sensitive=False):
            errors.setdefault("code", []).append(
                _("“%(code)s” is reserved; choose another short code.") % {"code": code}
            )
    if "domain" not in errors and Domain.objects.filter(domain=domain).exists():
        errors.setdefault("domain", []).append(
            _("The domain “%(domain)s” is already in use.") % {"domain": domain}
        )
    if errors:
        raise _validation_error(errors)
    return name, code, domain


_template_verified = False


def check_template_is_current() -> None:
    """Refuse to clone a template that lacks a migration: the clone would fake it as applied.

    Checked once per process (migrations on disk do not change while it runs).
    """
    global _template_verified
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        _template_verified = False
        raise ValidationError(_("The center template is missing: run `manage.py migrate` first."))
    if _template_verified:
        return
    tenant_labels = {cfg.label for cfg in apps.get_app_configs() if cfg.name in settings.TENANT_APPS}
    leaves = {
        leaf
        for leaf in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
        if leaf[0] in tenant_labels
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT app, name FROM {connection.ops.quote_name(template)}.django_migrations"  # noqa: S608
        )
        applied = set(cursor.fetchall())
    if not leaves <= applied:
        raise ValidationError(_("The center template is out of date: run `manage.py migrate` first."))
    _template_verified = True


def center_create(
    *,
    name: str,
    code: str,
    domain: str,
    address: str = "",
    phone: str = "",
    service_hours: str = "",
    admin_username: str = "admin",
    admin_password: str | None = None,
    admin_name: str = "",
    admin_phone: str = "",
    admin_email: str = "",
    acting_username: str = "",
    validate_admin_password: bool = True,
) -> ProvisionedCenter:
    """Create a service center with its schema, domain, site, home page, groups and first admin.

    Raises ValidationError (messages in the active language) on bad input; nothing is created.
    """
    started = time.perf_counter()
    name, code, domain = _clean_center_input(name=name, code=code, domain=domain)
    admin_username = (admin_username or "").strip() or "admin"
    password_generated = not admin_password
    if password_generated:
        admin_password = secrets.token_urlsafe(9)
    elif validate_admin_password:
        try:
            validate_password(admin_password)
        except ValidationError as exc:
            raise _validation_error({"admin_password": exc.messages}) from exc
    check_template_is_current()
    if not connection.in_atomic_block:
        # A database session that has touched many centers carries large catalog caches, and
        # the thousands of catalog changes of a clone make PostgreSQL rebuild them: provisioning
        # on such a session grew from 0.4 s to 2.3 s over 200 centers, on a fresh one it stays
        # flat (tests/bench/bench_provisioning.py). Start from a fresh session.
        connection.close()

    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PROVISIONING_LOCK_ID])
            # Re-check under the lock: a concurrent creation may have committed meanwhile.
            name, code, domain = _clean_center_input(name=name, code=code, domain=domain)
            center = ServiceCenter(
                schema_name=code,
                code=code,
                name=name,
                address=address.strip(),
                phone=phone.strip(),
                service_hours=service_hours.strip(),
            )
            center.full_clean(exclude=["schema_name"])
            center.save()
            Domain.objects.create(domain=domain, tenant=center, is_primary=True)
            # A spare made ahead of time (tenants.spares) when one is ready, else a constant-time clone
            # of the migrated template (tenants.cloning explains why not django-tenants' clone_schema,
            # whose cost grows with the number of centers).
            spare = spare_schema_claim(schema_name=center.schema_name)
            if spare is None:
                clone_template(template=settings.TENANT_BASE_SCHEMA, new_schema=center.schema_name)
            new_center = NewCenter(
                center=center,
                domain=domain,
                admin_username=admin_username,
                admin_password=admin_password,
                admin_name=admin_name,
                admin_phone=admin_phone,
                admin_email=admin_email,
            )
            with schema_context(center.schema_name):
                # A spare ran the steps that do not depend on the center when it was made.
                for step in provisioning_steps(ahead=None if spare is None else False):
                    step.run(new_center)
            CenterAuditLog.objects.create(
                center=center,
                action="create",
                acting_username=acting_username,
                detail={
                    "domain": domain,
                    "admin_username": admin_username,
                    "spare": spare.schema_name if spare else "",
                },
            )
            transaction.on_commit(lambda: center_created.send(sender=ServiceCenter, center=center))
    except IntegrityError as exc:
        # Lost a race that the lock did not cover (another server process without the lock).
        raise _validation_error(
            {"domain": [_("The domain “%(domain)s” is already in use.") % {"domain": domain}]}
        ) from exc
    finally:
        connection.set_schema_to_public()

    seconds = time.perf_counter() - started
    logger.info(
        "center %s created in %.2fs by %s%s",
        code,
        seconds,
        acting_username or "-",
        " from a spare schema" if spare else "",
    )
    return ProvisionedCenter(
        center=center,
        domain=domain,
        admin_username=admin_username,
        admin_password=admin_password,
        password_generated=password_generated,
        seconds=seconds,
        from_spare=spare is not None,
    )


def _groups_step(new_center: NewCenter) -> None:
    """The staff groups of ``tenants.roles``, with their page permissions on the home page."""
    new_center.groups = _setup_groups(home=new_center.home)


def _first_admin_step(new_center: NewCenter) -> None:
    """The first admin: a superuser in the center head's group."""
    head_group = new_center.groups.get(CENTER_HEAD.code) or Group.objects.get(name=CENTER_HEAD.name)
    new_center.admin = _create_first_admin(
        username=new_center.admin_username,
        password=new_center.admin_password,
        name=new_center.admin_name,
        email=new_center.admin_email,
        groups=[head_group],
    )


# The steps tenants owns itself; the apps above register theirs in their AppConfig.ready().
register_provisioning_step(GROUPS, _groups_step, ahead=True)
register_provisioning_step(FIRST_ADMIN, _first_admin_step)


def _wanted_permissions() -> set[str]:
    wanted = {perm for role in ROLES for perm in role.permissions}
    wanted |= {
        f"{app}.{action}_{model}"
        for role in ROLES
        for action in role.media_permissions
        for app, model in MEDIA
    }
    wanted |= {f"wagtailcore.{codename}" for role in ROLES for codename in role.page_permissions}
    return wanted


MEDIA = (("wagtailimages", "image"), ("wagtaildocs", "document"))


def _permissions_by_key(wanted: set[str]) -> dict[str, Permission]:
    by_key = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in Permission.objects.select_related("content_type").filter(
            codename__in={key.split(".", 1)[1] for key in wanted}
        )
    }
    missing = wanted - by_key.keys()
    if missing:
        raise RuntimeError(f"permissions missing from the schema: {sorted(missing)}")
    return by_key


def _media_collection(role):
    root = Collection.get_first_root_node()
    if not role.media_collection:
        return root
    existing = root.get_children().filter(name=role.media_collection).first()
    return existing or root.add_child(name=role.media_collection)


def _setup_groups(*, home) -> dict[str, Group]:
    # Wagtail's own default groups would be confusing beside ours; its default moderation
    # workflow is handed to the center head instead.
    Group.objects.filter(name__in=["Editors", "Moderators"]).delete()
    by_key = _permissions_by_key(_wanted_permissions())
    groups: dict[str, Group] = {}
    for role in ROLES:
        group = Group.objects.create(name=role.name)
        group.permissions.set([by_key[p] for p in role.permissions])
        if home is not None:  # no website step registered: no pages to grant
            GroupPagePermission.objects.bulk_create(
                GroupPagePermission(group=group, page=home, permission=by_key[f"wagtailcore.{codename}"])
                for codename in role.page_permissions
            )
        collection = _media_collection(role)
        GroupCollectionPermission.objects.bulk_create(
            GroupCollectionPermission(
                group=group, collection=collection, permission=by_key[f"{app}.{action}_{model}"]
            )
            for app, model in MEDIA
            for action in role.media_permissions
        )
        if role.moderates:
            for task in GroupApprovalTask.objects.all():
                task.groups.add(group)
        groups[role.code] = group
    return groups


@transaction.atomic
def center_roles_sync() -> list[str]:
    """Give the current center's staff groups the model permissions their role has now.

    For centers created before a role gained permissions (new features). Adds missing groups
    and missing permissions; never removes what a center head granted on top. Returns the
    names of groups that changed.
    """
    by_key = _permissions_by_key({perm for role in ROLES for perm in role.permissions})
    changed = []
    for role in ROLES:
        group, created = Group.objects.get_or_create(name=role.name)
        have = set(group.permissions.values_list("pk", flat=True))
        missing = [by_key[p] for p in role.permissions if by_key[p].pk not in have]
        if missing:
            group.permissions.add(*missing)
        if (
            role.media_collection
            and role.media_permissions
            and _move_media_permissions(group=group, role=role)
        ):
            missing = missing or ["media"]
        if created or missing:
            changed.append(role.name)
    return changed


def _move_media_permissions(*, group, role) -> bool:
    """Move a role's media permissions from the root collection to its own collection."""
    on_root = GroupCollectionPermission.objects.filter(
        group=group, collection=Collection.get_first_root_node()
    )
    if not on_root.exists():
        return False
    target = _media_collection(role)
    for grant in on_root:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=target, permission=grant.permission
        )
    on_root.delete()
    return True


def _create_first_admin(*, username, password, name, email, groups):
    user = get_user_model().objects.create_superuser(username=username, email=email or "", password=password)
    if name:
        user.first_name = name.strip()[:150]
        user.save(update_fields=["first_name"])
    user.groups.set(groups)
    return user


@transaction.atomic
def center_suspend(*, center: ServiceCenter, acting_username: str, reason: str = "") -> ServiceCenter:
    """Suspend a center: its domain answers 503 with a notice until it is reactivated."""
    center = ServiceCenter.objects.select_for_update().get(pk=center.pk)
    if center.status == ServiceCenter.Status.SUSPENDED:
        raise ValidationError(_("“%(name)s” is already suspended.") % {"name": center.name})
    center.status = ServiceCenter.Status.SUSPENDED
    center.status_changed = timezone.now()
    center.save(update_fields=["status", "status_changed"])
    CenterAuditLog.objects.create(
        center=center, action="suspend", acting_username=acting_username, detail={"reason": reason}
    )
    # Now (this process sees the change at once) and after commit (no request re-caches the old state).
    forget_center_hosts(center)
    transaction.on_commit(lambda: forget_center_hosts(center))
    return center


@transaction.atomic
def center_reactivate(*, center: ServiceCenter, acting_username: str) -> ServiceCenter:
    """Reactivate a suspended center."""
    center = ServiceCenter.objects.select_for_update().get(pk=center.pk)
    if center.status == ServiceCenter.Status.ACTIVE:
        raise ValidationError(_("“%(name)s” is already active.") % {"name": center.name})
    center.status = ServiceCenter.Status.ACTIVE
    center.status_changed = timezone.now()
    center.save(update_fields=["status", "status_changed"])
    CenterAuditLog.objects.create(center=center, action="reactivate", acting_username=acting_username)
    # Now (this process sees the change at once) and after commit (no request re-caches the old state).
    forget_center_hosts(center)
    transaction.on_commit(lambda: forget_center_hosts(center))
    return center


@transaction.atomic
def center_two_factor_set(*, center: ServiceCenter, required: bool, acting_username: str) -> ServiceCenter:
    """Require (or stop requiring) two-factor sign-in of the center's heads and administrators. They are
    asked to set it up at their next request to the center's admin (portal.twofactor)."""
    center = ServiceCenter.objects.select_for_update().get(pk=center.pk)
    if center.require_head_two_factor == required:
        return center
    center.require_head_two_factor = required
    center.save(update_fields=["require_head_two_factor"])
    CenterAuditLog.objects.create(
        center=center,
        action="two_factor_on" if required else "two_factor_off",
        acting_username=acting_username,
        detail={},
    )
    forget_center_hosts(center)
    transaction.on_commit(lambda: forget_center_hosts(center))
    return center
