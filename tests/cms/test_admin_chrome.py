"""The center's admin as staff see it: no request to outside hosts (avatars, help links)."""

import re

from django.contrib.auth import get_user_model

import pytest

from tests.base import TEST_PASSWORD, CenterTestCase
from tests.factories import make_user

pytestmark = pytest.mark.django_db

OWN_HOSTS = {"alpha.localhost", "www.w3.org"}  # w3.org: XML namespaces, never fetched


def external_urls(body: str) -> set[str]:
    """URLs outside our host that the page loads (src, srcset, <link href>) or links to.

    Wagtail's <noscript> hint links to enable-javascript.com; it loads nothing and shows only
    without JavaScript, so it is left out.
    """
    body = re.sub(r"<noscript[^>]*>.*?</noscript>", "", body, flags=re.DOTALL)
    urls = set()
    for url in re.findall(r'(?:src|href|srcset|action)="([^"]+)"', body):
        match = re.match(r"^(?:https?:)?//([^/:]+)", url)
        if match and match[1] not in OWN_HOSTS:
            urls.add(url)
    return urls


class AdminOwnHostTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.user = get_user_model().objects.create_user(
            username="wen",
            password=TEST_PASSWORD,
            email="wen@example.com",
            first_name="文",
            is_superuser=True,
        )
        self.client.login(username="wen", password=TEST_PASSWORD)

    def test_admin_pages_reference_no_external_host(self):
        for path in ("/admin/", "/admin/pages/", "/admin/account/", "/admin/users/"):
            response = self.client.get(path)
            assert response.status_code == 200, path
            body = response.content.decode()
            assert "gravatar" not in body, path
            assert external_urls(body) == set(), path

    def test_avatar_is_the_users_initial_or_the_uploaded_image(self):
        body = self.client.get("/admin/").content.decode()
        assert 'src="data:image/svg+xml,' in body
        assert "%E6%96%87" in body  # 文, the first character of the name

    def test_help_menu_keeps_no_link_to_wagtails_english_guide(self):
        body = self.client.get("/admin/").content.decode()
        assert "guide.wagtail.org" not in body
        assert "editor guide" not in body.lower()


class AdminChineseTests(CenterTestCase):
    """Strings Wagtail's zh_Hans catalogue lacks come from ours: the screens staff use are Chinese."""

    def setUp(self):
        super().setUp()
        from wagtail.models import Page

        self.user = get_user_model().objects.create_user(
            username="wen", password=TEST_PASSWORD, first_name="文", is_superuser=True
        )
        self.client.login(username="wen", password=TEST_PASSWORD)
        self.home = Page.objects.get(depth=2).specific

    def get(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, path
        return response.content.decode()

    def test_dashboard(self):
        body = self.get("/admin/")
        assert "Search all pages" not in body and "搜索所有页面" in body
        assert not re.search(r"\d+ Pages\b", body)
        assert "editor guide" not in body

    def test_page_editor_side_panels(self):
        body = self.get(f"/admin/pages/{self.home.pk}/edit/")
        for english in ("Referenced", "Content metrics", "Autosave is paused", "Schedule to publish"):
            assert english not in body, english
        assert "被引用" in body and "定时发布" in body

    def test_dashboard_and_lock_message_of_a_page_in_moderation(self):
        workflow = self.home.get_workflow()
        assert workflow is not None
        self.home.save_revision(user=self.user)
        workflow.start(self.home, self.user)
        body = self.get("/admin/")
        assert "Privacy and access" not in body and "隐私与访问" in body
        assert "Your pages and snippets in a workflow" not in body
        # What an editor who may not review sees on the page: "This 页面 is currently awaiting moderation."
        editor = get_user_model().objects.create_user(username="editor", password=TEST_PASSWORD)
        lock = type(self.home).objects.get(pk=self.home.pk).get_lock()
        message = str(lock.get_message(editor))
        assert "awaiting moderation" not in message and "正在等待审核" in message


def test_dashboard_page_search_only_for_staff_who_may_explore_pages(alpha, admin_client, client_a):
    """A dispatcher (no page rights) searching from the dashboard was sent back with 没有权限."""
    assert 'role="search"' in admin_client.get("/admin/").content.decode()
    dispatcher = make_user("diaodu", "部门调度员", "调度员")
    client_a.force_login(dispatcher)
    response = client_a.get("/admin/")
    assert response.status_code == 200 and 'role="search"' not in response.content.decode()
