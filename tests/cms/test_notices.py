"""Residents' notices: page types, listing order, schedule, filters, poster, Open Graph."""

import datetime

from django.utils import timezone

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from cms.models import HomePage, NoticeIndexPage, NoticePage
from cms.setup import center_pages_install
from tests.base import TEST_PASSWORD, CenterTestCase


def _index() -> NoticeIndexPage:
    home = HomePage.objects.get()
    center_pages_install(home=home)
    return NoticeIndexPage.objects.child_of(home).get()


def _paragraph(text: str):
    return [("paragraph_block", f"<p>{text}</p>")]


def add_notice(index: NoticeIndexPage, title: str, **fields) -> NoticePage:
    fields.setdefault("body", _paragraph(f"{title}的正文"))
    notice = NoticePage(title=title, live=True, **fields)
    index.add_child(instance=notice)
    return notice


class NoticePageTypeTests(CenterTestCase, WagtailPageTestCase):
    def test_page_tree_rules(self):
        home = HomePage.objects.get()
        index = _index()
        self.assertAllowedParentPageTypes(NoticeIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(NoticeIndexPage, {NoticePage})
        self.assertAllowedParentPageTypes(NoticePage, {NoticeIndexPage})
        self.assertAllowedSubpageTypes(NoticePage, set())
        self.assertCanCreateAt(NoticeIndexPage, NoticePage)
        self.assertCanNotCreateAt(HomePage, NoticePage)
        self.assertCanNotCreateAt(Page, NoticeIndexPage)
        # One notice list per site: the provisioned one blocks a second.
        assert not NoticeIndexPage.can_create_at(home)
        assert index.live

    def test_center_pages_install_is_idempotent(self):
        home = HomePage.objects.get()
        center_pages_install(home=home)
        center_pages_install(home=home)
        assert NoticeIndexPage.objects.child_of(home).count() == 1
        assert NoticeIndexPage.objects.get().title == "通知公告"

    def test_pages_render(self):
        index = _index()
        notice = add_notice(index, "3号楼停水通知", category="utilities", urgent=True)
        self.assertPageIsRenderable(index)
        self.assertPageIsRenderable(notice)
        self.assertPageIsRenderable(notice, route_path="/poster/")

    def test_admin_can_create_a_notice_with_body_and_attachment(self):
        from django.core.files.base import ContentFile

        from wagtail.documents import get_document_model

        from operations.models import Building

        self.client.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
        index = _index()
        document = get_document_model().objects.create(
            title="停水范围图", file=ContentFile(b"%PDF-1.4 test", name="map.pdf")
        )
        building = Building.objects.create(name="测试3号楼")
        data = nested_form_data(
            {
                "title": "明日停水",
                "slug": "water-off",
                "date": "2026-11-28",
                "category": "utilities",
                "urgent": "on",
                "body": streamfield(
                    [
                        ("heading_block", {"heading_text": "停水时间", "size": "h2"}),
                        ("paragraph_block", rich_text("<p>明日 9:00–12:00 停水。</p>")),
                    ]
                ),
                "attachments": inline_formset([{"document": document.pk, "title": "范围图"}]),
            }
        )
        data["buildings"] = [building.pk]  # a multiple choice: posted as a list, not nested
        self.assertCanCreate(index, NoticePage, data)
        notice = NoticePage.objects.get(slug="water-off")
        assert notice.urgent and notice.category == "utilities"
        assert notice.attachments.get().document == document
        assert list(notice.buildings.all()) == [building]
        assert notice.body[0].value["heading_text"] == "停水时间"

    def test_expiry_before_go_live_is_refused_in_the_editor(self):
        from django.core.exceptions import ValidationError

        index = _index()
        now = timezone.now()
        notice = NoticePage(
            title="错误的时间",
            slug="bad-dates",
            go_live_at=now + datetime.timedelta(days=2),
            expire_at=now + datetime.timedelta(days=1),
        )
        with pytest.raises(ValidationError) as error:
            index.add_child(instance=notice)
        assert "expire_at" in error.value.message_dict


class NoticeListTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.index = _index()

    def _titles(self, response) -> list[str]:
        return [notice.title for notice in response.context["notices"]]

    def test_urgent_and_pinned_first_then_newest(self):
        today = timezone.localdate()
        add_notice(self.index, "旧通知", date=today - datetime.timedelta(days=5))
        add_notice(self.index, "新通知", date=today)
        add_notice(self.index, "置顶通知", date=today - datetime.timedelta(days=9), pinned=True)
        add_notice(self.index, "紧急停电", date=today - datetime.timedelta(days=10), urgent=True)
        response = self.client.get(self.index.url)
        assert response.status_code == 200
        assert self._titles(response) == ["紧急停电", "置顶通知", "新通知", "旧通知"]
        self.assertContains(response, 'class="urgent"')

    def test_expired_scheduled_and_draft_notices_are_not_listed(self):
        now = timezone.now()
        add_notice(self.index, "当前通知")
        add_notice(self.index, "已过期通知", expire_at=now - datetime.timedelta(hours=1))
        add_notice(self.index, "预定通知", go_live_at=now + datetime.timedelta(days=1))
        draft = NoticePage(title="草稿通知", live=False, body=_paragraph("草稿"))
        self.index.add_child(instance=draft)
        response = self.client.get(self.index.url)
        assert self._titles(response) == ["当前通知"]
        self.assertNotContains(response, "已过期通知")
        self.assertNotContains(response, "预定通知")

    def test_category_filter(self):
        add_notice(self.index, "停电通知", category="utilities")
        add_notice(self.index, "中秋活动", category="event")
        response = self.client.get(self.index.url, {"category": "event"})
        assert self._titles(response) == ["中秋活动"]
        assert response.context["category"] == "event"

    def test_bad_category_and_page_do_not_fail(self):
        add_notice(self.index, "停电通知", category="utilities")
        response = self.client.get(self.index.url, {"category": "<bad>", "page": "x"})
        assert response.status_code == 200
        assert self._titles(response) == ["停电通知"]
        response = self.client.get(self.index.url, {"page": "999"})
        assert response.status_code == 200

    def test_pagination(self):
        for number in range(12):
            add_notice(self.index, f"通知{number:02d}")
        first = self.client.get(self.index.url)
        second = self.client.get(self.index.url, {"page": 2})
        assert len(first.context["notices"]) == 10
        assert len(second.context["notices"]) == 2
        self.assertContains(first, 'rel="next"')

    def test_query_count_is_flat_with_30_notices(self):
        for number in range(3):
            add_notice(self.index, f"通知{number}")
        self.client.get(self.index.url)  # warm caches (site root paths, content types)
        few = self._count_queries()
        for number in range(3, 30):
            add_notice(self.index, f"通知{number}", urgent=number % 3 == 0)
        self.client.get(self.index.url)  # new live pages start a new page generation: warm again
        assert self._count_queries() == few

    def _count_queries(self) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(self.index.url)
        assert response.status_code == 200
        return len(captured.captured_queries)


class NoticeDetailTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.index = _index()

    def test_notice_page_shows_body_audience_and_open_graph(self):
        from operations.models import Building

        building = Building.objects.create(name="测试5号楼")
        notice = add_notice(
            self.index,
            "5号楼电梯检修",
            category="reminder",
            whole_estate=False,
            body=_paragraph("周三上午电梯检修，请走楼梯。"),
        )
        notice.buildings.set([building])
        notice.save_revision().publish()
        response = self.client.get(notice.url)
        self.assertContains(response, "周三上午电梯检修")
        self.assertContains(response, "测试5号楼")
        self.assertContains(response, '<meta property="og:title" content="5号楼电梯检修">')
        self.assertContains(response, '<meta property="og:type" content="article">')
        self.assertContains(
            response, '<meta property="og:description" content="周三上午电梯检修，请走楼梯。">'
        )
        self.assertContains(response, f'<meta property="og:url" content="{notice.full_url}">')
        assert notice.full_url.startswith("http://alpha.localhost/")
        self.assertNotContains(response, "og:image")

    def test_search_description_is_preferred_for_open_graph(self):
        notice = add_notice(self.index, "政策宣传", search_description="垃圾分类新规")
        response = self.client.get(notice.url)
        self.assertContains(response, '<meta property="og:description" content="垃圾分类新规">')

    def test_expired_notice_is_not_served(self):
        notice = add_notice(self.index, "过期", expire_at=timezone.now() - datetime.timedelta(hours=1))
        # Wagtail's publish_scheduled job unpublishes it; until then it is kept out of lists.
        from django.core.management import call_command

        call_command("publish_scheduled")
        notice.refresh_from_db()
        assert not notice.live
        assert self.client.get(notice.url).status_code == 404

    def test_poster_has_title_and_qr_code_to_the_full_url(self):
        notice = add_notice(self.index, "小区消防演练", urgent=True, body=_paragraph("周六上午消防演练。"))
        response = self.client.get(notice.url + "poster/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "小区消防演练" in html
        assert "<svg" in html and "<path" in html
        assert "@page { size: A4" in html
        assert notice.full_url in html
        assert 'aria-label="' in html

    def test_qr_code_encodes_the_url(self):
        from cms.qr import qr_svg

        first, second = qr_svg("http://alpha.localhost/a/"), qr_svg("http://alpha.localhost/b/")
        assert first.startswith("<svg") and first != second


class NoticeImageAndLanguageTests(CenterTestCase):
    def test_open_graph_image_when_the_notice_has_one(self):
        from wagtail.images import get_image_model
        from wagtail.images.tests.utils import get_test_image_file

        image = get_image_model().objects.create(title="通知配图", file=get_test_image_file())
        notice = add_notice(
            _index(),
            "社区义诊",
            body=[
                ("image_block", {"image": image, "caption": "义诊现场", "alt_text": "医生为居民量血压"}),
                ("paragraph_block", "<p>周六上午义诊。</p>"),
            ],
        )
        response = self.client.get(notice.url)
        self.assertContains(response, '<meta property="og:image" content="http://alpha.localhost/')
        self.assertContains(response, 'alt="医生为居民量血压"')
        self.assertContains(response, '<meta property="og:description" content="周六上午义诊。">')

    def test_categories_in_chinese(self):
        from django.utils import translation

        notice = add_notice(_index(), "停电", category="utilities", urgent=True)
        with translation.override("zh-hans"):
            assert notice.get_category_display() == "停水停电"
        response = self.client.get(notice.url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertContains(response, "停水停电")
        self.assertContains(response, "紧急")
