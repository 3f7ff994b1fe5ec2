"""Paper for elders living alone: the 独居老人拜访表 (form CZC-BG-GK20-02 of the procedure) and the
elder's contact card (5.2.2 b: the manager's phone, told face to face).

The visit form prints blank for a paper round (one sheet per elder, pre-filled with the elder's
name, unit and manager) or filled from a recorded visit. Phones, family contacts, health notes
and observations are printed only for staff who need to know (DESIGN §11); everyone else gets
them masked. Every print that shows them is logged as a view of sensitive data ("print").
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from operations.models import Elder, ElderContact, ElderNeed, ElderVisit, NeedKind
from operations.permissions import can_see_elder_sensitive
from operations.selectors.elders import elder_due_list, elder_listing, staff_who_visit
from operations.services.elders import age_on, elder_care_settings
from operations.validators import mask_phone
from operations.views.elders import MASKED, log_access
from operations.viewsets import perms_required

FORM_NUMBER = "CZC-BG-GK20-02"
SENSITIVE_PRINTED = ["phone", "home_phone", "contacts", "health_notes"]


def _staff_phone(user) -> str:
    profile = getattr(user, "staff_profile", None) if user else None
    return profile.phone if profile else ""


def _sheet(elder: Elder, user, *, today, visit: ElderVisit | None = None) -> dict:
    """What one printed sheet shows of the elder, masked unless ``user`` needs to know."""
    sensitive = can_see_elder_sensitive(user, elder, today=today)
    contacts = [c for c in elder.contacts.all() if c.is_active]
    checks = [
        {"label": label, "concern": bool(visit and value in visit.concerns)}
        for value, label in ElderVisit.Check.choices
    ]
    sheet = {
        "elder": elder,
        "sensitive": sensitive,
        "age": age_on(elder.birth_date, today),
        "phone": elder.phone if sensitive else mask_phone(elder.phone),
        "home_phone": elder.home_phone if sensitive else mask_phone(elder.home_phone),
        "health_notes": (
            (elder.health_notes if sensitive else (MASKED if elder.health_notes else ""))
            if elder.health_consent
            else ""
        ),
        "contacts": [
            {
                "name": c.name if sensitive else MASKED,
                "relation": c.relation,
                "phone": c.phone if sensitive else mask_phone(c.phone),
            }
            for c in contacts
        ],
        "manager_phone": _staff_phone(elder.manager),
        "checks": checks,
        "need_kinds": NeedKind.choices,
        "visit": visit,
    }
    if visit is not None:
        sheet.update(
            observations=(visit.observations if sensitive else (MASKED if visit.observations else "")),
            needs=list(visit.needs.all()),
            need_values={n.kind for n in visit.needs.all()},
        )
    return sheet


def _elders():
    return (
        elder_listing()
        .select_related("resident__unit__building", "manager__staff_profile")
        .prefetch_related(Prefetch("contacts", queryset=ElderContact.objects.order_by("order", "id")))
    )


class PaperView(TemplateView):
    """A print for holders of ``permissions`` (no admin chrome: it is meant for paper)."""

    permissions: tuple[str, ...] = ("operations.view_elder",)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise PermissionDenied
        perms_required(request.user, *self.permissions)
        return super().dispatch(request, *args, **kwargs)

    def log(self, sheets: list[dict], fields=SENSITIVE_PRINTED) -> None:
        shown = [s["elder"] for s in sheets if s["sensitive"]]
        if shown:
            log_access(user=self.request.user, elders=shown, fields=list(fields), context="print")


class ElderVisitSheetView(PaperView):
    """A blank 拜访表 for one elder, pre-filled with the elder's details, for a visit on paper."""

    template_name = "operations/elders/paper/visit_sheets.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        elder = get_object_or_404(_elders(), pk=self.kwargs["pk"])
        sheets = [_sheet(elder, self.request.user, today=today)]
        self.log(sheets)
        return super().get_context_data(
            sheets=sheets,
            form_number=FORM_NUMBER,
            back_url=reverse("elders:inspect", args=[elder.pk]),
            **kwargs,
        )


class ElderRoundSheetsView(PaperView):
    """Blank 拜访表 for a paper round: one sheet per elder on the due list —
    the user's own elders, or a chosen manager's for the center head."""

    template_name = "operations/elders/paper/visit_sheets.html"
    permissions = ("operations.add_eldervisit",)

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        settings = elder_care_settings()
        if user.has_perm("operations.view_elder_sensitive"):
            wanted = self.request.GET.get("manager", "")
            chosen = next((m for m in staff_who_visit() if str(m.pk) == wanted), None)
            rows = elder_due_list(manager=chosen, settings=settings)
        else:
            rows = elder_due_list(user=user, settings=settings)
        wanted_ids = [row.elder.pk for row in rows]
        by_pk = {e.pk: e for e in _elders().filter(pk__in=wanted_ids)}
        sheets = [_sheet(by_pk[pk], user, today=today) for pk in wanted_ids if pk in by_pk]
        self.log(sheets)
        return super().get_context_data(
            sheets=sheets,
            form_number=FORM_NUMBER,
            back_url=reverse("elders:due"),
            round=True,
            **kwargs,
        )


class ElderVisitPrintView(PaperView):
    """The 拜访表 filled from a recorded visit: checklist, needs and what was done about them."""

    template_name = "operations/elders/paper/visit_sheets.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        visit = get_object_or_404(
            ElderVisit.objects.select_related("visitor").prefetch_related(
                Prefetch("needs", queryset=ElderNeed.objects.select_related("work_order"))
            ),
            pk=self.kwargs["pk"],
        )
        elder = _elders().get(pk=visit.elder_id)
        sheets = [_sheet(elder, self.request.user, today=today, visit=visit)]
        self.log(sheets, fields=[*SENSITIVE_PRINTED, "observations"])
        return super().get_context_data(
            sheets=sheets,
            form_number=FORM_NUMBER,
            back_url=reverse("elder_visits:inspect", args=[visit.pk]),
            **kwargs,
        )


class ElderCardView(PaperView):
    """The contact card left with the elder: the manager's name and phone and the center's phone,
    in large print. It shows nothing of the elder's sensitive data."""

    template_name = "operations/elders/paper/card.html"

    def get_context_data(self, **kwargs):
        elder = get_object_or_404(_elders(), pk=self.kwargs["pk"])
        return super().get_context_data(
            elder=elder,
            manager_phone=_staff_phone(elder.manager),
            back_url=reverse("elders:inspect", args=[elder.pk]),
            **kwargs,
        )
