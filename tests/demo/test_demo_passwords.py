"""The demo's one password passes the password rules it is shown with (Django's validators, 10+)."""

from django.contrib.auth.password_validation import validate_password

from demo.staff import DEFAULT_DEMO_PASSWORD


def test_the_demo_password_passes_the_rules():
    validate_password(DEFAULT_DEMO_PASSWORD)
