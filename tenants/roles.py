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
    media_permissions: tuple[str, ...] = ()  # applied to images and documents on the root collection
    moderates: bool = False
    extra: dict = field(default_factory=dict)


ADMIN_ACCESS = ("wagtailadmin.access_admin",)

ROLES: tuple[Role, ...] = (
    Role(
        code="center_head",
        name="中心负责人",
        description=_("Everything in the center; approves pages and submits to head office."),
        permissions=ADMIN_ACCESS + ("auth.add_user", "auth.change_user", "auth.view_user", "auth.view_group"),
        page_permissions=PAGE_PUBLISH,
        media_permissions=COLLECTION_MEDIA + ("delete",),
        moderates=True,
    ),
    Role(
        code="service_head",
        name="客户服务部负责人",
        description=_("Surveys, service-project proposals, complaints."),
        permissions=ADMIN_ACCESS,
    ),
    Role(
        code="customer_manager",
        name="客户主任",
        description=_("Elderly registry and visits, follow-ups, satisfaction callbacks."),
        permissions=ADMIN_ACCESS,
    ),
    Role(
        code="front_desk",
        name="前台客服",
        description=_("Lending register, consumables, first-inquiry register, intake."),
        permissions=ADMIN_ACCESS,
    ),
    Role(
        code="activity_officer",
        name="社区文化活动专员",
        description=_("Activity plans, publicity, photos and activity reports."),
        permissions=ADMIN_ACCESS,
        page_permissions=PAGE_EDIT,
        media_permissions=COLLECTION_MEDIA,
    ),
    Role(
        code="dispatcher",
        name="部门调度员",
        description=_("Work orders of their department."),
        permissions=ADMIN_ACCESS,
    ),
)

CENTER_HEAD = ROLES[0]
