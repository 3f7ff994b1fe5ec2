"""Admin views of the elders' registry (独居老人档案) and their visits (``ElderViewSet``,
``ElderVisitViewSet``), and the due list (本月待拜访).

Need to know: health notes, the elder's phones, family contacts and a visit's observations are
shown only to the center head, the elder's manager and an active delegate
(``can_see_elder_sensitive``), and every page that shows them logs the view (``ElderAccess``);
lists never show them; exports mask them per row; the health export asks for a reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.generic import FormView, TemplateView

from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, TitleColumn

from operations.forms.elders import ElderEditForm, HealthExportForm, consent_data
from operations.history import history_for
from operations.models import Elder, ElderAccess, ElderVisit
from operations.permissions import can_see_elder_sensitive
from operations.selectors.elders import (
    elder_care_activities,
    elder_due_list,
    elder_listing,
    staff_who_visit,
)
from operations.services.elders import (
    age_on,
    elder_care_settings,
    elder_register,
    elder_update,
    elder_visit_record,
)
from operations.validators import mask_phone
from operations.views.residents import ServiceEditView
from operations.viewsets import (
    AdminScreen,
    OperationsIndexView,
    RecordInspectView,
    ServiceCreateView,
    display_name,
    local_datetime,
)

MASKED = "***"
ACCESS_CONTEXTS = {
    "page": gettext_lazy("Elder's record"),
    "edit": gettext_lazy("Edit form"),
    "visit": gettext_lazy("Visit record"),
    "escalation": gettext_lazy("Escalation"),
    "export": gettext_lazy("Excel export"),
    "print": gettext_lazy("Print"),
}


def log_access(*, user, elders, fields: list[str], context: str, reason: str = "") -> None:
    """One ``ElderAccess`` row per elder whose sensitive fields were shown (one query)."""
    ElderAccess.objects.bulk_create(
        [
            ElderAccess(elder=elder, user=user, fields=fields, context=context, reason=reason)
            for elder in elders
        ]
    )


def _visits_cell(elder, required: int) -> str:
    return f"{elder.home_visits_month}/{required}"


class ElderIndexView(OperationsIndexView):
    """The registry: no sensitive field on screen; phones in the export masked per row."""

    export_filename = "elders"
    list_export = [
        "name",
        "unit",
        "gender",
        "age",
        "risk_tier",
        "risk_reasons",
        "manager",
        "status",
        "registered_on",
        "home_visits_month",
        "last_visit_at",
        "phone",
    ]
    export_headings = {
        "name": pgettext_lazy("person", "Name"),
        "unit": gettext_lazy("Unit"),
        "gender": gettext_lazy("Gender"),
        "age": gettext_lazy("Age"),
        "risk_tier": gettext_lazy("Risk tier"),
        "risk_reasons": gettext_lazy("Risk reasons"),
        "manager": gettext_lazy("Customer manager"),
        "status": gettext_lazy("Status"),
        "registered_on": gettext_lazy("Registered on"),
        "home_visits_month": gettext_lazy("Home visits this month"),
        "last_visit_at": gettext_lazy("Last visit"),
        "phone": gettext_lazy("Mobile phone"),
    }

    def get_base_queryset(self):
        return elder_listing()

    @cached_property
    def care_settings(self):
        return elder_care_settings()

    def row_flagged(self, item) -> bool:
        """Red: active and still without a home visit after the month's first-visit day."""
        today = timezone.localdate()
        return (
            item.status == Elder.Status.ACTIVE
            and item.home_visits_month == 0
            and today.day > self.care_settings.first_visit_by_day
        )

    def to_row_dict(self, item):
        user = self.request.user
        return {
            "registered_on": item.registered_on,
            "name": item.resident.name,
            "unit": str(item.resident.unit),
            "gender": item.get_gender_display(),
            "age": age_on(item.birth_date, timezone.localdate()),
            "risk_tier": item.get_risk_tier_display(),
            "risk_reasons": "、".join(str(label) for value, label in _reason_labels(item)),
            "manager": display_name(item.manager),
            "status": item.get_status_display(),
            "home_visits_month": item.home_visits_month,
            "last_visit_at": local_datetime(item.last_visit_at),
            "phone": item.phone if can_see_elder_sensitive(user, item) else mask_phone(item.phone),
        }

    @property
    def columns(self):
        required = self.care_settings.home_visits_per_month
        today = timezone.localdate()
        return [
            TitleColumn(
                "name",
                label=pgettext_lazy("person", "Name"),
                url_name=self.inspect_url_name,
                accessor=lambda e: e.resident.name,
            ),
            Column("unit", label=_("Unit"), accessor=lambda e: str(e.resident.unit)),
            Column("age", label=_("Age"), accessor=lambda e: age_on(e.birth_date, today)),
            Column("risk_tier", label=_("Risk tier"), accessor="get_risk_tier_display"),
            Column("manager", label=_("Customer manager"), accessor=lambda e: display_name(e.manager)),
            Column("status", label=_("Status"), accessor="get_status_display"),
            Column("visits", label=_("Home visits this month"), accessor=lambda e: _visits_cell(e, required)),
            Column(
                "last_visit_at",
                label=_("Last visit"),
                accessor=lambda e: local_datetime(e.last_visit_at) or "—",
            ),
        ]


def _reason_labels(elder):
    from operations.models import RiskReason

    return [(value, RiskReason(value).label) for value in elder.risk_reasons if value in RiskReason.values]


class ElderCreateView(ServiceCreateView):
    page_title = gettext_lazy("Register an elder")

    def get_success_message(self, instance):
        return _("%(name)s is on the registry.") % {"name": instance.resident.name}

    def save_instance(self):
        data = self.form.cleaned_data
        contacts = []
        if data.get("contact_name") or data.get("contact_phone"):
            contacts.append(
                {
                    "name": data["contact_name"],
                    "relation": data["contact_relation"],
                    "phone": data["contact_phone"],
                }
            )
        return elder_register(
            unit=data["unit"],
            name=data["name"],
            birth_date=data["birth_date"],
            gender=data["gender"],
            phone=data["phone"],
            home_phone=data["home_phone"],
            living=data["living"],
            living_note=data["living_note"],
            mobility=data["mobility"],
            manager=data["manager"],
            risk_tier=data["risk_tier"],
            risk_reasons=data["risk_reasons"],
            registered_on=data.get("registered_on"),
            registry_consent=consent_data(data, "registry_consent"),
            health_consent=consent_data(data, "health_consent"),
            health_notes=data["health_notes"],
            contacts=contacts,
            acting_user=self.request.user,
        )


class ElderEditView(ServiceEditView):
    """Details and health notes, by the center head, the manager or the delegate only (need to know)."""

    update_service = staticmethod(elder_update)

    def get_object(self, queryset=None):
        elder = super().get_object(queryset)
        if not can_see_elder_sensitive(self.request.user, elder):
            raise PermissionDenied
        return elder

    def get_form_class(self):
        return ElderEditForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.method == "GET":
            log_access(
                user=self.request.user,
                elders=[self.object],
                fields=["health_notes", "phone", "home_phone"],
                context="edit",
            )
        return context


class ElderInspectView(RecordInspectView):
    template_name = "operations/elders/inspect.html"

    def get_record_queryset(self):
        return elder_listing().select_related("resident__unit__building")

    def get_page_subtitle(self):
        return self.object.resident.name

    def get_history(self):
        return history_for(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        elder, user = self.object, self.request.user
        sensitive = can_see_elder_sensitive(user, elder)
        contacts = list(elder.contacts.all())
        if sensitive:
            log_access(
                user=user,
                elders=[elder],
                fields=["health_notes", "phone", "home_phone", "contacts"],
                context="page",
            )
        else:
            for contact in contacts:
                contact.phone = mask_phone(contact.phone)
        visits = list(
            elder.visits.select_related("visitor").prefetch_related("needs").order_by("-visited_at")[:20]
        )
        accesses = list(elder.accesses.select_related("user")[:30]) if sensitive else []
        for access in accesses:
            access.context_label = ACCESS_CONTEXTS.get(access.context, access.context)
        context.update(
            elder=elder,
            sensitive=sensitive,
            age=age_on(elder.birth_date, timezone.localdate()),
            reasons=[label for _value, label in _reason_labels(elder)],
            phone=elder.phone if sensitive else mask_phone(elder.phone),
            home_phone=elder.home_phone if sensitive else mask_phone(elder.home_phone),
            health_notes=elder.health_notes if sensitive else (MASKED if elder.health_notes else ""),
            contacts=contacts,
            consents=list(elder.consents.select_related("recorded_by")),
            visits=visits,
            open_needs=list(
                elder.needs.exclude(status__in=["declined"])
                .filter(replied_on__isnull=True)
                .select_related("work_order")
            ),
            escalations=list(elder.escalations.order_by("-created")[:5]),
            accesses=accesses,
            care_activities=elder_care_activities(elder, sensitive=sensitive),
            required=elder_care_settings().home_visits_per_month,
            visit_add_url=reverse("elder_visits:add") + f"?elder={elder.pk}",
            can_edit=sensitive and user.has_perm("operations.change_elder"),
        )
        return context


class ElderVisitIndexView(OperationsIndexView):
    """Visits and calls; the export masks observations per row (need to know)."""

    export_filename = "elder-visits"
    list_export = [
        "visited_at",
        "elder",
        "unit",
        "kind",
        "reached",
        "visitor",
        "concerns",
        "needs",
        "observations",
    ]
    export_headings = {
        "visited_at": gettext_lazy("Visited at"),
        "elder": gettext_lazy("Elder"),
        "unit": gettext_lazy("Unit"),
        "kind": gettext_lazy("Kind"),
        "reached": gettext_lazy("Reached the elder"),
        "visitor": gettext_lazy("Visitor"),
        "concerns": gettext_lazy("Needs attention"),
        "needs": gettext_lazy("Needs"),
        "observations": gettext_lazy("Observations"),
    }

    def get_base_queryset(self):
        return ElderVisit.objects.select_related(
            "elder__resident__unit__building", "visitor"
        ).prefetch_related("needs")

    def row_flagged(self, item) -> bool:
        return not item.reached

    def to_row_dict(self, item):
        user = self.request.user
        return {
            "visited_at": local_datetime(item.visited_at),
            "elder": item.elder.resident.name,
            "unit": str(item.elder.resident.unit),
            "kind": item.get_kind_display(),
            "reached": _("Yes") if item.reached else _("No"),
            "visitor": display_name(item.visitor),
            "concerns": "、".join(
                str(ElderVisit.Check(c).label) for c in item.concerns if c in ElderVisit.Check.values
            ),
            "needs": "、".join(need.get_kind_display() for need in item.needs.all()),
            "observations": item.observations
            if can_see_elder_sensitive(user, item.elder)
            else (MASKED if item.observations else ""),
        }

    @property
    def columns(self):
        return [
            TitleColumn(
                "visited_at",
                label=_("Visited at"),
                url_name=self.inspect_url_name,
                accessor=lambda v: local_datetime(v.visited_at),
                sort_key="visited_at",
            ),
            Column("elder", label=_("Elder"), accessor=lambda v: v.elder.resident.name),
            Column("unit", label=_("Unit"), accessor=lambda v: str(v.elder.resident.unit)),
            Column("kind", label=_("Kind"), accessor="get_kind_display"),
            Column(
                "reached",
                label=_("Reached the elder"),
                accessor=lambda v: _("Yes") if v.reached else _("No, not reached"),
            ),
            Column("visitor", label=_("Visitor"), accessor=lambda v: display_name(v.visitor)),
            Column(
                "needs",
                label=_("Needs"),
                accessor=lambda v: "、".join(n.get_kind_display() for n in v.needs.all()) or "—",
            ),
        ]


class ElderVisitCreateView(ServiceCreateView):
    page_title = gettext_lazy("Record a visit")

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("elder", "").isdigit():
            initial["elder"] = int(self.request.GET["elder"])
        return initial

    def get_success_message(self, instance):
        if not instance.reached:
            return _("Visit recorded: %(name)s was not reached, the escalation has started.") % {
                "name": instance.elder.resident.name
            }
        return _("Visit to %(name)s recorded.") % {"name": instance.elder.resident.name}

    def save_instance(self):
        data = self.form.cleaned_data
        return elder_visit_record(
            elder=data["elder"],
            visited_at=data["visited_at"],
            kind=data["kind"],
            reached=data["reached"],
            concerns=data["concerns"],
            observations=data["observations"],
            card_given=data["card_given"],
            needs=self.form.needs(),
            acting_user=self.request.user,
        )


class ElderVisitInspectView(RecordInspectView):
    template_name = "operations/elders/visit_inspect.html"

    def get_record_queryset(self):
        return ElderVisit.objects.select_related(
            "elder__resident__unit__building", "elder__manager", "visitor"
        )

    def get_page_subtitle(self):
        return f"{self.object.elder.resident.name} {local_datetime(self.object.visited_at)}"

    def get_history(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visit, user = self.object, self.request.user
        sensitive = can_see_elder_sensitive(user, visit.elder)
        if sensitive and visit.observations:
            log_access(user=user, elders=[visit.elder], fields=["observations"], context="visit")
        context.update(
            visit=visit,
            sensitive=sensitive,
            observations=visit.observations if sensitive else (MASKED if visit.observations else ""),
            concerns=[ElderVisit.Check(c).label for c in visit.concerns if c in ElderVisit.Check.values],
            needs=list(visit.needs.select_related("work_order")),
        )
        return context


class ElderDueView(AdminScreen, TemplateView):
    """本月待拜访: who still needs a visit or a call and by when; late ones first, in red.

    A customer manager sees their elders (and those delegated to them); the center head picks a
    manager or sees the whole center.
    """

    template_name = "operations/elders/due.html"
    header_icon = "date"
    page_title = gettext_lazy("Due visits")
    permissions = ("operations.add_eldervisit",)
    parents = (("elders:index", gettext_lazy("Elder registry")),)
    per_page = 100  # late ones first: a page is a day's round and more

    def get_context_data(self, **kwargs):
        user = self.request.user
        everyone = user.has_perm("operations.view_elder_sensitive")
        managers = list(staff_who_visit()) if everyone else []
        chosen = None
        settings = elder_care_settings()
        if everyone:
            wanted = self.request.GET.get("manager", "")
            chosen = next((m for m in managers if str(m.pk) == wanted), None)
            rows = elder_due_list(manager=chosen, settings=settings)
        else:
            rows = elder_due_list(user=user, settings=settings)
        page = WagtailPaginator(rows, self.per_page).get_page(self.request.GET.get("p"))
        return super().get_context_data(
            rows=page,
            page=page,
            due_count=len(rows),
            late_count=sum(1 for row in rows if row.overdue),
            managers=managers if everyone else [],
            chosen=chosen,
            visit_add_url=reverse("elder_visits:add"),
            settings=settings,
            **kwargs,
        )


class ElderHealthExportView(AdminScreen, FormView):
    """The registry with health notes, for the center head only, with a reason that is logged."""

    template_name = "operations/elders/health_export.html"
    form_class = HealthExportForm
    header_icon = "download"
    page_title = gettext_lazy("Export with health notes")
    permissions = ("operations.export_elder_health",)
    parents = (("elders:index", gettext_lazy("Elder registry")),)

    def form_valid(self, form):
        elders = list(
            Elder.objects.filter(health_consent=True)
            .select_related("resident__unit", "manager")
            .order_by("resident__unit_id")
        )
        log_access(
            user=self.request.user,
            elders=elders,
            fields=["health_notes", "phone", "home_phone"],
            context="export",
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            self.request, _("%(count)d elders exported; the export is logged.") % {"count": len(elders)}
        )
        return health_workbook_response(elders)


def health_workbook_response(elders) -> HttpResponse:
    """An .xlsx of the elders with their health notes and phones (no other sensitive data)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Health notes"))[:31]
    sheet.append(
        [
            str(h)
            for h in (
                pgettext("person", "Name"),
                _("Unit"),
                _("Age"),
                _("Risk tier"),
                _("Customer manager"),
                _("Mobile phone"),
                _("Home phone"),
                _("Health notes"),
            )
        ]
    )
    today = timezone.localdate()
    for elder in elders:
        sheet.append(
            [
                elder.resident.name,
                str(elder.resident.unit),
                age_on(elder.birth_date, today),
                elder.get_risk_tier_display(),
                display_name(elder.manager),
                elder.phone,
                elder.home_phone,
                elder.health_notes,
            ]
        )
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="elders-health-{today:%Y%m%d}.xlsx"'
    book.save(response)
    return response
