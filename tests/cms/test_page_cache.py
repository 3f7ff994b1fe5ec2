"""Whole-page cache of residents' pages: per center, dropped on publish/unpublish (cms.cache)."""

from django.test import override_settings

from wagtail.models import Page

import pytest

from cms.models import NoticeIndexPage, NoticePage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def page_cache_on():
    with override_settings(PAGE_CACHE_SECONDS=300):
        yield


def _add_notice(index: Page, title: str) -> NoticePage:
    notice = NoticePage(title=title, slug=f"n-{abs(hash(title)) % 10**8}", category="reminder")
    index.add_child(instance=notice)
    notice.save_revision().publish()
    return notice


def test_second_visit_is_served_from_the_cache_without_queries(client_a, django_assert_num_queries):
    client_a.get("/")  # warms the host lookup too
    first = client_a.get("/notices/")
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client_a.get("/notices/")
    assert second.status_code == 200 and second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_publishing_drops_the_cached_pages_of_that_center_only(client_a, client_b, center_a, in_center):
    for client in (client_a, client_b):
        assert client.get("/notices/")["X-Page-Cache"] == "miss"
        assert client.get("/notices/")["X-Page-Cache"] == "hit"
    with in_center(center_a):
        notice = _add_notice(NoticeIndexPage.objects.get(), "关于3号楼停水的通知")
    fresh = client_a.get("/notices/")
    assert fresh["X-Page-Cache"] == "miss" and "关于3号楼停水的通知" in fresh.content.decode()
    beta = client_b.get("/notices/")
    assert beta["X-Page-Cache"] == "hit" and "关于3号楼停水的通知" not in beta.content.decode()

    with in_center(center_a):
        notice.unpublish()
    gone = client_a.get("/notices/")
    assert gone["X-Page-Cache"] == "miss" and "关于3号楼停水的通知" not in gone.content.decode()


def test_the_same_path_on_two_hosts_never_shares_a_cached_page(client_a, client_b):
    client_a.get("/")
    client_a.get("/")
    beta = client_b.get("/")
    assert beta["X-Page-Cache"] == "miss"
    assert "贝塔服务中心" in beta.content.decode() and "阿尔法服务中心" not in beta.content.decode()


def test_staff_with_a_session_and_odd_query_strings_bypass_the_cache(client_a, center_a, in_center):
    from tests.base import TEST_PASSWORD

    assert client_a.get("/?utm_source=wechat").has_header("X-Page-Cache") is False
    assert client_a.get("/?page=2").has_header("X-Page-Cache")
    with in_center(center_a):
        assert client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
    assert client_a.get("/notices/").has_header("X-Page-Cache") is False


def test_languages_are_cached_apart(client_a):
    client_a.get("/notices/")
    english = client_a.get("/lang/en/?next=/notices/", follow=True)
    assert english.redirect_chain[-1][0] == "/notices/"
    assert english["X-Page-Cache"] == "miss"
    assert '<html lang="en">' in english.content.decode()


def test_language_switch_refuses_foreign_next_urls(client_a):
    response = client_a.get("/lang/en/?next=https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client_a.get("/lang/xx/?next=/").cookies.get("django_language") is None


def test_generating_the_roster_drops_the_cached_home_page(
    client_a, center_a, in_center, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from operations.services.roster import duty_roster_generate, duty_template_slot_set, week_start

    assert client_a.get("/")["X-Page-Cache"] == "miss"
    assert client_a.get("/")["X-Page-Cache"] == "hit"
    with in_center(center_a):
        staff = get_user_model().objects.create_user(username="duty-a", first_name="值班甲")
        today = timezone.localdate()
        duty_template_slot_set(
            weekday=today.weekday(), post="A", staff=staff, start_time=dt.time(0, 0), end_time=dt.time(23, 59)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert duty_roster_generate(start=week_start(today), weeks=1)
    assert client_a.get("/")["X-Page-Cache"] == "miss"
