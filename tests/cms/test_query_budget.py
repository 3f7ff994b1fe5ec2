"""SQL budget of residents' pages without the page cache (#17: home <= 7, notice page <= 3; a plain
single-tenant Wagtail site spends 6 and 10, tests/bench/bench_site_baseline.py)."""

from wagtail.rich_text import RichText

import pytest

from cms.models import NoticeIndexPage, NoticePage

pytestmark = pytest.mark.django_db


def test_notice_page_stays_within_three_queries(center_a, client_a, in_center, django_assert_max_num_queries):
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
    # After one visit the host lookup, the site's navigation, the Site and the route are remembered: what is
    # left is SET search_path, the notice and its attachments (cms.serving).
    client_a.get("/notices/water/")
    with django_assert_max_num_queries(3):
        response = client_a.get("/notices/water/")
    assert response.status_code == 200 and "关于3号楼停水的通知" in response.content.decode()
