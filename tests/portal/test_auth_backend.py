"""Permissions read in one query give the same answers as Django's ModelBackend."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

import pytest

from portal.auth_backends import ModelBackend1Query
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_same_permissions_as_django_in_one_query(center_a, in_center, django_assert_num_queries):
    with in_center(center_a):
        user = make_user("desk", groups=("前台客服", "客户主任"), perms=("operations.view_complaint",))
        expected = ModelBackend().get_all_permissions(fresh(user))
        user = fresh(user)
        with django_assert_num_queries(1):
            got = ModelBackend1Query().get_all_permissions(user)
            assert user.has_perm("operations.view_resident_contact")
            assert user.has_perm("operations.view_complaint")
        assert got == expected and "operations.view_resident_contact" in got
        user.is_active = False
        assert ModelBackend1Query().get_all_permissions(fresh(user)) == expected  # cache is per object
        inactive = fresh(user)
        inactive.is_active = False
        assert ModelBackend1Query().get_all_permissions(inactive) == set()
