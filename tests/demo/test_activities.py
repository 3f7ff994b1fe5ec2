"""Demo activities: three held showcase activities with photos, survey and published report, one
upcoming activity with its notice, a compliance grid with one gap; twice = once."""

from django.utils import timezone

from wagtail.images import get_image_model

from cms.models import ActivityReportPage, NoticePage
from demo.activities import activities_demo_data_install, demo_scene_jpeg
from operations.models import Activity, ActivityParticipant, ActivityRepairItem, Survey
from operations.selectors.activities import activities_compliance, activity_photo_count

K = Activity.Kind
S = Activity.Status


def _counts():
    return (
        Activity.objects.count(),
        get_image_model().objects.count(),
        Survey.objects.count(),
        ActivityReportPage.objects.count(),
        NoticePage.objects.count(),
    )


def test_demo_showcase_upcoming_and_gap_idempotent(alpha):
    activities_demo_data_install()
    counts = _counts()
    activities_demo_data_install()
    assert _counts() == counts

    showcase = list(Activity.objects.exclude(report_pages=None).order_by("kind"))
    assert sorted(a.kind for a in showcase) == sorted([K.FREE_CLINIC, K.BIRTHDAY_PARTY, K.REPAIR_DAY])
    for activity in showcase:
        assert activity.status == S.REPORTED
        assert activity.participants.filter(attended=True).count() >= 6
        assert 4 <= activity_photo_count(activity=activity) <= 6
        survey = activity.surveys.get()
        assert survey.is_public and survey.responses.count() >= 3
        report = activity.report_pages.get()
        assert report.live and report.gallery_collection_id == activity.photo_collection_id
        assert activity.notice_page_id is not None
    photo = get_image_model().objects.filter(collection=showcase[0].photo_collection).first()
    assert (photo.width, photo.height) == (1200, 800)
    repair_day = next(a for a in showcase if a.kind == K.REPAIR_DAY)
    assert repair_day.repair_items.exclude(work_order=None).exists()

    upcoming = Activity.objects.filter(status=S.PUBLICISED, starts_at__gt=timezone.now())
    assert upcoming.count() == 1
    notice = upcoming.get().notice_page.specific
    assert notice.live and notice.category == "event"

    today = timezone.localdate()
    cells = [c for row in activities_compliance(year=today.year) for c in row.cells]
    if today.month > 6:  # the Q2 birthday party is left out on purpose
        assert [c.state for c in cells].count("missed") == 1
    assert "met" in {c.state for c in cells}


def test_generated_scene_is_a_jpeg():
    import io

    from PIL import Image

    data = demo_scene_jpeg(K.BIRTHDAY_PARTY, 2)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (1200, 800)
    assert len(data) < 1024 * 1024
    assert demo_scene_jpeg(K.FREE_CLINIC, 0) != demo_scene_jpeg(K.REPAIR_DAY, 0)


def test_demo_data_idempotent_and_grid_has_all_colours(officer):
    activities_demo_data_install()
    count = Activity.objects.count()
    activities_demo_data_install()
    assert Activity.objects.count() == count
    today = timezone.localdate()
    states = {c.state for row in activities_compliance(year=today.year) for c in row.cells}
    assert "met" in states
    if today.month > 6:  # Q2 birthday party is left out on purpose
        assert "missed" in states
    assert ActivityRepairItem.objects.exclude(work_order=None).exists()
    assert ActivityParticipant.objects.filter(activity__kind=K.BIRTHDAY_PARTY, invited=True).exists()
