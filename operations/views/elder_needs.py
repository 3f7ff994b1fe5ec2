"""Admin views of elders' needs (特殊服务: ``ElderNeedViewSet``), care compliance by manager and
month, and the center's care rules.

A need's page shows the need, its visit, its work order and its steps (the audit entries written
on the elder that name the need); the actions send it to a department, handle or decline it and
record the reply visit. Compliance has no personal data (managers' names and counts only).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from wagtail.admin.ui.tables import Column, TitleColumn

from operations.forms.base import add_service_errors
from operations.forms.elder_needs import CareSettingsForm, ComplianceMonthForm
from operations.history import HistoryEvent
from operations.models import AuditEntry, Elder, ElderNeed
from operations.selectors.elder_compliance import compliance_total, elder_compliance
from operations.selectors.elders import REPLY_WITHIN, month_range
from operations.services.elder_settings import COMPANY_RULES, elder_care_settings_update
from operations.services.elders import elder_care_settings
from operations.viewsets import (
    AdminScreen,
    OperationsIndexView,
    RecordInspectView,
    display_name,
    local_datetime,
)


def reply_overdue(need: ElderNeed, now: dt.datetime | None = None) -> bool:
    """Handled more than ``REPLY_WITHIN`` ago and the manager has not gone back to report."""
    now = now or timezone.now()
    return bool(
        need.status == ElderNeed.Status.HANDLED
        and need.replied_on is None
        and need.handled_at
        and need.handled_at + REPLY_WITHIN < now
    )


def open_too_long(need: ElderNeed, now: dt.datetime | None = None) -> bool:
    """Recorded more than ``REPLY_WITHIN`` ago and still neither sent, handled nor declined."""
    now = now or timezone.now()
    return need.status == ElderNeed.Status.OPEN and need.created + REPLY_WITHIN < now


def _status(need: ElderNeed) -> str:
    if need.status == ElderNeed.Status.HANDLED and need.replied_on is None:
        return _("Handled · reply visit due")
    return need.get_status_display()


class ElderNeedIndexView(OperationsIndexView):
    """Needs recorded at visits; late ones (open, or handled without the reply visit, for more than
    48 hours) in red."""

    export_filename = "elder-needs"
    list_export = [
        "recorded",
        "elder",
        "unit",
        "manager",
        "kind",
        "detail",
        "status",
        "work_order",
        "replied_on",
    ]
    export_headings = {
        "recorded": gettext_lazy("Recorded at the visit of"),
        "elder": gettext_lazy("Elder"),
        "unit": gettext_lazy("Unit"),
        "manager": gettext_lazy("Customer manager"),
        "kind": gettext_lazy("Kind"),
        "detail": gettext_lazy("Details"),
        "status": gettext_lazy("Status"),
        "work_order": gettext_lazy("Work order"),
        "replied_on": gettext_lazy("Reply visit on"),
    }

    def get_base_queryset(self):
        return ElderNeed.objects.select_related(
            "elder__resident__unit__building", "elder__manager", "visit", "work_order"
        )

    def row_flagged(self, item) -> bool:
        return reply_overdue(item) or open_too_long(item)

    def to_row_dict(self, item):
        return {
            "recorded": local_datetime(item.visit.visited_at),
            "elder": item.elder.resident.name,
            "unit": str(item.elder.resident.unit),
            "manager": display_name(item.elder.manager),
            "kind": item.get_kind_display(),
            "detail": item.detail,
            "status": _status(item),
            "work_order": item.work_order.number if item.work_order else "",
            "replied_on": item.replied_on.isoformat() if item.replied_on else "",
        }

    @property
    def columns(self):
        return [
            TitleColumn(
                "kind",
                label=_("Need"),
                url_name=self.inspect_url_name,
                accessor=lambda n: f"{n.get_kind_display()}{'：' + n.detail if n.detail else ''}",
            ),
            Column("elder", label=_("Elder"), accessor=lambda n: n.elder.resident.name),
            Column("unit", label=_("Unit"), accessor=lambda n: str(n.elder.resident.unit)),
            Column("manager", label=_("Customer manager"), accessor=lambda n: display_name(n.elder.manager)),
            Column(
                "recorded",
                label=_("Recorded at the visit of"),
                accessor=lambda n: local_datetime(n.visit.visited_at),
                sort_key="visit__visited_at",
            ),
            Column("status", label=_("Status"), accessor=_status),
            Column(
                "work_order",
                label=_("Work order"),
                accessor=lambda n: n.work_order.number if n.work_order else "—",
            ),
        ]


class ElderNeedInspectView(RecordInspectView):
    template_name = "operations/elders/need_inspect.html"

    def get_record_queryset(self):
        return ElderNeed.objects.select_related(
            "elder__resident__unit__building", "elder__manager", "visit__visitor", "work_order", "replied_by"
        )

    def get_page_subtitle(self):
        return f"{self.object.get_kind_display()} · {self.object.elder.resident.name}"

    def get_history(self):
        """The steps of this need: the entries written on the elder that name it (one query)."""
        entries = (
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Elder),
                object_id=str(self.object.elder_id),
                changes__need=self.object.pk,
            )
            .select_related("acting_user")
            .order_by("created", "id")
        )
        return [HistoryEvent(e.created, e.action, e.acting_user, e.changes) for e in entries]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        need = self.object
        context.update(
            need=need,
            status_text=_status(need),
            reply_by=need.handled_at + REPLY_WITHIN if need.handled_at and not need.replied_on else None,
            late=reply_overdue(need) or open_too_long(need),
        )
        return context


class ElderComplianceView(AdminScreen, TemplateView):
    """关怀达标情况: home visits done / required by customer manager for a month, the share of
    elders fully visited, open escalations and needs still unanswered (one aggregate query).

    The center head sees every manager; a customer manager sees their own row.
    """

    template_name = "operations/elders/compliance.html"
    header_icon = "table"
    page_title = gettext_lazy("Care compliance")
    permissions = ("operations.add_eldervisit",)
    parents = (("elders:index", gettext_lazy("Elder registry")),)

    @staticmethod
    def months() -> list[dt.date]:
        month, months = timezone.localdate().replace(day=1), []
        for _i in range(12):
            months.append(month)
            month = (month - dt.timedelta(days=1)).replace(day=1)
        return months

    def get_context_data(self, **kwargs):
        this_month = timezone.localdate().replace(day=1)
        form = ComplianceMonthForm(self.request.GET or None)
        month = form.cleaned_data["month"] if form.is_bound and form.is_valid() else this_month
        settings = elder_care_settings()
        user = self.request.user
        everyone = user.has_perm("operations.view_elder_sensitive")
        rows = elder_compliance(
            month=month, required=settings.home_visits_per_month, manager=None if everyone else user
        )
        _start, end = month_range(month)
        return super().get_context_data(
            form=form,
            month=month,
            months=self.months(),
            rows=rows,
            total=compliance_total(rows),
            everyone=everyone,
            settings=settings,
            month_over=end < timezone.localdate(),
            **kwargs,
        )


class ElderCareSettingsView(AdminScreen, FormView):
    """关怀规则: the center's cadence (tighter than the company's only), the hours before a
    not-reached elder is escalated and the department of each kind of need."""

    template_name = "operations/elders/care_settings.html"
    form_class = CareSettingsForm
    header_icon = "cog"
    page_title = gettext_lazy("Care rules")
    permissions = ("operations.change_eldercaresettings",)
    parents = (("elders:index", gettext_lazy("Elder registry")),)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "settings": elder_care_settings()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(company=COMPANY_RULES, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            elder_care_settings_update(
                acting_user=self.request.user,
                home_visits_per_month=data["home_visits_per_month"],
                high_risk_contacts_per_week=data["high_risk_contacts_per_week"],
                first_visit_by_day=data["first_visit_by_day"],
                escalation_hours=data["escalation_hours"],
                need_departments=form.need_departments(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The care rules were saved."))
        return redirect("elders:care_settings")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response
