"""Redis unreachable: the cache is bypassed, pages still serve, nobody is logged out (portal.cache).

The backend alone against a closed port (and against the machine's Redis, db 14, for the normal path and
the recovery), then the site with both cache aliases on a closed port: residents' pages (page cache on),
a residents' form, a signed-in center admin, head office's pages.
"""

from __future__ import annotations

import logging
import os
import time
from unittest import mock

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.test import Client, override_settings

import pytest
import redis

from portal.cache import ResilientRedisCache, reset_outages
from portal.settings.base import cache_alias
from tests.base import TEST_PASSWORD

CLOSED = "redis://127.0.0.1:1/0"
REDIS = os.environ.get("REDIS_TEST_LOCATION", "redis://127.0.0.1:6379/14")


@pytest.fixture(autouse=True)
def _fresh_outages():
    reset_outages()
    yield
    reset_outages()


def backend(location: str, **options) -> ResilientRedisCache:
    return ResilientRedisCache(
        location,
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1, **options}, "KEY_PREFIX": "t-cache"},
    )


def test_an_unreachable_redis_is_an_empty_cache_that_stores_nothing():
    cache = backend(CLOSED)
    started = time.monotonic()
    assert cache.get("k") is None and cache.get("k", "default") == "default"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    assert cache.delete_many(["a", "b"]) is None
    assert cache.touch("k") is False
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.get_or_set("k", 5) == 5
    with pytest.raises(ValueError):  # a missing key, as the callers (rate limits, page cache) expect
        cache.incr("k")
    with pytest.raises(ValueError):
        cache.decr("k")
    assert time.monotonic() - started < 1


def test_after_a_failure_the_process_skips_redis_for_a_while_and_warns_once(caplog):
    cache = backend(CLOSED, OUTAGE_SECONDS=60)
    other_alias = backend(CLOSED, OUTAGE_SECONDS=60)
    with caplog.at_level(logging.WARNING, logger="bianmin.resilience"):
        cache.get("k")  # fails: the outage starts
        with mock.patch("django.core.cache.backends.redis.RedisCacheClient.get") as redis_get:
            for _ in range(20):
                assert cache.get("k") is None
                assert other_alias.get("k") is None  # same Redis, same outage
        redis_get.assert_not_called()
    warnings = [r for r in caplog.records if r.name == "bianmin.resilience"]
    assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()
    assert "127.0.0.1:1" in warnings[0].getMessage()


def test_a_password_in_the_location_is_not_logged(caplog):
    cache = backend("redis://:s3cret@127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="bianmin.resilience"):
        cache.get("k")
    assert "s3cret" not in caplog.text and "127.0.0.1:1" in caplog.text


def test_other_errors_still_raise():
    cache = backend(CLOSED)
    with (
        mock.patch(
            "django.core.cache.backends.redis.RedisCacheClient.get",
            side_effect=redis.ResponseError("WRONGTYPE"),
        ),
        pytest.raises(redis.ResponseError),
    ):
        cache.get("k")


def test_a_reachable_redis_works_as_usual_and_the_return_is_logged(caplog):
    cache = backend(REDIS, OUTAGE_SECONDS=0.05)
    key = f"k-{os.getpid()}"
    try:
        cache.set(key, 1, 30)
    except redis.ConnectionError:  # pragma: no cover - the machine's Redis is part of the test setup
        pytest.skip(f"no Redis at {REDIS}")
    try:
        assert cache.get(key) == 1 and cache.incr(key) == 2
        with mock.patch(
            "django.core.cache.backends.redis.RedisCacheClient.get", side_effect=redis.ConnectionError("gone")
        ):
            assert cache.get(key) is None
        time.sleep(0.1)
        with caplog.at_level(logging.WARNING, logger="bianmin.resilience"):
            assert cache.get(key) == 2
        assert "answers again" in caplog.text
    finally:
        cache.delete(key)


def test_the_redis_alias_of_the_settings_uses_this_backend_with_short_timeouts():
    with mock.patch("portal.settings.base.REDIS_URL", REDIS):
        alias = cache_alias("default")
    assert alias["BACKEND"] == "portal.cache.ResilientRedisCache"
    assert alias["OPTIONS"]["socket_connect_timeout"] <= 1 and alias["OPTIONS"]["socket_timeout"] <= 2
    assert alias["KEY_FUNCTION"] == "django_tenants.cache.make_key"


def test_sessions_are_never_kept_in_the_cache():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


# --- The site with Redis unreachable ------------------------------------------------------------------------


def _redis_down():
    return override_settings(
        CACHES={
            alias: {**config, "BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": CLOSED}
            for alias, config in settings.CACHES.items()
        },
        PAGE_CACHE_SECONDS=300,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/notices/", "/guide/", "/booking/", "/repair/", "/feedback/", "/surveys/"]
)
def test_residents_pages_serve_with_redis_unreachable(center_a, path):
    with _redis_down():
        assert isinstance(caches["default"], ResilientRedisCache)
        client = Client(HTTP_HOST="alpha.localhost")
        first, second = client.get(path), client.get(path)
    assert first.status_code == second.status_code == 200
    assert second.get("X-Page-Cache") != "hit"  # nothing was kept


@pytest.mark.django_db
def test_a_residents_form_is_saved_with_redis_unreachable(center_a, in_center):
    from operations.models import WorkOrder

    with _redis_down():
        client = Client(HTTP_HOST="alpha.localhost")
        client.get("/repair/")
        response = client.post(
            "/repair/",
            {"name": "张三", "phone": "13800001111", "description": "缓存停了也要能报修", "website": ""},
        )
    assert response.status_code == 302 and "/repair/done/?r=" in response["Location"]
    with in_center(center_a):
        assert WorkOrder.objects.filter(description__contains="缓存停了也要能报修").count() == 1


@pytest.mark.django_db
def test_a_signed_in_center_admin_stays_signed_in_with_redis_unreachable(center_a, in_center):
    client = Client(HTTP_HOST="alpha.localhost")
    with in_center(center_a):
        assert client.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
    assert client.get("/admin/").status_code == 200
    with _redis_down():
        for path in ("/admin/", "/admin/operations/work-orders/", "/admin/operations/inquiries/"):
            response = client.get(path)
            assert response.status_code == 200, path
    assert SESSION_KEY in client.session
    assert client.get("/admin/").status_code == 200  # and after Redis is back


@pytest.mark.django_db
def test_head_office_pages_serve_with_redis_unreachable():
    with _redis_down():
        client = Client(HTTP_HOST="localhost")
        assert client.get("/news/").status_code == 200
        assert client.get("/login/").status_code == 200
