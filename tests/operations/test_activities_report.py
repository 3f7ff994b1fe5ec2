"""生成活动报道 from the activity page: drafts the report, opens Wagtail's editor, shows its status."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from cms.models import ActivityReportPage
from operations.models import Activity
from operations.services.activities import (
    activity_hold,
    activity_publicise,
    activity_publicity_tick,
)
from tests.base import TEST_PASSWORD
from tests.factories import make_activity, make_user

make = make_activity


def held(title="社区义诊"):
    activity = make(title)
    activity_publicity_tick(acting_user=None, activity=activity, channel="banner")
    activity_publicise(acting_user=None, activity=activity)
    return activity_hold(acting_user=None, activity=activity)


def status(page) -> str:
    """The report's status as the activity page shows it (in Chinese)."""
    if page.workflow_in_progress:
        return "待中心负责人审核"
    if page.live:
        return "已发布（另有未发布的修改）" if page.has_unpublished_changes else "已发布"
    return "草稿"


def test_draft_opens_the_wagtail_editor_and_detail_shows_status(admin_client):
    activity = held()
    detail = reverse("activities:inspect", args=[activity.pk])
    draft_url = reverse("activities:action", args=[activity.pk, "report_draft"])
    assert draft_url in admin_client.get(detail).content.decode()
    response = admin_client.post(draft_url)
    page = ActivityReportPage.objects.get(activity=activity)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert response.status_code == 302 and response["Location"] == edit_url
    assert admin_client.get(edit_url).status_code == 200
    html = admin_client.get(detail).content.decode()
    assert edit_url in html and draft_url not in html  # the button now edits the report
    assert status(page) in html
    # twice: the same page
    admin_client.post(draft_url)
    assert ActivityReportPage.objects.filter(activity=activity).count() == 1


def test_detail_shows_moderation_and_live(admin_client):
    activity = held()
    admin_client.post(reverse("activities:action", args=[activity.pk, "report_draft"]))
    page = ActivityReportPage.objects.get(activity=activity)
    detail = reverse("activities:inspect", args=[activity.pk])
    admin = get_user_model().objects.get(username="admin")
    workflow = page.get_workflow()
    assert workflow is not None  # moderation by the center head is on by default
    workflow.start(page, admin)
    page.refresh_from_db()
    assert status(page) in admin_client.get(detail).content.decode()
    assert status(page) != status(ActivityReportPage(live=False))
    page.get_latest_revision().publish()
    page.refresh_from_db()
    html = admin_client.get(detail).content.decode()
    assert page.live and status(page) in html
    assert page.get_url() in html


def test_not_held_activity_gives_a_message_not_a_500(admin_client):
    activity = make()
    response = admin_client.post(
        reverse("activities:action", args=[activity.pk, "report_draft"]), follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("activities:inspect", args=[activity.pk])
    messages = [str(m) for m in response.context["messages"]]
    assert messages and activity.get_status_display() in messages[0]
    assert not ActivityReportPage.objects.exists()


def test_officer_drafts_and_edits(center_a, client_a):
    connection.set_tenant(center_a)
    officer = make_user("wen", "社区文化活动专员")
    activity = held()
    client_a.force_login(officer)
    response = client_a.post(reverse("activities:action", args=[activity.pk, "report_draft"]))
    assert response.status_code == 302
    assert client_a.get(response["Location"]).status_code == 200


def test_other_centers_report_not_reachable(center_a, center_b, client_a, in_center):
    with in_center(center_b):
        secret = held("贝塔秘密活动")
        beta_pk = secret.pk
    with in_center(center_a):
        assert client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
        assert not Activity.objects.filter(pk=beta_pk).exists()
        response = client_a.post(reverse("activities:action", args=[beta_pk, "report_draft"]))
        assert response.status_code == 404
        assert not ActivityReportPage.objects.exists()
