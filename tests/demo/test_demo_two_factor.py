"""The demo's head-office accounts sign in with two factors like real ones: the printed key gives the
app's codes, and each printed recovery code works once (and again after the next seed)."""

import base64

from django.test import Client

import pytest

from demo.centers import demo_authenticator_key, demo_recovery_codes, head_office_demo_install
from demo.staff import DEFAULT_DEMO_PASSWORD
from tests.browser.steps import phone_code


def signed_in_with(code: str) -> bool:
    client = Client(HTTP_HOST="localhost")
    client.second_step = False
    client.post("/login/", {"username": "admin", "password": DEFAULT_DEMO_PASSWORD})
    client.post("/two-factor/verify/", {"code": code})
    return client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_printed_key_and_recovery_codes_sign_in():
    head_office_demo_install(password=DEFAULT_DEMO_PASSWORD)
    secret = demo_authenticator_key().replace(" ", "")
    assert signed_in_with(phone_code(base64.b32decode(secret + "=" * (-len(secret) % 8))))
    first = demo_recovery_codes("admin")[0]
    assert signed_in_with(first)
    assert not signed_in_with(first)
    head_office_demo_install(password=DEFAULT_DEMO_PASSWORD)
    assert signed_in_with(first)
