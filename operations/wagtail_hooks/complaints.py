"""Admin UI: complaints and suggestions (投诉建议) and satisfaction surveys (满意度调查), in the shape of
DESIGN.md §9: one viewset per record type, list variants as filters with menu links, the index's own
export, add views saving through the services, and each record's actions declared once below.

Custom screens stay custom but are routed by their viewset: a complaint's printable reply letter, a
survey's invitation slips, the paper entry of an answer and the results by period.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

import django_filters

from operations.admin_menu import AdminLink
from operations.filters import PeriodFilter, ScopeFilter, WagtailFilterSet
from operations.forms.base import StaffChoiceField
from operations.forms.complaints import (
    AssignForm,
    CloseForm,
    ComplaintForm,
    HeadOfficeForm,
    InvestigateForm,
    ReplyForm,
)
from operations.forms.surveys import InviteForm, NoFieldsForm, SurveyForm, template_form_class
from operations.models import Complaint, Survey, SurveyResponse, SurveyTemplate
from operations.selectors.complaints import OPEN_STATUSES
from operations.services import complaints as complaint_services
from operations.services.surveys import survey_invite, survey_set_open
from operations.views import complaints as complaint_views
from operations.views import surveys as survey_views
from operations.viewsets import KeptRecordsPolicy, OperationsViewSet, RecordAction

# --- complaints ------------------------------------------------------------------------------


class ComplaintPermissionPolicy(KeptRecordsPolicy):
    """Adds ``handle``: the assigned handler works on their complaint (investigate, reply, close)
    without the general permission to change complaints, which holders of it also have."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "handle":
            is_handler = bool(instance.handler_id and instance.handler_id == user.pk)
            return is_handler or self.user_has_permission(user, "change")
        return super().user_has_permission_for_instance(user, action, instance)


register_permission_policy(Complaint, ComplaintPermissionPolicy(Complaint))

COMPLAINT_SCOPES = {
    "open": (_("Awaiting a reply"), lambda qs, request: qs.filter(status__in=OPEN_STATUSES)),
    "overdue": (
        _("Overdue replies"),
        lambda qs, request: qs.filter(is_overdue=True).order_by("reply_due", "pk"),
    ),
    "mine": (
        _("Assigned to me"),
        lambda qs, request: qs.filter(status__in=OPEN_STATUSES, handler=request.user).order_by(
            "reply_due", "pk"
        ),
    ),
}


class StaffFilter(django_filters.ModelChoiceFilter):
    """A colleague, listed by name (not by login)."""

    field_class = StaffChoiceField


class ComplaintFilterSet(WagtailFilterSet):
    scope = ScopeFilter(label=_("Show"), scopes=COMPLAINT_SCOPES)
    created = PeriodFilter(label=_("received"))
    handler = StaffFilter(label=_("handler"))

    class Meta:
        model = Complaint
        fields = [
            "scope",
            "created",
            "status",
            "kind",
            "channel",
            "is_major",
            "report_to_head_office",
            "subject_department",
            "handler",
        ]


def _not_closed(complaint, user) -> bool:
    return complaint.status != Complaint.Status.CLOSED


def _choice_label(choices, value) -> str:
    """The words of a stored choice (``[old, new]`` pairs give the new one); "" if unknown."""
    if isinstance(value, list):
        value = value[-1]
    return str(choices(value).label) if value in choices.values else ""


def _created_detail(changes: dict) -> str:
    # The complainant (also in ``changes``, masked) is never repeated in the history.
    parts = [
        _choice_label(Complaint.Kind, changes.get("kind")),
        _choice_label(Complaint.Channel, changes.get("channel")),
        str(_("major complaint")) if changes.get("is_major") else "",
    ]
    return " · ".join(part for part in parts if part)


def _reply_initial(complaint, request) -> dict:
    written = complaint_services.complaint_requires_written_reply(complaint)
    default = Complaint.ReplyMethod.WRITTEN if written else Complaint.ReplyMethod.ORAL
    return {
        "initial": {"reply_method": complaint.reply_method or default, "reply_text": complaint.reply_text},
        "written_required": written,
    }


class ComplaintViewSet(OperationsViewSet):
    model = Complaint
    name = "complaints"
    url_prefix = "operations/complaints"
    icon = "warning"
    menu_label = _("All complaints")
    index_view_class = complaint_views.ComplaintIndexView
    add_view_class = complaint_views.ComplaintCreateView
    inspect_view_class = complaint_views.ComplaintInspectView
    filterset_class = ComplaintFilterSet
    list_per_page = 30
    edit_view_enabled = False  # a complaint changes only through its actions
    delete_view_enabled = False

    def get_form_class(self, for_update=False):
        return ComplaintForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("letter/<int:pk>/", complaint_views.ComplaintReplyLetterView.as_view(), name="letter"),
        ]

    actions = (
        RecordAction(
            name="assign",
            label=_("Assign a handler"),
            button_label=_("Save"),
            form_class=AssignForm,
            available=_not_closed,
            form_kwargs=lambda c, request: {"initial": {"handler": c.handler_id}},
            run=lambda c, data, user: complaint_services.complaint_assign(
                complaint=c, handler=data["handler"], acting_user=user
            ),
        ),
        RecordAction(
            name="investigate",
            label=_("Investigation"),
            button_label=_("Save"),
            form_class=InvestigateForm,
            permission="handle",
            available=_not_closed,
            form_kwargs=lambda c, request: {
                "initial": {
                    "investigation_notes": c.investigation_notes,
                    "finding": c.finding,
                    "verdict": c.verdict,
                    "action_taken": c.action_taken,
                }
            },
            run=lambda c, data, user: complaint_services.complaint_investigate(
                complaint=c, acting_user=user, **data
            ),
        ),
        RecordAction(
            name="reply",
            label=_("Reply to the complainant"),
            button_label=_("Save"),
            form_class=ReplyForm,
            permission="handle",
            available=_not_closed,
            primary=True,
            form_kwargs=_reply_initial,
            run=lambda c, data, user: complaint_services.complaint_reply(
                complaint=c, method=data["reply_method"], text=data["reply_text"], acting_user=user
            ),
        ),
        RecordAction(
            name="close",
            label=_("Close the complaint"),
            form_class=CloseForm,
            permission="handle",
            available=lambda c, user: c.status == Complaint.Status.REPLIED,
            primary=True,
            success_message=_("Complaint %(object)s closed."),
            run=lambda c, data, user: complaint_services.complaint_close(complaint=c, acting_user=user),
        ),
        RecordAction(
            name="head-office",
            label=_("Report to head office"),
            button_label=_("Mark for head office"),
            form_class=HeadOfficeForm,
            available=_not_closed,
            form_kwargs=lambda c, request: {
                "initial": {
                    "head_office_report": c.head_office_report
                    or complaint_services.complaint_draft_head_office_report(c)
                }
            },
            run=lambda c, data, user: complaint_services.complaint_mark_for_head_office(
                complaint=c, report_text=data["head_office_report"], acting_user=user
            ),
        ),
    )
    history_labels = {
        "complaint_create": (_("Recorded"), _created_detail),
        "complaint_assign": _("Handler assigned"),
        "complaint_investigate": _("Investigation recorded"),
        "complaint_reply": (
            _("Replied to the complainant"),
            lambda changes: _choice_label(Complaint.ReplyMethod, changes.get("reply_method")),
        ),
        "complaint_close": _("Complaint closed"),
        "complaint_mark_for_head_office": _("Reported to head office"),
        "complaint_head_office_answer": (
            _("Head office answered"),
            lambda changes: "{}{}".format(
                _("Asked for more") if changes.get("decision") == "returned" else _("Acknowledged"),
                f"：{changes['comment']}" if changes.get("comment") else "",
            ),
        ),
    }


class ComplaintsGroup(ViewSetGroup):
    menu_label = _("Complaints and suggestions")
    menu_icon = "warning"
    menu_order = 130
    items = (
        ComplaintViewSet(),
        AdminLink(
            name="complaint-new",
            label=_("Record a complaint"),
            url_name="complaints:add",
            icon="plus",
            permission="operations.add_complaint",
        ),
        AdminLink(
            name="complaint-overdue",
            label=_("Overdue replies"),
            url_name="complaints:index",
            query={"scope": "overdue"},
            icon="time",
            permission="operations.view_complaint",
        ),
    )


# --- surveys ---------------------------------------------------------------------------------


class SurveyTemplateViewSet(ModelViewSet):
    """Questionnaires are configuration: edited directly, with their questions inline."""

    model = SurveyTemplate
    name = "survey-templates"
    url_prefix = "operations/survey-templates"
    icon = "form"
    menu_label = _("Survey templates")
    list_display = ["name", "is_active", "updated"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    add_to_reference_index = False
    delete_view_class = survey_views.SurveyTemplateDeleteView
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("is_active"),
        InlinePanel("questions", label=_("questions"), min_num=1),
    ]

    def get_form_class(self, for_update=False):
        return template_form_class(super().get_form_class(for_update=for_update))


class SurveyFilterSet(WagtailFilterSet):
    class Meta:
        model = Survey
        fields = ["scope", "is_open", "template"]


def _open_detail(changes: dict) -> str:
    is_open = (changes.get("is_open") or [None, None])[-1]
    return str(_("reopened for answers") if is_open else _("closed for answers"))


def _invite(survey, data, user) -> None:
    survey_invite(survey=survey, count=data["count"], acting_user=user)


class SurveyViewSet(OperationsViewSet):
    model = Survey
    name = "surveys"
    url_prefix = "operations/surveys"
    icon = "list-ul"
    menu_label = _("Surveys")
    index_view_class = survey_views.SurveyIndexView
    add_view_class = survey_views.SurveyCreateView
    inspect_view_class = survey_views.SurveyInspectView
    filterset_class = SurveyFilterSet
    edit_view_enabled = False  # a survey changes through its actions
    delete_view_enabled = False  # answers refer to it: it is closed, not deleted
    list_display = [
        TitleColumn("title", label=_("title"), url_name="surveys:inspect"),
        "scope",
        Column("template", label=_("template")),
        "period_start",
        "period_end",
        Column("n_invitations", label=_("invitations")),
        Column("n_responses", label=_("responses")),
        BooleanColumn("is_open", label=_("open for answers")),
        "created",
    ]

    def get_form_class(self, for_update=False):
        return SurveyForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("invitations/<int:pk>/", survey_views.SurveyInvitationsView.as_view(), name="invitations"),
            path("paper/<int:pk>/", survey_views.SurveyPaperEntryView.as_view(), name="paper"),
            path("period/", survey_views.SurveyPeriodResultsView.as_view(), name="period_results"),
        ]

    actions = (
        RecordAction(
            name="invite",
            label=_("Create invitation links"),
            form_class=InviteForm,
            available=lambda survey, user: survey.is_open,
            primary=True,
            success_message=_("Invitation links created for %(object)s."),
            run=_invite,
            # Straight to the sheet of new links, to print and hand out.
            redirect_to=lambda survey, request: reverse("surveys:invitations", args=[survey.pk]),
        ),
        RecordAction(
            name="close",
            label=_("Close for answers"),
            form_class=NoFieldsForm,
            available=lambda survey, user: survey.is_open,
            run=lambda survey, data, user: survey_set_open(survey=survey, is_open=False, acting_user=user),
        ),
        RecordAction(
            name="reopen",
            label=_("Reopen for answers"),
            form_class=NoFieldsForm,
            available=lambda survey, user: not survey.is_open,
            run=lambda survey, data, user: survey_set_open(survey=survey, is_open=True, acting_user=user),
        ),
    )
    history_labels = {
        "survey_create": _("Survey started"),
        "survey_set_open": (_("Opened or closed for answers"), _open_detail),
        "survey_invite": (_("Invitation links created"), lambda changes: str(changes.get("invitations", ""))),
        "survey_answer_by_token": _("Answered through an invitation link"),
        "survey_answer_public": _("Answered on the center's website"),
        "survey_response_enter": (
            _("Answer entered by staff"),
            lambda changes: _choice_label(SurveyResponse.Source, changes.get("source")),
        ),
    }


class SurveysGroup(ViewSetGroup):
    menu_label = _("Satisfaction surveys")
    menu_icon = "list-ul"
    menu_order = 140
    items = (
        SurveyViewSet(),
        SurveyTemplateViewSet(),
        AdminLink(
            name="survey-new",
            label=_("Start a survey"),
            url_name="surveys:add",
            icon="plus",
            permission="operations.add_survey",
        ),
        AdminLink(
            name="survey-period-results",
            label=_("Results by period"),
            url_name="surveys:period_results",
            icon="table",
            permission="operations.view_survey",
        ),
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [ComplaintsGroup(), SurveysGroup()]
