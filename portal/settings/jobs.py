"""Background work: Celery with Redis, tenant-aware (#16; ``portal.celery_app``, ``portal.jobs``).

Periodic jobs are one beat schedule (``CELERY_BEAT_SCHEDULE``): each entry runs a fan-out task in head office's
schema that queues the job once per active center, spread over ``JOB_SPREAD_SECONDS`` so that a thousand centers
do not hit the database in the same second. The management commands run the same functions by hand.
"""

import os

from celery.schedules import crontab

_redis = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", _redis)
# No broker: tasks run in the sending process (the demo without Redis; tests say so themselves).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves it to another (every task is idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "bianmin"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# tenant-schemas-celery: the worker keeps a center's row this long between tasks.
CELERY_TASK_TENANT_CACHE_SECONDS = 30
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get("CELERY_BEAT_SCHEDULE_FILENAME", "var/celerybeat-schedule")

#: Over how many seconds a fan-out spreads its centers (at most the job's own interval).
JOB_SPREAD_SECONDS = int(os.environ.get("JOB_SPREAD_SECONDS", "300"))

CELERY_BEAT_SCHEDULE = {
    # Every center: deadlines, overdue complaints, elders not reached, scheduled pages, booking reminders,
    # today's open counts, and what other apps register (operations.hooks.center_jobs).
    "center-jobs": {"task": "portal.jobs.fan_out", "schedule": 600.0, "args": ("center_jobs",)},
    # End of the lending day: overdue loans to the desk and head office.
    "lending-day-close": {
        "task": "portal.jobs.fan_out",
        "schedule": crontab(hour=21, minute=0),
        "args": ("lending_day_close",),
    },
    # The nightly recompute of head office's rollups (yesterday and today).
    "kpis-recompute": {
        "task": "portal.jobs.fan_out",
        "schedule": crontab(hour=2, minute=30),
        "args": ("kpis_recompute",),
    },
    # The monthly elder-care figures (this month and the last), on the first of each month.
    "elder-months-publish": {
        "task": "portal.jobs.fan_out",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),
        "args": ("elder_months_publish",),
    },
    # Head office's own: the morning digest and the sign-in records' retention.
    "daily-digest": {
        "task": "portal.jobs.head_office_job",
        "schedule": crontab(hour=7, minute=30),
        "args": ("daily_digest",),
    },
    # Spare schemas for instant provisioning (tenants.spares): topped up, and rebuilt after a migration.
    "spare-pool-refill": {
        "task": "portal.jobs.head_office_job",
        "schedule": 600.0,
        "args": ("spare_pool_refill",),
    },
    "signin-records-prune": {
        "task": "portal.jobs.head_office_job",
        "schedule": crontab(hour=3, minute=30),
        "args": ("signin_records_prune",),
    },
}
