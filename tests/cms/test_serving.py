"""What a web process remembers to serve residents' pages in fewer queries (cms.serving): per center, per page
generation, bounded; never one center's page on another's host, and a publish shows at the next request."""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction, Site

import pytest

from cms import serving
from cms.models import NoticePage
from tests.cms.test_home_page import add_notice

pytestmark = pytest.mark.django_db


def _publish_notice(title: str, *, slug: str) -> NoticePage:
    notice = add_notice(title, slug=slug)
    notice.save_revision().publish()
    return notice


def _tables(queries) -> list[str]:
    return [q["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for q in queries if " FROM " in q["sql"]]


def test_the_same_path_on_two_centers_serves_each_its_own_page(
    center_a, center_b, client_a, client_b, in_center
):
    with in_center(center_a):
        _publish_notice("阿尔法停水通知", slug="water")
    with in_center(center_b):
        _publish_notice("贝塔停电通知", slug="water")
    for _ in range(3):  # alternating, with the routes of both remembered after the first round
        alpha = client_a.get("/notices/water/").content.decode()
        beta = client_b.get("/notices/water/").content.decode()
        assert "阿尔法停水通知" in alpha and "贝塔停电通知" not in alpha
        assert "贝塔停电通知" in beta and "阿尔法停水通知" not in beta
        assert center_a.name in client_a.get("/").content.decode()
        assert center_b.name in client_b.get("/").content.decode()


def test_a_path_remembered_at_one_center_is_not_found_at_another_without_it(
    center_a, client_a, client_b, in_center
):
    with in_center(center_a):
        _publish_notice("只在阿尔法的通知", slug="only-alpha")
    assert client_a.get("/notices/only-alpha/").status_code == 200
    assert client_a.get("/notices/only-alpha/").status_code == 200
    assert client_b.get("/notices/only-alpha/").status_code == 404


def test_a_remembered_page_is_read_fresh_and_a_publish_shows_at_the_next_request(
    center_a, client_a, in_center
):
    with in_center(center_a):
        notice = _publish_notice("第一版标题", slug="edit-me")
    assert "<h1>第一版标题</h1>" in client_a.get("/notices/edit-me/").content.decode()
    with in_center(center_a):
        notice = NoticePage.objects.get(pk=notice.pk)
        notice.title = "第二版标题"
        notice.save_revision().publish()
    body = client_a.get("/notices/edit-me/").content.decode()
    assert "<h1>第二版标题</h1>" in body and "<h1>第一版标题</h1>" not in body


def test_unpublishing_and_a_new_slug_change_the_route_at_once(center_a, client_a, in_center):
    with in_center(center_a):
        notice = _publish_notice("会改地址的通知", slug="old-slug")
    assert client_a.get("/notices/old-slug/").status_code == 200
    with in_center(center_a):
        notice = NoticePage.objects.get(pk=notice.pk)
        notice.slug = "new-slug"
        notice.save_revision().publish()
    assert client_a.get("/notices/old-slug/").status_code == 404
    assert client_a.get("/notices/new-slug/").status_code == 200
    with in_center(center_a):
        NoticePage.objects.get(pk=notice.pk).unpublish()
    assert client_a.get("/notices/new-slug/").status_code == 404


def test_a_view_restriction_added_after_the_center_was_remembered_without_any_applies(
    center_a, client_a, in_center
):
    with in_center(center_a):
        notice = _publish_notice("内部通知", slug="internal")
    assert client_a.get("/notices/internal/").status_code == 200  # remembered: no restriction in alpha
    with in_center(center_a):
        PageViewRestriction.objects.create(
            page=notice, restriction_type=PageViewRestriction.PASSWORD, password="zhimakaimen"
        )
    response = client_a.get("/notices/internal/")
    assert "内部通知的正文" not in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_the_site_and_route_are_remembered_per_host_so_a_notice_costs_three_queries(
    center_a, client_a, in_center, django_assert_max_num_queries
):
    with in_center(center_a):
        _publish_notice("三条查询的通知", slug="three")
    client_a.get("/notices/three/")
    with CaptureQueriesContext(connection) as queries:
        response = client_a.get("/notices/three/")
    assert response.status_code == 200
    # SET search_path, the notice itself, its attachments: no Site, no walk down the tree, no restrictions.
    assert len(queries) <= 3, [q["sql"][:120] for q in queries.captured_queries]
    assert not {"wagtailcore_site", "wagtailcore_pageviewrestriction"} & set(
        _tables(queries.captured_queries)
    )


def test_a_change_to_the_site_is_seen_at_the_next_request(center_a, client_a, in_center):
    assert client_a.get("/").status_code == 200
    with in_center(center_a):
        site = Site.objects.get()
        site.site_name = "改过名字的站点"
        site.save()
    request_site = client_a.get("/").wsgi_request._wagtail_site
    assert request_site.site_name == "改过名字的站点"


def test_memories_are_keyed_by_schema(center_a, center_b, client_a, client_b):
    client_a.get("/notices/")
    client_b.get("/notices/")
    schemas = {key[0] for key in serving.routes.local._entries}
    assert {center_a.schema_name, center_b.schema_name} <= schemas
    assert {key[0] for key in serving.sites.local._entries} >= {center_a.schema_name, center_b.schema_name}


def test_local_memory_is_bounded_and_forgets_with_time():
    memory = serving.LocalMemory(size=3, seconds=60)
    for number in range(10):
        memory.set(("alpha", number), number)
    assert len(memory) == 3
    assert memory.get(("alpha", 0)) is None and memory.get(("alpha", 9)) == 9
    memory.get(("alpha", 7))  # used: kept before the older ones
    memory.set(("alpha", 10), 10)
    assert memory.get(("alpha", 7)) == 7 and memory.get(("alpha", 8)) is None

    brief = serving.LocalMemory(size=3, seconds=0.01)
    brief.set("key", "value")
    time.sleep(0.02)
    assert brief.get("key") is None and len(brief) == 0


def test_the_route_memory_of_a_process_stays_within_its_size(center_a, client_a, in_center, monkeypatch):
    monkeypatch.setattr(serving, "routes", serving.Memory("route", size=5, seconds=60))
    with in_center(center_a):
        for number in range(8):
            _publish_notice(f"通知{number}", slug=f"bounded-{number}")
    for number in range(8):
        assert client_a.get(f"/notices/bounded-{number}/").status_code == 200
    assert len(serving.routes.local) == 5
    assert client_a.get("/notices/bounded-0/").status_code == 200  # forgotten, found again by walking


def test_a_new_worker_reads_what_another_remembered_from_the_shared_cache(
    center_a, client_a, in_center, django_assert_max_num_queries
):
    with in_center(center_a):
        _publish_notice("另一个进程记住的通知", slug="shared")
    client_a.get("/notices/shared/")
    serving.forget_everything()  # a recycled worker: its own memory empty, the shared cache (Redis) kept
    with django_assert_max_num_queries(3):
        assert client_a.get("/notices/shared/").status_code == 200
