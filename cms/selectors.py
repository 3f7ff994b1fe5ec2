"""Named reads of the website that the activity area shows (registered in ``operations.hooks``)."""

from cms.models import ActivityReportPage, NoticeCategory, NoticePage


def event_notices_recent(*, limit: int = 30):
    """Recent 活动预告 notices of the center, to link one to an activity."""
    return NoticePage.objects.filter(category=NoticeCategory.EVENT).order_by("-date", "-pk")[:limit]


def notice_find(*, pk) -> NoticePage | None:
    """The center's notice ``pk``, or None (also for a page that is not a notice)."""
    return NoticePage.objects.filter(pk=pk).first() if pk else None


def activity_report_page(*, activity) -> ActivityReportPage | None:
    """The activity's report page (the newest when there are several), or None."""
    return ActivityReportPage.objects.filter(activity=activity).order_by("-pk").first()
