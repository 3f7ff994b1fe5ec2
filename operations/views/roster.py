"""Admin views of the duty roster: the week, the weekly template, generating weeks ahead.

Every change goes through ``operations.services.roster``; a refused change re-renders the page
with the reason and writes nothing.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from operations.models import DutyPost, DutyShift, DutyTemplateSlot
from operations.selectors.roster import (
    breaches_overview,
    duty_coverage_gaps,
    duty_staff_choices,
    duty_template,
    duty_today,
    duty_week,
    staff_open_items,
)
from operations.services.roster import (
    MAX_GENERATE_WEEKS,
    duty_roster_generate,
    duty_shift_remove,
    duty_shift_set,
    duty_template_slot_remove,
    duty_template_slot_set,
    week_start,
)

DEFAULT_START = datetime.time(8, 0)
DEFAULT_END = datetime.time(18, 0)
UPCOMING_WEEKS = 4


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DutyShiftForm(forms.Form):
    """Put someone on duty at a post on a day."""

    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    post = forms.ChoiceField(label=gettext_lazy("Post"), choices=DutyPost.choices)
    staff = StaffChoiceField(label=gettext_lazy("Staff on duty"), queryset=None)
    start_time = forms.TimeField(label=gettext_lazy("From"), widget=TimeInput(), initial=DEFAULT_START)
    end_time = forms.TimeField(label=gettext_lazy("Until"), widget=TimeInput(), initial=DEFAULT_END)
    phone = forms.CharField(
        label=gettext_lazy("Duty phone"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("Leave empty to use the staff member's own phone."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = duty_staff_choices()


class DutySlotForm(forms.Form):
    """Who normally takes a post on a day of the week."""

    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Day of the week"),
        coerce=int,
        choices=DutyTemplateSlot._meta.get_field("weekday").choices,
    )
    post = forms.ChoiceField(label=gettext_lazy("Post"), choices=DutyPost.choices)
    staff = StaffChoiceField(label=gettext_lazy("Staff on duty"), queryset=None)
    start_time = forms.TimeField(label=gettext_lazy("From"), widget=TimeInput(), initial=DEFAULT_START)
    end_time = forms.TimeField(label=gettext_lazy("Until"), widget=TimeInput(), initial=DEFAULT_END)
    phone = forms.CharField(
        label=gettext_lazy("Duty phone"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("Leave empty to use the staff member's own phone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = duty_staff_choices()


class GenerateForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From the week of"),
        widget=DateInput(),
        help_text=gettext_lazy("Shifts are generated from the Monday of this week."),
    )
    weeks = forms.IntegerField(
        label=gettext_lazy("Number of weeks"), min_value=1, max_value=MAX_GENERATE_WEEKS
    )


def _require(request, *perms: str) -> None:
    if not all(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied


class RosterPageMixin(WagtailAdminTemplateMixin):
    header_icon = "calendar"
    view_permissions: tuple[str, ...] = ("operations.view_dutyshift",)

    def dispatch(self, request, *args, **kwargs):
        _require(request, *self.view_permissions)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["week_url"] = reverse("operations_roster_week")
        context["template_url"] = reverse("operations_roster_template")
        context["generate_url"] = reverse("operations_roster_generate")
        return context


class DutyWeekView(RosterPageMixin, TemplateView):
    """Seven days × posts A and B; empty cells are gaps (red), with a small form to set or clear a shift."""

    template_name = "operations/roster/week.html"
    page_title = gettext_lazy("Duty roster")

    def get_start(self) -> datetime.date:
        value = self.request.GET.get("start") or self.request.POST.get("start") or ""
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        return week_start(day or timezone.localdate())

    def get(self, request, *args, **kwargs):
        start = self.get_start()
        initial = {"date": start, "start_time": DEFAULT_START, "end_time": DEFAULT_END}
        try:
            chosen = parse_date(request.GET.get("date", ""))
        except ValueError:
            chosen = None
        if chosen:
            initial["date"] = chosen
        if request.GET.get("post") in DutyPost.values:
            initial["post"] = request.GET["post"]
            current = DutyShift.objects.filter(date=initial["date"], post=initial["post"]).first()
            if current is not None:  # "Change": start from who is on duty now
                initial.update(
                    staff=current.staff_id,
                    start_time=current.start_time,
                    end_time=current.end_time,
                    phone=current.phone,
                    note=current.note,
                )
        return self.render_to_response(
            self.get_context_data(start=start, form=DutyShiftForm(initial=initial))
        )

    def post(self, request, *args, **kwargs):
        _require(request, "operations.add_dutyshift", "operations.change_dutyshift")
        start = self.get_start()
        if request.POST.get("action") == "clear":
            return self.clear(start)
        form = DutyShiftForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                shift = duty_shift_set(
                    date=data["date"],
                    post=data["post"],
                    staff=data["staff"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    phone=data["phone"],
                    note=data["note"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(date)s %(post)s: %(name)s is on duty.")
                    % {
                        "date": shift.date.isoformat(),
                        "post": shift.get_post_display(),
                        "name": data["staff"].get_full_name() or data["staff"].get_username(),
                    },
                )
                return HttpResponseRedirect(self.week_url(week_start(shift.date)))
        messages.error(request, _("The shift was not saved: correct the errors below."))
        context = self.get_context_data(start=start, form=form)
        return self.render_to_response(context, status=200)

    def clear(self, start):
        request = self.request
        _require(request, "operations.delete_dutyshift")
        try:
            day = parse_date(request.POST.get("date", ""))
        except ValueError:
            day = None
        shift = DutyShift.objects.filter(date=day, post=request.POST.get("post", "")).first() if day else None
        if shift is None:
            messages.error(request, _("There is no shift to clear on that day and post."))
        else:
            duty_shift_remove(shift=shift, acting_user=request.user)
            messages.success(
                request,
                _("%(date)s %(post)s cleared.")
                % {"date": shift.date.isoformat(), "post": shift.get_post_display()},
            )
        return HttpResponseRedirect(self.week_url(start))

    @staticmethod
    def week_url(start: datetime.date) -> str:
        return f"{reverse('operations_roster_week')}?{urlencode({'start': start.isoformat()})}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        start = kwargs["start"]
        today = timezone.localdate()
        context["week"] = duty_week(start=start)
        context["today"] = today
        # The horizon the roster is planned for: the rest of this week and the next three.
        horizon = week_start(today) + datetime.timedelta(days=UPCOMING_WEEKS * 7 - 1)
        upcoming = duty_coverage_gaps(start=today, end=horizon)
        context["upcoming_gaps"] = [
            {"gap": gap, "url": self.week_url(week_start(gap.date))} for gap in upcoming
        ]
        context["horizon"] = horizon
        context["previous_url"] = self.week_url(context["week"]["previous"])
        context["next_url"] = self.week_url(context["week"]["next"])
        context["this_week_url"] = self.week_url(week_start(today))
        user = self.request.user
        context["can_edit"] = user.has_perm("operations.add_dutyshift") and user.has_perm(
            "operations.change_dutyshift"
        )
        context["can_clear"] = user.has_perm("operations.delete_dutyshift")
        return context


class DutyTemplateView(RosterPageMixin, TemplateView):
    """The weekly template: who normally takes post A and B on each day of the week."""

    template_name = "operations/roster/template.html"
    page_title = gettext_lazy("Weekly duty template")

    def get(self, request, *args, **kwargs):
        initial = {"start_time": DEFAULT_START, "end_time": DEFAULT_END}
        if request.GET.get("weekday", "").isdigit():
            initial["weekday"] = int(request.GET["weekday"])
        if request.GET.get("post") in DutyPost.values:
            initial["post"] = request.GET["post"]
        current = None
        if "weekday" in initial and "post" in initial:
            current = DutyTemplateSlot.objects.filter(
                weekday=initial["weekday"], post=initial["post"]
            ).first()
        if current is not None:  # "Change": start from the slot as it is
            initial.update(
                staff=current.staff_id,
                start_time=current.start_time,
                end_time=current.end_time,
                phone=current.phone,
            )
        return self.render_to_response(self.get_context_data(form=DutySlotForm(initial=initial)))

    def post(self, request, *args, **kwargs):
        _require(request, "operations.change_dutytemplateslot", "operations.add_dutytemplateslot")
        if request.POST.get("action") == "clear":
            slot_id = request.POST.get("slot", "")
            slot = get_object_or_404(DutyTemplateSlot, pk=int(slot_id) if slot_id.isdigit() else 0)
            duty_template_slot_remove(slot=slot, acting_user=request.user)
            messages.success(request, _("%(slot)s removed from the template.") % {"slot": str(slot)})
            return HttpResponseRedirect(reverse("operations_roster_template"))
        form = DutySlotForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                slot = duty_template_slot_set(acting_user=request.user, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(slot)s saved in the template.") % {"slot": str(slot)})
                return HttpResponseRedirect(reverse("operations_roster_template"))
        messages.error(request, _("The template was not saved: correct the errors below."))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = duty_template()
        context["can_edit"] = self.request.user.has_perm("operations.change_dutytemplateslot")
        return context


class DutyGenerateView(RosterPageMixin, TemplateView):
    """Generate the shifts of the coming weeks from the weekly template (existing shifts are kept)."""

    template_name = "operations/roster/generate.html"
    page_title = gettext_lazy("Generate duty weeks")
    view_permissions = ("operations.add_dutyshift",)

    def get(self, request, *args, **kwargs):
        form = GenerateForm(initial={"start": week_start(timezone.localdate()), "weeks": 4})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = GenerateForm(request.POST)
        if form.is_valid():
            try:
                created = duty_roster_generate(
                    start=form.cleaned_data["start"],
                    weeks=form.cleaned_data["weeks"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("%(count)s shifts created from the template.") % {"count": len(created)}
                )
                return HttpResponseRedirect(DutyWeekView.week_url(week_start(form.cleaned_data["start"])))
        messages.error(request, _("Nothing was generated: correct the errors below."))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_template"] = DutyTemplateSlot.objects.exists()
        return context


# --- ModelViewSet views: create, edit and delete through the services -------------------------


class ServiceFormMixin:
    """Run the service inside ``form_valid``; a refusal shows on the form instead of a 500."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)

    def save_instance(self):
        data = self.form.cleaned_data
        instance = self.form.instance
        return duty_shift_set(
            date=data.get("date", instance.date),
            post=data.get("post", instance.post),
            staff=data["staff"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            phone=data.get("phone", ""),
            note=data.get("note", ""),
            acting_user=self.request.user,
        )


class DutyShiftIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("staff")


class DutyShiftCreateView(ServiceFormMixin, CreateView):
    pass


class DutyShiftEditView(ServiceFormMixin, EditView):
    pass


class DutyShiftDeleteView(DeleteView):
    def delete_action(self):
        duty_shift_remove(shift=self.object, acting_user=self.request.user)


# --- panels of the center's admin home (construct_homepage_panels) ----------------------------


# Detail pages of the other areas, preferred over their generic edit views when they exist.
DETAIL_URL_NAMES = {
    "workorder": "work_orders:inspect",
    "inquiry": "inquiries:inspect",
    "complaint": "complaints:inspect",
}


def _edit_url_finder(user):
    """``obj -> admin URL or ""``: the record's detail page, else whatever admin view edits it, else no link."""
    from wagtail.admin.admin_url_finder import AdminURLFinder

    finder = AdminURLFinder(user)

    def edit_url(obj) -> str:
        name = DETAIL_URL_NAMES.get(obj._meta.model_name)
        if name:
            try:
                return reverse(name, args=[obj.pk])
            except NoReverseMatch:
                pass
        try:
            return finder.get_edit_url(obj) or ""
        except Exception:  # noqa: BLE001 - another area's admin may not be registered yet: show no link
            return ""

    return edit_url


def _due_text(value) -> str:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if value else ""


def _work_order_rows(items, edit_url, now) -> list[dict]:
    return [
        {
            "number": order.number,
            "text": order.description,
            "status": order.get_status_display(),
            "due": order.deadline,
            "due_text": _due_text(order.deadline),
            "overdue": bool(order.deadline and order.deadline < now),
            "urgent": order.is_urgent,
            "url": edit_url(order),
        }
        for order in items
    ]


def _inquiry_rows(items, edit_url, now, user) -> list[dict]:
    from operations.permissions import can_see_contact
    from operations.validators import mask_name

    full = can_see_contact(user)
    return [
        {
            "number": inquiry.number,
            "text": f"{inquiry.visitor_name if full else mask_name(inquiry.visitor_name)}：{inquiry.matter}",
            "status": inquiry.get_status_display(),
            "due": inquiry.due_at,
            "due_text": _due_text(inquiry.due_at),
            "overdue": bool(inquiry.due_at and inquiry.due_at < now),
            "url": edit_url(inquiry),
        }
        for inquiry in items
    ]


def _complaint_rows(items, edit_url, today) -> list[dict]:
    # The complainant is confidential: the panel names the complaint, never who made it.
    return [
        {
            "number": complaint.number,
            "text": complaint.subject_text or complaint.get_kind_display(),
            "status": complaint.get_status_display(),
            "due": complaint.reply_due,
            "due_text": _due_text(complaint.reply_due),
            "overdue": bool(
                complaint.reply_due
                and complaint.reply_due < today
                and complaint.status != complaint.Status.REPLIED
            ),
            "major": complaint.is_major,
            "url": edit_url(complaint),
        }
        for complaint in items
    ]


class _HomePanel(Component):
    def __init__(self, request):
        self.request = request


class AdminHomeTodayDutyPanel(_HomePanel):
    """今日值班: who is on post A and B today, with their phones."""

    name = "operations_today_duty"
    order = 10
    template_name = "operations/home/today_duty.html"

    def get_context_data(self, parent_context=None):
        today = timezone.localdate()
        shifts = duty_today(on=today)
        covered = {shift["post"] for shift in shifts}
        user = self.request.user
        return {
            "today": today,
            "shifts": shifts,
            "missing": [label for post, label in DutyPost.choices if post not in covered],
            "week_url": reverse("operations_roster_week")
            if user.has_perm("operations.view_dutyshift")
            else "",
        }


class AdminHomeMyItemsPanel(_HomePanel):
    """我的待办: my open work orders, the inquiries I own and the complaints I handle."""

    name = "operations_my_items"
    order = 20
    template_name = "operations/home/my_items.html"
    limit = 10

    def get_context_data(self, parent_context=None):
        user = self.request.user
        now = timezone.now()
        edit_url = _edit_url_finder(user)
        items = staff_open_items(user=user, limit=self.limit)
        sections = [
            {
                "title": _("My open work orders"),
                "count": items["work_orders"]["count"],
                "rows": _work_order_rows(items["work_orders"]["items"], edit_url, now),
            },
            {
                "title": _("My open inquiries (first responder)"),
                "count": items["inquiries"]["count"],
                "rows": _inquiry_rows(items["inquiries"]["items"], edit_url, now, user),
            },
            {
                "title": _("Complaints I handle"),
                "count": items["complaints"]["count"],
                "rows": _complaint_rows(items["complaints"]["items"], edit_url, timezone.localdate(now)),
            },
        ]
        return {
            "sections": sections,
            "total": sum(section["count"] for section in sections),
            "limit": self.limit,
        }


class AdminHomeBreachesPanel(_HomePanel):
    """超时预警: open work orders past their deadline, inquiries past due, complaints past their reply date."""

    name = "operations_breaches"
    order = 30
    template_name = "operations/home/breaches.html"
    limit = 5

    def get_context_data(self, parent_context=None):
        user = self.request.user
        now = timezone.now()
        include = [
            name
            for name, perm in (
                ("work_orders", "operations.view_workorder"),
                ("inquiries", "operations.view_inquiry"),
                ("complaints", "operations.view_complaint"),
            )
            if user.has_perm(perm)
        ]
        overview = breaches_overview(now=now, limit=self.limit, include=include)
        edit_url = _edit_url_finder(user)
        titles = {
            "work_orders": _("Work orders past their committed deadline"),
            "inquiries": _("Inquiries past due"),
            "complaints": _("Complaints past their reply date"),
        }
        builders = {
            "work_orders": lambda rows: _work_order_rows(rows, edit_url, now),
            "inquiries": lambda rows: _inquiry_rows(rows, edit_url, now, user),
            "complaints": lambda rows: _complaint_rows(rows, edit_url, timezone.localdate(now)),
        }
        sections = [
            {"title": titles[name], "count": data["count"], "rows": builders[name](data["items"])}
            for name, data in overview.items()
        ]
        return {
            "sections": sections,
            "total": sum(section["count"] for section in sections),
            "limit": self.limit,
            "shown": bool(sections),
        }
