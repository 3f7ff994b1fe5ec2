"""Activity reports: drafting from a held activity, the pages, moderation by the center head, publishing."""

import datetime as dt
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, GroupApprovalTask, Page, PageLogEntry, WorkflowPage, WorkflowState
from wagtail.test.utils import WagtailPageTestCase

import pytest

from cms.models import ActivityReportIndexPage, ActivityReportPage, HomePage
from cms.services.reports import activity_report_draft
from cms.setup import REPORT_WORKFLOW_NAME, center_pages_install, report_workflow_install
from operations.models import Activity, AuditEntry
from operations.services.activities import activity_create
from tests.base import TEST_PASSWORD, CenterTestCase
from tests.factories import make_user

K = Activity.Kind
S = Activity.Status


def report_index() -> ActivityReportIndexPage:
    home = HomePage.objects.get()
    center_pages_install(home=home)
    return ActivityReportIndexPage.objects.child_of(home).get()


def photo_collection(name: str, photos: int) -> Collection:
    collection = Collection.get_first_root_node().add_child(name=name)
    for number in range(photos):
        get_image_model().objects.create(
            title=f"{name}照片{number + 1}",
            file=get_test_image_file(filename=f"photo{number}.png"),
            collection=collection,
        )
    return collection


def held_activity(
    *, title: str = "中秋社区义诊", kind: str = K.FREE_CLINIC, photos: int = 0, status: str = S.HELD, **extra
) -> Activity:
    starts_at = timezone.now() - dt.timedelta(days=1)
    activity = activity_create(
        acting_user=None,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place="中心广场",
        **extra,
    )
    Activity.objects.filter(pk=activity.pk).update(status=status)
    activity.status = status
    if photos:
        activity.photo_collection = photo_collection(f"{activity.number}", photos)
        activity.save(update_fields=["photo_collection"])
    return activity


def admin_user():
    return get_user_model().objects.get(username="admin")


def add_report(index: ActivityReportIndexPage, title: str, **fields) -> ActivityReportPage:
    """A report published at once (through a revision, so the publish signals run)."""
    fields.setdefault("summary", f"{title}的摘要")
    fields.setdefault("body", [("paragraph_block", f"<p>{escape(title)}的正文</p>")])
    report = ActivityReportPage(title=title, live=False, **fields)
    index.add_child(instance=report)
    report.save_revision().publish()
    report.refresh_from_db()
    return report


class ReportPageTypeTests(CenterTestCase, WagtailPageTestCase):
    def test_page_tree_rules_and_rendering(self):
        index = report_index()
        self.assertAllowedParentPageTypes(ActivityReportPage, {ActivityReportIndexPage})
        self.assertAllowedSubpageTypes(ActivityReportIndexPage, {ActivityReportPage})
        self.assertCanCreateAt(ActivityReportIndexPage, ActivityReportPage)
        self.assertCanNotCreateAt(HomePage, ActivityReportPage)
        report = add_report(index, "重阳节集体生日会")
        self.assertPageIsRenderable(index)
        self.assertPageIsRenderable(report)


class ActivityReportDraftTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.index = report_index()
        self.user = admin_user()

    def test_draft_from_held_activity(self):
        activity = held_activity(photos=3, partner_name="社区卫生服务中心")
        activity.participants.create(name="甲", attended=True)
        activity.participants.create(name="乙", attended=True)
        activity.participants.create(name="丙", attended=False)
        with translation.override("en"):
            page = activity_report_draft(acting_user=self.user, activity=activity)

        page = ActivityReportPage.objects.get(pk=page.pk)
        assert not page.live and page.has_unpublished_changes
        assert page.get_parent().specific == self.index
        assert page.title == "中秋社区义诊"
        assert page.slug == activity.number.lower()
        assert page.activity == activity
        assert page.date == timezone.localtime(activity.starts_at).date()
        assert "义诊" in page.summary and "中心广场" in page.summary and "社区卫生服务中心" in page.summary
        assert "Participants: 2." in page.summary
        assert "甲" not in page.summary  # no resident names
        photos = list(get_image_model().objects.filter(collection=activity.photo_collection).order_by("pk"))
        assert page.gallery_collection == activity.photo_collection
        assert page.cover_image == photos[0]
        assert page.participants_count == 2
        assert page.repairs_done is None and page.satisfaction_rate is None

        blocks = list(page.body)
        assert blocks[0].block_type == "paragraph_block"
        assert "中心广场" in blocks[0].value.source
        images = [b.value for b in blocks if b.block_type == "image_block"]
        assert [v["image"] for v in images] == photos
        assert [v["alt_text"] for v in images] == [p.title for p in photos]

        revision = page.latest_revision
        assert revision is not None and revision.user == self.user
        assert PageLogEntry.objects.filter(page=page, action="wagtail.create", user=self.user).exists()
        entry = AuditEntry.objects.get(action="activity_report_draft", object_id=str(activity.pk))
        assert entry.acting_user == self.user and entry.changes == {"report_page": page.pk}
        # Drafting does not report the activity: publishing does.
        activity.refresh_from_db()
        assert activity.status == S.HELD

    def test_second_call_returns_the_existing_report(self):
        activity = held_activity()
        first = activity_report_draft(acting_user=self.user, activity=activity)
        second = activity_report_draft(acting_user=self.user, activity=activity)
        assert first.pk == second.pk
        assert ActivityReportPage.objects.filter(activity=activity).count() == 1
        assert AuditEntry.objects.filter(action="activity_report_draft").count() == 1

    def test_figures_of_a_repair_day_and_satisfaction(self):
        activity = held_activity(title="春节前义工维修日", kind=K.REPAIR_DAY)
        figures = {"participants": 12, "repairs_done": 7, "satisfaction_rate": 95.5, "responses": 10}
        with mock.patch("cms.services.reports.activity_figures", return_value=figures):
            page = activity_report_draft(acting_user=self.user, activity=activity)
        assert page.participants_count == 12
        assert page.repairs_done == 7
        assert page.satisfaction_rate == Decimal("95.5")
        assert page.figures[-1][1] == "95.5%"
        assert page.cover_image is None and page.gallery_collection is None

    def test_reported_activity_may_be_drafted(self):
        activity = held_activity(status=S.REPORTED)
        assert activity_report_draft(acting_user=self.user, activity=activity).activity == activity

    def test_only_held_activities(self):
        for status in (S.PLANNED, S.PUBLICISED, S.CANCELLED):
            activity = held_activity(status=status)
            with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
                activity_report_draft(acting_user=self.user, activity=activity)
            with translation.override("zh-hans"):
                assert str(S(status).label) in error.value.messages[0]
        assert not ActivityReportPage.objects.exists()

    def test_slugs_stay_unique(self):
        activity = held_activity()
        self.index.add_child(
            instance=ActivityReportPage(title="占位", slug=activity.number.lower(), live=False)
        )
        page = activity_report_draft(acting_user=self.user, activity=activity)
        assert page.slug == f"{activity.number.lower()}-2"

    def test_html_in_activity_text_stays_text_and_plans_stay_out(self):
        activity = held_activity(
            partner_name="<script>alert(1)</script>医院", execution_plan_text="联系人 13800001111"
        )
        page = activity_report_draft(acting_user=self.user, activity=activity)
        source = page.body[0].value.source
        assert "<script>" not in source and "&lt;script&gt;" in source
        assert "<script>alert(1)</script>医院" in page.summary  # plain text, escaped where shown
        assert "13800001111" not in source and "13800001111" not in page.summary


class ReportPagesTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.index = report_index()

    def test_report_page_shows_summary_figures_gallery_and_open_graph(self):
        activity = held_activity(photos=6)
        page = activity_report_draft(acting_user=admin_user(), activity=activity)
        page.satisfaction_rate = Decimal("96.5")
        page.participants_count = 40
        page.save_revision().publish()
        page.refresh_from_db()
        response = self.client.get(page.url)
        assert response.status_code == 200
        html = response.content.decode()
        self.assertContains(response, "<h1>中秋社区义诊</h1>", html=True)
        self.assertContains(response, page.summary)
        self.assertContains(response, "96.5%")
        self.assertContains(response, "<dd>40</dd>", html=True)
        # Four photos in the body, the other two in the gallery: each photo once, with alt text.
        for number in range(1, 7):
            assert html.count(f'alt="{activity.number}照片{number}"') == 1
        gallery = html[html.index('class="report-gallery"') :]
        assert gallery.count('loading="lazy"') == 2 and f'alt="{activity.number}照片5"' in gallery
        self.assertContains(response, '<meta property="og:type" content="article">')
        self.assertContains(response, f'<meta property="og:url" content="{page.full_url}">')
        self.assertContains(
            response, '<meta property="og:image" content="http://alpha.localhost/media/alpha/'
        )
        self.assertContains(response, f'<meta property="og:description" content="{page.summary}">')

    def test_text_is_escaped_on_the_page(self):
        add_report(self.index, "<script>alert(1)</script>", summary="<img src=x onerror=alert(2)>")
        page = ActivityReportPage.objects.get()
        html = self.client.get(page.url).content.decode()
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
        assert "<img src=x" not in html

    def test_index_lists_live_reports_newest_first_with_thumbnails(self):
        today = timezone.localdate()
        collection = photo_collection("封面", 1)
        cover = get_image_model().objects.get(collection=collection)
        add_report(self.index, "旧报道", date=today - dt.timedelta(days=30))
        add_report(self.index, "新报道", date=today, cover_image=cover)
        draft = ActivityReportPage(title="草稿报道", live=False)
        self.index.add_child(instance=draft)
        response = self.client.get(self.index.url)
        assert [r.title for r in response.context["reports"]] == ["新报道", "旧报道"]
        self.assertNotContains(response, "草稿报道")
        self.assertContains(response, "新报道的摘要")
        self.assertContains(response, f'<time datetime="{today:%Y-%m-%d}">')
        self.assertContains(response, 'src="/media/alpha/images/')
        self.assertContains(response, 'href="/feeds/reports/rss/"')

    def test_index_pagination_and_bad_page(self):
        for number in range(12):
            add_report(self.index, f"报道{number:02d}")
        first = self.client.get(self.index.url)
        second = self.client.get(self.index.url, {"page": 2})
        assert len(first.context["reports"]) == 10 and len(second.context["reports"]) == 2
        self.assertContains(first, 'rel="next"')
        assert self.client.get(self.index.url, {"page": "x<"}).status_code == 200

    def test_index_query_count_is_flat(self):
        collection = photo_collection("列表", 3)
        covers = list(get_image_model().objects.filter(collection=collection))
        for number in range(3):
            add_report(self.index, f"报道{number}", cover_image=covers[number])
        few = self._queries(self.index.url, warm=True)
        for number in range(3, 10):
            add_report(self.index, f"报道{number}", cover_image=covers[number % 3])
        assert self._queries(self.index.url, warm=True) == few

    def test_report_page_query_count(self):
        activity = held_activity(photos=7)
        page = activity_report_draft(acting_user=admin_user(), activity=activity)
        page.save_revision().publish()
        page.refresh_from_db()
        assert self._queries(page.url, warm=True) <= 10

    def _queries(self, url: str, warm: bool) -> int:
        if warm:
            self.client.get(url)  # renditions are generated once, site root paths cached
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)


class ReportWorkflowTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.index = report_index()

    def test_index_is_moderated_by_the_center_head(self):
        workflow = WorkflowPage.objects.get(page=self.index).workflow
        assert workflow.name == REPORT_WORKFLOW_NAME and workflow.active
        task = GroupApprovalTask.objects.get(name=REPORT_WORKFLOW_NAME)
        assert list(workflow.tasks.specific()) == [task]
        assert [g.name for g in task.groups.all()] == ["中心负责人"]
        assert self.index.get_workflow() == workflow
        report = ActivityReportPage(title="报道", live=False)
        self.index.add_child(instance=report)
        assert report.get_workflow() == workflow

    def test_install_is_idempotent_and_keeps_another_workflow(self):
        from wagtail.models import Workflow

        report_workflow_install(index=self.index)
        center_pages_install(home=HomePage.objects.get())
        assert WorkflowPage.objects.filter(page=self.index).count() == 1
        assert GroupApprovalTask.objects.filter(name=REPORT_WORKFLOW_NAME).count() == 1
        other = Workflow.objects.create(name="另一流程")
        WorkflowPage.objects.filter(page=self.index).update(workflow=other)
        report_workflow_install(index=self.index)
        assert WorkflowPage.objects.get(page=self.index).workflow == other

    def test_install_before_the_groups_exist(self):
        # At provisioning the pages are made before the staff groups; the groups step then adds
        # the moderating group to every group-approval task.
        GroupApprovalTask.objects.filter(name=REPORT_WORKFLOW_NAME).delete()
        head = Group.objects.get(name="中心负责人")
        head.name = "临时"
        head.save()
        report_workflow_install(index=self.index)
        assert not GroupApprovalTask.objects.get(name=REPORT_WORKFLOW_NAME).groups.exists()

    def test_officer_submits_and_the_head_approves_and_publishes(self):
        from wagtail.test.utils.form_data import nested_form_data, streamfield

        activity = held_activity(photos=1)
        officer = make_user("wen", "社区文化活动专员")
        head = make_user("zhang", "中心负责人")
        page = activity_report_draft(acting_user=officer, activity=activity)

        # The officer cannot publish; they submit to the center head.
        assert not page.permissions_for_user(officer).can_publish()
        self.client.login(username="wen", password=TEST_PASSWORD)
        edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        assert self.client.get(edit_url).status_code == 200
        data = nested_form_data(
            {
                "title": "中秋社区义诊圆满举行",
                "slug": page.slug,
                "date": page.date.isoformat(),
                "activity": activity.pk,
                "summary": "居民踊跃参加。",
                "cover_image": page.cover_image_id,
                "gallery_collection": page.gallery_collection_id,
                "participants_count": "30",
                "body": streamfield(
                    [
                        (
                            "paragraph_block",
                            '{"blocks":[{"key":"a","type":"unstyled","depth":0,"text":"活动现场","inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
                        )
                    ]
                ),
                "comments": {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000},
            }
        )
        data["action-submit"] = "Submit"
        response = self.client.post(edit_url, data)
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        page.refresh_from_db()
        assert not page.live
        state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
        assert state.status == WorkflowState.STATUS_IN_PROGRESS
        assert state.current_task_state.task.name == REPORT_WORKFLOW_NAME
        # The officer may not approve their own submission.
        self.client.post(
            reverse(
                "wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.current_task_state.pk]
            ),
            {"comment": ""},
        )
        page.refresh_from_db()
        assert not page.live

        self.client.logout()
        self.client.login(username="zhang", password=TEST_PASSWORD)
        task_state = state.current_task_state
        response = self.client.post(
            reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]),
            {"comment": "同意发布"},
        )
        assert response.status_code == 302
        page.refresh_from_db()
        assert page.live
        assert page.title == "中秋社区义诊圆满举行" and page.summary == "居民踊跃参加。"
        state.refresh_from_db()
        assert state.status == WorkflowState.STATUS_APPROVED
        # Publishing reports the activity, acted by the approving head.
        activity.refresh_from_db()
        assert activity.status == S.REPORTED
        entry = AuditEntry.objects.get(action="activity_reported", object_id=str(activity.pk))
        assert entry.acting_user == head


class ReportPublishTests(CenterTestCase):
    def setUp(self):
        super().setUp()
        self.index = report_index()

    def test_publishing_marks_a_held_activity_reported_once(self):
        activity = held_activity()
        page = activity_report_draft(acting_user=admin_user(), activity=activity)
        page.save_revision(user=admin_user()).publish(user=admin_user())
        activity.refresh_from_db()
        assert activity.status == S.REPORTED
        # Publishing again (an edit) leaves the reported activity alone.
        page.refresh_from_db()
        page.save_revision().publish()
        assert AuditEntry.objects.filter(action="activity_reported", object_id=str(activity.pk)).count() == 1

    def test_report_without_activity_publishes(self):
        report = add_report(self.index, "无关联活动的报道")
        assert report.live

    def test_scheduled_report_does_not_report_the_activity_yet(self):
        activity = held_activity()
        page = activity_report_draft(acting_user=admin_user(), activity=activity)
        page.go_live_at = timezone.now() + dt.timedelta(days=1)
        page.save_revision().publish()
        activity.refresh_from_db()
        assert activity.status == S.HELD


@pytest.mark.django_db
def test_report_pages_are_isolated(center_a, center_b, client_a, client_b, in_center):
    with in_center(center_a):
        alpha = add_report(report_index(), "阿尔法中秋义诊")
    with in_center(center_b):
        beta = add_report(report_index(), "贝塔集体生日会")
    alpha_list = client_a.get("/reports/").content.decode()
    beta_list = client_b.get("/reports/").content.decode()
    assert "阿尔法中秋义诊" in alpha_list and "贝塔" not in alpha_list
    assert "贝塔集体生日会" in beta_list and "阿尔法" not in beta_list
    assert client_a.get(beta.url).status_code == 404
    assert client_b.get(alpha.url).status_code == 404


@pytest.mark.django_db
def test_page_query_count_uncached(center_a, client_a, in_center, django_assert_max_num_queries):
    with in_center(center_a):
        index = report_index()
        activity = held_activity(photos=5)
        page = activity_report_draft(acting_user=None, activity=activity)
        page.save_revision().publish()
        url = Page.objects.get(pk=page.pk).url
        index_url = index.url
    client_a.get(url)  # renditions are generated once
    with django_assert_max_num_queries(10):
        response = client_a.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        assert client_a.get(index_url).status_code == 200


class ReportViewRestrictionTests(CenterTestCase):
    def test_restrictions_of_the_page_and_its_ancestors_apply(self):
        from wagtail.models import PageViewRestriction

        index = report_index()
        report = add_report(index, "内部报道")
        other = add_report(index, "公开报道")
        assert list(report.get_view_restrictions()) == []
        restriction = PageViewRestriction.objects.create(
            page=index, restriction_type=PageViewRestriction.PASSWORD, password="secret-1"
        )
        assert list(report.get_view_restrictions()) == [restriction]
        response = self.client.get(report.url)
        assert response.status_code == 200 and "内部报道的正文" not in response.content.decode()
        own = PageViewRestriction.objects.create(page=other, restriction_type=PageViewRestriction.LOGIN)
        assert set(other.get_view_restrictions()) == {restriction, own}
        assert list(Page.objects.get(pk=report.pk).get_view_restrictions()) == [restriction]  # Wagtail's own


@pytest.mark.django_db
def test_page_with_cold_caches_costs_no_query_per_photo(center_a, client_a, in_center):
    from django.core.cache import caches

    urls = []
    with in_center(center_a):
        report_index()
        for photos in (2, 8):
            activity = held_activity(title=f"{photos}张照片的活动", photos=photos)
            page = activity_report_draft(acting_user=None, activity=activity)
            page.save_revision().publish()
            urls.append(Page.objects.get(pk=page.pk).url)
    counts = []
    for url in urls:
        client_a.get(url)  # renditions are generated once
        for alias in caches:
            caches[alias].clear()
        with CaptureQueriesContext(connection) as captured:
            response = client_a.get(url)
        assert response.status_code == 200
        assert response.content.decode().count('alt="HD') == (2 if len(counts) == 0 else 8)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 15


@pytest.mark.django_db
def test_a_new_center_starts_with_moderated_reports():
    from django_tenants.utils import schema_context

    from tenants.services import center_create

    center_create(name="报道新苑服务中心", code="reportsnew", domain="reportsnew.localhost")
    with schema_context("reportsnew"):
        index = ActivityReportIndexPage.objects.get()
        workflow = WorkflowPage.objects.get(page=index).workflow
        assert workflow.name == REPORT_WORKFLOW_NAME
        task = workflow.tasks.specific().get()
        assert [g.name for g in task.groups.all()] == ["中心负责人"]
