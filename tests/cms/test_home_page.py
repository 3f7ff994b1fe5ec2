from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

import pytest

from cms.models import HomePage, NoticeIndexPage
from tests.base import CenterTestCase


class HomePageTests(CenterTestCase, WagtailPageTestCase):
    def test_home_page_sits_at_the_root_only(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {NoticeIndexPage})

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
    from cms.models import NoticeIndexPage, NoticePage

    with in_center(center_a):
        index = NoticeIndexPage.objects.get()
        index.add_child(instance=NoticePage(title="本周六小区绿化修剪", slug="green", category="reminder"))
        index.add_child(
            instance=NoticePage(title="明日停水通知", slug="water", category="utilities", urgent=True)
        )
    body = client_a.get("/").content.decode()
    assert "通知公告" in body
    assert body.index("明日停水通知") < body.index("本周六小区绿化修剪")
    assert "紧急" in body
