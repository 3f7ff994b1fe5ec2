"""Admin UI: elders living alone (独居老人关怀) — the registry with its actions, visits and calls,
the due list; the group 独居老人关怀 also holds the escalations, care alerts, needs and compliance.

Records are never deleted; the elder's details change through the edit view (need to know only),
tier, status, consents, contacts and the delegate through the record's actions.
"""

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

import django_filters

from operations.admin_menu import AdminLink
from operations.filters import PeriodFilter, ScopeFilter, WagtailFilterSet
from operations.forms.elders import (
    ClinicForm,
    ConsentForm,
    ContactForm,
    ContactRemoveForm,
    DelegateForm,
    ElderEditForm,
    ElderForm,
    StatusForm,
    TierForm,
    VisitForm,
    WithdrawForm,
)
from operations.models import Elder, ElderConsent, ElderEscalation, ElderVisit, NeedKind, RiskTier
from operations.permissions import can_see_elder_sensitive
from operations.selectors.elders import (
    elders_of,
    free_clinics_for_record,
    on_visit_lists,
    staff_who_visit,
)
from operations.services.elder_activities import elder_clinic_record
from operations.services.elders import (
    elder_consent_record,
    elder_consent_withdraw,
    elder_contact_add,
    elder_contact_remove,
    elder_delegate_set,
    elder_status_change,
    elder_tier_change,
)
from operations.views import elder_needs as need_views
from operations.views import elder_paper as paper
from operations.views import elders as views
from operations.viewsets import OperationsViewSet, RecordAction
from operations.wagtail_hooks.elder_escalations import CareAlertViewSet, ElderEscalationViewSet
from operations.wagtail_hooks.elder_needs import ElderNeedViewSet

ELDER_SCOPES = {
    "mine": (_("My elders"), lambda qs, request: qs.filter(elders_of(request.user))),
    "active": (_("On the visit lists"), lambda qs, request: qs.filter(on_visit_lists())),
    "high": (_("High risk"), lambda qs, request: qs.filter(on_visit_lists(), risk_tier=RiskTier.HIGH)),
    "closed": (
        _("Moved, in care homes, deceased"),
        lambda qs, request: qs.filter(status__in=Elder.CLOSED_STATUSES),
    ),
}


class ElderFilterSet(WagtailFilterSet):
    scope = ScopeFilter(label=_("Show"), scopes=ELDER_SCOPES)
    risk_tier = django_filters.ChoiceFilter(label=_("Risk tier"), choices=RiskTier.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Elder.Status.choices)
    manager = django_filters.ModelChoiceFilter(label=_("Customer manager"), queryset=staff_who_visit())

    class Meta:
        model = Elder
        fields = ["scope", "risk_tier", "status", "manager"]


def _need_to_know(elder, user) -> bool:
    return can_see_elder_sensitive(user, elder)


def _not_closed(elder, user) -> bool:
    return elder.status != Elder.Status.DECEASED


def _elder_form(form_class):
    """Form kwargs of an action whose choices are the elder's own (contacts, consents)."""
    return lambda elder, request: {"elder": elder}


def _tier_detail(changes: dict) -> str:
    tiers = dict(RiskTier.choices)
    old, new = (changes.get("risk_tier") or [None, None])[:2]
    return f"{tiers.get(old, old)} → {tiers.get(new, new)} · {changes.get('note', '')}"


def _status_detail(changes: dict) -> str:
    statuses = dict(Elder.Status.choices)
    old, new = (changes.get("status") or [None, None])[:2]
    return f"{statuses.get(old, old)} → {statuses.get(new, new)} · {changes.get('on', '')}"


def _need_detail(changes: dict) -> str:
    kind = str(dict(NeedKind.choices).get(changes.get("kind"), ""))
    return " · ".join(part for part in (kind, changes.get("work_order", "")) if part)


class ElderViewSet(OperationsViewSet):
    model = Elder
    name = "elders"
    url_prefix = "operations/elders"
    icon = "group"
    menu_label = _("Elder registry")
    index_view_class = views.ElderIndexView
    add_view_class = views.ElderCreateView
    edit_view_class = views.ElderEditView
    inspect_view_class = views.ElderInspectView
    filterset_class = ElderFilterSet
    search_fields = ["resident__name"]
    search_backend_name = None
    list_per_page = 50
    delete_view_enabled = False

    def get_form_class(self, for_update=False):
        return ElderEditForm if for_update else ElderForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("due/", views.ElderDueView.as_view(), name="due"),
            path("export-health/", views.ElderHealthExportView.as_view(), name="export_health"),
            path("compliance/", need_views.ElderComplianceView.as_view(), name="compliance"),
            path("care-rules/", need_views.ElderCareSettingsView.as_view(), name="care_settings"),
            path("print/round/", paper.ElderRoundSheetsView.as_view(), name="print_round"),
            path("<int:pk>/print/visit-form/", paper.ElderVisitSheetView.as_view(), name="print_sheet"),
            path("<int:pk>/print/card/", paper.ElderCardView.as_view(), name="print_card"),
        ]

    actions = (
        RecordAction(
            name="tier",
            label=_("Change the risk tier"),
            form_class=TierForm,
            form_kwargs=_elder_form(TierForm),
            available=_not_closed,
            run=lambda elder, data, user: elder_tier_change(
                elder=elder,
                risk_tier=data["risk_tier"],
                risk_reasons=data["risk_reasons"],
                note=data["note"],
                acting_user=user,
            ),
        ),
        RecordAction(
            name="status",
            label=_("Change the status"),
            form_class=StatusForm,
            available=_not_closed,
            run=lambda elder, data, user: elder_status_change(
                elder=elder,
                status=data["status"],
                on=data["on"],
                paused_until=data["paused_until"],
                note=data["note"],
                acting_user=user,
            ),
        ),
        RecordAction(
            name="contact",
            label=_("Add an emergency contact"),
            form_class=ContactForm,
            available=_need_to_know,
            run=lambda elder, data, user: elder_contact_add(elder=elder, acting_user=user, **data),
        ),
        RecordAction(
            name="contact-remove",
            label=_("Take a contact off the list"),
            form_class=ContactRemoveForm,
            form_kwargs=_elder_form(ContactRemoveForm),
            available=lambda elder, user: (
                _need_to_know(elder, user) and elder.contacts.filter(is_active=True).exists()
            ),
            run=lambda elder, data, user: elder_contact_remove(contact=data["contact"], acting_user=user),
        ),
        RecordAction(
            name="consent",
            label=_("Record a consent"),
            form_class=ConsentForm,
            run=lambda elder, data, user: elder_consent_record(
                elder=elder,
                kind=data["kind"],
                given_on=data["given_on"] or timezone.localdate(),
                method=data["method"],
                witness=data["witness"],
                acting_user=user,
            ),
        ),
        RecordAction(
            name="withdraw",
            label=_("Record a withdrawal of consent"),
            form_class=WithdrawForm,
            form_kwargs=_elder_form(WithdrawForm),
            available=lambda elder, user: elder.consents.filter(withdrawn_on__isnull=True).exists(),
            run=lambda elder, data, user: elder_consent_withdraw(
                consent=data["consent"], withdrawn_on=data["withdrawn_on"], acting_user=user
            ),
        ),
        RecordAction(
            name="clinic",
            label=_("Record a free clinic"),
            form_class=ClinicForm,
            form_kwargs=lambda elder, request: {"elder": elder, "user": request.user},
            available=lambda elder, user: (
                elder.status not in Elder.CLOSED_STATUSES and free_clinics_for_record().exists()
            ),
            success_message=_("Free clinic recorded."),
            run=lambda elder, data, user: elder_clinic_record(
                elder=elder,
                activity=data["activity"],
                observations=data.get("observations") or "",
                acting_user=user,
            ),
        ),
        RecordAction(
            name="delegate",
            label=_("Delegate during leave"),
            form_class=DelegateForm,
            permission="operations.view_elder_sensitive",
            run=lambda elder, data, user: elder_delegate_set(
                elder=elder,
                delegate=data["delegate"],
                starts=data["starts"],
                ends=data["ends"],
                acting_user=user,
            ),
        ),
    )
    history_labels = {
        "elder_register": _("Registered"),
        "elder_update": _("Details changed"),
        "elder_tier_change": (_("Risk tier changed"), _tier_detail),
        "elder_status_change": (_("Status changed"), _status_detail),
        "elder_consent_record": (
            _("Consent recorded"),
            lambda c: str(dict(ElderConsent.Kind.choices).get(c.get("kind"), "")),
        ),
        "elder_consent_withdraw": (
            _("Consent withdrawn"),
            lambda c: str(dict(ElderConsent.Kind.choices).get(c.get("kind"), "")),
        ),
        "elder_contact_add": (_("Emergency contact added"), lambda c: c.get("relation", "")),
        "elder_contact_remove": (_("Emergency contact removed"), lambda c: c.get("relation", "")),
        "elder_delegate_set": _("Delegate changed"),
        "elder_clinic_record": (_("Free clinic attended"), lambda c: c.get("activity", "")),
        "elder_visit_record": (
            _("Visit recorded"),
            lambda c: str(dict(ElderVisit.Kind.choices).get(c.get("kind"), "")),
        ),
        "elder_escalation_open": _("Not reached: escalation started"),
        "elder_escalation_attempt": _("Not reached again (same escalation)"),
        "elder_escalation_call_record": (
            _("Call to a contact"),
            lambda c: (
                f"{c.get('relation', '')} · "
                + (str(_("answered")) if c.get("answered") else str(_("no answer")))
            ),
        ),
        "elder_escalation_escalate": (_("Escalated to the center head"), lambda c: c.get("work_order", "")),
        "elder_escalation_resolve": (
            _("Escalation resolved"),
            lambda c: str(dict(ElderEscalation.Outcome.choices).get(c.get("outcome"), "")),
        ),
        "care_alert_raise": _("Care alert raised"),
        "care_alert_close": _("Care alert closed"),
        "elder_need_order": (_("Need sent as a special service"), _need_detail),
        "elder_need_handle": (_("Need handled"), _need_detail),
        "elder_need_decline": (_("Need declined"), _need_detail),
        "elder_need_reply": (_("Reply visit recorded"), _need_detail),
        "elder_need_reopen": (_("Need open again (work order cancelled)"), _need_detail),
        "elder_care_settings_update": _("Care rules changed"),
    }


class ElderVisitFilterSet(WagtailFilterSet):
    scope = ScopeFilter(
        label=_("Show"),
        scopes={
            "mine": (_("My visits"), lambda qs, request: qs.filter(visitor=request.user)),
            "not-reached": (_("Not reached"), lambda qs, request: qs.filter(reached=False)),
        },
    )
    visited_at = PeriodFilter(label=_("Visited"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ElderVisit.Kind.choices)
    visitor = django_filters.ModelChoiceFilter(label=_("Visitor"), queryset=staff_who_visit())

    class Meta:
        model = ElderVisit
        fields = ["scope", "visited_at", "kind", "visitor"]


class ElderVisitViewSet(OperationsViewSet):
    model = ElderVisit
    name = "elder_visits"
    url_prefix = "operations/elders/visits"
    icon = "date"
    menu_label = _("Visits and calls")
    index_view_class = views.ElderVisitIndexView
    add_view_class = views.ElderVisitCreateView
    inspect_view_class = views.ElderVisitInspectView
    filterset_class = ElderVisitFilterSet
    search_fields = ["elder__resident__name"]
    search_backend_name = None
    list_per_page = 50
    edit_view_enabled = False
    delete_view_enabled = False

    def get_form_class(self, for_update=False):
        return VisitForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/print/", paper.ElderVisitPrintView.as_view(), name="print"),
        ]


class ElderCareGroup(ViewSetGroup):
    menu_label = _("Elder care")
    menu_icon = "group"
    menu_order = 145
    items = (
        AdminLink(
            name="elders-due",
            label=_("Due visits"),
            url_name="elders:due",
            icon="date",
            permission="operations.add_eldervisit",
        ),
        AdminLink(
            name="elders-mine",
            label=_("My elders"),
            url_name="elders:index",
            query={"scope": "mine"},
            icon="user",
            permission="operations.add_eldervisit",
        ),
        ElderViewSet(),
        ElderVisitViewSet(),
        AdminLink(
            name="elder-visits-new",
            label=_("Record a visit"),
            url_name="elder_visits:add",
            icon="plus",
            permission="operations.add_eldervisit",
        ),
        ElderEscalationViewSet(),
        CareAlertViewSet(),
        ElderNeedViewSet(),
        AdminLink(
            name="elder-needs-reply",
            label=_("Reply visits due"),
            url_name="elder_needs:index",
            query={"scope": "reply"},
            icon="redirect",
            permission="operations.change_elderneed",
        ),
        AdminLink(
            name="elders-compliance",
            label=_("Care compliance"),
            url_name="elders:compliance",
            icon="table",
            permission="operations.add_eldervisit",
        ),
        AdminLink(
            name="elders-care-rules",
            label=_("Care rules"),
            url_name="elders:care_settings",
            icon="cog",
            permission="operations.change_eldercaresettings",
        ),
    )


@hooks.register("register_admin_viewset")
def register_elder_care():
    return ElderCareGroup()
