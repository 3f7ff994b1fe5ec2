"""The default staff groups of a center and the permissions each starts with.

Provisioning creates these groups in every new center; centers may edit them afterwards.
Later areas add their own permissions here so that new centers get them from day one.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# Page permissions granted on the center's home page (and so on the whole site).
PAGE_EDIT = ("add_page", "change_page")
PAGE_PUBLISH = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page")
COLLECTION_MEDIA = ("add", "change", "choose")


@dataclass(frozen=True)
class Role:
    code: str
    name: str  # stored as the group name, in Chinese: groups are data of a Chinese center
    description: object
    permissions: tuple[str, ...] = ()  # "app_label.codename"
    page_permissions: tuple[str, ...] = ()
    media_permissions: tuple[str, ...] = ()  # on images and documents of ``media_collection``
    # None: the root collection (every collection). A name: only that child collection, so that
    # e.g. complaint scans in their own collection stay out of the role's media library.
    media_collection: str | None = None
    moderates: bool = False
    extra: dict = field(default_factory=dict)


ADMIN_ACCESS = ("wagtailadmin.access_admin",)
# The center's sign-in lockouts (django-axes, per schema): see them and lift one (Settings → Sign-in lockouts).
SIGNIN_UNLOCK = ("axes.view_accessattempt", "axes.delete_accessattempt")
WEBSITE_MEDIA_COLLECTION = "网站素材"


def crud(*models: str, actions: tuple[str, ...] = ("add", "change", "view")) -> tuple[str, ...]:
    """``operations.<action>_<model>`` for each model and action."""
    return tuple(f"operations.{action}_{model}" for model in models for action in actions)


ALL_OPERATIONS = crud(
    "building",
    "unit",
    "resident",
    "department",
    "staffprofile",
    "serviceitem",
    "workdayoverride",
    "serviceapplication",
    "inquiry",
    "workorder",
    "complaint",
    "surveytemplate",
    "survey",
    "surveyresponse",
    "dutyshift",
    "dutytemplateslot",
    "convenienceitem",
    "loan",
    "loanduerule",
    "consumable",
    "stockmovement",
    "candydishcheck",
    "firstaiduse",
    "desksettings",
    "purchaserequest",
    "purchaserequestline",
    "activity",
    "activitypublicity",
    "activityparticipant",
    "activityrepairitem",
    "serviceproposal",
    "proposalmeeting",
    "bookableservice",
    "deskhours",
    "deskclosure",
    "booking",
    "queueticket",
    actions=("add", "change", "view", "delete"),
)
CONTACT = ("operations.view_resident_contact",)
# Elders living alone (独居老人关怀): the registry and its visits, needs and escalations.
ELDER_RECORDS = crud("elder", "elderconsent", "eldercontact", "eldervisit", "elderneed", "elderescalation")
ELDER_HEAD = (
    ELDER_RECORDS
    + crud("carealert", "clinicobservation")
    + crud("eldercaresettings", actions=("change", "view"))
    + ("operations.view_elderaccess", "operations.view_elder_sensitive", "operations.export_elder_health")
)

ROLES: tuple[Role, ...] = (
    Role(
        code="center_head",
        name="中心负责人",
        description=_("Everything in the center; approves pages and submits to head office."),
        permissions=ADMIN_ACCESS
        + ("auth.add_user", "auth.change_user", "auth.view_user", "auth.view_group")
        + ALL_OPERATIONS
        + CONTACT
        + ELDER_HEAD
        + (
            "operations.view_complainant",
            "operations.submit_purchaserequest",
            "operations.submit_serviceproposal",
            "operations.view_desk_appraisal",
            "operations.view_auditentry",
        )
        + SIGNIN_UNLOCK,
        page_permissions=PAGE_PUBLISH,
        media_permissions=COLLECTION_MEDIA + ("delete",),
        moderates=True,
    ),
    Role(
        code="service_head",
        name="客户服务部负责人",
        description=_("Surveys, service-project proposals, complaints."),
        permissions=ADMIN_ACCESS
        + crud("surveytemplate", "survey", "surveyresponse", "complaint", "inquiry", "serviceitem")
        + crud("dutyshift", "dutytemplateslot", actions=("add", "change", "view", "delete"))
        # 5.1.2–5.1.3: discusses proposals with the center head and sums up the residents' survey.
        + crud("serviceproposal", actions=("change", "view"))
        # Appointments: the service head sets what residents may book and when the desk is open.
        + crud("bookableservice", "deskhours", "deskclosure", actions=("add", "change", "view", "delete"))
        + crud("booking", "queueticket", actions=("view",))
        + crud("proposalmeeting", actions=("add", "view"))
        + crud(
            "workorder", "resident", "unit", "building", "department", "serviceapplication", actions=("view",)
        ),
    ),
    Role(
        code="customer_manager",
        name="客户主任",
        description=_("Elderly registry and visits, follow-ups, satisfaction callbacks."),
        permissions=ADMIN_ACCESS
        + crud("resident", "unit", "building", "workorder", "inquiry", "surveyresponse")
        + crud("complaint", actions=("add", "view"))
        + crud("serviceitem", "survey", "department", "dutyshift", "serviceapplication", actions=("view",))
        + ELDER_RECORDS
        + crud("carealert", "eldercaresettings", "clinicobservation", actions=("view",))
        + ("operations.add_clinicobservation",)
        + CONTACT,
    ),
    Role(
        code="front_desk",
        name="前台客服",
        description=_("Lending register, consumables, first-inquiry register, intake."),
        permissions=ADMIN_ACCESS
        + crud("inquiry", "serviceapplication", "workorder", "surveyresponse")
        + crud("booking", "queueticket")
        + crud("bookableservice", "deskhours", "deskclosure", actions=("view",))
        + crud("convenienceitem", "loan")
        + crud("consumable", "stockmovement", "candydishcheck", "firstaiduse", "purchaserequestline")
        + crud("purchaserequest", "desksettings", actions=("view",))
        + crud("resident", actions=("add", "change", "view"))
        + crud("complaint", actions=("add", "view"))
        + crud("unit", "building", "serviceitem", "department", "dutyshift", "survey", actions=("view",))
        + CONTACT,
    ),
    Role(
        code="activity_officer",
        name="社区文化活动专员",
        description=_("Activity plans, publicity, photos and activity reports."),
        permissions=ADMIN_ACCESS
        + crud("survey", "surveyresponse")
        + crud("serviceitem", "resident", "unit", "dutyshift", "surveytemplate", "elder", actions=("view",))
        # Activity days (义工维修日) take repair requests: the officer registers and follows them.
        + crud("workorder", actions=("add", "view"))
        + crud("activity", "activitypublicity", "activityparticipant", "activityrepairitem"),
        page_permissions=PAGE_EDIT,
        media_permissions=COLLECTION_MEDIA,
        media_collection=WEBSITE_MEDIA_COLLECTION,
    ),
    Role(
        code="dispatcher",
        name="部门调度员",
        description=_("Work orders of their department."),
        permissions=ADMIN_ACCESS
        + crud("workorder", actions=("change", "view"))
        + crud("department", "serviceitem", "dutyshift", actions=("view",)),
    ),
)

CENTER_HEAD = ROLES[0]
