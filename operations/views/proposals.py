"""Admin views of service-project proposals: the list (by state, exportable), drafting and
editing through the services, and the record with its actions and its exchange with head office."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic

from operations.models import ServiceProposal
from operations.services.proposals import proposal_create, proposal_head_office_history, proposal_update
from operations.viewsets import (
    AdminScreen,
    OperationsIndexView,
    RecordInspectView,
    ServiceCreateView,
    ServiceSaveMixin,
    local_datetime,
)
from portal.selectors import current_center, model_project, model_projects


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

    def get_initial(self):
        """Started from a model project: its service, for whom and the plan, as a first draft."""
        initial = super().get_initial()
        model = model_project(pk=self.request.GET.get("model", "")) if self.request.GET.get("model") else None
        if model is not None:
            initial.update(
                title=model["service"],
                description=model["description"],
                target_group=model["target_group"],
                need=_("Started from the model project of %(center)s: %(service)s.")
                % {"center": model["center"], "service": model["service"]},
            )
        return initial

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


class ModelProjectsView(AdminScreen, TemplateView):
    """★ Model projects head office holds up: the other centers' approved services (what, for
    whom, the plan and how success is measured; no resident, no evidence), each a starting point."""

    template_name = "operations/proposals/models.html"
    header_icon = "pick"
    page_title = gettext_lazy("Model projects")
    permissions = ("operations.view_serviceproposal",)
    parents = (("proposals:index", gettext_lazy("Service projects")),)

    def get_context_data(self, **kwargs):
        return super().get_context_data(projects=model_projects(exclude_center=current_center()), **kwargs)
