"""Links in the e-mails Wagtail sends a center's staff point at the center's own host."""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.template import Context, Template

import pytest

from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_password_reset_mail_links_to_the_centers_host_and_the_link_works(client_a, center_a, in_center):
    with in_center(center_a):
        get_user_model().objects.create_user(username="wen", email="wen@example.com", password=TEST_PASSWORD)
    response = client_a.post("/admin/password_reset/", {"email": "wen@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    links = re.findall(r"https?://[^\s]+", body)
    assert links and all(link.startswith("http://alpha.localhost/admin/") for link in links), body
    path = links[0].removeprefix("http://alpha.localhost")
    confirm = client_a.get(path, follow=True)
    assert confirm.status_code == 200
    assert 'name="new_password1"' in confirm.content.decode()


def test_password_reset_on_another_center_links_to_that_center(client_b, center_b, in_center):
    with in_center(center_b):
        get_user_model().objects.create_user(username="wen", email="wen@example.com", password=TEST_PASSWORD)
    client_b.post("/admin/password_reset/", {"email": "wen@example.com"})
    assert "http://beta.localhost/admin/password_reset/confirm/" in mail.outbox[0].body


def test_wagtails_notification_base_url_is_the_centers_in_its_schema(center_a, in_center, settings):
    template = Template("{% load wagtailadmin_tags %}{% base_url_setting %}|{% absolute_static 'x.css' %}")
    with in_center(center_a):
        rendered = template.render(Context())
    assert rendered.startswith("http://alpha.localhost|http://alpha.localhost/static/")
    # The head office keeps the setting.
    assert Template("{% load wagtailadmin_tags %}{% base_url_setting %}").render(Context()) == (
        settings.WAGTAILADMIN_BASE_URL
    )
