"""The database unreachable: every host answers the Chinese 503 page (never a 500, never a traceback),
and the application recovers by itself when the database is back (portal.errors, DESIGN.md §15).

In process, every query fails as a dead server makes it fail (``OperationalError`` from the connection),
wherever the request meets the database first: the host lookup in the tenant middleware (a center's host,
an unknown host), a residents' page, a signed-in session of a center's admin, a head-office page. Then,
in a web process of its own (``outage_probe.py``, Django's WSGI handler as gunicorn runs it, persistent
connections), against a real closed port and a real server-side disconnect.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

import pytest

from portal.errors import is_database_outage
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("outage_probe.py")
HEADING = "服务暂时不可用"


@contextmanager
def database_down():
    """Every statement fails as on a connection to a server that went away (savepoints excepted, so that
    the test's own transaction stays usable)."""

    def refuse(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            return execute(sql, params, many, context)
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        yield


def assert_unavailable_page(response, *, center_name: str | None = None):
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert HEADING in body and "请稍后再试" in body
    assert "Traceback" not in body and "OperationalError" not in body
    if center_name:
        assert center_name in body


def client_for(host: str) -> Client:
    return Client(HTTP_HOST=host, raise_request_exception=False)


def test_a_centers_host_answers_503_when_the_host_lookup_fails(center_a):
    with database_down():
        response = client_for("alpha.localhost").get("/")
    assert_unavailable_page(response)


def test_an_unknown_host_answers_503_when_the_host_lookup_fails():
    with database_down():
        response = client_for("nowhere.localhost").get("/")
    assert_unavailable_page(response)


@pytest.mark.parametrize("path", ["/", "/notices/", "/guide/", "/booking/", "/repair/", "/surveys/"])
def test_residents_pages_answer_503_naming_the_center(center_a, path):
    client = client_for("alpha.localhost")
    assert client.get("/healthz/").status_code == 200  # the host lookup is cached now
    with database_down():
        response = client.get(path)
    assert_unavailable_page(response, center_name=center_a.name)
    assert "021-1111 0001" in response.content.decode()  # the center's phone for anything urgent


def test_a_residents_form_sent_while_the_database_is_down_answers_503(center_a):
    client = client_for("alpha.localhost")
    assert client.get("/repair/").status_code == 200
    with database_down():
        response = client.post(
            "/repair/", {"name": "张三", "phone": "13800001111", "description": "厨房水管漏水"}
        )
    assert_unavailable_page(response)


def test_a_signed_in_center_admin_gets_503_not_the_login_page(center_a):
    client = client_for("alpha.localhost")
    connection.set_tenant(center_a)
    assert client.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
    connection.set_schema_to_public()
    assert client.get("/admin/").status_code == 200
    with database_down():
        response = client.get("/admin/operations/work-orders/")
    assert_unavailable_page(response, center_name=center_a.name)


def test_head_office_answers_503():
    client = client_for("localhost")
    with database_down():
        response = client.get("/news/")
    assert_unavailable_page(response)


def test_english_when_the_visitor_asks_for_it(center_a):
    with database_down():
        response = client_for("alpha.localhost").get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "Service temporarily unavailable" in response.content.decode()


def test_one_warning_instead_of_a_traceback_per_request(center_a, caplog):
    client = client_for("alpha.localhost")
    with caplog.at_level(logging.WARNING), database_down():
        for _ in range(3):
            assert client.get("/").status_code == 503
    outage = [r for r in caplog.records if r.name == "bianmin.resilience"]
    assert len(outage) <= 1  # at most one per OUTAGE_LOG_SECONDS (an earlier test may have logged it)
    assert not [r for r in caplog.records if r.name == "django.request" and r.exc_info]


def test_any_other_error_is_still_the_500_page(center_a):
    from django.urls import path

    from cms import urls as cms_urls

    def boom(request):
        raise RuntimeError("a bug")

    urls = type("urls", (), {**vars(cms_urls), "urlpatterns": [path("boom/", boom), *cms_urls.urlpatterns]})
    client = client_for("alpha.localhost")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "ROOT_URLCONF", urls)
        response = client.get("/boom/")
    assert response.status_code == 500


def test_outage_errors_are_recognised_through_their_causes():
    import psycopg

    assert is_database_outage(OperationalError("refused"))
    assert is_database_outage(psycopg.OperationalError("the database system is shutting down"))
    try:
        try:
            raise psycopg.InterfaceError("connection already closed")
        except psycopg.InterfaceError as error:
            raise RuntimeError("while rendering") from error
    except RuntimeError as wrapped:
        assert is_database_outage(wrapped)
    assert not is_database_outage(RuntimeError("a bug"))
    assert not is_database_outage(None)


def test_persistent_connections_are_health_checked_and_connecting_gives_up():
    config = settings.DATABASES["default"]
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"]["connect_timeout"] == settings.DATABASE_CONNECT_TIMEOUT


# --- A web process of its own: a real closed port, a real disconnect, recovery without a restart -----------


class Probe:
    """``outage_probe.py`` on the test database, with persistent connections (CONN_MAX_AGE=60)."""

    def __init__(self):
        db = connection.settings_dict
        self.url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings.test"),
            "DATABASE_URL": self.url,
            "CONN_MAX_AGE": "60",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])),
        }
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(PROBE)], cwd=PROJECT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer, f"the probe died on {command!r}"
        return answer

    def get(self, host: str, path: str) -> str:
        return self.ask(f"get {host} {path}")

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def probe(django_db_blocker):
    with django_db_blocker.unblock():
        probe = Probe()
        yield probe
        probe.close()


def test_a_real_closed_port_gives_503_on_every_host_then_the_same_process_recovers(probe, center_a):
    assert probe.get("alpha.localhost", "/") == "200"
    probe.ask("port 1")  # the server "goes away": the next connection meets a closed port
    for host, path in [
        ("alpha.localhost", "/"),  # the host lookup is cached: the page's own queries fail
        ("beta.localhost", "/"),  # the host lookup itself fails
        ("nowhere.localhost", "/"),
        ("localhost", "/news/"),
    ]:
        assert probe.get(host, path) == "503 zh Retry-After no-store", (host, path)
    probe.ask("port back")
    assert probe.get("alpha.localhost", "/") == "200"
    assert probe.get("localhost", "/news/") == "200"


def test_a_connection_the_server_dropped_is_replaced_before_the_next_request_fails(probe, center_a):
    assert probe.get("alpha.localhost", "/") == "200"
    assert probe.get("alpha.localhost", "/notices/") == "200"
    first = probe.ask("backend")
    probe.ask("terminate")  # as a restart of the server does to every open connection
    # The health check at the request's first query finds the connection dead and connects again.
    assert probe.get("alpha.localhost", "/notices/") == "200"
    assert probe.ask("backend") != first
