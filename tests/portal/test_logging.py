"""Structured logs (portal.observability): every line carries the center's code and the request id."""

import datetime
import io
import json
import logging

from django.conf import settings
from django.db import connection
from django.test import Client

import pytest
from django_tenants.utils import schema_context

from portal.observability import ContextFilter, GunicornLogger, JsonFormatter, TextFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines():
    """The JSON lines written through a handler set up as ``LOGGING``'s console, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_a_center_request_logs_that_centers_code(center_a, lines):
    # Django writes its "Not Found" line after the middleware chain has returned.
    response = Client(HTTP_HOST="alpha.localhost").get("/no-such-page/?phone=13800000000")
    assert response.status_code == 404
    [line] = [line for line in lines() if line["logger"] == "django.request"]
    assert line["center"] == "alpha"
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["method"] == "GET" and line["path"] == "/no-such-page/"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["status_code"] == 404
    assert "13800000000" not in json.dumps(lines())  # no query string, no request object
    datetime.datetime.fromisoformat(line["time"])


def test_a_head_office_request_logs_public(lines):
    response = Client(HTTP_HOST="localhost").get("/no-such-page/")
    assert response.status_code == 404
    [line] = [line for line in lines() if line["logger"] == "django.request"]
    assert line["center"] == "public"
    assert line["request_id"] == response["X-Request-ID"]


def test_a_given_request_id_is_kept_and_echoed_a_bad_one_replaced(lines):
    client = Client(HTTP_HOST="localhost")
    given = "lb-7f3a9c2e-0001"
    assert client.get("/no-such-page/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    replaced = client.get("/no-such-page/", HTTP_X_REQUEST_ID='x" level=ERROR\n')["X-Request-ID"]
    assert len(replaced) == 32 and replaced.isalnum()
    assert [line["request_id"] for line in lines() if line["logger"] == "django.request"] == [given, replaced]


def test_an_unknown_host_gets_a_request_id_and_no_center(lines):
    response = Client(HTTP_HOST="nowhere.example").get("/")
    assert response.status_code == 404
    assert response["X-Request-ID"]
    [line] = [line for line in lines() if line["logger"] == "django.request"]
    assert line["center"] is None


def test_the_context_ends_with_the_request(lines):
    Client(HTTP_HOST="alpha.localhost").get("/no-such-page/")
    connection.set_schema_to_public()
    logging.getLogger("tests.logging").warning("after")
    assert lines()[-1]["center"] == "public" and lines()[-1]["request_id"] is None


def test_a_job_logs_the_schema_it_runs_in(center_a, lines):
    logger = logging.getLogger("tests.logging")
    with schema_context(center_a.schema_name):
        logger.warning("in a job")
    connection.set_tenant(center_a)
    logger.warning("in a task")
    connection.set_schema_to_public()
    logger.warning("head office's job")
    assert [(line["message"], line["center"]) for line in lines()] == [
        ("in a job", "alpha"),
        ("in a task", "alpha"),
        ("head office's job", "public"),
    ]


def test_json_lines_parse_with_exceptions_and_chinese(lines):
    logger = logging.getLogger("tests.logging")
    try:
        raise ValueError("坏了")
    except ValueError:
        logger.exception("借还失败 %s", "ABC", extra={"count": 2, "request": object()})
    [line] = lines()
    assert line["message"] == "借还失败 ABC"
    assert "ValueError: 坏了" in line["exc"]
    assert line["count"] == 2 and "request" not in line


def test_settings_put_the_filter_on_every_handler():
    for handler in settings.LOGGING["handlers"].values():
        assert "context" in handler["filters"]
    assert settings.LOGGING["filters"]["context"]["()"] == "portal.observability.ContextFilter"
    # Tests and development read text lines; production defaults to JSON (tests/portal/test_settings.py).
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "text"


def test_text_lines_show_center_and_request_id():
    record = logging.LogRecord("tests.logging", logging.INFO, __file__, 1, "hello", None, None)
    ContextFilter().filter(record)
    assert "tests.logging [public -] hello" in TextFormatter().format(record)


class _Response:
    status_code = 201
    status = "201 Created"
    sent = 12
    headers = []


class _Config:
    accesslog = "-"
    errorlog = "-"
    loglevel = "info"
    capture_output = False
    syslog = False
    logconfig_dict = {}
    logconfig_json = None
    logconfig = None
    disable_redirect_access_to_syslog = False


def test_gunicorn_access_line_is_structured(monkeypatch, capsys):
    monkeypatch.setenv("LOG_FORMAT", "json")
    log = GunicornLogger(_Config())
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/repairs/",
        "QUERY_STRING": "phone=13800000000",
        "bianmin.center": "alpha",
        "bianmin.request_id": "abc123abc123",
    }
    log.access(_Response(), None, environ, datetime.timedelta(milliseconds=42))
    health = {"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz"}
    _Response.status_code = 200
    log.access(_Response(), None, health, datetime.timedelta(milliseconds=1))
    [line] = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert line["logger"] == "gunicorn.access"
    assert line["center"] == "alpha" and line["request_id"] == "abc123abc123"
    assert line["method"] == "POST" and line["path"] == "/repairs/"
    assert line["status"] == 201 and line["duration_ms"] == 42.0 and line["bytes"] == 12
    assert "13800000000" not in line["message"]


def test_a_celery_task_logs_its_id_and_center(center_a, lines):
    from portal.celery_app import app

    @app.task(name="tests.logging.log_in_task")
    def log_in_task():
        logging.getLogger("tests.logging").warning("in a task")

    connection.set_tenant(center_a)
    log_in_task.apply(task_id="task-0001")
    [line] = lines()
    assert (line["center"], line["request_id"], line["task"]) == (
        "alpha",
        "task-0001",
        "tests.logging.log_in_task",
    )
