"""Nothing about elders living alone reaches a public page, feed, sitemap, search result or the
calendar, nor a head-office screen: only the anonymous monthly figures go up."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

import pytest

from operations.models import Activity
from operations.services.elder_activities import elder_birthday_invite, elder_clinic_record
from operations.services.elders import elder_visit_record
from portal.models import CenterMonth
from tests.base import TEST_PASSWORD
from tests.factories import make_activity, make_elder, make_manager

SECRETS = ("欧阳秀凤", "心脏支架术后", "帮忙买降压药", "血压 150/95", "13811112222")
PUBLIC_PATHS = (
    "/",
    "/search/?q=欧阳秀凤",
    "/search/?q=心脏支架",
    "/search/?q=降压药",
    "/sitemap.xml",
    "/feeds/notices/rss/",
    "/feeds/reports/rss/",
    "/activities.ics",
    "/guide/",
    "/surveys/",
)


@pytest.fixture
def elder_with_history(alpha):
    manager = make_manager()
    today = timezone.localdate()
    elder = make_elder(
        "欧阳秀凤",
        manager=manager,
        phone="13811112222",
        health_consent=True,
        health_notes="心脏支架术后",
        birth_date=dt.date(1940, (today.month - 1) // 3 * 3 + 1, 8),
        card_given_on=today,
    )
    elder_visit_record(
        elder=elder,
        visited_at=timezone.now() - dt.timedelta(hours=2),
        needs=[{"kind": "shopping", "detail": "帮忙买降压药"}],
        acting_user=manager,
    )
    party = make_activity("集体生日会", kind=Activity.Kind.BIRTHDAY_PARTY, started_hours_ago=-24)
    elder_birthday_invite(acting_user=manager, activity=party)
    clinic = make_activity("社区义诊")
    elder_clinic_record(acting_user=manager, elder=elder, activity=clinic, observations="血压 150/95")
    return elder


def test_no_public_page_feed_sitemap_search_or_calendar_shows_an_elder(client_a, elder_with_history):
    for path in PUBLIC_PATHS:
        response = client_a.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        if path.startswith("/search/"):
            assert response.context["results"].paginator.count == 0, path
            continue  # the page repeats the words searched for, and finds nothing
        for secret in SECRETS:
            assert secret not in body, f"{secret} on {path}"


def test_head_office_sees_figures_without_personal_data(
    elder_with_history, head_office_client, head_office_admin
):
    call_command("publish_center_months", verbosity=0)
    month = CenterMonth.objects.get(center__schema_name="alpha", month=timezone.localdate().replace(day=1))
    stored = str(month.__dict__)
    assert all(secret not in stored for secret in SECRETS)
    assert head_office_client.login(username=head_office_admin.username, password=TEST_PASSWORD)
    for path in ("/", "/news/", "/inbox/"):
        response = head_office_client.get(path, follow=True)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert all(secret not in body for secret in SECRETS), path
