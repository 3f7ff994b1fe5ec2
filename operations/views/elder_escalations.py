"""Admin views of not-reached escalations (``ElderEscalationViewSet``) and care alerts
(``CareAlertViewSet``), and the admin-home panel that shows both until they end.

An escalation's page is its timeline — the visit that did not reach the elder, every call to a
contact, the escalation to the center head with the security check, the outcome — with the
contacts to call in order. Contacts' phones follow need to know and their display is logged.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.ui.tables import Column, TitleColumn

from operations.history import HistoryEvent
from operations.models import AuditEntry, CareAlert, Elder, ElderEscalation, ElderVisit
from operations.permissions import can_see_elder_sensitive, display_elder_phone
from operations.services.elder_alerts import care_alert_raise
from operations.views.dashboard import HomePanel
from operations.views.elders import log_access
from operations.viewsets import (
    OperationsIndexView,
    RecordInspectView,
    ServiceCreateView,
    display_name,
    local_datetime,
)

RUNNING = (ElderEscalation.Status.OPEN, ElderEscalation.Status.ESCALATED)


def escalation_late(escalation: ElderEscalation, now: dt.datetime | None = None) -> bool:
    """Escalated, or still open past the time it should have been."""
    now = now or timezone.now()
    return escalation.status == ElderEscalation.Status.ESCALATED or (
        escalation.status == ElderEscalation.Status.OPEN and escalation.deadline <= now
    )


class ElderEscalationIndexView(OperationsIndexView):
    """Running escalations first (escalated ones in red), then the resolved ones."""

    export_filename = "elder-escalations"
    list_export = [
        "started",
        "elder",
        "unit",
        "manager",
        "status",
        "deadline",
        "calls",
        "work_order",
        "outcome",
    ]
    export_headings = {
        "started": gettext_lazy("Not reached at"),
        "elder": gettext_lazy("Elder"),
        "unit": gettext_lazy("Unit"),
        "manager": gettext_lazy("Customer manager"),
        "status": gettext_lazy("Status"),
        "deadline": gettext_lazy("Escalate at"),
        "calls": gettext_lazy("Calls to contacts"),
        "work_order": gettext_lazy("In-person check"),
        "outcome": gettext_lazy("Outcome"),
    }
    default_ordering = "-visit__visited_at"

    def get_base_queryset(self):
        return ElderEscalation.objects.select_related(
            "elder__resident__unit__building", "elder__manager", "visit", "work_order"
        ).annotate(call_count=Count("calls"))

    def row_flagged(self, item) -> bool:
        return escalation_late(item)

    def to_row_dict(self, item):
        return {
            "started": local_datetime(item.visit.visited_at),
            "elder": item.elder.resident.name,
            "unit": str(item.elder.resident.unit),
            "manager": display_name(item.elder.manager),
            "status": item.get_status_display(),
            "deadline": local_datetime(item.deadline),
            "calls": item.call_count,
            "work_order": item.work_order.number if item.work_order else "",
            "outcome": item.get_outcome_display() if item.outcome else "",
        }

    @property
    def columns(self):
        return [
            TitleColumn(
                "elder",
                label=_("Elder"),
                url_name=self.inspect_url_name,
                accessor=lambda x: x.elder.resident.name,
            ),
            Column("unit", label=_("Unit"), accessor=lambda x: str(x.elder.resident.unit)),
            Column("manager", label=_("Customer manager"), accessor=lambda x: display_name(x.elder.manager)),
            Column(
                "started",
                label=_("Not reached at"),
                accessor=lambda x: local_datetime(x.visit.visited_at),
                sort_key="visit__visited_at",
            ),
            Column("status", label=_("Status"), accessor=lambda x: x.get_status_display()),
            Column(
                "deadline",
                label=_("Escalate at"),
                accessor=lambda x: (
                    local_datetime(x.deadline) if x.status == ElderEscalation.Status.OPEN else "—"
                ),
                sort_key="deadline",
            ),
            Column("calls", label=_("Calls to contacts"), accessor="call_count"),
            Column(
                "outcome",
                label=_("Outcome"),
                accessor=lambda x: (
                    x.get_outcome_display() if x.outcome else (x.work_order.number if x.work_order else "")
                ),
            ),
        ]


class ElderEscalationInspectView(RecordInspectView):
    template_name = "operations/elders/escalation_inspect.html"

    def get_record_queryset(self):
        return ElderEscalation.objects.select_related(
            "elder__resident__unit__building",
            "elder__manager",
            "elder__delegate",
            "visit__visitor",
            "work_order",
            "resolved_by",
        )

    def get_page_subtitle(self):
        return f"{self.object.elder.resident.name} · {self.object.get_status_display()}"

    def get_history(self):
        """The steps of this escalation: the entries written on the elder that name it (one query)."""
        entries = (
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Elder),
                object_id=str(self.object.elder_id),
                changes__escalation=self.object.pk,
            )
            .select_related("acting_user")
            .order_by("created", "id")
        )
        return [HistoryEvent(e.created, e.action, e.acting_user, e.changes) for e in entries]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        escalation, user = self.object, self.request.user
        elder = escalation.elder
        calls = list(escalation.calls.select_related("contact", "acting_user"))
        contacts = list(elder.contacts.filter(is_active=True).order_by("order", "pk"))
        full = can_see_elder_sensitive(user, elder)
        if full and contacts:
            log_access(user=user, elders=[elder], fields=["contacts"], context="escalation")
        called = {call.contact_id for call in calls}
        context.update(
            escalation=escalation,
            elder=elder,
            late=escalation_late(escalation),
            calls=[
                {
                    "call": call,
                    "who": f"{call.contact.name}（{call.contact.relation}）" if call.contact else "—",
                    "phone": display_elder_phone(user, elder, call.contact.phone) if call.contact else "",
                }
                for call in calls
            ],
            contacts=[
                {
                    "contact": contact,
                    "phone": display_elder_phone(user, elder, contact.phone),
                    "called": contact.pk in called,
                }
                for contact in contacts
            ],
            elder_phones=[
                display_elder_phone(user, elder, phone) for phone in (elder.phone, elder.home_phone) if phone
            ],
            call_visit_url=reverse("elder_visits:add") + f"?elder={elder.pk}",
        )
        return context


def _alert_elders(alert: CareAlert) -> list[dict]:
    """The alert's elders, each with their first reached contact since the alert (one query)."""
    elders = alert.elders.select_related("resident__unit__building", "manager").order_by("resident__name")
    reached = {}
    for visit in ElderVisit.objects.filter(care_alert=alert, reached=True).order_by("visited_at"):
        reached.setdefault(visit.elder_id, visit)
    return [{"elder": elder, "visit": reached.get(elder.pk)} for elder in elders]


class CareAlertIndexView(OperationsIndexView):
    export_filename = "care-alerts"
    list_export = ["title", "kind", "raised_at", "elders", "reached", "closed_at", "close_note"]
    export_headings = {
        "title": gettext_lazy("Title"),
        "kind": gettext_lazy("Kind"),
        "raised_at": gettext_lazy("Raised at"),
        "elders": gettext_lazy("Elders to contact"),
        "reached": gettext_lazy("Reached"),
        "closed_at": gettext_lazy("Closed at"),
        "close_note": gettext_lazy("Closing note"),
    }

    def get_base_queryset(self):
        reached = (
            ElderVisit.objects.filter(care_alert=OuterRef("pk"), reached=True)
            .order_by()
            .values("care_alert")
            .annotate(n=Count("elder", distinct=True))
            .values("n")
        )
        return CareAlert.objects.annotate(
            elder_count=Count("elders", distinct=True),
            reached_count=Coalesce(Subquery(reached, output_field=IntegerField()), Value(0)),
        )

    def row_flagged(self, item) -> bool:
        return item.closed_at is None and item.reached_count < item.elder_count

    def to_row_dict(self, item):
        return {
            "title": item.title,
            "kind": item.get_kind_display(),
            "raised_at": local_datetime(item.raised_at),
            "elders": item.elder_count,
            "reached": item.reached_count,
            "closed_at": local_datetime(item.closed_at) if item.closed_at else "",
            "close_note": item.close_note,
        }

    @property
    def columns(self):
        return [
            TitleColumn("title", label=_("Title"), url_name=self.inspect_url_name),
            Column("kind", label=_("Kind"), accessor=lambda a: a.get_kind_display()),
            Column(
                "raised_at",
                label=_("Raised at"),
                accessor=lambda a: local_datetime(a.raised_at),
                sort_key="raised_at",
            ),
            Column(
                "reached",
                label=_("Reached / to contact"),
                accessor=lambda a: f"{a.reached_count}/{a.elder_count}",
            ),
            Column(
                "closed_at",
                label=_("Closed"),
                accessor=lambda a: local_datetime(a.closed_at) if a.closed_at else _("Open"),
            ),
        ]


class CareAlertCreateView(ServiceCreateView):
    page_title = gettext_lazy("Raise a care alert")

    def get_success_message(self, instance):
        return _(
            "Care alert raised: %(n)d high-risk elders are due for contact today; their managers were told."
        ) % {"n": instance.elders.count()}

    def save_instance(self):
        data = self.form.cleaned_data
        return care_alert_raise(
            acting_user=self.request.user, kind=data["kind"], title=data["title"], note=data["note"]
        )


class CareAlertInspectView(RecordInspectView):
    template_name = "operations/elders/care_alert_inspect.html"

    def get_record_queryset(self):
        return CareAlert.objects.select_related("raised_by", "closed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = _alert_elders(self.object)
        context.update(
            alert=self.object,
            waiting=[row for row in rows if row["visit"] is None],
            reached=[row for row in rows if row["visit"] is not None],
            call_url=reverse("elder_visits:add"),
        )
        return context


class ElderCarePanel(HomePanel):
    """独居老人: running not-reached escalations (escalated ones first) and open care alerts, on the
    admin home of whoever handles them, until they end."""

    name = "operations_elder_care"
    order = 25
    template_name = "operations/home/elder_care.html"
    limit = 10

    def render_html(self, parent_context=None):
        if not self.request.user.has_perm("operations.view_elderescalation"):
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context=None):
        running = (
            ElderEscalation.objects.filter(status__in=RUNNING)
            .select_related("elder__resident__unit__building", "visit")
            .order_by("-status", "deadline")  # "open" < "escalated": escalated first
        )
        escalations = list(running[: self.limit])
        alerts = list(
            CareAlert.objects.filter(closed_at__isnull=True)
            .annotate(elder_count=Count("elders"))
            .order_by("-raised_at")[:3]
        )
        now = timezone.now()
        return {
            "escalations": [{"x": x, "late": escalation_late(x, now)} for x in escalations],
            "alerts": alerts,
            "more": running.count() > self.limit if len(escalations) == self.limit else False,
        }
