"""One demo staff list and one demo password for every demo login."""

from django.contrib.auth import get_user_model

from demo.staff import DEFAULT_DEMO_PASSWORD, DEMO_STAFF, demo_password, demo_staff_install
from demo.work_orders import ASSIGNEES


def test_demo_password_comes_from_the_environment_or_the_default(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    assert demo_password() == DEFAULT_DEMO_PASSWORD == "Bianmin@2026"
    monkeypatch.setenv("DEMO_PASSWORD", "Another-2027")
    assert demo_password() == "Another-2027"


def test_every_dataset_installs_its_part_of_the_one_list_once(alpha, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    datasets = {member.dataset for member in DEMO_STAFF}
    assert datasets == {"roster", "work_orders"}
    assert len({member.username for member in DEMO_STAFF}) == len(DEMO_STAFF)
    for dataset in sorted(datasets):
        first = demo_staff_install(dataset=dataset)
        assert demo_staff_install(dataset=dataset) == first
    users = get_user_model().objects.filter(username__in=[member.username for member in DEMO_STAFF])
    assert users.count() == len(DEMO_STAFF)
    for member in DEMO_STAFF:
        user = users.get(username=member.username)
        assert user.check_password(DEFAULT_DEMO_PASSWORD)
        assert user.groups.filter(name=member.group).exists()
        assert user.staff_profile.department.code == member.department
    assert set(ASSIGNEES.values()) <= {member.username for member in DEMO_STAFF}
