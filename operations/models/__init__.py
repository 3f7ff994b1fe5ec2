"""Per-center operations models, one module per area (tenant schema only)."""

from .activities import Activity, ActivityParticipant, ActivityPublicity, ActivityRepairItem
from .appointments import BookableService, Booking, DeskClosure, DeskHours, QueueTicket
from .audit import AuditEntry
from .base import NumberCounter
from .complaints import Complaint
from .consumables import (
    CandyDishCheck,
    Consumable,
    ConsumableCategory,
    DeskSettings,
    FirstAidPatient,
    FirstAidUse,
    MovementKind,
    StockMovement,
)
from .departments import Department
from .elders import (
    CareAlert,
    ClinicObservation,
    Elder,
    ElderAccess,
    ElderCareSettings,
    ElderConsent,
    ElderContact,
    ElderEscalation,
    ElderNeed,
    ElderVisit,
    EscalationCall,
    NeedKind,
    RiskReason,
    RiskTier,
)
from .guide import RequiredMaterial, ServiceApplication, ServiceItem, WorkdayOverride
from .inquiries import Inquiry, InquiryFollowUp
from .lending import (
    ConvenienceItem,
    Loan,
    LoanDueRule,
    LoanFollowUp,
    LoanItem,
    ReadingGlassesUse,
    ToolboxContent,
)
from .notifications import Notification, OutgoingSms
from .proposals import ProposalMeeting, ServiceProposal
from .purchasing import (
    LineReason,
    PurchaseRequest,
    PurchaseRequestEvent,
    PurchaseRequestLine,
    PurchaseRequestStatus,
)
from .residents import Building, Resident, Unit
from .roster import DutyPost, DutyShift, DutyTemplateSlot
from .staff import StaffProfile
from .surveys import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse, SurveyTemplate
from .work_orders import DeadlineExtension, WorkOrder, WorkOrderAttachment, WorkOrderTransition

__all__ = [
    "BookableService",
    "Booking",
    "DeskClosure",
    "DeskHours",
    "QueueTicket",
    "ProposalMeeting",
    "ServiceProposal",
    "CareAlert",
    "ClinicObservation",
    "Elder",
    "ElderAccess",
    "ElderCareSettings",
    "ElderConsent",
    "ElderContact",
    "ElderEscalation",
    "ElderNeed",
    "ElderVisit",
    "EscalationCall",
    "NeedKind",
    "RiskReason",
    "RiskTier",
    "Activity",
    "ActivityParticipant",
    "ActivityPublicity",
    "ActivityRepairItem",
    "CandyDishCheck",
    "Consumable",
    "ConsumableCategory",
    "DeskSettings",
    "FirstAidPatient",
    "FirstAidUse",
    "MovementKind",
    "StockMovement",
    "LineReason",
    "PurchaseRequest",
    "PurchaseRequestEvent",
    "PurchaseRequestLine",
    "PurchaseRequestStatus",
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
    "ConvenienceItem",
    "Loan",
    "LoanDueRule",
    "LoanFollowUp",
    "LoanItem",
    "ReadingGlassesUse",
    "ToolboxContent",
    "Notification",
    "OutgoingSms",
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
