"""Admin UI: not-reached escalations (联系不上的老人) and care alerts (恶劣天气/突发事件关怀).

Escalations start from a visit or call that did not reach the elder and change only through their
actions (record a call to a contact, record the outcome) or a later reached visit; care alerts are
raised by the center head and close themselves when everyone is reached (or by hand). Both
viewsets are items of the 独居老人关怀 group (``wagtail_hooks.elders``); the panel of the admin
home shows what is running.
"""

from django.db import connection
from django.utils.translation import gettext_lazy as _

from wagtail import hooks

import django_filters

from operations.filters import PeriodFilter, ScopeFilter, WagtailFilterSet
from operations.forms.elder_escalations import (
    CareAlertCloseForm,
    CareAlertForm,
    EscalationCallForm,
    EscalationResolveForm,
)
from operations.models import CareAlert, ElderEscalation
from operations.selectors.elders import elders_of, staff_who_visit
from operations.services.elder_alerts import care_alert_close
from operations.services.elder_escalations import elder_escalation_call_record, elder_escalation_resolve
from operations.views import elder_escalations as views
from operations.viewsets import OperationsViewSet, RecordAction


def _my_elders(user):
    from operations.models import Elder

    return Elder.objects.filter(elders_of(user)).values("pk")


ESCALATION_SCOPES = {
    "running": (_("Running"), lambda qs, request: qs.filter(status__in=views.RUNNING)),
    "mine": (_("Of my elders"), lambda qs, request: qs.filter(elder__in=_my_elders(request.user))),
    "escalated": (
        _("Escalated to the center head"),
        lambda qs, request: qs.filter(status=ElderEscalation.Status.ESCALATED),
    ),
    "resolved": (_("Resolved"), lambda qs, request: qs.filter(status=ElderEscalation.Status.RESOLVED)),
}


class ElderEscalationFilterSet(WagtailFilterSet):
    scope = ScopeFilter(label=_("Show"), scopes=ESCALATION_SCOPES)
    created = PeriodFilter(label=_("Started"))
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=ElderEscalation.Outcome.choices)
    elder__manager = django_filters.ModelChoiceFilter(label=_("Customer manager"), queryset=staff_who_visit())

    class Meta:
        model = ElderEscalation
        fields = ["scope", "created", "outcome", "elder__manager"]


def _running(escalation, user) -> bool:
    return escalation.status in views.RUNNING


class ElderEscalationViewSet(OperationsViewSet):
    model = ElderEscalation
    name = "elder_escalations"
    url_prefix = "operations/elders/escalations"
    icon = "warning"
    menu_label = _("Not reached: escalations")
    index_view_class = views.ElderEscalationIndexView
    inspect_view_class = views.ElderEscalationInspectView
    filterset_class = ElderEscalationFilterSet
    search_fields = ["elder__resident__name"]
    search_backend_name = None
    list_per_page = 50
    add_view_enabled = False
    edit_view_enabled = False
    delete_view_enabled = False
    form_fields = ["outcome_note"]  # no add or edit view: escalations start from a visit

    actions = (
        RecordAction(
            name="call",
            label=_("Record a call to a contact"),
            form_class=EscalationCallForm,
            form_kwargs=lambda x, request: {"escalation": x, "user": request.user},
            available=_running,
            primary=True,
            success_message=_("Call recorded."),
            run=lambda x, data, user: elder_escalation_call_record(escalation=x, acting_user=user, **data),
        ),
        RecordAction(
            name="resolve",
            label=_("Record how the elder was found"),
            form_class=EscalationResolveForm,
            available=_running,
            success_message=_("Escalation resolved."),
            run=lambda x, data, user: elder_escalation_resolve(escalation=x, acting_user=user, **data),
        ),
    )


CARE_ALERT_SCOPES = {
    "open": (_("Open"), lambda qs, request: qs.filter(closed_at__isnull=True)),
    "closed": (_("Closed"), lambda qs, request: qs.filter(closed_at__isnull=False)),
}


class CareAlertFilterSet(WagtailFilterSet):
    scope = ScopeFilter(label=_("Show"), scopes=CARE_ALERT_SCOPES)
    raised_at = PeriodFilter(label=_("Raised"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CareAlert.Kind.choices)

    class Meta:
        model = CareAlert
        fields = ["scope", "raised_at", "kind"]


class CareAlertViewSet(OperationsViewSet):
    model = CareAlert
    name = "care_alerts"
    url_prefix = "operations/elders/care-alerts"
    icon = "warning"
    menu_label = _("Care alerts")
    index_view_class = views.CareAlertIndexView
    add_view_class = views.CareAlertCreateView
    inspect_view_class = views.CareAlertInspectView
    filterset_class = CareAlertFilterSet
    search_fields = ["title"]
    search_backend_name = None
    list_per_page = 50
    edit_view_enabled = False
    delete_view_enabled = False

    def get_form_class(self, for_update=False):
        return CareAlertForm

    actions = (
        RecordAction(
            name="close",
            label=_("Close the alert"),
            form_class=CareAlertCloseForm,
            available=lambda alert, user: alert.closed_at is None,
            success_message=_("Alert closed."),
            run=lambda alert, data, user: care_alert_close(alert=alert, note=data["note"], acting_user=user),
        ),
    )


@hooks.register("construct_homepage_panels")
def add_elder_care_panel(request, panels):
    if connection.schema_name == "public":  # the head office has no operations tables
        return
    panels.append(views.ElderCarePanel(request))
