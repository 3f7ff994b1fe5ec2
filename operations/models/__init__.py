"""Per-center operations models, one module per area (tenant schema only)."""

from .audit import AuditEntry
from .base import NumberCounter
from .complaints import Complaint
from .departments import Department
from .guide import RequiredMaterial, ServiceApplication, ServiceItem, WorkdayOverride
from .inquiries import Inquiry, InquiryFollowUp
from .notifications import Notification
from .residents import Building, Resident, Unit
from .roster import DutyPost, DutyShift, DutyTemplateSlot
from .staff import StaffProfile
from .surveys import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse, SurveyTemplate
from .work_orders import DeadlineExtension, WorkOrder, WorkOrderAttachment, WorkOrderTransition

__all__ = [
    "AuditEntry",
    "Building",
    "Complaint",
    "DeadlineExtension",
    "Department",
    "DutyPost",
    "DutyShift",
    "DutyTemplateSlot",
    "Inquiry",
    "InquiryFollowUp",
    "Notification",
    "NumberCounter",
    "RequiredMaterial",
    "Resident",
    "ServiceApplication",
    "ServiceItem",
    "StaffProfile",
    "Survey",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyTemplate",
    "Unit",
    "WorkOrder",
    "WorkOrderAttachment",
    "WorkOrderTransition",
    "WorkdayOverride",
]
