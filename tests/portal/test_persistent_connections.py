"""Persistent database connections (``CONN_MAX_AGE``, 60 s by default) never serve one center's data to another.

Requests go through Django's WSGI handler in a thread of their own, as a gunicorn worker serves them: the
connection is opened by the first request, checked and kept by ``close_old_connections`` at the start and
end of each request, and reused by the next one, whose center the tenant middleware sets again
(django-tenants issues ``SET search_path`` anew at that request's first query). The test centers' own data
(their Site, their home page titled with the center's name) is committed, so the thread's connection sees it.
"""

import threading

from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.test import RequestFactory

import pytest

from portal.settings.base import CONN_MAX_AGE_DEFAULT
from tests.base import TEST_CENTERS

pytestmark = pytest.mark.django_db


def _serve_in_a_worker_thread(
    conn_max_age: int, requests: list[tuple[str, str]]
) -> list[tuple[int, int, bool, str]]:
    """(status, database backend pid, connection kept after the response, body) of each request, served one
    after the other in one thread."""
    answers, failures = [], []

    def worker():
        connection = connections["default"]
        connection.settings_dict = {**connection.settings_dict, "CONN_MAX_AGE": conn_max_age}
        handler = WSGIHandler()
        try:
            for host, path in requests:
                environ = RequestFactory().get(path, HTTP_HOST=host).environ
                statuses = []
                response = handler(
                    environ, lambda status, headers, exc_info=None, seen=statuses: seen.append(status)
                )
                body = b"".join(response).decode()
                pid = connection.connection.info.backend_pid
                response.close()  # request_finished: close_old_connections, as a WSGI server does
                answers.append((int(statuses[0].split()[0]), pid, connection.connection is not None, body))
        except Exception as error:  # noqa: BLE001 - reported by the test
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=120)
    assert not failures, failures
    return answers


def _og_title(body: str) -> str:
    return body.split('<meta property="og:title" content="', 1)[1].split('"', 1)[0]


def test_the_shipped_default_keeps_connections():
    assert CONN_MAX_AGE_DEFAULT > 0


@pytest.mark.parametrize("conn_max_age", [60, 0])
def test_requests_alternating_two_centers_on_one_kept_connection_each_see_their_own_data(conn_max_age):
    alpha, beta = TEST_CENTERS["alpha"], TEST_CENTERS["beta"]
    plan = [
        (alpha["domain"], "/"),
        (beta["domain"], "/"),
        (alpha["domain"], "/notices/"),
        (beta["domain"], "/notices/"),
    ]
    answers = _serve_in_a_worker_thread(conn_max_age, plan * 3)

    for (host, path), (status, _pid, _kept, body) in zip(plan * 3, answers, strict=True):
        own, other = (alpha, beta) if host == alpha["domain"] else (beta, alpha)
        assert status == 200, (host, path, status)
        if path == "/":
            # The home page's title is the center's name, read from the center's own schema.
            assert _og_title(body) == own["name"], (host, body[:400])
        assert f"http://{host}/" in body and f"http://{other['domain']}/" not in body
    if conn_max_age:
        assert {pid for _s, pid, _k, _b in answers} == {answers[0][1]}, "one connection for every request"
        assert all(kept for _s, _p, kept, _b in answers)
    else:
        assert not any(kept for _s, _p, kept, _b in answers), "a connection per request"
