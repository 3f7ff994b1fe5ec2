"""The Celery application (``celery -A portal.celery_app worker|beat``), tenant-aware.

tenant-schemas-celery carries the schema a task was sent from in its headers (``_schema_name``) and sets it
on the worker's connection before the task runs, and back after it. Our task bases (``portal.jobs``) add the
rule that a center's task can neither be sent from head office's schema nor run outside a center.

The broker is ``CELERY_BROKER_URL`` (default: ``REDIS_URL``). Without one, tasks run in the process that sends
them (``CELERY_TASK_ALWAYS_EAGER``): the demo without Redis, and the tests.
"""

import os

from celery.signals import setup_logging
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

app = CeleryApp("bianmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["portal", "operations"], related_name="jobs")


# The worker's and beat's lines in our format, with the center's code and the task (portal.observability).
def _logging(**kwargs):
    from portal.observability import configure_celery_logging

    configure_celery_logging(**kwargs)


setup_logging.connect(_logging)
