"""Admin UI: elders' needs turned into special services (5.2.3 老人特殊生活需求解决).

Needs are recorded with their visit and change only through their actions: send to a
department as a special-service work order (pre-filled, one click), handle on the spot, decline,
record the reply visit. The viewset is an item of the 独居老人关怀 group (``wagtail_hooks.elders``).
"""

from django.utils.translation import gettext_lazy as _

import django_filters

from operations.filters import PeriodFilter, ScopeFilter, WagtailFilterSet
from operations.forms.elder_needs import NeedDeclineForm, NeedHandleForm, NeedOrderForm, NeedReplyForm
from operations.models import ElderNeed, NeedKind
from operations.selectors.elders import elders_of, staff_who_visit
from operations.services.elder_needs import (
    elder_need_decline,
    elder_need_handle,
    elder_need_order,
    elder_need_reply,
)
from operations.services.elders import elder_care_settings
from operations.views import elder_needs as views
from operations.viewsets import OperationsViewSet, RecordAction

NEED_SCOPES = {
    "mine": (_("Needs of my elders"), lambda qs, request: qs.filter(elder__in=_my_elders(request.user))),
    "open": (_("Not yet sent or handled"), lambda qs, request: qs.filter(status=ElderNeed.Status.OPEN)),
    "ordered": (_("With a department"), lambda qs, request: qs.filter(status=ElderNeed.Status.ORDERED)),
    "reply": (
        _("Reply visit due"),
        lambda qs, request: qs.filter(status=ElderNeed.Status.HANDLED, replied_on__isnull=True),
    ),
}


def _my_elders(user):
    from operations.models import Elder

    return Elder.objects.filter(elders_of(user)).values("pk")


class ElderNeedFilterSet(WagtailFilterSet):
    scope = ScopeFilter(label=_("Show"), scopes=NEED_SCOPES)
    created = PeriodFilter(label=_("Recorded"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=NeedKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ElderNeed.Status.choices)
    elder__manager = django_filters.ModelChoiceFilter(label=_("Customer manager"), queryset=staff_who_visit())

    class Meta:
        model = ElderNeed
        fields = ["scope", "created", "kind", "status", "elder__manager"]


def _is(*statuses):
    return lambda need, user: need.status in statuses


def _handled_without_reply(need, user) -> bool:
    return need.status == ElderNeed.Status.HANDLED and need.replied_on is None


class ElderNeedViewSet(OperationsViewSet):
    model = ElderNeed
    name = "elder_needs"
    url_prefix = "operations/elders/needs"
    icon = "tasks"
    menu_label = _("Needs and special services")
    index_view_class = views.ElderNeedIndexView
    inspect_view_class = views.ElderNeedInspectView
    filterset_class = ElderNeedFilterSet
    search_fields = ["elder__resident__name", "detail"]
    search_backend_name = None
    list_per_page = 50
    add_view_enabled = False
    edit_view_enabled = False
    delete_view_enabled = False
    form_fields = ["detail"]  # no add or edit view: needs are recorded with their visit

    actions = (
        RecordAction(
            name="order",
            label=_("Send to a department as a special service"),
            form_class=NeedOrderForm,
            form_kwargs=lambda need, request: {"need": need, "settings": elder_care_settings()},
            available=_is(ElderNeed.Status.OPEN),
            primary=True,
            success_message=_("Work order created and sent to the department."),
            run=lambda need, data, user: elder_need_order(need=need, acting_user=user, **data),
        ),
        RecordAction(
            name="handle",
            label=_("Handled without a work order"),
            form_class=NeedHandleForm,
            available=_is(ElderNeed.Status.OPEN),
            run=lambda need, data, user: elder_need_handle(need=need, note=data["note"], acting_user=user),
        ),
        RecordAction(
            name="decline",
            label=_("The elder no longer needs it"),
            form_class=NeedDeclineForm,
            available=_is(ElderNeed.Status.OPEN),
            run=lambda need, data, user: elder_need_decline(need=need, note=data["note"], acting_user=user),
        ),
        RecordAction(
            name="reply",
            label=_("Record the reply visit"),
            form_class=NeedReplyForm,
            available=_handled_without_reply,
            primary=True,
            run=lambda need, data, user: elder_need_reply(
                need=need, replied_on=data["replied_on"], note=data["note"], acting_user=user
            ),
        ),
    )
