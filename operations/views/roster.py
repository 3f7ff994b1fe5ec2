"""Admin views of the duty roster: the week grid, the weekly template, generating weeks ahead (custom
screens, routed by ``RosterViewSet``), and the list of shifts (``DutyShiftViewSet``).

Every change goes through ``operations.services.roster``; a refused change shows the page again with
the reason on the form and writes nothing.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views import generic

from operations.forms.base import add_service_errors
from operations.forms.roster import DutyShiftForm, DutySlotForm, GenerateForm
from operations.models import DutyPost, DutyShift, DutyTemplateSlot
from operations.selectors.roster import duty_coverage_gaps, duty_template, duty_week
from operations.services.roster import (
    duty_roster_generate,
    duty_shift_remove,
    duty_shift_set,
    duty_template_slot_remove,
    duty_template_slot_set,
    week_start,
)
from operations.viewsets import (
    AdminScreen,
    OperationsIndexView,
    ServiceDeleteMixin,
    ServiceSaveMixin,
    perms_required,
)

UPCOMING_WEEKS = 4


def _date(value) -> datetime.date | None:
    """A date from a query parameter, or None for anything that is not one (``2026-99-99`` included)."""
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def week_url(start: datetime.date) -> str:
    return f"{reverse('roster:week')}?{urlencode({'start': week_start(start).isoformat()})}"


class RosterScreen(AdminScreen, TemplateView):
    """A roster page with one form: GET shows it, POST runs ``save`` (the service) or ``clear``.

    ``save(data)`` returns ``(message, url)``; a ValidationError lands on the form. Seeing the page
    needs all of ``permissions``, changing anything all of ``change_permissions`` too.
    """

    header_icon = "calendar"
    form_class = None
    permissions = ("operations.view_dutyshift",)
    change_permissions: tuple[str, ...] = ()
    refused_message = ""

    def get_initial(self) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=self.form_class(initial=self.get_initial()))
        )

    def post(self, request, *args, **kwargs):
        perms_required(request.user, *self.change_permissions)
        if request.POST.get("action") == "clear":
            return self.clear()
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                message, url = self.save(form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(url)
        messages.error(request, self.refused_message)
        return self.render_to_response(self.get_context_data(form=form))

    def save(self, data: dict) -> tuple[str, str]:
        raise NotImplementedError

    def clear(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            week_url=reverse("roster:week"),
            template_url=reverse("roster:template"),
            generate_url=reverse("roster:generate"),
            **kwargs,
        )


class DutyWeekView(RosterScreen):
    """Seven days × posts A and B; empty cells are gaps (red), with a form to set or clear a shift."""

    template_name = "operations/roster/week.html"
    page_title = gettext_lazy("Duty roster")
    form_class = DutyShiftForm
    change_permissions = ("operations.add_dutyshift", "operations.change_dutyshift")
    refused_message = gettext_lazy("The shift was not saved: correct the errors below.")

    def get_start(self) -> datetime.date:
        return week_start(
            _date(self.request.GET.get("start") or self.request.POST.get("start")) or timezone.localdate()
        )

    def get_initial(self):
        initial = {"date": _date(self.request.GET.get("date")) or self.get_start()}
        post = self.request.GET.get("post")
        if post in DutyPost.values:
            initial["post"] = post
            current = DutyShift.objects.filter(date=initial["date"], post=post).first()
            if current is not None:  # "Change": start from who is on duty now
                initial.update(
                    model_to_dict(current, fields=["staff", "start_time", "end_time", "phone", "note"])
                )
        return initial

    def save(self, data):
        shift = duty_shift_set(acting_user=self.request.user, **data)
        message = _("%(date)s %(post)s: %(name)s is on duty.") % {
            "date": shift.date.isoformat(),
            "post": shift.get_post_display(),
            "name": get_user_display_name(shift.staff),
        }
        return message, week_url(shift.date)

    def clear(self):
        perms_required(self.request.user, "operations.delete_dutyshift")
        post = self.request.POST.get("post", "")
        shift = DutyShift.objects.filter(date=_date(self.request.POST.get("date")), post=post).first()
        if shift is None:
            messages.error(self.request, _("There is no shift to clear on that day and post."))
        else:
            duty_shift_remove(shift=shift, acting_user=self.request.user)
            messages.success(
                self.request,
                _("%(date)s %(post)s cleared.")
                % {"date": shift.date.isoformat(), "post": shift.get_post_display()},
            )
        return redirect(week_url(self.get_start()))

    def get_context_data(self, **kwargs):
        week = duty_week(start=self.get_start())
        today = timezone.localdate()
        # The horizon the roster is planned for: the rest of this week and the next three.
        horizon = week_start(today) + datetime.timedelta(days=UPCOMING_WEEKS * 7 - 1)
        user = self.request.user
        return super().get_context_data(
            week=week,
            today=today,
            horizon=horizon,
            upcoming_gaps=[
                {"gap": gap, "url": week_url(gap.date)}
                for gap in duty_coverage_gaps(start=today, end=horizon)
            ],
            previous_url=week_url(week["previous"]),
            next_url=week_url(week["next"]),
            this_week_url=week_url(today),
            can_edit=user.has_perms(self.change_permissions),
            can_clear=user.has_perm("operations.delete_dutyshift"),
            **kwargs,
        )


class DutyTemplateView(RosterScreen):
    """The weekly template: who normally takes post A and B on each day of the week."""

    template_name = "operations/roster/template.html"
    page_title = gettext_lazy("Weekly duty template")
    form_class = DutySlotForm
    change_permissions = ("operations.change_dutytemplateslot", "operations.add_dutytemplateslot")
    refused_message = gettext_lazy("The template was not saved: correct the errors below.")

    def get_initial(self):
        weekday, post = self.request.GET.get("weekday", ""), self.request.GET.get("post")
        initial = {}
        if weekday.isdigit():
            initial["weekday"] = int(weekday)
        if post in DutyPost.values:
            initial["post"] = post
        if "weekday" in initial and "post" in initial:
            current = DutyTemplateSlot.objects.filter(weekday=initial["weekday"], post=post).first()
            if current is not None:  # "Change": start from the slot as it is
                initial.update(model_to_dict(current, fields=["staff", "start_time", "end_time", "phone"]))
        return initial

    def save(self, data):
        slot = duty_template_slot_set(acting_user=self.request.user, **data)
        return _("%(slot)s saved in the template.") % {"slot": slot}, reverse("roster:template")

    def clear(self):
        slot_id = self.request.POST.get("slot", "")
        slot = get_object_or_404(DutyTemplateSlot, pk=int(slot_id) if slot_id.isdigit() else 0)
        duty_template_slot_remove(slot=slot, acting_user=self.request.user)
        messages.success(self.request, _("%(slot)s removed from the template.") % {"slot": slot})
        return redirect("roster:template")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rows=duty_template(),
            can_edit=self.request.user.has_perm("operations.change_dutytemplateslot"),
            **kwargs,
        )


class DutyGenerateView(RosterScreen):
    """Generate the shifts of the coming weeks from the weekly template (existing shifts are kept)."""

    template_name = "operations/roster/generate.html"
    page_title = gettext_lazy("Generate duty weeks")
    form_class = GenerateForm
    permissions = ("operations.add_dutyshift",)
    refused_message = gettext_lazy("Nothing was generated: correct the errors below.")

    def get_initial(self):
        return {"start": week_start(timezone.localdate()), "weeks": 4}

    def save(self, data):
        created = duty_roster_generate(acting_user=self.request.user, **data)
        message = _("%(count)s shifts created from the template.") % {"count": len(created)}
        return message, week_url(data["start"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(has_template=DutyTemplateSlot.objects.exists(), **kwargs)


# --- The list of shifts (DutyShiftViewSet): add, edit and delete through the services -----------


class DutyShiftIndexView(OperationsIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("staff")

    def to_row_dict(self, item):
        return super().to_row_dict(item) | {
            "post": item.get_post_display(),
            "staff": get_user_display_name(item.staff),
        }


class DutyShiftSaveMixin(ServiceSaveMixin):
    def save_instance(self):
        # The edit form has no date and post: they identify the shift being changed.
        shift = self.form.instance
        data = {"date": shift.date, "post": shift.post, **self.form.cleaned_data}
        return duty_shift_set(acting_user=self.request.user, **data)


class DutyShiftCreateView(DutyShiftSaveMixin, generic.CreateView):
    pass


class DutyShiftEditView(DutyShiftSaveMixin, generic.EditView):
    pass


class DutyShiftDeleteView(ServiceDeleteMixin, generic.DeleteView):
    @staticmethod
    def delete_service(shift, user):
        duty_shift_remove(shift=shift, acting_user=user)
