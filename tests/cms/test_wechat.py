"""微信图文 export of a published activity report: inline styles only, absolute images, escaped text."""

import re
from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from cms.models import ActivityReportPage
from cms.services.reports import activity_report_draft
from cms.wechat import inline_rich_text, wechat_article
from tests.base import TEST_PASSWORD, CenterTestCase
from tests.cms.test_reports import add_report, admin_user, held_activity, report_index
from tests.factories import make_user


def _export_url(page) -> str:
    return reverse("cms_report_wechat", args=[page.pk])


class WechatArticleTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.index = report_index()

    def _published_report(self, **changes) -> ActivityReportPage:
        activity = held_activity(photos=6, partner_name="社区医院")
        page = activity_report_draft(acting_user=admin_user(), activity=activity)
        for field, value in changes.items():
            setattr(page, field, value)
        page.save_revision().publish()
        return ActivityReportPage.objects.get(pk=page.pk)

    def test_html_has_inline_styles_only_and_absolute_images(self):
        page = self._published_report(participants_count=35, satisfaction_rate=Decimal("98.0"))
        html = wechat_article(page, root_url="http://alpha.localhost")["html"]
        assert "class=" not in html and "<script" not in html and "<style" not in html
        assert "<link" not in html and "id=" not in html
        assert "style=" in html
        assert page.title in html and page.summary in html
        assert page.date.strftime("%Y-%m-%d") in html
        assert "35" in html and "98.0%" in html
        images = re.findall(r'<img src="([^"]+)" alt="([^"]*)" width="(\d+)"', html)
        assert len(images) == 6  # 4 in the body, the other 2 of the gallery after it
        assert all(src.startswith("http://alpha.localhost/media/alpha/images/") for src, _alt, _w in images)
        assert all(alt for _src, alt, _w in images)
        assert {alt for _src, alt, _w in images} == {f"{page.activity.number}照片{n}" for n in range(1, 7)}
        assert all(int(width) <= 1080 for _src, _alt, width in images)
        assert f"http://alpha.localhost{page.url}" in html

    def test_every_text_is_escaped(self):
        page = self._published_report(
            title="<script>alert('t')</script>报道",
            summary='<img src=x onerror="alert(1)">摘要',
            body=[
                ("heading_block", {"heading_text": "<script>h</script>", "size": "h2"}),
                (
                    "paragraph_block",
                    "<p>正文&lt;script&gt;typed&lt;/script&gt;<script>raw()</script>"
                    '<a href="javascript:alert(1)">坏链接</a> <a href="/notices/">通知</a></p>',
                ),
            ],
        )
        html = wechat_article(page, root_url="http://alpha.localhost")["html"]
        assert "<script" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;报道" in html
        assert "&lt;img src=x onerror=" in html
        assert "&lt;script&gt;h&lt;/script&gt;" in html
        assert "&lt;script&gt;typed&lt;/script&gt;" in html
        assert "&lt;script&gt;raw()&lt;/script&gt;" in html
        assert "javascript:" not in html
        assert '<a href="http://alpha.localhost/notices/" style=' in html

    def test_rich_text_keeps_its_structure_with_inline_styles(self):
        html = inline_rich_text(
            '<p class="x" onclick="y()">一<b>二</b><i>三</i></p><ul><li>甲</li></ul><p>a<br/>b</p>',
            root_url="http://alpha.localhost",
        )
        assert "class=" not in html and "onclick" not in html
        assert re.fullmatch(
            r'<p style="[^"]+">一<b style="[^"]+">二</b><i style="[^"]+">三</i></p>'
            r'<ul style="[^"]+"><li style="[^"]+">甲</li></ul><p style="[^"]+">a<br>b</p>',
            html,
        )


class WechatExportViewTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.index = report_index()

    def test_editor_sees_preview_textarea_and_copy_button(self):
        page = add_report(self.index, "<b>义诊</b>报道")
        self.client.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
        response = self.client.get(_export_url(page))
        assert response.status_code == 200
        html = response.content.decode()
        textarea = re.search(r'<textarea id="wechat-html"[^>]*>(.*?)</textarea>', html, re.S).group(1)
        # The textarea shows the HTML source, escaped once more for the admin page.
        assert "&lt;h1 style=" in textarea and "&amp;lt;b&amp;gt;义诊" in textarea
        assert "<h1 style=" in html  # the preview
        assert 'data-action="w-clipboard#copy"' in html

    def test_unpublished_report_gets_a_clear_message(self):
        activity = held_activity()
        page = activity_report_draft(acting_user=admin_user(), activity=activity)
        self.client.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
        with translation.override("zh-hans"):
            response = self.client.get(_export_url(page), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        assert response.context["not_published"]
        assert "wechat-html" not in response.content.decode()

    def test_only_staff_who_may_edit_the_page(self):
        page = add_report(self.index, "报道")
        make_user("desk", "前台客服", "desk")  # admin access, no page permissions
        self.client.login(username="desk", password=TEST_PASSWORD)
        refused = self.client.get(_export_url(page))
        # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
        assert refused.status_code == 302 and refused["Location"] == "/admin/"
        self.client.logout()
        make_user("wen", "社区文化活动专员", "wen")
        self.client.login(username="wen", password=TEST_PASSWORD)
        assert self.client.get(_export_url(page)).status_code == 200
        self.client.logout()
        response = self.client.get(_export_url(page))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        self.client.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
        assert self.client.get(reverse("cms_report_wechat", args=[self.index.pk])).status_code == 404

    def test_button_on_the_edit_page_and_the_listing(self):
        page = add_report(self.index, "报道")
        draft = ActivityReportPage(title="草稿", live=False)
        self.index.add_child(instance=draft)
        self.client.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
        edit = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
        assert _export_url(page) in edit
        listing = self.client.get(reverse("wagtailadmin_explore", args=[self.index.pk])).content.decode()
        assert _export_url(page) in listing
        assert _export_url(draft) not in listing
        draft_edit = self.client.get(reverse("wagtailadmin_pages:edit", args=[draft.pk])).content.decode()
        assert _export_url(draft) not in draft_edit
