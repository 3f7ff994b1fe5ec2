"""``/healthz`` and ``/readyz`` (portal.health): on any host, before tenant routing, never cached."""

import json
import os
from unittest import mock

from django.conf import settings
from django.db import OperationalError
from django.test import Client, override_settings

import pytest

from portal import health

pytestmark = pytest.mark.django_db

TEST_REDIS = os.environ.get("TEST_HEALTH_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def lb():
    """A load balancer probing by address: a Host that is in no ALLOWED_HOSTS and names no center."""
    return Client(HTTP_HOST="10.0.0.7:8000")


def readiness(client, **extra) -> tuple[int, dict]:
    response = client.get("/readyz", **extra)
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.status_code, json.loads(response.content)


def test_health_middleware_is_first():
    assert settings.MIDDLEWARE[0] == "portal.health.HealthCheckMiddleware"
    assert settings.MIDDLEWARE.index("portal.health.HealthCheckMiddleware") < settings.MIDDLEWARE.index(
        "tenants.middleware.CenterTenantMiddleware"
    )


def test_liveness_answers_on_any_host_without_touching_dependencies(lb, django_assert_num_queries):
    with django_assert_num_queries(0), mock.patch.object(health, "check_cache") as cache_check:
        response = lb.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"
    cache_check.assert_not_called()


def test_a_centers_own_healthz_slash_still_goes_through_the_site(lb, client_a):
    # cms.health's /healthz/ (the benchmark's whole-stack baseline) is left to tenant routing.
    with mock.patch.object(health, "_plain") as answer:
        assert client_a.get("/healthz/").content == b"ok"
        assert lb.get("/healthz/").status_code == 404
    answer.assert_not_called()


@override_settings(SECURE_SSL_REDIRECT=True)
def test_probes_are_not_redirected_to_https(lb):
    assert lb.get("/healthz").status_code == 200
    assert lb.get("/readyz").status_code == 200


def test_other_paths_still_go_to_tenant_routing(lb):
    # An unknown host's 404 page: the middleware only answers its two paths.
    assert lb.get("/healthzz").status_code in (400, 404)


def test_only_get_and_head(lb):
    response = lb.post("/readyz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert lb.head("/healthz").status_code == 200


@override_settings(CELERY_BROKER_URL="")
def test_readiness_all_good(lb):
    status, body = readiness(lb)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    assert isinstance(body["checks"]["database"]["ms"], float)
    assert body["checks"]["broker"] == {"ok": None, "detail": "not configured"}
    assert body["required"] == ["database"]


def test_readiness_database_down_is_503(lb):
    with mock.patch.object(
        health.connection, "cursor", side_effect=OperationalError("could not connect to db")
    ):
        status, body = readiness(lb)
    assert status == 503
    assert body["status"] == "unavailable"
    # The error's class only: a message may name hosts, roles or the connection string.
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError", "ms": mock.ANY}
    assert "could not connect" not in json.dumps(body)


def test_readiness_cache_lost_is_degraded_unless_required(lb):
    with mock.patch("django.core.cache.backends.locmem.LocMemCache.get", return_value=None):
        status, body = readiness(lb)
        assert status == 200 and body["status"] == "degraded"
        assert body["checks"]["cache"]["ok"] is False
        with override_settings(READINESS_REQUIRED=["database", "cache"]):
            status, body = readiness(lb)
        assert status == 503 and body["status"] == "unavailable"


@pytest.fixture
def redis_available():
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {TEST_REDIS}")


def test_readiness_pings_a_redis_broker(lb, redis_available):
    with override_settings(CELERY_BROKER_URL=TEST_REDIS):
        status, body = readiness(lb)
    assert status == 200
    assert body["checks"]["broker"]["ok"] is True


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", READINESS_TIMEOUT=0.5)
def test_readiness_broker_unreachable(lb):
    status, body = readiness(lb)
    assert status == 200 and body["status"] == "degraded"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["error"] == "ConnectionError"
    with override_settings(READINESS_REQUIRED=["database", "broker"]):
        assert readiness(lb)[0] == 503


@override_settings(CELERY_BROKER_URL="memory://")
def test_readiness_other_broker_is_not_checked(lb):
    status, body = readiness(lb)
    assert status == 200
    assert body["checks"]["broker"]["ok"] is None


def test_readiness_answer_names_no_center_or_person(lb, center_a):
    body = lb.get("/readyz").content.decode()
    assert center_a.code not in body and center_a.name not in body
    assert set(json.loads(body)) == {"status", "checks", "required"}
