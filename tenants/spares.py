"""Spare schemas: centers made ahead of time, so that creating one takes a fraction of a second.

Cloning the template and running the provisioning steps that do not depend on the center (its pages,
staff groups and defaults: ``tenants.provisioning``, ``ahead=True``) takes most of a creation. A small
pool of such schemas is kept ready under names no center can have (``_spare_…``: a short code starts
with a letter), each recorded by a ``SpareSchema`` row in the public schema. ``center_create`` claims
one inside its transaction — renames the schema to the center's code and deletes the row — then runs
only the steps that name the center (Site hostname and title, first admin); when the creation fails,
the rollback gives the spare its name and row back. With no spare ready it clones as before.

The pool is topped up by ``spare_pool_refill``: after each creation (a background job, ``portal.jobs``),
every ten minutes (the beat schedule) and after ``migrate``. A spare carries the fingerprint of the
template's migration state and of the ahead steps it ran; one that no longer matches is never claimed
and the next refill drops it, so a deployment with new migrations rebuilds the pool. ``SPARE_SCHEMAS``
sets the size (0 turns the pool off).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from django_tenants.utils import quote_schema_name, schema_context, schema_exists

from tenants.cloning import clone_template, template_fingerprint
from tenants.models import SpareSchema
from tenants.provisioning import NewCenter, provisioning_steps

logger = logging.getLogger("bianmin.tenants")

SPARE_PREFIX = "_spare_"
# Held (for the session) by the one refill that runs at a time, so that two do not overfill the pool.
REFILL_LOCK_ID = 0x73706172  # "spar"


def spare_fingerprint() -> str:
    """The template's migration state and the ahead steps: what a spare must match to be claimed."""
    with connection.cursor() as cursor:
        migrations = template_fingerprint(cursor, settings.TENANT_BASE_SCHEMA)
    steps = hashlib.sha256(
        "\n".join(step.name for step in provisioning_steps(ahead=True)).encode()
    ).hexdigest()[:12]
    return f"{migrations[0]}.{migrations[1]}.{steps}"


def spare_schema_claim(*, schema_name: str) -> SpareSchema | None:
    """Rename a ready spare to ``schema_name`` inside the caller's transaction; None when none is ready.

    The caller's rollback undoes the claim (the spare keeps its name and row).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("spare_schema_claim runs inside the creation's transaction")
    if getattr(settings, "SPARE_SCHEMAS", 0) <= 0 and not SpareSchema.objects.exists():
        return None
    fingerprint = spare_fingerprint()
    connection.set_schema_to_public()
    while True:
        spare = (
            SpareSchema.objects.select_for_update(skip_locked=True)
            .filter(fingerprint=fingerprint)
            .order_by("created", "id")
            .first()
        )
        if spare is None:
            return None
        spare.delete()
        if schema_exists(spare.schema_name):
            break
        logger.warning("spare schema %s was recorded but does not exist; skipped", spare.schema_name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER SCHEMA {quote_schema_name(spare.schema_name)} RENAME TO {quote_schema_name(schema_name)}"
        )
    return spare


def spare_schema_prepare() -> SpareSchema:
    """Make one spare: clone the template and run the ahead steps in it, atomically."""
    from tenants.services import check_template_is_current  # services claims spares: import here

    check_template_is_current()
    started = time.perf_counter()
    schema_name = f"{SPARE_PREFIX}{secrets.token_hex(6)}"
    try:
        with transaction.atomic():
            fingerprint = spare_fingerprint()
            clone_template(template=settings.TENANT_BASE_SCHEMA, new_schema=schema_name)
            placeholder = NewCenter(center=None, domain="", admin_username="", admin_password="")
            with schema_context(schema_name):
                for step in provisioning_steps(ahead=True):
                    step.run(placeholder)
            spare = SpareSchema.objects.create(
                schema_name=schema_name, fingerprint=fingerprint, seconds=time.perf_counter() - started
            )
    finally:
        connection.set_schema_to_public()
    return spare


def _spare_drop(spare: SpareSchema) -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Deferred foreign-key checks of a spare made in this same transaction would block the drop.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(spare.schema_name)} CASCADE")
        SpareSchema.objects.filter(pk=spare.pk).delete()


@dataclass
class SpareRefill:
    made: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    ready: int = 0
    skipped: bool = False  # another refill was running

    def __str__(self):
        if self.skipped:
            return "another refill is running"
        return f"{self.ready} ready, {len(self.made)} made, {len(self.dropped)} stale dropped"


def spare_pool_refill(*, size: int | None = None) -> SpareRefill:
    """Drop the spares that no longer match the template, then make spares until ``size`` are ready.

    ``size`` defaults to ``settings.SPARE_SCHEMAS``. One refill runs at a time (a transaction-level
    advisory lock): a second one returns at once. All in one transaction (the caller's, if any).
    """
    size = getattr(settings, "SPARE_SCHEMAS", 0) if size is None else size
    refill = SpareRefill()
    if size <= 0 and not SpareSchema.objects.exists():
        return refill
    if not connection.in_atomic_block:
        # A session that has touched many centers carries large catalog caches that a clone's catalog
        # changes make PostgreSQL rebuild (see center_create): start from a fresh one.
        connection.close()
    try:
        with transaction.atomic():
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFILL_LOCK_ID])
                if not cursor.fetchone()[0]:
                    refill.skipped = True
                    return refill
            fingerprint = spare_fingerprint()
            stale = list(SpareSchema.objects.exclude(fingerprint=fingerprint))
            surplus = list(SpareSchema.objects.filter(fingerprint=fingerprint).order_by("created", "id"))[
                size:
            ]
            for spare in stale + surplus:
                _spare_drop(spare)
                refill.dropped.append(spare.schema_name)
            refill.ready = SpareSchema.objects.filter(fingerprint=fingerprint).count()
            while refill.ready < size:
                spare = spare_schema_prepare()
                refill.made.append(spare.schema_name)
                refill.ready += 1
    finally:
        connection.set_schema_to_public()
    if refill.made or refill.dropped:
        logger.info("spare schemas: %s", refill)
    return refill


def spare_schema_names() -> set[str]:
    """The schemas that are recorded spares (not orphans, not centers)."""
    return set(SpareSchema.objects.values_list("schema_name", flat=True))
