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
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

import django_filters

from operations.admin_menu import AdminLink
from operations.filters import WagtailFilterSet
from operations.forms.activities import (
    ActivityForm,
    AttendanceForm,
    ButtonForm,
    CancelForm,
    NoticeLinkForm,
    ParticipantForm,
    PhotoUploadForm,
    PublicityTickForm,
    RepairForm,
)
from operations.models import Activity, ActivityPublicity
from operations.services.activities import (
    activity_allowed_transitions,
    activity_attendance_set,
    activity_birthday_invitees_propose,
    activity_cancel,
    activity_hold,
    activity_mark_reported,
    activity_notice_link,
    activity_participant_add,
    activity_photo_add,
    activity_publicise,
    activity_publicity_tick,
    activity_repair_intake,
    activity_survey_start,
)
from operations.views import activities as views
from operations.views.activities import Done, Refused
from operations.views.base import RecordAction
from operations.viewsets import OperationsViewSet

S = Activity.Status


class ActivityFilterSet(WagtailFilterSet):
    year = django_filters.NumberFilter(
        field_name="starts_at", lookup_expr="year", label=gettext_lazy("Year"), min_value=2000, max_value=2100
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=Activity.Kind.choices)
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=Activity.Status.choices)

    class Meta:
        model = Activity
        fields = ["year", "kind", "status"]


@dataclass(frozen=True)
class ActivityAction(RecordAction):
    """An action of the activity page; ``also_requires`` names further permissions it needs (a repair
    day's intake registers work orders, the survey needs the survey permission)."""

    also_requires: tuple[str, ...] = ()

    def permitted(self, view, instance) -> bool:
        user = view.request.user
        return super().permitted(view, instance) and all(user.has_perm(perm) for perm in self.also_requires)


def refused_as_message(run):
    """A button's refusal is a message on the page, as it always was (``Refused``), not a form error."""

    def wrapped(activity, data, user):
        try:
            return run(activity, data, user)
        except ValidationError as error:
            raise Refused(error.messages) from error

    return wrapped


def _may_go_to(target):
    return lambda activity, user: target in activity_allowed_transitions(activity)


def _open(activity, user) -> bool:
    return activity.status != S.CANCELLED


def _tick(activity, data, user):
    activity_publicity_tick(acting_user=user, activity=activity, channel=data["channel"], note=data["note"])


def _invite(activity, data, user):
    added = activity_birthday_invitees_propose(acting_user=user, activity=activity)
    return Done(_("%(count)d invitees added.") % {"count": len(added)})


def _repair(activity, data, user):
    item = activity_repair_intake(acting_user=user, activity=activity, **data)
    if item.work_order_id:
        return Done(_("Work order %(number)s created.") % {"number": item.work_order.number})
    return Done(_("Out-of-scope item recorded with the advice given."))


def _photos(activity, data, user):
    """Each file is checked on its own: the good ones are saved, the bad ones named."""
    saved, refusals = 0, []
    for upload in data["photos"]:
        try:
            activity_photo_add(acting_user=user, activity=activity, file=upload)
        except ValidationError as error:
            refusals.extend(error.messages)
        else:
            saved += 1
    done = _("Photos saved: %(count)d.") % {"count": saved} if saved else ""
    if refusals:
        raise Refused(refusals, done=done)
    return Done(done)


def _notice_create(activity, data, user):
    # operations must not import cms (layers); the lead moves this action into a cms hook.
    from cms.services.notices import notice_for_activity

    notice_for_activity(acting_user=user, activity=activity)


def _notice_link(activity, data, user):
    # operations must not import cms (layers); the lead moves this action into a cms hook.
    from cms.models import NoticePage

    notice = NoticePage.objects.filter(pk=data["notice"]).first()
    activity_notice_link(acting_user=user, activity=activity, notice=notice)


def _survey(activity, data, user):
    survey = activity_survey_start(acting_user=user, activity=activity)
    return Done(
        _("Satisfaction survey started; %(count)d participants invited.")
        % {"count": survey.invitations.count()}
    )


def _report_draft(activity, data, user):
    # operations must not import cms (layers); the lead moves this action into a cms hook.
    from cms.services.reports import activity_report_draft

    return activity_report_draft(acting_user=user, activity=activity)


CHANGE = "operations.change_activity"
STATUS_CHANGED = gettext_lazy("Activity status changed.")


class NoDeletePolicy(ModelPermissionPolicy):
    """Activities are cancelled, never deleted: their history and figures stay."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)


register_permission_policy(Activity, NoDeletePolicy(Activity))


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
    action_view_class = views.ActivityActionView
    filterset_class = ActivityFilterSet
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return ActivityForm

    actions = (
        ActivityAction(
            name="publicity_tick",
            label=gettext_lazy("Tick"),
            form_class=PublicityTickForm,
            permission="operations.add_activitypublicity",
            available=lambda activity, user: activity.status in (S.PLANNED, S.PUBLICISED),
            run=refused_as_message(_tick),
            success_message=gettext_lazy("Publicity ticked."),
        ),
        ActivityAction(
            name="publicise",
            label=gettext_lazy("Mark as publicised"),
            form_class=ButtonForm,
            permission=CHANGE,
            available=_may_go_to(S.PUBLICISED),
            run=refused_as_message(lambda a, data, user: activity_publicise(acting_user=user, activity=a)),
            success_message=STATUS_CHANGED,
        ),
        ActivityAction(
            name="hold",
            label=gettext_lazy("Mark as held"),
            form_class=ButtonForm,
            permission=CHANGE,
            available=_may_go_to(S.HELD),
            run=refused_as_message(lambda a, data, user: activity_hold(acting_user=user, activity=a)),
            success_message=STATUS_CHANGED,
        ),
        ActivityAction(
            name="report",
            label=gettext_lazy("Mark as reported"),
            form_class=ButtonForm,
            permission=CHANGE,
            available=_may_go_to(S.REPORTED),
            run=refused_as_message(
                lambda a, data, user: activity_mark_reported(acting_user=user, activity=a)
            ),
            success_message=STATUS_CHANGED,
        ),
        ActivityAction(
            name="cancel",
            label=gettext_lazy("Cancel the activity"),
            form_class=CancelForm,
            permission=CHANGE,
            available=_may_go_to(S.CANCELLED),
            run=refused_as_message(
                lambda a, data, user: activity_cancel(acting_user=user, activity=a, reason=data["reason"])
            ),
            success_message=STATUS_CHANGED,
        ),
        ActivityAction(
            name="participant_add",
            label=gettext_lazy("Add participant"),
            form_class=ParticipantForm,
            permission="operations.add_activityparticipant",
            run=lambda a, data, user: activity_participant_add(acting_user=user, activity=a, **data),
            success_message=gettext_lazy("Participant added."),
        ),
        ActivityAction(
            name="attendance",
            label=gettext_lazy("Attended"),
            form_class=AttendanceForm,
            form_kwargs=lambda activity, request: {"activity": activity},
            permission="operations.change_activityparticipant",
            run=refused_as_message(
                lambda a, data, user: activity_attendance_set(
                    acting_user=user, participant=data["participant"], attended=data["attended"]
                )
            ),
        ),
        ActivityAction(
            name="invitees",
            label=gettext_lazy("Propose invitees with a birthday this quarter"),
            form_class=ButtonForm,
            permission="operations.add_activityparticipant",
            available=lambda activity, user: activity.kind == Activity.Kind.BIRTHDAY_PARTY,
            run=refused_as_message(_invite),
        ),
        ActivityAction(
            name="repair",
            label=gettext_lazy("Take the request"),
            form_class=RepairForm,
            permission="operations.add_activityrepairitem",
            also_requires=("operations.add_workorder",),
            available=lambda activity, user: (
                activity.kind == Activity.Kind.REPAIR_DAY and activity.status in (S.PUBLICISED, S.HELD)
            ),
            run=_repair,
        ),
        ActivityAction(
            name="photos",
            label=gettext_lazy("Upload photos"),
            form_class=PhotoUploadForm,
            permission=CHANGE,
            available=_open,
            run=_photos,
        ),
        ActivityAction(
            name="notice_create",
            label=gettext_lazy("Publish an event notice"),
            form_class=ButtonForm,
            permission=CHANGE,
            available=lambda activity, user: _open(activity, user) and activity.notice_page_id is None,
            run=refused_as_message(_notice_create),
            success_message=gettext_lazy("The notice is published on the center's website."),
        ),
        ActivityAction(
            name="notice_link",
            label=gettext_lazy("Link this notice"),
            form_class=NoticeLinkForm,
            permission=CHANGE,
            available=_open,
            run=_notice_link,
            success_message=gettext_lazy("Notice linked."),
        ),
        ActivityAction(
            name="survey_start",
            label=gettext_lazy("Start the satisfaction survey"),
            form_class=ButtonForm,
            permission=CHANGE,
            also_requires=("operations.add_survey",),
            available=lambda activity, user: activity.status in views.HELD_OR_REPORTED,
            run=refused_as_message(_survey),
        ),
        ActivityAction(
            name="report_draft",
            label=gettext_lazy("Draft the activity report"),
            form_class=ButtonForm,
            permission=CHANGE,
            available=lambda activity, user: activity.status in views.HELD_OR_REPORTED,
            run=refused_as_message(_report_draft),
            success_message=gettext_lazy("Report drafted."),
            redirect_to=lambda page, request: reverse("wagtailadmin_pages:edit", args=[page.pk]),
        ),
    )
    history_labels = {
        "activity_create": gettext_lazy("Planned"),
        "activity_update": gettext_lazy("Plan changed"),
        "activity_publicity_tick": (
            gettext_lazy("Publicity ticked"),
            lambda changes: _channel_label(changes.get("channel", "")),
        ),
        "activity_publicised": gettext_lazy("Marked as publicised"),
        "activity_held": gettext_lazy("Marked as held"),
        "activity_reported": gettext_lazy("Marked as reported"),
        "activity_cancelled": (
            gettext_lazy("Cancelled"),
            lambda changes: str((changes.get("cancel_reason") or [None, ""])[1]),
        ),
        "activity_participant_add": gettext_lazy("Participant added"),
        "activity_attendance_set": gettext_lazy("Attendance changed"),
        "activity_birthday_invitees_propose": (
            gettext_lazy("Invitees proposed"),
            lambda changes: str(changes.get("invited", "")),
        ),
        "activity_repair_intake": (
            gettext_lazy("Repair request taken"),
            lambda changes: str(changes.get("work_order", "")),
        ),
        "activity_repair_out_of_scope": gettext_lazy("Out-of-scope repair request recorded"),
        "activity_photo_collection_ensure": gettext_lazy("Photo collection created"),
        "activity_photo_add": gettext_lazy("Photo added"),
        "activity_notice_link": gettext_lazy("Notice linked"),
        "activity_notice_create": gettext_lazy("Event notice published"),
        "activity_survey_start": (
            gettext_lazy("Satisfaction survey started"),
            lambda changes: _("%(count)s invited") % {"count": changes.get("invitations", 0)},
        ),
        "activity_report_draft": gettext_lazy("Activity report drafted"),
    }


def _channel_label(channel: str) -> str:
    return str(dict(ActivityPublicity.Channel.choices).get(channel, channel))


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
    menu_order = 207
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
