"""The browser layer: Debian's Chromium driven by Playwright against a live server in this process.

One server and one browser for the session, a browser context per test. The server thread
shares the test's database connection, so a browser test sees (and its requests write into) the
test's transaction, which is rolled back as every other test's: nothing is committed, the test
centers stay, and the rest of the suite runs after it in any order. Requests are served one at a
time (a shared connection must never be used by two threads at once); the test thread touches the
database only while the page is idle (after ``goto``/``click`` have returned and the page settled).

Chromium resolves ``*.localhost`` to 127.0.0.1, so each center keeps its own host:
``alpha.localhost:<port>``, ``beta.localhost:<port>``, the head office at ``localhost:<port>``.
A missing browser fails the tests (``.ci/run`` installs it); it is never a skip.
"""

import os
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections

import pytest
from playwright.sync_api import sync_playwright

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = "/usr/bin/chromium"
FAILURES = Path(__file__).resolve().parents[2] / "var" / "browser-failures"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class _SharedConnectionApp:
    """Django's WSGI handler on the test thread's connection, one request at a time.

    As Django's test client does, ``close_old_connections`` is kept off the request signals, so a
    request never closes the connection that holds the test's transaction.
    """

    def __init__(self, connection):
        self.connection = connection
        self.handler = WSGIHandler()
        self.lock = threading.Lock()
        self.detached = False

    def detach(self):
        """Stop answering on the connection (the test is over); waits for a request being served."""
        with self.lock:
            self.detached = True

    def __call__(self, environ, start_response):
        with self.lock:
            if self.detached:  # e.g. a beacon the page sends as its context closes
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"the browser test is over"]
            connections["default"] = self.connection
            tenant = self.connection.tenant
            request_started.disconnect(close_old_connections)
            request_finished.disconnect(close_old_connections)
            try:
                response = self.handler(environ, start_response)
                try:
                    body = list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()
            finally:
                request_started.connect(close_old_connections)
                request_finished.connect(close_old_connections)
                self.connection.set_tenant(tenant)  # back to the test thread's schema
            return body


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


class LiveServer:
    def __init__(self):
        self.app = None
        self.server: WSGIServer = make_server("127.0.0.1", 0, self, handler_class=_QuietHandler)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def __call__(self, environ, start_response):
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no browser test is running"]
        return self.app(environ, start_response)

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def _live_server():
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture
def live(_live_server, db):
    """The live server, answering on this test's connection (and transaction)."""
    connection = connections["default"]
    connection.inc_thread_sharing()
    app = _SharedConnectionApp(connection)
    _live_server.app = app
    yield _live_server
    app.detach()
    _live_server.app = None
    connection.dec_thread_sharing()


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests (package scope: it stops before the rest of the suite).

    Playwright's sync API keeps an event loop running in this thread while it is started, and Django
    then refuses database access from the thread ("async context"); the tests here use the database
    synchronously between browser steps, so the check is lifted while the browser runs, and only then.
    """
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium fonts-wqy-zenhei"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        os.environ[ASYNC_UNSAFE] = "true"
        try:
            yield browser
        finally:
            # While Playwright's loop runs, Django keeps this thread's connections apart (asgiref
            # stores them per async context): close those, or one stays open after the suite and
            # the test database cannot be dropped.
            connections.close_all()
            del os.environ[ASYNC_UNSAFE]
            browser.close()


def _page(request, browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(FAILURES / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def phone(request, browser, live):
    """A page in a phone-sized context (390 × 844), as residents see the site."""
    yield from _page(request, browser, PHONE)


@pytest.fixture
def desktop(request, browser, live):
    """A page in a desktop-sized context (1280 × 900), as staff use the admin."""
    yield from _page(request, browser, DESKTOP)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)
