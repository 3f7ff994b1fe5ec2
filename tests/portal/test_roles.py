from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest

from portal.roles import head_office_roles_sync
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_auditor_reads_but_cannot_change(head_office_client, center_a):
    assert set(head_office_roles_sync()) == {"总部管理员", "总部督查"}
    assert head_office_roles_sync() == []
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username="audit", password=TEST_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="总部督查"))
    head_office_client.login(username="audit", password=TEST_PASSWORD)
    urls = {
        name: reverse(f"portal:{name}", urlconf="portal.urls") for name in ("center_list", "center_create")
    }
    body = head_office_client.get(urls["center_list"]).content.decode()
    assert center_a.name in body
    assert urls["center_create"] not in body and "/suspend/" not in body
    assert head_office_client.get(urls["center_create"]).status_code == 403
    suspend = reverse("portal:center_suspend", args=[center_a.pk], urlconf="portal.urls")
    assert head_office_client.post(suspend).status_code == 403
