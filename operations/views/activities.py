"""Admin views of community activities (``ActivityViewSet``): the index (year / kind / status are its
filters), planning and editing through the services, the activity page with its actions in place,
and the yearly compliance grid."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.views import generic
from wagtail.admin.widgets.button import Button

from operations.models import Activity, ActivityPublicity
from operations.permissions import can_see_contact, display_phone
from operations.selectors.activities import (
    activities_compliance,
    activities_list,
    activity_figures,
    activity_photo_count,
    activity_photos,
    activity_report_page,
    activity_survey,
)
from operations.selectors.surveys import survey_results
from operations.services.activities import activity_create, activity_update
from operations.validators import mask_name
from operations.viewsets import (
    OperationsIndexView,
    RecordActionView,
    RecordInspectView,
    ServiceCreateView,
    ServiceSaveMixin,
    perms_required,
)

PHOTOS_SHOWN = 24
HELD_OR_REPORTED = (Activity.Status.HELD, Activity.Status.REPORTED)


def local_time(activity) -> str:
    return timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")


class ActivityIndexView(OperationsIndexView):
    """Every activity, newest first, paged (the columns are the viewset's ``list_display``)."""

    default_ordering = "-starts_at"

    def get_base_queryset(self):
        return activities_list()

    @property
    def header_more_buttons(self):
        return [Button(_("Yearly compliance"), url=reverse("activity_compliance:grid"), icon_name="table")]


class Status400OnErrorMixin:
    """A plan that does not validate answers 400, as the activity forms always did."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class ActivityCreateView(Status400OnErrorMixin, ServiceCreateView):
    success_message = gettext_lazy("Activity planned.")

    def save_instance(self):
        return activity_create(acting_user=self.request.user, **self.form.cleaned_data)


class ActivityEditView(Status400OnErrorMixin, ServiceSaveMixin, generic.EditView):
    success_message = gettext_lazy("Activity saved.")

    def save_instance(self):
        return activity_update(acting_user=self.request.user, activity=self.object, **self.form.cleaned_data)

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=[self.object.pk])

    def get_success_buttons(self):
        return []


class ActivityInspectView(RecordInspectView):
    """The activity page: the plan, the residents' notice, publicity, participants, repair intake,
    photos, figures, survey and report — each section with its action's form in place."""

    template_name = "operations/activities/inspect.html"

    def get_record_queryset(self):
        return Activity.objects.select_related(
            "organiser", "plan_document", "execution_plan_document", "photo_collection", "notice_page"
        )

    def get_page_subtitle(self):
        return str(self.object)

    def get_fields_context(self):
        return []  # the template lays the record out itself

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity, request = self.object, self.request
        ticks = {t.channel: t for t in activity.publicity.select_related("done_by")}
        participants = list(activity.participants.select_related("unit__building"))
        full = can_see_contact(request.user)
        for participant in participants:
            participant.shown_name = participant.name if full else mask_name(participant.name)
            participant.shown_phone = (
                display_phone(request.user, participant.phone) if participant.phone else ""
            )
        notice = activity.notice_page
        survey = activity_survey(activity=activity)
        report = activity_report_page(activity=activity)
        can_report = activity.status in HELD_OR_REPORTED
        context.update(
            {
                "activity": activity,
                "act": {item["action"].name: item for item in context["action_forms"]},
                "photos": activity_photos(activity=activity, limit=PHOTOS_SHOWN),
                "photo_count": activity_photo_count(activity=activity),
                "notice": notice,
                "notice_url": notice.get_url(request) if notice is not None else "",
                "notice_visible": notice is not None
                and notice.live
                and (notice.expire_at is None or notice.expire_at > timezone.now()),
                "survey": survey,
                "survey_results": survey_results(survey=survey, comments_limit=10) if survey else None,
                # the link residents use: the public form of a public survey on the center's site
                "survey_public_url": request.build_absolute_uri(
                    reverse("public_survey_public_answer", args=[survey.pk])
                )
                if survey and survey.is_public
                else "",
                "report": report,
                "report_url": report.get_url(request) if report is not None and report.live else "",
                "figures": activity_figures(activity) if can_report else None,
                "can_report": can_report,
                "checklist": [
                    (value, label, ticks.get(value)) for value, label in ActivityPublicity.Channel.choices
                ],
                "participants": participants,
                "repair_items": list(activity.repair_items.select_related("work_order")),
                "can_hold_now": timezone.now() >= activity.starts_at,
            }
        )
        return context


class Refused(Exception):
    """A service's refusal of a button on the activity page: shown as messages, then the page again.

    ``done`` says what was done before the refusal (photos saved before a bad file)."""

    def __init__(self, messages: list[str], done: str = ""):
        super().__init__(*messages)
        self.messages, self.done = messages, done


class ActivityActionView(RecordActionView):
    """The record action view, where a button's refusal is a message on the page (``Refused``) and
    an action's run may return the message that says what it did (a work order's number…)."""

    def post(self, request, pk, action_name):
        try:
            return super().post(request, pk, action_name)
        except Refused as refusal:
            if refusal.done:
                messages.success(request, refusal.done)
            for message in refusal.messages:
                messages.error(request, message)
            return redirect(self.inspect_url_name, pk)

    def success_message(self, action, result):
        return result if isinstance(result, str) else super().success_message(action, result)


def compliance(request):
    """The yearly grid: which required activities each quarter or year has held."""
    perms_required(request.user, "operations.view_activity")
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    return TemplateResponse(
        request,
        "operations/activities/compliance.html",
        {
            "page_title": _("Activity compliance %(year)d") % {"year": year},
            "rows": activities_compliance(year=year, today=today),
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
        },
    )
