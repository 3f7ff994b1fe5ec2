"""Admin UI: the lending desk (前台借用).

The desk screen stays custom (a small ``ViewSet`` routes it and the A4 print); the register is a
viewset whose index is filtered to "still out" and "overdue" (menu links to those filters) and
exports the paper register; returning a loan, following it up, retiring an item, a toolbox's
contents and a use of the reading glasses are record actions, shown on the record's page.
"""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from operations.admin_menu import AdminLink
from operations.filters import PeriodFilter, ScopeFilter, WagtailFilterSet
from operations.forms.lending import (
    ConfirmForm,
    FollowUpForm,
    ItemForm,
    RetireForm,
    ReturnForm,
    ToolboxContentsForm,
)
from operations.models import ConvenienceItem, Loan
from operations.models.lending import ItemKind
from operations.services.lending import (
    convenience_item_retire,
    loan_follow_up,
    loan_return,
    reading_glasses_use_record,
    toolbox_contents_update,
)
from operations.views import lending as views
from operations.viewsets import OperationsViewSet, RecordAction


def _overdue(qs, request):
    return qs.filter(returned_at__isnull=True, due_at__lt=timezone.now()).order_by("due_at", "pk")


SCOPES = {
    "out": (_("Still out"), lambda qs, request: qs.filter(returned_at__isnull=True)),
    "overdue": (_("Overdue"), _overdue),
}


class LoanFilterSet(WagtailFilterSet):
    scope = ScopeFilter(label=_("Show"), scopes=SCOPES)
    lent_at = PeriodFilter(label=_("Lent"))

    class Meta:
        model = Loan
        fields = ["scope", "lent_at"]


def _is_out(loan, user) -> bool:
    return loan.returned_at is None


def _back(default_url_name: str):
    """Back to the screen the form came from (the desk) or else to ``default_url_name``."""
    return lambda record, request: views.safe_next(request, reverse(default_url_name, args=[record.pk]))


class LoanViewSet(OperationsViewSet):
    model = Loan
    name = "loans"
    url_prefix = "operations/lending/loans"
    icon = "list-ul"
    menu_label = _("Lending register")
    index_view_class = views.LoanIndexView
    inspect_view_class = views.LoanInspectView
    filterset_class = LoanFilterSet
    search_fields = ["borrower_name"]
    search_backend_name = None
    list_per_page = 50
    edit_view_enabled = False
    delete_view_enabled = False  # the register is kept
    form_fields = ["borrower_name"]  # never shown: no edit form, and "add" is the desk

    @property
    def add_view(self):
        """Loans are lent at the desk: "add" opens the desk screen."""
        return RedirectView.as_view(pattern_name="lending_desk:desk")

    actions = (
        RecordAction(
            name="return",
            label=_("Return"),
            button_label=_("Returned"),
            form_class=ReturnForm,
            available=_is_out,
            primary=True,
            success_message=_("Returned: %(object)s."),
            redirect_to=_back("loans:inspect"),
            run=lambda loan, data, user: loan_return(loan=loan, acting_user=user, **data),
        ),
        RecordAction(
            name="follow-up",
            label=_("Record a follow-up"),
            form_class=FollowUpForm,
            available=_is_out,
            success_message=_("Follow-up recorded."),
            run=lambda loan, data, user: loan_follow_up(loan=loan, acting_user=user, **data),
        ),
    )
    history_labels = {
        "loan_lend": (_("Lent"), lambda changes: "、".join(changes.get("items") or [])),
        "loan_return": (_("Returned"), lambda changes: changes.get("note") or ""),
        "loan_follow_up": (_("Follow-up"), lambda changes: changes.get("outcome") or ""),
    }


def _contents_now(changes: dict) -> str:
    before_after = changes.get("contents") or [{}, {}]
    return "、".join(f"{name}×{quantity}" for name, quantity in before_after[1].items())


def _in_service(item, user) -> bool:
    return item.status not in (ConvenienceItem.Status.RETIRED, ConvenienceItem.Status.LENT)


class ConvenienceItemViewSet(OperationsViewSet):
    model = ConvenienceItem
    name = "convenience_items"
    url_prefix = "operations/lending/items"
    icon = "tag"
    menu_label = _("Convenience items")
    list_display = ["code", "name", "kind", "location", "condition_note", "status"]
    add_view_class = views.ConvenienceItemCreateView
    edit_view_class = views.ConvenienceItemEditView
    list_filter = ["kind", "status"]
    list_per_page = 50

    delete_view_enabled = False  # items are retired, not deleted

    def get_form_class(self, for_update=False):
        return ItemForm

    actions = (
        RecordAction(
            name="use",
            label=_("Record one use"),
            form_class=ConfirmForm,
            permission="operations.add_loan",
            available=lambda item, user: item.kind == ItemKind.READING_GLASSES,
            success_message=_("One use of %(object)s recorded."),
            redirect_to=_back("convenience_items:inspect"),
            run=lambda item, data, user: reading_glasses_use_record(item=item, acting_user=user).item,
        ),
        RecordAction(
            name="contents",
            label=_("Toolbox contents"),
            button_label=_("Save contents"),
            form_class=ToolboxContentsForm,
            available=lambda item, user: item.kind == ItemKind.TOOLBOX,
            form_kwargs=lambda item, request: {"item": item},
            success_message=_("The toolbox contents were saved."),
            run=lambda item, data, user: toolbox_contents_update(item=item, acting_user=user, **data),
        ),
        RecordAction(
            name="retire",
            label=_("Retire"),
            form_class=RetireForm,
            available=_in_service,
            success_message=_("Item retired."),
            run=lambda item, data, user: convenience_item_retire(item=item, acting_user=user, **data),
        ),
    )
    history_labels = {
        "convenience_item_create": _("Added"),
        "convenience_item_update": _("Changed"),
        "convenience_item_retire": (_("Retired"), lambda changes: changes.get("note") or ""),
        "toolbox_contents_update": (_("Contents changed"), _contents_now),
        "reading_glasses_use_record": _("One use recorded"),
    }


class DeskViewSet(ViewSet):
    """The desk screen and the A4 print of the register: custom screens, routed here (menu: an AdminLink)."""

    name = "lending_desk"
    url_prefix = "operations/lending"

    def get_urlpatterns(self):
        return [
            path("", views.DeskView.as_view(), name="desk"),
            path("print/", views.RegisterPrintView.as_view(), name="print"),
        ]


class LendingGroup(ViewSetGroup):
    menu_label = _("Front-desk lending")
    menu_icon = "tag"
    menu_order = 150
    items = (
        AdminLink(
            name="lending-desk",
            label=_("Lending desk"),
            url_name="lending_desk:desk",
            icon="form",
            permission="operations.view_loan",
        ),
        AdminLink(
            name="loans-overdue",
            label=_("Overdue loans"),
            url_name="loans:index",
            query={"scope": "overdue"},
            icon="warning",
            permission="operations.view_loan",
        ),
        LoanViewSet(),
        ConvenienceItemViewSet(),
    )


@hooks.register("register_admin_viewset")
def register_lending_viewsets():
    return [LendingGroup(), DeskViewSet()]
