"""Admin UI: the first-inquiry register (首问负责) — the shape every area follows (DESIGN.md).

One viewset: its index filtered to mine / open / overdue / a period (menu links to those filters),
its own export, the add view saving through ``inquiry_record``, and the record's actions (hand over,
follow up, complete) declared once below and shown on the record's page with its history in words.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

import django_filters

from operations.admin_menu import AdminLink
from operations.filters import PeriodFilter, ScopeFilter, WagtailFilterSet
from operations.forms.inquiries import CompleteForm, FollowUpForm, HandOverForm, InquiryForm
from operations.models import Department, Inquiry
from operations.services.inquiries import inquiry_complete, inquiry_follow_up, inquiry_hand_over
from operations.views import inquiries as views
from operations.viewsets import OperationsViewSet, RecordAction


def _open(qs, request):
    return qs.filter(completed_at__isnull=True)


SCOPES = {
    "mine": (_("My inquiries"), lambda qs, request: _open(qs, request).filter(first_responder=request.user)),
    "open": (_("All open"), _open),
    "overdue": (
        _("Overdue"),
        lambda qs, request: _open(qs, request).filter(due_at__lt=timezone.now()).order_by("due_at", "pk"),
    ),
}


class InquiryFilterSet(WagtailFilterSet):
    scope = ScopeFilter(label=_("Show"), scopes=SCOPES)
    created = PeriodFilter(label=_("Recorded"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Inquiry.Status.choices)
    handed_to_department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.filter(is_active=True)
    )

    class Meta:
        model = Inquiry
        fields = ["scope", "created", "status", "handed_to_department"]


def _is_open(inquiry, user) -> bool:
    return inquiry.completed_at is None


def _hand_over_detail(changes: dict) -> str:
    parts = [changes.get("to_user") or "", changes.get("to_department") or "", changes.get("contact") or ""]
    parts.append(changes.get("note") or "")
    return " · ".join(str(part) for part in parts if part)


class InquiryViewSet(OperationsViewSet):
    model = Inquiry
    name = "inquiries"
    url_prefix = "operations/inquiries"
    icon = "help"
    menu_label = _("All inquiries")
    index_view_class = views.InquiryIndexView
    add_view_class = views.InquiryCreateView
    inspect_view_class = views.InquiryInspectView
    filterset_class = InquiryFilterSet
    search_fields = ["number", "visitor_name", "matter"]
    search_backend_name = None
    list_per_page = 30
    edit_view_enabled = False
    delete_view_enabled = False

    def get_form_class(self, for_update=False):
        return InquiryForm

    actions = (
        RecordAction(
            name="follow-up",
            label=_("Follow up"),
            button_label=_("Add follow-up"),
            form_class=FollowUpForm,
            available=_is_open,
            run=lambda inquiry, data, user: inquiry_follow_up(
                inquiry=inquiry, note=data["note"], acting_user=user
            ),
        ),
        RecordAction(
            name="hand-over",
            label=_("Hand over"),
            form_class=HandOverForm,
            available=_is_open,
            run=lambda inquiry, data, user: inquiry_hand_over(
                inquiry=inquiry,
                to_user=data["to_user"],
                to_department=data["to_department"],
                contact=data["contact"],
                note=data["note"],
                acting_user=user,
            ),
        ),
        RecordAction(
            name="complete",
            label=_("Complete"),
            form_class=CompleteForm,
            available=_is_open,
            primary=True,
            run=lambda inquiry, data, user: inquiry_complete(
                inquiry=inquiry, resolution=data["resolution"], acting_user=user
            ),
        ),
    )
    history_labels = {
        "inquiry_record": _("Recorded"),
        "inquiry_hand_over": (_("Handed over to"), _hand_over_detail),
        "inquiry_follow_up": (_("Follow-up"), lambda changes: changes.get("note", "")),
        "inquiry_complete": _("Completed"),
    }


class InquiriesGroup(ViewSetGroup):
    menu_label = _("First-inquiry register")
    menu_icon = "help"
    menu_order = 110
    items = (
        AdminLink(
            name="inquiries-mine",
            label=_("My inquiries"),
            url_name="inquiries:index",
            query={"scope": "mine"},
            icon="user",
            permission="operations.view_inquiry",
        ),
        AdminLink(
            name="inquiries-open",
            label=_("All open"),
            url_name="inquiries:index",
            query={"scope": "open"},
            icon="list-ul",
            permission="operations.view_inquiry",
        ),
        AdminLink(
            name="inquiries-overdue",
            label=_("Overdue"),
            url_name="inquiries:index",
            query={"scope": "overdue"},
            icon="warning",
            permission="operations.view_inquiry",
        ),
        InquiryViewSet(),
        AdminLink(
            name="inquiries-new",
            label=_("Record an inquiry"),
            url_name="inquiries:add",
            icon="plus",
            permission="operations.add_inquiry",
        ),
    )


@hooks.register("register_admin_viewset")
def register_inquiry_viewsets():
    return InquiriesGroup()
