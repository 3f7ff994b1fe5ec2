"""Builders of test records, in the current schema (the test sets the tenant first).

Fixtures live in ``tests/conftest.py``; these are plain functions so that fixtures, tests and
helpers all build the same records the same way.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from operations.models import Building, Unit
from tests.base import TEST_PASSWORD


def make_user(
    username: str,
    group: str | None = None,
    first_name: str = "",
    *,
    groups: tuple[str, ...] = (),
    perms: tuple[str, ...] = (),
    password: str = TEST_PASSWORD,
    **fields,
):
    """A staff user in ``group`` (and ``groups``, by their Chinese names) with extra ``perms``
    ("app_label.codename"); signs in with ``password``."""
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first_name, **fields
    )
    names = ((group,) if group else ()) + tuple(groups)
    if names:
        user.groups.add(*(Group.objects.get(name=name) for name in names))
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def make_unit(building: str = "3号楼", entrance: str = "2单元", room: str = "1201") -> Unit:
    """The unit (and its building), created when missing."""
    block, _ = Building.objects.get_or_create(name=building)
    unit, _ = Unit.objects.get_or_create(building=block, entrance=entrance, room=room)
    return unit
