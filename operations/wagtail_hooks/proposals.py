"""Admin UI: service-project proposals (便民服务项目申报, 5.1) in the admin shape (DESIGN §9).

The list by state (menu links to the ones at work and those at head office), drafting and editing
through the services, and the record's actions in the order of the procedure: the meeting, the
resident survey and its summary, the feasibility report, the submission to head office.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

import django_filters

from operations.admin_menu import AdminLink
from operations.filters import PeriodFilter, ScopeFilter, WagtailFilterSet
from operations.forms.proposals import (
    ButtonForm,
    LaunchForm,
    MeetingForm,
    ProposalForm,
    ReportForm,
    ReviewForm,
    SurveyAttachForm,
    SurveySummaryForm,
)
from operations.models import ProposalMeeting, ServiceProposal
from operations.services import proposals as services
from operations.views import proposals as views
from operations.viewsets import OperationsViewSet, RecordAction

S = ServiceProposal.Status
AT_WORK = (S.DRAFT, S.DISCUSSED, S.SURVEYING, S.FEASIBILITY, S.RETURNED)
SCOPES = {
    "at_work": (_("Being prepared"), lambda qs, request: qs.filter(status__in=AT_WORK)),
    "head_office": (_("At head office"), lambda qs, request: qs.filter(status=S.SUBMITTED)),
    "live": (_("In service"), lambda qs, request: qs.filter(status__in=(S.APPROVED, S.LIVE, S.REVIEWED))),
}


class ProposalFilterSet(WagtailFilterSet):
    scope = ScopeFilter(label=_("Show"), scopes=SCOPES)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=S.choices)
    created = PeriodFilter(label=_("Drafted"))

    class Meta:
        model = ServiceProposal
        fields = ["scope", "status", "created"]


def _in(*statuses):
    return lambda proposal, user: proposal.status in statuses


class ServiceProposalViewSet(OperationsViewSet):
    model = ServiceProposal
    name = "proposals"
    url_prefix = "operations/proposals"
    icon = "clipboard-list"
    menu_label = _("All proposals")
    index_view_class = views.ProposalIndexView
    add_view_class = views.ProposalCreateView
    edit_view_class = views.ProposalEditView
    inspect_view_class = views.ProposalInspectView
    filterset_class = ProposalFilterSet
    search_fields = ["number", "title", "need"]
    search_backend_name = None
    list_per_page = 30
    delete_view_enabled = False

    def get_form_class(self, for_update=False):
        return ProposalForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("models/", views.ModelProjectsView.as_view(), name="models"),
        ]

    actions = (
        RecordAction(
            name="meeting",
            label=_("Record the discussion meeting"),
            form_class=MeetingForm,
            available=_in(S.DRAFT, S.DISCUSSED, S.RETURNED),
            primary=True,
            success_message=_("Meeting recorded."),
            run=lambda p, data, user: services.proposal_meeting_record(proposal=p, acting_user=user, **data),
        ),
        RecordAction(
            name="survey",
            label=_("Survey the residents"),
            form_class=SurveyAttachForm,
            available=_in(S.DISCUSSED),
            run=lambda p, data, user: services.proposal_survey_attach(
                proposal=p, survey=data["survey"], acting_user=user
            ),
        ),
        RecordAction(
            name="summary",
            label=_("Sum up the survey"),
            form_class=SurveySummaryForm,
            available=_in(S.SURVEYING),
            run=lambda p, data, user: services.proposal_survey_summarise(
                proposal=p, summary=data["summary"], acting_user=user
            ),
        ),
        RecordAction(
            name="report",
            label=_("Write the feasibility report"),
            form_class=ReportForm,
            form_kwargs=lambda p, request: {"proposal": p},
            available=_in(S.DISCUSSED, S.SURVEYING, S.FEASIBILITY, S.RETURNED),
            success_message=_("Feasibility report saved."),
            run=lambda p, data, user: services.proposal_report_write(proposal=p, acting_user=user, **data),
        ),
        RecordAction(
            name="submit",
            label=_("Submit to head office"),
            form_class=ButtonForm,
            permission="operations.submit_serviceproposal",
            available=_in(S.FEASIBILITY, S.RETURNED),
            primary=True,
            success_message=_("Submitted to head office."),
            run=lambda p, data, user: services.proposal_submit(proposal=p, acting_user=user),
        ),
        RecordAction(
            name="launch",
            label=_("Put the service into operation"),
            form_class=LaunchForm,
            available=_in(S.APPROVED),
            primary=True,
            success_message=_("The service is in the service guide and on the residents' site."),
            run=lambda p, data, user: services.proposal_launch(proposal=p, acting_user=user, **data),
        ),
        RecordAction(
            name="review",
            label=_("Review the service"),
            form_class=ReviewForm,
            available=_in(S.LIVE),
            success_message=_("Review recorded and reported to head office."),
            run=lambda p, data, user: services.proposal_review(proposal=p, acting_user=user, **data),
        ),
    )
    history_labels = {
        "proposal_create": _("Drafted"),
        "proposal_update": _("Details changed"),
        "proposal_meeting_record": (
            _("Meeting recorded"),
            lambda changes: str(dict(ProposalMeeting.Decision.choices).get(changes.get("decision"), "")),
        ),
        "proposal_survey_attach": (_("Resident survey started"), lambda changes: changes.get("survey", "")),
        "proposal_survey_summarise": _("Survey summed up"),
        "proposal_report_write": _("Feasibility report written"),
        "proposal_submit": _("Submitted to head office"),
        "proposal_launch": (_("In service"), lambda changes: changes.get("service_item", "")),
        "proposal_review": (
            _("Reviewed"),
            lambda changes: str(
                {"continue": _("Continue"), "adjust": _("Adjust"), "stop": _("Stop")}.get(
                    changes.get("conclusion"), ""
                )
            ),
        ),
        "proposal_review_acknowledged": _("Head office has read the review"),
        "proposal_decision": (
            _("Head office decided"),
            lambda changes: "{}{}".format(
                dict(S.choices).get((changes.get("status") or [None, None])[1], ""),
                f"：{changes['comment']}" if changes.get("comment") else "",
            ),
        ),
    }


class ProposalsGroup(ViewSetGroup):
    menu_label = _("Service projects")
    menu_icon = "clipboard-list"
    menu_order = 172
    items = (
        AdminLink(
            name="proposals-at-work",
            label=_("Being prepared"),
            url_name="proposals:index",
            query={"scope": "at_work"},
            icon="edit",
            permission="operations.view_serviceproposal",
        ),
        AdminLink(
            name="proposals-head-office",
            label=_("At head office"),
            url_name="proposals:index",
            query={"scope": "head_office"},
            icon="mail",
            permission="operations.view_serviceproposal",
        ),
        ServiceProposalViewSet(),
        AdminLink(
            name="proposals-models",
            label=_("Model projects"),
            url_name="proposals:models",
            icon="pick",
            permission="operations.view_serviceproposal",
        ),
        AdminLink(
            name="proposals-new",
            label=_("Draft a service project"),
            url_name="proposals:add",
            icon="plus",
            permission="operations.add_serviceproposal",
        ),
    )


@hooks.register("register_admin_viewset")
def register_proposal_viewsets():
    return ProposalsGroup()
