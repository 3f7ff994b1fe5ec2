"""Admin UI: community activities (社区活动).

One viewset: its index filtered by year / kind / status, planning and editing through the services,
and the activity page, a custom screen whose sections hold the forms of the actions declared once
below (publicity, status, participants, repair intake, photos, notice, survey, report). The yearly
compliance grid is a custom screen linked from the menu.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

import django_filters

from operations.admin_menu import AdminLink
from operations.filters import WagtailFilterSet
from operations.forms import activities as forms
from operations.hooks import activity_website
from operations.models import Activity, ActivityPublicity
from operations.services import activities as services
from operations.services.elder_activities import elder_birthday_invite
from operations.views import activities as views
from operations.views.activities import Refused
from operations.viewsets import OperationsViewSet, RecordAction

S = Activity.Status
CHANGE = "operations.change_activity"


class ActivityFilterSet(WagtailFilterSet):
    year = django_filters.NumberFilter(
        field_name="starts_at", lookup_expr="year", label=gettext_lazy("Year"), min_value=2000, max_value=2100
    )

    class Meta:
        model = Activity
        fields = ["year", "kind", "status"]


@dataclass(frozen=True)
class ActivityAction(RecordAction):
    """An action of the activity page. ``also_requires``: further permissions (a repair day's intake
    registers work orders; the survey needs the survey permission). ``as_message``: the service's
    refusal is a message on the page, as the page's buttons always did, not an error on the form."""

    also_requires: tuple[str, ...] = ()
    as_message: bool = True

    def permitted(self, view, instance) -> bool:
        user = view.request.user
        return super().permitted(view, instance) and all(user.has_perm(perm) for perm in self.also_requires)

    def __post_init__(self):
        if self.as_message:
            object.__setattr__(self, "run", _refusal_as_message(self.run))


def _refusal_as_message(run):
    def wrapped(activity, data, user):
        try:
            return run(activity, data, user)
        except ValidationError as error:
            raise Refused(error.messages) from error

    return wrapped


def button(name, label, run, *, permission=CHANGE, **kwargs) -> ActivityAction:
    """An action that is one button (no fields)."""
    return ActivityAction(name, label, forms.ButtonForm, run, permission, **kwargs)


def transition(name, label, target, service, form_class=forms.ButtonForm) -> ActivityAction:
    """A change of status; the form's fields (the reason for cancelling) go to the service."""
    return ActivityAction(
        name,
        label,
        form_class,
        lambda activity, data, user: service(acting_user=user, activity=activity, **data),
        CHANGE,
        available=lambda activity, user: target in services.activity_allowed_transitions(activity),
        success_message=gettext_lazy("Activity status changed."),
    )


def _held(activity, user) -> bool:
    return activity.status in views.HELD_OR_REPORTED


def _not_cancelled(activity, user) -> bool:
    return activity.status != S.CANCELLED


def _repair(activity, data, user) -> str:
    item = services.activity_repair_intake(acting_user=user, activity=activity, **data)
    if item.work_order_id:
        return _("Work order %(number)s created.") % {"number": item.work_order.number}
    return _("Out-of-scope item recorded with the advice given.")


def _photos(activity, data, user) -> str:
    """Each file is checked on its own: the good ones are saved, the bad ones named."""
    saved, refusals = 0, []
    for upload in data["photos"]:
        try:
            services.activity_photo_add(acting_user=user, activity=activity, file=upload)
            saved += 1
        except ValidationError as error:
            refusals.extend(error.messages)
    done = _("Photos saved: %(count)d.") % {"count": saved} if saved else ""
    if refusals:
        raise Refused(refusals, done=done)
    return done


def _survey(activity, data, user) -> str:
    survey = services.activity_survey_start(acting_user=user, activity=activity)
    count = survey.invitations.count()
    return _("Satisfaction survey started; %(count)d participants invited.") % {"count": count}


# The website's part (the 活动预告 notice, the report page) comes from the app that registers it
# (operations.hooks.activity_website, filled by cms): operations never imports cms.
def _notice_create(activity, data, user):
    activity_website().notice_publish(acting_user=user, activity=activity)


def _notice_link(activity, data, user):
    notice = activity_website().notice_find(pk=data["notice"])
    services.activity_notice_link(acting_user=user, activity=activity, notice=notice)


def _report_draft(activity, data, user):
    return activity_website().report_draft(acting_user=user, activity=activity)


def _channel(changes) -> str:
    return str(dict(ActivityPublicity.Channel.choices).get(changes.get("channel"), ""))


class ActivityViewSet(OperationsViewSet):
    model = Activity
    name = "activities"
    url_prefix = "operations/activities"
    icon = "date"
    menu_label = gettext_lazy("Activities")
    index_view_class = views.ActivityIndexView
    add_view_class = views.ActivityCreateView
    edit_view_class = views.ActivityEditView
    inspect_view_class = views.ActivityInspectView
    delete_view_enabled = False  # cancelled, never deleted: their history and figures stay
    action_view_class = views.ActivityActionView
    filterset_class = ActivityFilterSet
    list_per_page = 50
    list_display = [
        TitleColumn("number", label=gettext_lazy("Number"), url_name="activities:inspect"),
        "title",
        "kind",
        Column("starts_at", label=gettext_lazy("Starts at"), sort_key="starts_at", accessor=views.local_time),
        "place",
        "festival",
        Column(
            "organiser",
            label=gettext_lazy("Organiser"),
            accessor=lambda a: get_user_display_name(a.organiser),
        ),
        # as the report counts them: those who came, of those registered
        Column(
            "participant_count",
            label=gettext_lazy("Attended / registered"),
            accessor=lambda a: f"{a.attended_count} / {a.participant_count}",
        ),
        "status",
    ]

    def get_form_class(self, for_update=False):
        return forms.ActivityForm

    actions = (
        ActivityAction(
            "publicity_tick",
            gettext_lazy("Tick"),
            forms.PublicityTickForm,
            lambda a, data, user: services.activity_publicity_tick(acting_user=user, activity=a, **data),
            "operations.add_activitypublicity",
            available=lambda activity, user: activity.status in (S.PLANNED, S.PUBLICISED),
            success_message=gettext_lazy("Publicity ticked."),
        ),
        transition(
            "publicise", gettext_lazy("Mark as publicised"), S.PUBLICISED, services.activity_publicise
        ),
        transition("hold", gettext_lazy("Mark as held"), S.HELD, services.activity_hold),
        transition("report", gettext_lazy("Mark as reported"), S.REPORTED, services.activity_mark_reported),
        transition(
            "cancel",
            gettext_lazy("Cancel the activity"),
            S.CANCELLED,
            services.activity_cancel,
            forms.CancelForm,
        ),
        ActivityAction(
            "participant_add",
            gettext_lazy("Add participant"),
            forms.ParticipantForm,
            lambda a, data, user: services.activity_participant_add(acting_user=user, activity=a, **data),
            "operations.add_activityparticipant",
            as_message=False,
            success_message=gettext_lazy("Participant added."),
        ),
        ActivityAction(
            "attendance",
            gettext_lazy("Attended"),
            forms.AttendanceForm,
            lambda a, data, user: services.activity_attendance_set(acting_user=user, **data),
            "operations.change_activityparticipant",
            form_kwargs=lambda activity, request: {"activity": activity},
        ),
        button(
            "invitees",
            gettext_lazy("Propose invitees with a birthday this quarter"),
            lambda a, data, user: (
                _("%(count)d invitees added.")
                % {"count": len(services.activity_birthday_invitees_propose(acting_user=user, activity=a))}
            ),
            permission="operations.add_activityparticipant",
            available=lambda activity, user: activity.kind == Activity.Kind.BIRTHDAY_PARTY,
        ),
        button(
            "elders",
            gettext_lazy("Invite the elders living alone born this quarter"),
            lambda a, data, user: (
                _("%(count)d elders living alone invited.")
                % {"count": len(elder_birthday_invite(acting_user=user, activity=a))}
            ),
            permission="operations.add_activityparticipant",
            also_requires=("operations.view_elder",),
            available=lambda activity, user: activity.kind == Activity.Kind.BIRTHDAY_PARTY,
        ),
        ActivityAction(
            "repair",
            gettext_lazy("Take the request"),
            forms.RepairForm,
            _repair,
            "operations.add_activityrepairitem",
            also_requires=("operations.add_workorder",),
            as_message=False,
            available=lambda a, user: (
                a.kind == Activity.Kind.REPAIR_DAY and a.status in (S.PUBLICISED, S.HELD)
            ),
        ),
        ActivityAction(
            "photos",
            gettext_lazy("Upload photos"),
            forms.PhotoUploadForm,
            _photos,
            CHANGE,
            available=_not_cancelled,
        ),
        button(
            "notice_create",
            gettext_lazy("Publish an event notice"),
            _notice_create,
            available=lambda activity, user: _not_cancelled(activity, user) and not activity.notice_page_id,
            success_message=gettext_lazy("The notice is published on the center's website."),
        ),
        ActivityAction(
            "notice_link",
            gettext_lazy("Link this notice"),
            forms.NoticeLinkForm,
            _notice_link,
            CHANGE,
            as_message=False,
            available=_not_cancelled,
            success_message=gettext_lazy("Notice linked."),
        ),
        button(
            "survey_start",
            gettext_lazy("Start the satisfaction survey"),
            _survey,
            also_requires=("operations.add_survey",),
            available=_held,
        ),
        button(
            "report_draft",
            gettext_lazy("Draft the activity report"),
            _report_draft,
            available=_held,
            success_message=gettext_lazy("Report drafted."),
            redirect_to=lambda page, request: reverse("wagtailadmin_pages:edit", args=[page.pk]),
        ),
    )
    history_labels = {
        "activity_create": gettext_lazy("Planned"),
        "activity_update": gettext_lazy("Plan changed"),
        "activity_publicity_tick": (gettext_lazy("Publicity ticked"), _channel),
        "activity_publicised": gettext_lazy("Marked as publicised"),
        "activity_held": gettext_lazy("Marked as held"),
        "activity_reported": gettext_lazy("Marked as reported"),
        "activity_cancelled": (
            gettext_lazy("Cancelled"),
            lambda changes: changes.get("cancel_reason", [None, ""])[1],
        ),
        "activity_participant_add": gettext_lazy("Participant added"),
        "activity_attendance_set": gettext_lazy("Attendance changed"),
        "activity_birthday_invitees_propose": gettext_lazy("Invitees proposed"),
        "activity_birthday_elders_invite": gettext_lazy("Elders living alone invited"),
        "activity_repair_intake": (
            gettext_lazy("Repair request taken"),
            lambda changes: changes.get("work_order", ""),
        ),
        "activity_repair_out_of_scope": gettext_lazy("Out-of-scope repair request recorded"),
        "activity_photo_collection_ensure": gettext_lazy("Photo collection created"),
        "activity_photo_add": gettext_lazy("Photo added"),
        "activity_notice_link": gettext_lazy("Notice linked"),
        "activity_notice_create": gettext_lazy("Event notice published"),
        "activity_survey_start": gettext_lazy("Satisfaction survey started"),
        "activity_report_draft": gettext_lazy("Activity report drafted"),
    }


class ActivityComplianceViewSet(ViewSet):
    """The yearly compliance grid (a custom screen; the menu links to it)."""

    name = "activity_compliance"
    url_prefix = "operations/activity-compliance"

    def get_urlpatterns(self):
        return [path("", views.compliance, name="grid")]


class ActivitiesGroup(ViewSetGroup):
    menu_label = gettext_lazy("Community activities")
    menu_icon = "group"
    menu_name = "community-activities"
    menu_order = 160
    items = (
        ActivityViewSet(),
        AdminLink(
            name="activities-new",
            label=gettext_lazy("New activity"),
            url_name="activities:add",
            icon="plus",
            permission="operations.add_activity",
        ),
        AdminLink(
            name="activities-compliance",
            label=gettext_lazy("Yearly compliance"),
            url_name="activity_compliance:grid",
            icon="table",
            permission="operations.view_activity",
        ),
    )


@hooks.register("register_admin_viewset")
def register_activity_viewsets():
    return [ActivitiesGroup(), ActivityComplianceViewSet()]
