"""Admin views of community activities: list, plan form, detail (publicity, residents' notice,
participants, repair intake, photos, survey, report, transitions) and the yearly compliance grid.
Every change goes through the services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wagtail.admin.filters import WagtailFilterSet

import django_filters

from operations.hooks import activity_website
from operations.models import Activity, ActivityParticipant, ActivityPublicity
from operations.permissions import can_see_contact, display_phone
from operations.selectors.activities import (
    activities_compliance,
    activities_list,
    activity_detail,
    activity_figures,
    activity_notice_choices,
    activity_photo_count,
    activity_photos,
    activity_report_page,
    activity_survey,
)
from operations.selectors.guide import unit_find
from operations.selectors.surveys import survey_results
from operations.services.activities import (
    EDITABLE_FIELDS,
    activity_allowed_transitions,
    activity_attendance_set,
    activity_birthday_invitees_propose,
    activity_cancel,
    activity_create,
    activity_hold,
    activity_mark_reported,
    activity_notice_link,
    activity_participant_add,
    activity_photo_add,
    activity_publicise,
    activity_publicity_tick,
    activity_repair_intake,
    activity_survey_start,
    activity_update,
)
from operations.validators import mask_name
from operations.views.guide import add_service_errors

LIST_ROWS = 200
HELD_OR_REPORTED = (Activity.Status.HELD, Activity.Status.REPORTED)


class ActivityFilterSet(WagtailFilterSet):
    year = django_filters.NumberFilter(
        field_name="starts_at", lookup_expr="year", label=gettext_lazy("Year"), min_value=2000, max_value=2100
    )

    class Meta:
        model = Activity
        fields = ["kind", "status"]


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = EDITABLE_FIELDS
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }


class UnitField(forms.CharField):
    def clean(self, value):
        label = super().clean(value).strip()
        if not label:
            return None
        unit = unit_find(label)
        if unit is None:
            raise ValidationError(_("Unknown unit: choose an existing building, entrance and room."))
        return unit


class ParticipantForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    unit = UnitField(label=gettext_lazy("Unit"), max_length=60, required=False)
    invited = forms.BooleanField(label=gettext_lazy("Invited"), required=False)
    attended = forms.BooleanField(label=gettext_lazy("Attended"), required=False)


class RepairForm(forms.Form):
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=20, required=False)
    unit = UnitField(label=gettext_lazy("Unit"), max_length=60, required=False)
    out_of_scope = forms.BooleanField(
        label=gettext_lazy("Out of scope (structural / house quality)"), required=False
    )
    advice = forms.CharField(
        label=gettext_lazy("Advice or referral given"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


MAX_PHOTOS_AT_ONCE = 30
PHOTOS_SHOWN = 24
#: URL name of the residents' form for a public survey (operations.urls_public).
PUBLIC_SURVEY_URL_NAME = "public_survey_public_answer"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files at once; each is checked by the service, so one bad file does not stop the others."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True})
        )
        super().__init__(**kwargs)

    def to_python(self, data):
        return data

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            raise ValidationError(_("Choose one or more photos to upload."), code="required")
        if len(files) > MAX_PHOTOS_AT_ONCE:
            raise ValidationError(
                _("At most %(max)d photos can be uploaded at once.") % {"max": MAX_PHOTOS_AT_ONCE},
                code="too_many",
            )
        return files


class PhotoUploadForm(forms.Form):
    photos = PhotosField(
        label=gettext_lazy("Photos"),
        help_text=gettext_lazy("JPEG, PNG or WebP, at most 10 MB each; several can be chosen at once."),
    )


class NoticeLinkForm(forms.Form):
    notice = forms.TypedChoiceField(label=gettext_lazy("Existing event notice"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].choices = [("", "---------")] + [
            (n.pk, f"{n.date:%Y-%m-%d} {n.title}") for n in activity_notice_choices()
        ]


def public_survey_url(request, survey) -> str:
    """The link residents use: the public form of a public survey on the center's site."""
    if not survey.is_public:
        return ""
    return request.build_absolute_uri(reverse(PUBLIC_SURVEY_URL_NAME, args=[survey.pk]))


@permission_required("operations.view_activity", raise_exception=True)
def activity_index(request):
    filterset = ActivityFilterSet(request.GET or None, queryset=activities_list())
    rows = list(filterset.qs[:LIST_ROWS])
    return TemplateResponse(
        request,
        "operations/activities/index.html",
        {"page_title": _("Activities"), "activities": rows, "filter_form": filterset.form},
    )


def _form_page(request, form, activity=None, status=200):
    title = (
        _("New activity") if activity is None else _("Edit activity %(number)s") % {"number": activity.number}
    )
    return TemplateResponse(
        request,
        "operations/activities/form.html",
        {"page_title": title, "form": form, "activity": activity},
        status=status,
    )


@permission_required("operations.add_activity", raise_exception=True)
def activity_new(request):
    form = ActivityForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                activity = activity_create(acting_user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Activity planned."))
                return redirect("operations_activities:detail", pk=activity.pk)
        return _form_page(request, form, status=400)
    return _form_page(request, form)


@permission_required("operations.change_activity", raise_exception=True)
def activity_edit(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    form = ActivityForm(request.POST or None, instance=Activity.objects.get(pk=pk))
    if request.method == "POST":
        if form.is_valid():
            try:
                activity_update(acting_user=request.user, activity=activity, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Activity saved."))
                return redirect("operations_activities:detail", pk=activity.pk)
        return _form_page(request, form, activity, status=400)
    return _form_page(request, form, activity)


@permission_required("operations.view_activity", raise_exception=True)
def activity_show(request, pk: int, forms_: dict | None = None, status: int = 200):
    try:
        activity = activity_detail(pk=pk)
    except Activity.DoesNotExist:
        raise Http404 from None
    ticks = {t.channel: t for t in activity.publicity.select_related("done_by")}
    checklist = [(value, label, ticks.get(value)) for value, label in ActivityPublicity.Channel.choices]
    participants = list(activity.participants.select_related("unit__building"))
    full = can_see_contact(request.user)
    for participant in participants:
        participant.shown_name = participant.name if full else mask_name(participant.name)
        participant.shown_phone = display_phone(request.user, participant.phone) if participant.phone else ""
    forms_ = forms_ or {}
    notice = activity.notice_page
    survey = activity_survey(activity=activity)
    report = activity_report_page(activity=activity)
    can_change = request.user.has_perm("operations.change_activity")
    return TemplateResponse(
        request,
        "operations/activities/detail.html",
        {
            "page_title": str(activity),
            "activity": activity,
            "photos": activity_photos(activity=activity, limit=PHOTOS_SHOWN),
            "photo_count": activity_photo_count(activity=activity),
            "photo_library_url": (
                f"{reverse('wagtailimages:index')}?collection_id={activity.photo_collection_id}"
                if activity.photo_collection_id
                else ""
            ),
            "photo_form": forms_.get("photo") or PhotoUploadForm(),
            "notice": notice,
            "notice_url": notice.get_url(request) if notice is not None else "",
            "notice_visible": notice is not None
            and notice.live
            and (notice.expire_at is None or notice.expire_at > timezone.now()),
            "notice_link_form": (forms_.get("notice") or NoticeLinkForm()) if can_change else None,
            "survey": survey,
            "survey_results": survey_results(survey=survey, comments_limit=10) if survey else None,
            "survey_public_url": public_survey_url(request, survey) if survey else "",
            "report": report,
            "report_url": report.get_url(request) if report is not None and report.live else "",
            "figures": activity_figures(activity) if activity.status in HELD_OR_REPORTED else None,
            "can_report": activity.status in HELD_OR_REPORTED,
            "checklist": checklist,
            "participants": participants,
            "repair_items": list(activity.repair_items.select_related("work_order")),
            "transitions": activity_allowed_transitions(activity),
            "participant_form": forms_.get("participant") or ParticipantForm(),
            "repair_form": forms_.get("repair") or RepairForm(),
            "cancel_form": forms_.get("cancel") or CancelForm(),
            "can_hold_now": timezone.now() >= activity.starts_at,
        },
        status=status,
    )


def _service_message(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@permission_required("operations.add_activitypublicity", raise_exception=True)
def publicity_tick(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    try:
        activity_publicity_tick(
            acting_user=request.user,
            activity=activity,
            channel=request.POST.get("channel", ""),
            note=request.POST.get("note", "")[:200],
        )
    except ValidationError as error:
        _service_message(request, error)
    else:
        messages.success(request, _("Publicity ticked."))
    return redirect("operations_activities:detail", pk=pk)


@require_POST
@permission_required("operations.change_activity", raise_exception=True)
def transition(request, pk: int, target: str):
    activity = get_object_or_404(Activity, pk=pk)
    try:
        if target == Activity.Status.PUBLICISED:
            activity_publicise(acting_user=request.user, activity=activity)
        elif target == Activity.Status.HELD:
            activity_hold(acting_user=request.user, activity=activity)
        elif target == Activity.Status.REPORTED:
            activity_mark_reported(acting_user=request.user, activity=activity)
        elif target == Activity.Status.CANCELLED:
            form = CancelForm(request.POST)
            if not form.is_valid():
                return activity_show(request, pk, {"cancel": form}, status=400)
            activity_cancel(acting_user=request.user, activity=activity, reason=form.cleaned_data["reason"])
        else:
            messages.error(request, _("Unknown action."))
            return redirect("operations_activities:detail", pk=pk)
    except ValidationError as error:
        _service_message(request, error)
    else:
        messages.success(request, _("Activity status changed."))
    return redirect("operations_activities:detail", pk=pk)


@require_POST
@permission_required("operations.add_activityparticipant", raise_exception=True)
def participant_add(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            activity_participant_add(acting_user=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Participant added."))
            return redirect("operations_activities:detail", pk=pk)
    return activity_show(request, pk, {"participant": form}, status=400)


@require_POST
@permission_required("operations.change_activityparticipant", raise_exception=True)
def attendance(request, pk: int, participant_pk: int):
    participant = get_object_or_404(
        ActivityParticipant.objects.select_related("activity"), pk=participant_pk, activity_id=pk
    )
    try:
        activity_attendance_set(
            acting_user=request.user, participant=participant, attended=request.POST.get("attended") == "1"
        )
    except ValidationError as error:
        _service_message(request, error)
    return redirect("operations_activities:detail", pk=pk)


@require_POST
@permission_required("operations.add_activityparticipant", raise_exception=True)
def invitees(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    try:
        added = activity_birthday_invitees_propose(acting_user=request.user, activity=activity)
    except ValidationError as error:
        _service_message(request, error)
    else:
        messages.success(request, _("%(count)d invitees added.") % {"count": len(added)})
    return redirect("operations_activities:detail", pk=pk)


@require_POST
@permission_required("operations.add_activityrepairitem", raise_exception=True)
def repair_intake(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    if activity.kind == Activity.Kind.REPAIR_DAY and not request.user.has_perm("operations.add_workorder"):
        messages.error(request, _("You may not register work orders."))
        return redirect("operations_activities:detail", pk=pk)
    form = RepairForm(request.POST)
    if form.is_valid():
        try:
            item = activity_repair_intake(acting_user=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if item.work_order_id:
                messages.success(
                    request, _("Work order %(number)s created.") % {"number": item.work_order.number}
                )
            else:
                messages.success(request, _("Out-of-scope item recorded with the advice given."))
            return redirect("operations_activities:detail", pk=pk)
    return activity_show(request, pk, {"repair": form}, status=400)


@require_POST
@permission_required("operations.change_activity", raise_exception=True)
def photo_upload(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return activity_show(request, pk, {"photo": form}, status=400)
    saved = 0
    for upload in form.cleaned_data["photos"]:
        try:
            activity_photo_add(acting_user=request.user, activity=activity, file=upload)
        except ValidationError as error:
            _service_message(request, error)
        else:
            saved += 1
    if saved:
        messages.success(request, _("Photos saved: %(count)d.") % {"count": saved})
    return redirect("operations_activities:detail", pk=pk)


@require_POST
@permission_required("operations.change_activity", raise_exception=True)
def notice_create(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    try:
        activity_website().notice_publish(acting_user=request.user, activity=activity)
    except ValidationError as error:
        _service_message(request, error)
    else:
        messages.success(request, _("The notice is published on the center's website."))
    return redirect("operations_activities:detail", pk=pk)


@require_POST
@permission_required("operations.change_activity", raise_exception=True)
def notice_link(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    form = NoticeLinkForm(request.POST)
    if not form.is_valid():
        return activity_show(request, pk, {"notice": form}, status=400)
    try:
        activity_notice_link(
            acting_user=request.user,
            activity=activity,
            notice=activity_website().notice_find(pk=form.cleaned_data["notice"]),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return activity_show(request, pk, {"notice": form}, status=400)
    messages.success(request, _("Notice linked."))
    return redirect("operations_activities:detail", pk=pk)


@require_POST
@permission_required("operations.change_activity", raise_exception=True)
def survey_start(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    if not request.user.has_perm("operations.add_survey"):
        messages.error(request, _("You may not start surveys."))
        return redirect("operations_activities:detail", pk=pk)
    try:
        survey = activity_survey_start(acting_user=request.user, activity=activity)
    except ValidationError as error:
        _service_message(request, error)
    else:
        messages.success(
            request,
            _("Satisfaction survey started; %(count)d participants invited.")
            % {"count": survey.invitations.count()},
        )
    return redirect("operations_activities:detail", pk=pk)


@require_POST
@permission_required("operations.change_activity", raise_exception=True)
def report_draft(request, pk: int):
    activity = get_object_or_404(Activity, pk=pk)
    try:
        page = activity_website().report_draft(acting_user=request.user, activity=activity)
    except ValidationError as error:
        _service_message(request, error)
        return redirect("operations_activities:detail", pk=pk)
    return redirect("wagtailadmin_pages:edit", page.pk)


@permission_required("operations.view_activity", raise_exception=True)
def compliance(request):
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
