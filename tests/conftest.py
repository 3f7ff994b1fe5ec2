"""Tenant-aware fixtures for the whole suite.

Two centers, ``alpha`` and ``beta``, are provisioned once per test database (cloned from the
template, about 1 s each) and kept with ``--reuse-db``; every test then runs in a transaction
that is rolled back. Never build a schema from migrations per test class.

A tenant test asks for ``alpha`` (it then runs in that center's schema) or uses
``in_center(center)`` for several centers; records are built with ``tests.factories``.
"""

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.client import ClientMixin

import pytest
from django_tenants.utils import schema_context

from cms.serving import forget_everything
from operations.models import ServiceItem
from operations.services.defaults import center_defaults_install
from tenants.models import ServiceCenter
from tests.base import TEST_CENTERS, TEST_PASSWORD, ensure_test_centers
from tests.factories import make_user

# django-axes' backend needs the request of a sign-in; the test client's ``login()`` gives none. As axes'
# documentation says for tests, supply a blank HttpRequest (no address: counted as "no address", never
# the address of a test's requests); axes stays on. Tests of the lockout sign in through the login pages.
_client_login = ClientMixin.login


def _login_with_request(self, **credentials):
    credentials.setdefault("request", HttpRequest())
    return _client_login(self, **credentials)


ClientMixin.login = _login_with_request

# Head-office accounts sign in with two factors (portal.twofactor). A test client's ``login()`` and
# ``force_login()`` stand for the whole sign-in, so at head office they also pass the second step with an
# authenticator of the account's own; tests of the second step itself set ``client.second_step = False``
# (or sign in through the login page).
_client_do_login = ClientMixin._login


def _login_both_steps(self, user, backend=None):
    _client_do_login(self, user, backend)
    if getattr(self, "second_step", True) and connection.schema_name == "public":
        from tests.twofactor import pass_second_step

        pass_second_step(self, user)


ClientMixin._login = _login_both_steps


@pytest.fixture(scope="session", autouse=True)
def test_centers(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_test_centers()
    return TEST_CENTERS


@pytest.fixture(autouse=True)
def _reset_schema_and_cache():
    yield
    connection.set_schema_to_public()
    for alias in caches:
        caches[alias].clear()
    forget_everything()  # the web process's own memories of sites and routes (cms.serving)


@pytest.fixture
def center_a(db) -> ServiceCenter:
    return ServiceCenter.objects.get(code="alpha")


@pytest.fixture
def center_b(db) -> ServiceCenter:
    return ServiceCenter.objects.get(code="beta")


@pytest.fixture
def alpha(center_a) -> ServiceCenter:
    """The test runs in center alpha's schema."""
    connection.set_tenant(center_a)
    return center_a


@pytest.fixture
def in_center():
    """``with in_center(center): ...`` runs code in that center's schema."""
    return lambda center: schema_context(center.schema_name)


@pytest.fixture
def client_a(center_a) -> Client:
    return Client(HTTP_HOST="alpha.localhost")


@pytest.fixture
def client_b(center_b) -> Client:
    return Client(HTTP_HOST="beta.localhost")


@pytest.fixture
def admin_client(alpha, client_a) -> Client:
    """A client on alpha's host, signed in as alpha's ``admin`` (a superuser); pytest-django's
    ``admin_client`` would sign in on the public schema."""
    assert client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
    return client_a


@pytest.fixture
def guide(alpha) -> dict[str, ServiceItem]:
    """Alpha's default service guide (with departments, surveys… as every new center), by name."""
    center_defaults_install()
    return {item.name: item for item in ServiceItem.objects.prefetch_related("materials")}


@pytest.fixture
def officer(alpha):
    """An activity officer (社区文化活动专员) of alpha."""
    return make_user("wen", "社区文化活动专员", "文专员")


@pytest.fixture
def head_office_client(db) -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def head_office_admin(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(
        username="hq", password=TEST_PASSWORD, email="hq@example.com", first_name="总部"
    )


@pytest.fixture
def zh():
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
