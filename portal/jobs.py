"""Periodic and queued work on Celery, with the tenant context carried explicitly (#16, DESIGN §2 and §16).

- **Task bases.** ``CenterTask`` runs in one center's schema: it refuses to be sent from head office's schema
  (or the template's) unless a center is named (``headers={"_schema_name": …}``), and refuses to run anywhere
  but in a center. ``HeadOfficeTask`` runs in the public schema whatever it was sent from. The schema travels
  in the task's headers (tenant-schemas-celery), so a task can run neither in the wrong schema nor in none.
- **Jobs.** A job is a function registered by name (``register_center_job`` for one center's work — it is
  called in that center's schema with ``center`` and ``now`` —, ``register_head_office_job`` for head office's).
  The beat schedule (``portal.settings.jobs``) runs ``fan_out(name)``, which queues ``run_center_job`` once per
  active center whose schema exists, each ``JOB_SPREAD_SECONDS / n`` apart; the management commands call the
  same functions. Every job is idempotent (safe to run twice), so a retry or a repeated beat is harmless.
- **Heartbeat.** Each run is recorded in ``JobRun`` (public schema): started, finished, centers done and failed
  with their codes and the last error. Head office's 定时任务 page (``/jobs/``) shows them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import F, Func, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from celery import shared_task
from django_tenants.utils import schema_context
from tenant_schemas_celery.task import TenantTask

logger = logging.getLogger("bianmin.jobs")


class NotInACenter(RuntimeError):
    """A center's task sent or run outside a center's schema."""


def _not_centers() -> tuple[str, ...]:
    return (settings.PUBLIC_SCHEMA_NAME, settings.TENANT_BASE_SCHEMA)


class CenterTask(TenantTask):
    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        headers = options.get("headers") or {}
        schema = headers.get("_schema_name") or connection.schema_name
        if schema in _not_centers():
            raise NotInACenter(f"{self.name} is a center's task: send it inside a center or name one")
        options["headers"] = {**headers, "_schema_name": schema}
        return super().apply_async(args, kwargs, **options)

    def __call__(self, *args, **kwargs):
        if connection.schema_name in _not_centers():
            raise NotInACenter(f"{self.name} ran in schema {connection.schema_name!r}, not in a center")
        return super().__call__(*args, **kwargs)


class HeadOfficeTask(TenantTask):
    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        options["headers"] = {**(options.get("headers") or {}), "_schema_name": settings.PUBLIC_SCHEMA_NAME}
        return super().apply_async(args, kwargs, **options)


# --- The registry -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., object]
    scope: str  # "center" or "head_office"
    label: object


_jobs: dict[str, Job] = {}


def register_center_job(name: str, run: Callable[..., object], *, label: object = "") -> None:
    """``run(center=…, now=…)`` in that center's schema; returns a short report (str or dict)."""
    _jobs[name] = Job(name, run, "center", label or name)


def register_head_office_job(name: str, run: Callable[..., object], *, label: object = "") -> None:
    """``run(now=…)`` in the public schema."""
    _jobs[name] = Job(name, run, "head_office", label or name)


def registered_jobs() -> dict[str, Job]:
    return dict(_jobs)


def job(name: str) -> Job:
    try:
        return _jobs[name]
    except KeyError:
        raise LookupError(f"no job named {name!r}") from None


# --- The heartbeat ------------------------------------------------------------------------------------


def _run_model():
    from portal.models import JobRun

    return JobRun


def _record(name: str, **changes) -> None:
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        _run_model().objects.filter(name=name).update(**changes)


# --- Fan-out and the tasks ----------------------------------------------------------------------------


def centers_to_run():
    """Active centers whose schema exists (a row whose schema is missing — a half restore — is skipped
    and logged; a center being created is invisible until its creation commits, schema and all)."""
    from tenants.models import ServiceCenter

    centers = list(ServiceCenter.objects.filter(status=ServiceCenter.Status.ACTIVE).order_by("code"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [[c.schema_name for c in centers]]
        )
        present = {row[0] for row in cursor.fetchall()}
    for center in centers:
        if center.schema_name not in present:
            logger.warning(
                "job fan-out: center %s has no schema %s, skipped", center.code, center.schema_name
            )
    return [center for center in centers if center.schema_name in present]


def fan_out_job(name: str, *, spread_seconds: int | None = None) -> int:
    """Queue job ``name`` once per center, spread over ``spread_seconds``; returns how many were queued."""
    spec = job(name)
    if spec.scope != "center":
        raise LookupError(f"{name!r} is not a center's job")
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        centers = centers_to_run()
        now = timezone.now()
        _run_model().objects.update_or_create(
            name=name,
            defaults={
                "started": now,
                "finished": None,
                "expected": len(centers),
                "done": 0,
                "failed": 0,
                "failed_centers": [],
                "last_error": "",
            },
        )
    spread = settings.JOB_SPREAD_SECONDS if spread_seconds is None else spread_seconds
    step = spread / len(centers) if centers else 0
    for index, center in enumerate(centers):
        run_center_job.apply_async(
            args=(name,),
            headers={"_schema_name": center.schema_name},
            countdown=round(index * step, 1),
        )
    return len(centers)


@shared_task(base=HeadOfficeTask, name="portal.jobs.fan_out", ignore_result=True)
def fan_out(name: str) -> int:
    return fan_out_job(name)


@shared_task(base=CenterTask, name="portal.jobs.run_center_job", ignore_result=True, acks_late=True)
def run_center_job(name: str) -> str:
    """One center's run of job ``name``; its outcome goes to the heartbeat, a failure never stops others."""
    from tenants.models import ServiceCenter

    center = connection.tenant
    if not isinstance(center, ServiceCenter):  # a schema set by name (schema_context): find its center
        center = ServiceCenter.objects.get(schema_name=connection.schema_name)
    started = time.monotonic()
    try:
        report = job(name).run(center=center, now=timezone.now())
    except Exception as exc:  # noqa: BLE001 - one center's failure must not stop the others
        logger.exception("job %s failed for center %s", name, center.code)
        _record(
            name,
            failed=F("failed") + 1,
            failed_centers=Func(F("failed_centers"), Value(center.code), function="array_append"),
            last_error=f"{center.code}: {type(exc).__name__}: {exc}"[:500],
            finished=timezone.now(),
        )
        return "failed"
    _record(name, done=F("done") + 1, finished=timezone.now())
    logger.info(
        "job %s done for center %s in %.2fs: %s", name, center.code, time.monotonic() - started, report
    )
    return str(report)


@shared_task(base=HeadOfficeTask, name="portal.jobs.head_office_job", ignore_result=True)
def head_office_job(name: str) -> str:
    spec = job(name)
    now = timezone.now()
    _run_model().objects.update_or_create(
        name=name,
        defaults={
            "started": now,
            "finished": None,
            "expected": 1,
            "done": 0,
            "failed": 0,
            "failed_centers": [],
        },
    )
    try:
        report = spec.run(now=now)
    except Exception as exc:
        logger.exception("head-office job %s failed", name)
        _record(name, failed=1, last_error=f"{type(exc).__name__}: {exc}"[:500], finished=timezone.now())
        raise
    _record(name, done=1, finished=timezone.now(), last_error="")
    return str(report)


def _daily_digest(*, now):
    from portal.digest import daily_digest_send

    return daily_digest_send(day=timezone.localdate(now))


def _signin_records_prune(*, now):
    from portal.signin import signin_records_prune_everywhere

    deleted = signin_records_prune_everywhere(now=now)
    return sum(sum(counts.values()) for counts in deleted.values())


def _spare_pool_refill(*, now):
    from tenants.spares import spare_pool_refill

    return spare_pool_refill()


def spare_pool_refill_queue(sender, center, **kwargs) -> None:
    """After a center is created (``tenants.signals.center_created``): make a spare in its place."""
    head_office_job.delay("spare_pool_refill")


register_head_office_job("daily_digest", _daily_digest, label=_("Head office's morning digest"))
register_head_office_job(
    "spare_pool_refill", _spare_pool_refill, label=_("Spare schemas for new centers made ahead")
)
register_head_office_job(
    "signin_records_prune", _signin_records_prune, label=_("Old sign-in records deleted")
)
