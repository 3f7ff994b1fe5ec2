"""Demo notices: a dozen realistic notices, every category, scheduled and expired ones."""

from django.utils import timezone

import pytest

from cms.models import HomePage, NoticeCategory, NoticePage, live_notices
from demo.notices import DEMO_NOTICES, notices_demo_data_install


@pytest.fixture
def home(alpha):
    return HomePage.objects.get()


def test_demo_notices_cover_every_category_and_schedule(home, client_a):
    notices_demo_data_install(home=home)
    notices = NoticePage.objects.all()
    assert notices.count() == len(DEMO_NOTICES) >= 12
    assert {n.category for n in notices} == set(NoticeCategory.values)
    assert notices.filter(urgent=True).count() == 1
    now = timezone.now()
    scheduled = notices.get(go_live_at__gt=now)
    assert not scheduled.live and scheduled.revisions.filter(approved_go_live_at__isnull=False).exists()
    expired = notices.get(expire_at__lt=now)
    assert not expired.live and expired.expired
    visible = set(live_notices().values_list("pk", flat=True))
    assert scheduled.pk not in visible and expired.pk not in visible
    assert len(visible) == len(DEMO_NOTICES) - 2
    body = client_a.get("/notices/").content.decode()
    assert "3 号楼停水通知" in body
    assert scheduled.title not in body and expired.title not in body
    assert all("<p>" in str(n.body[0].value.source) for n in notices)


def test_demo_notices_are_idempotent(home):
    notices_demo_data_install(home=home)
    notices_demo_data_install(home=home)
    assert NoticePage.objects.count() == len(DEMO_NOTICES)
    assert len({spec["slug"] for spec in DEMO_NOTICES}) == len(DEMO_NOTICES)
