"""SQL budget of residents' pages without the page cache (issue: home <= 12, notice page <= 8)."""

from wagtail.rich_text import RichText

import pytest

from cms.models import NoticeIndexPage, NoticePage

pytestmark = pytest.mark.django_db


def test_notice_page_stays_within_eight_queries(center_a, client_a, in_center, django_assert_max_num_queries):
    with in_center(center_a):
        index = NoticeIndexPage.objects.get()
        notice = NoticePage(
            title="关于3号楼停水的通知",
            slug="water",
            category="utilities",
            urgent=True,
            body=[("paragraph_block", RichText("<p>因水箱清洗，3号楼明日停水。</p>"))],
        )
        index.add_child(instance=notice)
        notice.save_revision().publish()
    client_a.get("/notices/water/")  # the host lookup and the site's navigation are cached after one visit
    with django_assert_max_num_queries(8):
        response = client_a.get("/notices/water/")
    assert response.status_code == 200 and "关于3号楼停水的通知" in response.content.decode()
