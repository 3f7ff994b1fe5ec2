"""A real Celery worker (Celery's test worker, in a thread) against the machine's Redis: a notification
queued inside center alpha is delivered by the worker in alpha's schema, and the same id sent from beta
touches nothing of alpha's."""

import os
import threading
import time

from django.core import mail
from django.db import connections

import pytest
from celery.contrib.testing.worker import start_worker
from django_tenants.utils import schema_context

from operations.jobs import deliver_notification
from operations.models import Notification
from portal.celery_app import app
from tests.factories import make_user

REDIS = os.environ.get("CELERY_TEST_BROKER", "redis://127.0.0.1:6379/12")


def in_thread(fn):
    """Run ``fn`` in its own thread and connection, committed (as a request would)."""
    result = {}

    def run():
        try:
            result["value"] = fn()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return result.get("value")


def reset_connections() -> None:
    """Drop the app's broker connections made with the previous broker setting (tests use memory://)."""
    from kombu import pools

    pools.reset()  # kombu's process-wide pools, keyed by connection (closing one leaves it registered)
    app._pool = None
    app.amqp._producer_pool = None


def send_from(schema: str, pk: int) -> None:
    with schema_context(schema):
        deliver_notification.delay(pk)


@pytest.mark.django_db(transaction=False)
def test_a_real_worker_delivers_in_the_center_it_was_sent_from(django_db_blocker, center_a, center_b):
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS, task_always_eager=False)
    reset_connections()
    mail.outbox = []

    def create():
        with schema_context("alpha"):
            user = make_user("worker_probe", "前台客服", "小周", email="zhou@example.com")
            note = Notification.objects.create(
                recipient=user,
                kind="test",
                title="真实队列的通知",
                email_status=Notification.Delivery.PENDING,
            )
            return note.pk

    def status(pk):
        with schema_context("alpha"):
            return Notification.objects.filter(pk=pk).values_list("email_status", flat=True).first()

    def cleanup():
        with schema_context("alpha"):
            Notification.objects.filter(kind="test").delete()
            from django.contrib.auth import get_user_model

            get_user_model().objects.filter(username="worker_probe").delete()

    with django_db_blocker.unblock():
        pk = in_thread(create)
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                # From beta, the same id is beta's: it does not exist there, alpha's stays pending.
                in_thread(lambda: send_from("beta", pk))
                time.sleep(1.5)
                assert in_thread(lambda: status(pk)) == Notification.Delivery.PENDING
                with schema_context("alpha"):
                    deliver_notification.delay(pk)
                deadline = time.monotonic() + 20
                while (
                    time.monotonic() < deadline
                    and in_thread(lambda: status(pk)) != Notification.Delivery.SENT
                ):
                    time.sleep(0.2)
            assert in_thread(lambda: status(pk)) == Notification.Delivery.SENT
            assert [m.subject for m in mail.outbox] == ["真实队列的通知"]
        finally:
            app.conf.update(**saved)
            reset_connections()
            in_thread(cleanup)
