"""The residents' home page: center card, urgent and latest notices, reports, activities, duty, buttons.

The helpers at the top build site content in the current center's schema; the search, guide
and calendar tests use them too.
"""

import datetime as dt
import re
import time

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

import pytest

from cms.models import (
    ActivityReportIndexPage,
    ActivityReportPage,
    EvaluationIndexPage,
    EvaluationPage,
    HomePage,
    NoticeIndexPage,
    NoticePage,
    ServiceGuidePage,
)
from cms.models import home as home_module
from tests.base import CenterTestCase

# --- helpers: content of the current center ---------------------------------------------------


def notice_index() -> NoticeIndexPage:
    return NoticeIndexPage.objects.get()


def add_notice(title: str, *, text: str = "", **fields) -> NoticePage:
    fields.setdefault("slug", f"n-{NoticePage.objects.count() + 1}")
    fields.setdefault("body", [("paragraph_block", f"<p>{text or title + '的正文'}</p>")])
    notice = NoticePage(title=title, **fields)
    notice_index().add_child(instance=notice)
    return notice


def add_report(title: str, *, cover: bool = True, **fields) -> ActivityReportPage:
    if cover:
        fields["cover_image"] = get_image_model().objects.create(
            title=f"{title}封面", description=f"{title}现场照片", file=get_test_image_file(f"{title}.png")
        )
    fields.setdefault("slug", f"r-{ActivityReportPage.objects.count() + 1}")
    report = ActivityReportPage(title=title, **fields)
    ActivityReportIndexPage.objects.get().add_child(instance=report)
    return report


def staff_user(username: str = "zhou", name: str = "周值班"):
    return get_user_model().objects.get_or_create(username=username, defaults={"first_name": name})[0]


def add_activity(title: str, *, starts_in: dt.timedelta, hours: int = 2, **fields):
    from operations.services.activities import activity_create

    starts_at = timezone.now() + starts_in
    fields.setdefault("kind", "free_clinic")
    fields.setdefault("place", "小区中心广场")
    return activity_create(
        acting_user=staff_user("admin"),
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        **fields,
    )


def add_duty(post: str, username: str, name: str, phone: str = "13800001111", on: dt.date | None = None):
    from operations.services.roster import duty_shift_set

    return duty_shift_set(
        date=on or timezone.localdate(),
        post=post,
        staff=staff_user(username, name),
        start_time=dt.time(8, 0),
        end_time=dt.time(18, 0),
        phone=phone,
    )


def clear_caches() -> None:
    for alias in caches:
        caches[alias].clear()


class HomePageTests(CenterTestCase, WagtailPageTestCase):
    def test_home_page_sits_at_the_root_only(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(
            HomePage, {NoticeIndexPage, ActivityReportIndexPage, ServiceGuidePage, EvaluationIndexPage}
        )
        # The evaluation pages are the monthly job's: editors cannot add them.
        assert not EvaluationIndexPage.is_creatable and not EvaluationPage.is_creatable

    def test_one_home_page_per_center(self):
        assert HomePage.objects.count() == 1
        assert not HomePage.can_create_at(Page.get_first_root_node())

    def test_home_page_renders_the_center_details(self):
        home = HomePage.objects.get()
        self.assertPageIsRenderable(home)
        response = self.client.get("/")
        self.assertContains(response, self.center.name)
        self.assertContains(response, "测试路 1 号")
        self.assertContains(response, "每日 8:00–18:00")
        self.assertContains(response, 'href="tel:02111110001"')


@pytest.mark.django_db
def test_center_admin_can_edit_and_publish_the_home_page(client_a, in_center, center_a):
    from tests.base import TEST_PASSWORD

    with in_center(center_a):
        # Client.login bypasses the host routing: sign in inside the center's schema.
        assert client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
        home = HomePage.objects.get()
    edit = client_a.get(f"/admin/pages/{home.pk}/edit/")
    assert edit.status_code == 200
    assert center_a.name in edit.content.decode()
    data = {
        "title": center_a.name,
        "slug": "home",
        "intro": '{"blocks": [{"key": "a1", "type": "unstyled", "text": "欢迎来到阿尔法", "depth": 0, "inlineStyleRanges": [], "entityRanges": []}], "entityMap": {}}',
        "action-publish": "publish",
    }
    response = client_a.post(f"/admin/pages/{home.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "欢迎来到阿尔法" in client_a.get("/").content.decode()


@pytest.mark.django_db
def test_admin_is_branded_with_the_center_name(client_a, client_b, center_a, center_b, in_center):
    from tests.base import TEST_PASSWORD

    login = client_b.get("/admin/login/").content.decode()
    assert f"登录{center_b.name}" in login or f"登录 {center_b.name}" in login
    assert center_a.name not in login
    with in_center(center_a):
        client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
    dashboard = client_a.get("/admin/").content.decode()
    assert "<title>" in dashboard and center_a.name in dashboard and center_b.name not in dashboard


@pytest.mark.django_db
def test_home_page_lists_latest_notices_urgent_first(client_a, center_a, in_center):
    with in_center(center_a):
        add_notice("本周六小区绿化修剪", category="reminder")
        add_notice("明日停水通知", category="utilities", urgent=True)
    body = client_a.get("/").content.decode()
    assert 'href="/notices/"' in body
    assert body.index("明日停水通知") < body.index("本周六小区绿化修剪")
    assert "紧急" in body


class HomePageContentTests(CenterTestCase):
    """Every block of the home page, with data, in the order a resident on a phone needs it."""

    def setUp(self):
        super().setUp()
        self.urgent = add_notice("3号楼今晚紧急停电", category="emergency", urgent=True)
        for number in range(6):
            add_notice(f"普通通知{number}", date=timezone.localdate() - dt.timedelta(days=number))
        self.hidden = add_notice("未来的通知", go_live_at=timezone.now() + dt.timedelta(days=3))
        for number in range(4):
            add_report(f"活动报道{number}", date=timezone.localdate() - dt.timedelta(days=number))
        self.clinic = add_activity("中秋义诊", starts_in=dt.timedelta(days=2), kind="free_clinic")
        self.party = add_activity("第三季度集体生日会", starts_in=dt.timedelta(days=5), kind="birthday_party")
        add_activity("上个月的义工维修日", starts_in=dt.timedelta(days=-30), kind="repair_day")
        from operations.services.activities import activity_notice_link

        self.clinic_notice = add_notice(
            "中秋义诊活动预告", category="event", date=timezone.localdate() - dt.timedelta(days=30)
        )
        activity_notice_link(acting_user=staff_user("admin"), activity=self.clinic, notice=self.clinic_notice)
        add_notice("草稿通知", live=False)
        self.party_notice = NoticePage.objects.get(title="草稿通知")
        activity_notice_link(acting_user=staff_user("admin"), activity=self.party, notice=self.party_notice)
        add_duty("A", "zhou", "周值班")
        add_duty("B", "wu", "吴值班")

    def test_blocks_and_order(self):
        body = self.client.get("/").content.decode()
        # Urgent notice on top, highlighted, before the center card.
        assert body.index('class="urgent-notices"') < body.index(self.center.name + "</h1>")
        assert body.index("3号楼今晚紧急停电") < body.index('class="card center-card"')
        # Latest five non-urgent notices, newest first; the scheduled one is not shown.
        for number in range(5):
            assert f"普通通知{number}" in body
        assert "普通通知5" not in body and "未来的通知" not in body
        assert body.index("普通通知0") < body.index("普通通知4")
        # Three latest reports with a thumbnail rendition and the image's description as alt text.
        for number in range(3):
            assert f"活动报道{number}" in body
        assert "活动报道3" not in body
        thumbs = re.findall(r'<img src="([^"]+)"[^>]*alt="([^"]*)"', body)
        assert len(thumbs) == 3
        assert all("fill-320x180" in src for src, _alt in thumbs)
        assert thumbs[0][1] == "活动报道0现场照片"
        # Upcoming activities: soonest first, kind, place, link to the live notice only.
        assert body.index("中秋义诊") < body.index("第三季度集体生日会")
        assert "上个月的义工维修日" not in body
        assert f'href="{self.clinic_notice.url}"' in body
        assert f'href="{self.party_notice.url}"' not in body
        assert "小区中心广场" in body
        assert 'href="/activities.ics"' in body
        # On duty today: both posts with the staff names, the desk phone is the center's.
        assert "周值班" in body and "吴值班" in body
        assert "13800001111" not in body
        assert 'href="tel:02111110001"' in body
        # Big buttons to the resident forms.
        for path in ("/repair/", "/feedback/", "/surveys/", "/track/"):
            assert f'class="action" href="{path}"' in body

    def test_nobody_on_duty_is_said_plainly(self):
        from operations.models import DutyShift

        DutyShift.objects.all().delete()
        response = self.client.get("/")
        self.assertContains(response, 'class="card on-duty"')
        self.assertNotContains(response, 'class="duty-list"')
        self.assertContains(response, '<p class="no-duty">')


@pytest.mark.django_db
def test_home_page_shows_nothing_of_another_center(client_a, client_b, center_a, center_b, in_center):
    with in_center(center_b):
        add_notice("贝塔紧急停水", urgent=True)
        add_report("贝塔活动报道")
        add_activity("贝塔义诊", starts_in=dt.timedelta(days=1))
        add_duty("A", "beta_duty", "贝塔值班员")
    alpha = client_a.get("/").content.decode()
    beta = client_b.get("/").content.decode()
    for text in ("贝塔紧急停水", "贝塔活动报道", "贝塔义诊", "贝塔值班员", center_b.name):
        assert text in beta
        assert text not in alpha


def add_every_block(center, in_center) -> None:
    with in_center(center):
        add_notice("紧急停电", urgent=True)
        for number in range(6):
            add_notice(f"通知{number}")
        for number in range(3):
            add_report(f"报道{number}")
        add_activity("义诊", starts_in=dt.timedelta(days=1))
        add_activity("生日会", starts_in=dt.timedelta(days=2), kind="birthday_party")
        add_duty("A", "zhou", "周值班")
        add_duty("B", "wu", "吴值班")


HOME_TEXTS = ("紧急停电", "通知5", "报道2", "fill-320x180", "生日会", "吴值班")


@pytest.mark.django_db
def test_uncached_home_page_stays_within_seven_queries(
    client_a, center_a, in_center, django_assert_max_num_queries, monkeypatch
):
    """No page cache (tests run with PAGE_CACHE_SECONDS = 0) and the lists not remembered, every block with data.

    The first visit generates the thumbnails, as on a live site; the host lookup, Wagtail's site
    root paths, the navigation, the Site and the route are then remembered like on any running server:
    SET search_path, the home page, notices, reports, their thumbnails, activities, today's duty.
    """
    monkeypatch.setattr(home_module, "HOME_LISTS_SECONDS", 0)
    add_every_block(center_a, in_center)
    assert client_a.get("/").status_code == 200
    with django_assert_max_num_queries(7):
        body = client_a.get("/").content.decode()
    assert all(text in body for text in HOME_TEXTS)


@pytest.mark.django_db
def test_home_page_with_its_lists_remembered_is_two_queries(
    client_a, center_a, in_center, django_assert_max_num_queries
):
    """SET search_path and the home page itself; the lists come from the cache under the page generation."""
    add_every_block(center_a, in_center)
    first = client_a.get("/").content.decode()
    with django_assert_max_num_queries(2):
        second = client_a.get("/").content.decode()
    assert second == first and all(text in second for text in HOME_TEXTS)


@pytest.mark.django_db
def test_what_changes_after_a_visit_is_on_the_next_home_page(client_a, client_b, center_a, in_center):
    assert "新发布的通知" not in client_a.get("/").content.decode()
    before_b = client_b.get("/").content.decode()
    with in_center(center_a):
        notice = add_notice("新发布的通知", live=False)
        notice.save_revision().publish()
    assert "新发布的通知" in client_a.get("/").content.decode()
    with in_center(center_a):
        add_activity("刚安排的义诊", starts_in=dt.timedelta(days=1))
    assert "刚安排的义诊" in client_a.get("/").content.decode()
    with in_center(center_a):
        add_duty("A", "qian", "钱值班")
    assert "钱值班" in client_a.get("/").content.decode()
    with in_center(center_a):
        NoticePage.objects.get(pk=notice.pk).unpublish()
    body = client_a.get("/").content.decode()
    assert "新发布的通知" not in body and "刚安排的义诊" in body
    assert client_b.get("/").content.decode() == before_b  # the other center's lists are untouched


@pytest.mark.django_db
def test_a_notice_created_live_in_code_is_on_the_next_home_page(client_a, center_a, in_center):
    client_a.get("/")
    with in_center(center_a):
        add_notice("程序直接发布的通知")  # add_child of a live page: no page_published signal
    assert "程序直接发布的通知" in client_a.get("/").content.decode()


@pytest.mark.django_db
def test_a_listed_notice_leaves_the_home_page_when_it_expires(client_a, center_a, in_center):
    with in_center(center_a):
        add_notice("马上过期的通知", expire_at=timezone.now() + dt.timedelta(seconds=2.5))
    assert "马上过期的通知" in client_a.get("/").content.decode()
    assert "马上过期的通知" in client_a.get("/").content.decode()  # remembered until it expires
    time.sleep(2.6)
    assert "马上过期的通知" not in client_a.get("/").content.decode()


@pytest.mark.django_db
def test_home_page_with_cold_caches_stays_bounded(
    client_a, center_a, in_center, django_assert_max_num_queries
):
    """Right after a restart (every cache empty) the page costs a few more queries, never one per item."""
    with in_center(center_a):
        for number in range(8):
            add_notice(f"通知{number}", urgent=number < 2)
        for number in range(5):
            add_report(f"报道{number}")
        for number in range(6):
            add_activity(f"活动{number}", starts_in=dt.timedelta(days=number + 1))
        add_duty("A", "zhou", "周值班")
    client_a.get("/")
    clear_caches()
    with django_assert_max_num_queries(16):
        assert client_a.get("/").status_code == 200


@pytest.mark.django_db
def test_every_public_page_has_the_navigation_skip_link_and_footer(client_a, center_a, in_center):
    with in_center(center_a):
        notice_url = add_notice("导航测试通知").url
    for path, current in (
        ("/", "/"),
        ("/notices/", "/notices/"),
        (notice_url, "/notices/"),
        ("/reports/", "/reports/"),
        ("/guide/", "/guide/"),
        ("/search/?q=x", "/search/"),
    ):
        response = client_a.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert '<a class="skip-link" href="#main">' in body and '<main id="main"' in body
        nav = body[
            body.index('<nav class="site-nav"') : body.index("</nav>", body.index('<nav class="site-nav"'))
        ]
        for href in ("/", "/notices/", "/reports/", "/guide/", "/search/"):
            assert f'href="{href}"' in nav, (path, href)
        assert nav.count('aria-current="page"') == 1
        assert f'<a href="{current}" aria-current="page">' in nav, path
        footer = body[body.index('<footer class="site-footer">') :]
        assert 'href="tel:02111110001"' in footer and "每日 8:00–18:00" in footer
        # No CSRF token: the whole page can be cached for residents.
        assert "csrfmiddlewaretoken" not in body
        assert "/lang/en/?next=" in body


@pytest.mark.django_db
def test_navigation_follows_the_pages_editors_publish(client_a, center_a, in_center):
    assert 'href="/guide/"' in client_a.get("/").content.decode()  # the navigation is cached now
    with in_center(center_a):
        guide = ServiceGuidePage.objects.get()
        guide.unpublish()
    body = client_a.get("/").content.decode()
    nav = body[body.index('<nav class="site-nav"') :]
    assert 'href="/guide/"' not in nav[: nav.index("</nav>")]


@pytest.mark.django_db
def test_navigation_in_english(client_a):
    client_a.cookies["django_language"] = "en"
    body = client_a.get("/").content.decode()
    for label in ("Home", "Notices", "Activity reports", "Search"):
        assert f">{label}</a>" in body
