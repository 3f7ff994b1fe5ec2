"""Admin views of service-project proposals: the list (by state, exportable), drafting and
editing through the services, and the record with its actions and its exchange with head office."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic

from operations.models import ServiceProposal
from operations.services.proposals import proposal_create, proposal_head_office_history, proposal_update
from operations.viewsets import (
    OperationsIndexView,
    RecordInspectView,
    ServiceCreateView,
    ServiceSaveMixin,
    local_datetime,
)


class ProposalIndexView(OperationsIndexView):
    export_filename = "service-proposals"
    list_export = [
        "number",
        "title",
        "status",
        "households",
        "is_paid",
        "price",
        "start_date",
        "department",
        "created",
    ]
    export_headings = {
        "number": gettext_lazy("Number"),
        "title": gettext_lazy("Service"),
        "status": gettext_lazy("Status"),
        "households": gettext_lazy("Households concerned"),
        "is_paid": gettext_lazy("Paid service"),
        "price": gettext_lazy("Price (yuan)"),
        "start_date": gettext_lazy("Proposed start"),
        "department": gettext_lazy("Delivering department"),
        "created": gettext_lazy("Drafted"),
    }

    def get_base_queryset(self):
        return ServiceProposal.objects.select_related("department")

    def to_row_dict(self, item):
        return super().to_row_dict(item) | {
            "status": item.get_status_display(),
            "is_paid": _("Yes") if item.is_paid else "",
            "price": str(item.price or ""),
            "department": item.department.name if item.department_id else "",
            "created": local_datetime(item.created),
        }

    @property
    def columns(self):
        return [
            TitleColumn("number", label=_("Number"), url_name=self.inspect_url_name, sort_key="created"),
            Column("title", label=_("Service")),
            Column("status", label=_("Status"), accessor="get_status_display"),
            Column("households", label=_("Households concerned")),
            Column("start_date", label=_("Proposed start")),
            Column(
                "department",
                label=_("Delivering department"),
                accessor=lambda p: p.department.name if p.department_id else "—",
            ),
        ]


class ProposalCreateView(ServiceCreateView):
    page_title = gettext_lazy("Draft a service project")

    def get_success_message(self, instance):
        return _("Proposal %(number)s drafted.") % {"number": instance.number}

    def save_instance(self):
        return proposal_create(
            acting_user=self.request.user, evidence=self.form.evidence(), **self.form.details()
        )


class ProposalEditView(ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        stored = ServiceProposal.objects.get(pk=self.object.pk)
        return proposal_update(
            proposal=stored,
            acting_user=self.request.user,
            evidence=self.form.evidence(),
            **self.form.details(),
        )


class ProposalInspectView(RecordInspectView):
    template_name = "operations/proposals/inspect.html"

    def get_record_queryset(self):
        return ServiceProposal.objects.select_related("department", "survey").prefetch_related(
            "meetings",
            "evidence_inquiries",
            "evidence_complaints",
            "evidence_work_orders",
            "evidence_surveys",
        )

    def get_page_subtitle(self):
        return f"{self.object.number} {self.object.title}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["head_office"] = proposal_head_office_history(self.object)
        return context
