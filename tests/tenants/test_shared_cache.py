"""Every web process sees a suspension at once: the host → center lookup is cached in the shared
cache (Redis) that production requires — shown with two real processes against the machine's Redis —
and production refuses to start without one, because a per-process cache would keep serving a
suspended center from the other workers for up to a minute (also shown)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.db import connection

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("cache_probe.py")
REDIS = os.environ.get("REDIS_TEST_LOCATION", "redis://127.0.0.1:6379/15")


class Process:
    """A long-lived Django process with the test settings on the test database."""

    def __init__(self, *, shared_cache: bool, prefix: str):
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CACHE_KEY_PREFIX": prefix,
            "PYTHONPATH": str(PROJECT),
        }
        env.pop("TEST_REDIS_URL", None)
        env.pop("REDIS_URL", None)
        if shared_cache:
            env.update({"REDIS_URL": REDIS, "TEST_REDIS_URL": REDIS})
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(PROBE)], cwd=PROJECT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer, f"the process died on {command!r}"
        return answer

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def processes(django_db_blocker):
    """Two web processes and an admin process; beta is reactivated afterwards whatever happens."""
    started = []

    def start(shared_cache: bool, prefix: str) -> Process:
        process = Process(shared_cache=shared_cache, prefix=prefix)
        started.append(process)
        return process

    with django_db_blocker.unblock():
        yield start
        admin = Process(shared_cache=True, prefix="cleanup")
        admin.ask("reactivate beta")
        admin.close()
        for process in started:
            process.close()


@pytest.mark.django_db
def test_a_suspension_reaches_every_process_through_the_shared_cache(processes):
    prefix = f"bianmin-test-{uuid.uuid4().hex[:8]}"
    web, admin = processes(True, prefix), processes(True, prefix)
    assert web.ask("lookup beta.localhost") == "active"  # cached in Redis now
    admin.ask("suspend beta")
    assert web.ask("lookup beta.localhost") == "suspended"


@pytest.mark.django_db
def test_with_a_cache_per_process_another_worker_keeps_serving_a_suspended_center(processes):
    """Why production insists on Redis: the other worker's own cache still says "active"."""
    web, admin = processes(False, "local"), processes(False, "local")
    assert web.ask("lookup beta.localhost") == "active"
    admin.ask("suspend beta")
    assert web.ask("lookup beta.localhost") == "active"  # stale for up to TENANT_LOOKUP_CACHE_SECONDS


def test_production_refuses_to_start_without_a_shared_cache():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.com",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
    }
    env.pop("REDIS_URL", None)
    code = "import django; django.setup()"
    refused = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True
    )  # noqa: S603
    assert refused.returncode != 0 and "REDIS_URL" in refused.stderr
    started = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env={**env, "REDIS_URL": REDIS},
        capture_output=True,
        text=True,
    )
    assert started.returncode == 0, started.stderr
