"""Site search: Chinese terms as substrings of the page text, only this center's visible pages."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from cms.search import MAX_QUERY_LENGTH, MAX_TERMS, highlight, search_query_parse
from tests.base import CenterTestCase
from tests.cms.test_home_page import add_notice, add_report


class SearchQueryParseTests(CenterTestCase):
    def test_terms_split_on_whitespace_and_punctuation(self):
        query = search_query_parse("  停水，3号楼;  通知。停水 ")
        assert query.terms == ["停水", "3号楼", "通知"]
        assert query.text == "停水，3号楼; 通知。停水"
        assert not query.truncated

    def test_term_pairs(self):
        from cms.search import term_pairs

        assert term_pairs("停水通知") == ["停水", "通知"]
        assert term_pairs("停水的通知") == ["停水", "通知"]
        assert term_pairs("停水") == [] and term_pairs("3号楼停水") == [] and term_pairs("停水通") == []
        assert term_pairs("电梯维保通知") == ["电梯", "维保", "通知"]

    def test_empty_and_long_queries(self):
        assert search_query_parse(None).terms == []
        assert search_query_parse(" ，。 ").terms == []
        long = search_query_parse("停" * 500)
        assert long.truncated and len(long.text) == MAX_QUERY_LENGTH
        assert len(search_query_parse(" ".join(f"词{n}" for n in range(20))).terms) == MAX_TERMS

    def test_highlight_escapes_everything_but_the_marks(self):
        html = highlight("<b>关于停水</b>", ["停水"])
        assert html == "&lt;b&gt;关于<mark>停水</mark>&lt;/b&gt;"


class SearchViewTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        today = timezone.localdate()
        self.water = add_notice(
            "关于3号楼停水的通知", text="因管道检修暂停供水。", date=today - dt.timedelta(days=5)
        )
        self.body_only = add_notice("物业温馨提示", text="周末可能临时停水，请储水。", date=today)
        self.report = add_report("中秋义诊活动圆满结束", cover=False, summary="社区医院医生为120位居民义诊。")
        now = timezone.now()
        add_notice("停水草稿", live=False)
        add_notice("停水预告（未到发布时间）", go_live_at=now + dt.timedelta(days=2))
        add_notice(
            "停水旧闻（已过期）", expire_at=now - dt.timedelta(days=1), go_live_at=now - dt.timedelta(days=9)
        )

    def search(self, q, **params):
        response = self.client.get("/search/", {"q": q, **params})
        assert response.status_code == 200
        return response.content.decode()

    def test_chinese_word_finds_the_notice_by_title(self):
        body = self.search("停水")
        assert "关于3号楼<mark>停水</mark>的通知" in body
        assert self.water.url in body

    def test_words_typed_together_are_read_as_two_character_words(self):
        for query in ("停水通知", "停水的通知", "3号楼 停水通知"):
            body = self.search(query)
            assert self.water.url in body, query
        assert "<mark>停水</mark>" in self.search("停水通知")
        assert self.water.url not in self.search("水通知停")  # pairs 水通 + 知停: not in the notice
        assert self.water.url not in self.search("停水游泳")  # every pair must be there

    def test_title_matches_first_then_newest(self):
        body = self.search("停水")
        assert self.body_only.url in body  # found by its body text
        assert body.index(self.water.url) < body.index(self.body_only.url)

    def test_every_term_must_match(self):
        assert self.water.url in self.search("3号楼 停水")
        assert self.water.url in self.search("3号楼，停水")
        body = self.search("3号楼 游泳池")
        assert self.water.url not in body and 'class="search-results"' not in body
        assert "3号楼 游泳池" in body  # echoed in the "nothing found" message

    def test_reports_are_found_by_their_summary(self):
        body = self.search("义诊 居民")
        assert self.report.url in body and "物业温馨提示" not in body

    def test_hidden_notices_are_never_found(self):
        body = self.search("停水")
        for title in ("停水草稿", "停水预告", "停水旧闻"):
            assert title not in body

    def test_query_is_escaped_and_bad_input_never_fails(self):
        body = self.search("<script>alert('x')</script>")
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert" in body
        empty = self.search("")
        assert 'class="message"' in empty and 'class="search-results"' not in empty
        long = self.search("停水" * 400)
        assert 'class="message"' in long
        assert f'maxlength="{MAX_QUERY_LENGTH}"' in long
        assert self.client.get("/search/", {"q": "停水", "page": "abc"}).status_code == 200
        assert self.client.get("/search/", {"q": "停水", "page": "999"}).status_code == 200
        assert self.client.post("/search/", {"q": "停水"}).status_code == 405
        for odd in ("%", "_", "'; DROP TABLE wagtailcore_page; --"):
            assert 'class="search-results"' not in self.search(odd)
        # A NUL byte never reaches PostgreSQL: the request is our 400 page (portal.middleware, defect 12).
        assert self.client.get("/search/", {"q": "停\x00水"}).status_code == 400

    def test_pagination_keeps_the_query(self):
        for number in range(12):
            add_notice(f"电梯维保通知{number}")
        first = self.search("电梯")
        assert first.count('<li>\n    <h2><a href="') == 10
        assert "?q=%E7%94%B5%E6%A2%AF&amp;page=2" in first
        second = self.search("电梯", page=2)
        assert second.count('<li>\n    <h2><a href="') == 2

    def test_query_count_does_not_grow_with_results(self):
        add_report("报道通知样例", cover=False)  # both page types among the results from the start
        self.search("通知")
        with CaptureQueriesContext(connection) as few:
            self.search("通知")
        for number in range(8):
            add_notice(f"新通知{number}")
            add_report(f"新报道通知{number}", cover=False)
        self.search("通知")  # new live pages start a new page generation: warm again
        with CaptureQueriesContext(connection) as many:
            body = self.search("通知")
        assert "新报道<mark>通知</mark>" in body and "新<mark>通知</mark>" in body
        assert len(many) == len(few)


@pytest.mark.django_db
def test_search_never_shows_another_centers_pages(
    client_a, client_b, center_a, center_b, in_center, django_assert_max_num_queries
):
    with in_center(center_b):
        add_notice("贝塔小区停水通知")
        add_report("贝塔停水抢修报道", cover=False)
    with in_center(center_a):
        add_notice("阿尔法小区停水通知")
    client_a.get("/search/", {"q": "停水"})
    with django_assert_max_num_queries(8):
        alpha = client_a.get("/search/", {"q": "停水"}).content.decode()
    assert "阿尔法小区<mark>停水</mark>通知" in alpha
    assert "贝塔" not in alpha
    beta = client_b.get("/search/", {"q": "停水"}).content.decode()
    assert "贝塔小区<mark>停水</mark>通知" in beta and "阿尔法" not in beta
