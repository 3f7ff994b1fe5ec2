"""The demo's staff of every center and the one demo password.

Every demo login (head office, each center's ``admin`` and the staff below) uses
``demo_password()``: ``DEMO_PASSWORD`` from the environment, else ``DEFAULT_DEMO_PASSWORD``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from operations.models import Department, StaffProfile

DEFAULT_DEMO_PASSWORD = "Bianmin@2026"  # noqa: S105 - the documented demo login, printed by seed_demo


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


@dataclass(frozen=True)
class DemoStaff:
    username: str
    name: str
    group: str  # one of tenants.roles.ROLES, by its Chinese name
    department: str  # Department.code
    phone: str = ""
    email: str = ""  # notifications are also e-mailed (to var/mail in the demo) when set
    # The demo dataset that first needs this person and so creates the account. The order
    # matters: a colleague who exists earlier receives earlier datasets' notifications.
    dataset: str = "roster"


DEMO_STAFF = (
    # On the duty roster (demo/roster.py) and the desk.
    DemoStaff("zhangmin", "张敏", "前台客服", "service", "13816620101", "zhangmin@example.com"),
    DemoStaff("lijing", "李静", "前台客服", "service", "13916620102", "lijing@example.com"),
    DemoStaff("wangqiang", "王强", "客户主任", "service", "13616620103", "wangqiang@example.com"),
    DemoStaff("chenfang", "陈芳", "客户主任", "service", "18616620104", "chenfang@example.com"),
    DemoStaff("zhaolei", "赵磊", "部门调度员", "engineering", "15916620105", "zhaolei@example.com"),
    DemoStaff("sunli", "孙丽", "社区文化活动专员", "service", "13716620106", "sunli@example.com"),
    # The departments' people the demo work orders are assigned to (demo/work_orders.py).
    DemoStaff("gongcheng", "王师傅", "部门调度员", "engineering", dataset="work_orders"),
    DemoStaff("baojie", "刘阿姨", "部门调度员", "cleaning", dataset="work_orders"),
    DemoStaff("huwei", "赵队长", "部门调度员", "security", dataset="work_orders"),
    DemoStaff("qiantai", "陈晓燕", "前台客服", "service", dataset="work_orders"),
)


def demo_staff_install(*, dataset: str, password: str | None = None) -> dict:
    """The demo staff of ``dataset`` in the current center, by username, with group and StaffProfile.

    A missing user is created with ``password`` (default: the demo password); existing users
    keep their password and profile, so a second run changes nothing.
    """
    User = get_user_model()
    departments = {department.code: department for department in Department.objects.all()}
    users = {}
    for member in (member for member in DEMO_STAFF if member.dataset == dataset):
        user = User.objects.filter(username=member.username).first()
        if user is None:
            user = User(username=member.username, first_name=member.name, email=member.email)
            user.set_password(password or demo_password())
            user.save()
        group = Group.objects.filter(name=member.group).first()
        if group is not None:
            user.groups.add(group)
        StaffProfile.objects.get_or_create(
            user=user, defaults={"phone": member.phone, "department": departments.get(member.department)}
        )
        users[member.username] = user
    return users
