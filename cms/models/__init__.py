"""Pages of a center's public website (tenant schema only)."""

from cms.models.evaluations import EvaluationIndexPage, EvaluationPage
from cms.models.guide import ServiceGuidePage
from cms.models.home import HomePage
from cms.models.notices import NoticeAttachment, NoticeCategory, NoticeIndexPage, NoticePage, live_notices
from cms.models.reports import ActivityReportIndexPage, ActivityReportPage, live_reports
from cms.models.search import SearchTextMixin

__all__ = [
    "ActivityReportIndexPage",
    "ActivityReportPage",
    "EvaluationIndexPage",
    "EvaluationPage",
    "HomePage",
    "NoticeAttachment",
    "NoticeCategory",
    "NoticeIndexPage",
    "NoticePage",
    "SearchTextMixin",
    "ServiceGuidePage",
    "live_notices",
    "live_reports",
]
