"""The one shape of a center admin area (DESIGN.md §9): ``OperationsViewSet`` and the generic views
it runs, kept together as Wagtail keeps ``SnippetViewSet`` with its views.

- ``OperationsViewSet`` is a Wagtail ``ModelViewSet`` with our defaults (no copy view, not in the
  reference index, an inspect view), the record's actions declared once (``actions``, run at
  ``action/<pk>/<name>/``), the labels of its services' audit actions (``history_labels``) so its
  history reads in words, and ``edit_view_enabled`` / ``delete_view_enabled`` for records that change
  only through their actions or are kept for the register (``KeptRecordsPolicy``).
- Add/edit views save through the area's service (``ServiceSaveMixin``, ``ServiceCreateView``); a
  service's ValidationError lands on the form with ``operations.forms.base.add_service_errors``.
- ``RecordAction`` / ``RecordActionView``: permission, form, service, message, redirect.
  ``RecordInspectView`` shows the record, its available actions and its history in words.
- ``OperationsIndexView``: filters are the list variants, the export is its own; flagged rows are red
  on screen and in the export; ``TotalInOneQueryMixin`` pages where a COUNT is expensive; personal data
  is masked in columns (``MaskedColumn``) and in ``to_row_dict`` alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import Count, IntegerField, Subquery, Value
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from openpyxl.styles import PatternFill

from operations.forms.base import add_service_errors
from operations.history import history_for, register_history_labels
from operations.permissions import can_see_contact
from operations.validators import mask_name, mask_phone

# --- How records show people and times ------------------------------------------------------


def local_datetime(value) -> str:
    """A moment as staff read it: local time, to the minute; "" when there is none."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def display_name(user) -> str:
    """A colleague's name (Wagtail's display name, never the login alone); "" for nobody."""
    return get_user_display_name(user) if user else ""


# --- Saving through a service ---------------------------------------------------------------


class ServiceSaveMixin:
    """Create/edit views whose ``save_instance`` calls a service; its errors land on the form."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ServiceCreateView(ServiceSaveMixin, generic.CreateView):
    """An add view whose form need not be a model form: ``save_instance`` calls the service and
    returns the new record, and the user lands on that record's page."""

    inspect_url_name = None
    template_name = (
        "operations/shared/create.html"  # a service's refusal naming no field shows above the form
    )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if not issubclass(self.get_form_class(), forms.ModelForm):
            kwargs.pop("instance", None)
        return kwargs

    def get_success_url(self):
        if self.inspect_url_name:
            return reverse(self.inspect_url_name, args=[self.object.pk])
        return super().get_success_url()

    def get_success_buttons(self):
        return []


class ServiceDeleteMixin:
    """Delete views that call a ``delete_service(instance, acting_user)``; a refusal is a message."""

    delete_service = None

    def delete_action(self):
        type(self).delete_service(self.object, self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.index_url_name)


# --- Columns that mask personal data for users without operations.view_resident_contact ---------


class MaskedColumn(Column):
    def __init__(self, name, masker=mask_phone, **kwargs):
        super().__init__(name, **kwargs)
        self.masker = masker

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if not can_see_contact(getattr(request, "user", None)) and context["raw_value"]:
            context["value"] = self.masker(str(context["raw_value"]))
        return context


class MaskedTitleColumn(TitleColumn):
    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if not can_see_contact(getattr(request, "user", None)) and context["raw_value"]:
            context["value"] = mask_name(str(context["raw_value"]))
        return context


# --- Pagination and exports -----------------------------------------------------------------


def paginate_with_total(queryset, number, per_page: int = 50) -> Page:
    """One page of ``queryset`` and its total in a single query, not COUNT + SELECT.

    PostgreSQL would join every matching row to its related rows before sorting and cutting the
    page. So the page's ids are chosen in a subquery on the main table alone (top-N sort on its
    indexes), only those rows are joined, and the total is an uncorrelated scalar subquery that
    runs once (an InitPlan). A page number past the end falls back to the last page.
    """
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    bare = queryset.select_related(None)
    total = (
        bare.order_by()
        .annotate(_group=Value(1))
        .values("_group")
        .annotate(_count=Count("pk"))
        .values("_count")
    )

    def fetch(page_number: int) -> list:
        offset = (page_number - 1) * per_page
        page_ids = bare.values("pk")[offset : offset + per_page]
        return list(
            queryset.filter(pk__in=Subquery(page_ids)).annotate(
                total_rows=Subquery(total, output_field=IntegerField())
            )
        )

    rows = fetch(number)
    if rows:
        count = rows[0].total_rows
    else:
        count = queryset.count() if number > 1 else 0
        if count:
            number = (count + per_page - 1) // per_page
            rows = fetch(number)
        else:
            number = 1
    # Wagtail's paginator: its page links take any ?p= (past the end, not a number) as the index does.
    paginator = WagtailPaginator(queryset, per_page)
    paginator.__dict__["count"] = count  # a cached_property: no COUNT query
    return Page(rows, number, paginator)


class TotalInOneQueryMixin:
    """An IndexView whose pages cost one query (``paginate_with_total``) instead of COUNT + SELECT."""

    def paginate_queryset(self, queryset, page_size):
        page = paginate_with_total(queryset, self.request.GET.get(self.page_kwarg), page_size)
        page.object_list = self.decorate_rows(list(page.object_list))
        return page.paginator, page, page.object_list, page.has_other_pages()

    def decorate_rows(self, rows: list) -> list:
        """Set what each row of the page shows (masked contacts, flags); the default shows them as they are."""
        return rows


RED_FILL = PatternFill("solid", fgColor="FFC7CE")


class OperationsIndexView(generic.IndexView):
    """The index of a record type: list variants are its filters, the export is its own.

    Rows for which ``row_flagged`` is true (overdue, breached) show red on screen and in the
    export; an export whose filters are invalid (a period the wrong way round or over a year) is
    refused with the filter's message instead of exporting everything.
    """

    flagged_row_class = "row--flagged"

    def row_flagged(self, item) -> bool:
        return False

    def get_table(self, object_list):
        table = super().get_table(object_list)
        table.get_row_classname = lambda instance: (
            self.flagged_row_class if self.row_flagged(instance) else ""
        )
        return table

    def get(self, request, *args, **kwargs):
        if self.is_export and self.filters is not None and not self.filters.is_valid():
            messages.error(request, " ".join(m for errors in self.filters.errors.values() for m in errors))
            params = request.GET.copy()
            params.pop("export", None)
            return redirect(f"{request.path}?{params.urlencode()}")
        return super().get(request, *args, **kwargs)

    def to_row_dict(self, item):
        self._export_row_flagged = self.row_flagged(item)
        return super().to_row_dict(item)

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        flagged = getattr(self, "_export_row_flagged", False)
        for cell in super().generate_xlsx_row(worksheet, row_dict, date_format=date_format):
            if flagged:
                cell.fill = RED_FILL
            yield cell


# --- A record's actions ---------------------------------------------------------------------


@dataclass(frozen=True)
class RecordAction:
    """One thing staff do to a record, declared once on its viewset.

    ``run(instance, data, user)`` calls the service (it raises ValidationError to refuse);
    ``permission`` is a permission-policy action (``"change"``) or a full permission name;
    ``available(instance, user)`` says whether the action applies to the record now;
    ``form_kwargs(instance, request)`` adds keyword arguments to the form.
    """

    name: str
    label: Any
    form_class: type[forms.Form]
    run: Callable[[Any, dict, Any], Any]
    permission: str = "change"
    available: Callable[[Any, Any], bool] = lambda instance, user: True
    success_message: Any = None
    button_label: Any = None
    primary: bool = False
    form_kwargs: Callable[[Any, Any], dict] = field(default=lambda instance, request: {})
    redirect_to: Callable[[Any, Any], str] | None = None

    def permitted(self, view, instance) -> bool:
        if "." in self.permission:
            return view.request.user.has_perm(self.permission)
        return view.user_has_permission_for_instance(self.permission, instance)

    def allowed(self, view, instance) -> bool:
        return self.permitted(view, instance) and self.available(instance, view.request.user)

    def form(self, instance, request, data=None, files=None) -> forms.Form:
        return self.form_class(
            data=data, files=files, auto_id=f"id_{self.name}_%s", **self.form_kwargs(instance, request)
        )


class RecordActionsMixin:
    """What the inspect view and the action view share: the viewset's actions and the record."""

    actions: tuple[RecordAction, ...] = ()
    action_url_name: str | None = None

    def get_record_queryset(self):
        """Override to select what the record's page shows (related rows in one query)."""
        return self.model._default_manager.all()

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_record_queryset(), pk=self.kwargs["pk"])

    def get_action(self, name: str) -> RecordAction:
        for action in self.actions:
            if action.name == name:
                return action
        raise Http404


class RecordInspectView(RecordActionsMixin, generic.InspectView):
    """A record with its history in words and a form for every action the user may take now."""

    template_name = "operations/shared/inspect.html"
    page_title = gettext_lazy("Details")

    def get_fields(self):
        """Wagtail's field list but the id (mask personal fields with ``get_<field>_display_value``),
        unless the area lays its record out in its own template: then nothing is listed (or queried)."""
        names = [self.template_name] if isinstance(self.template_name, str) else list(self.template_name)
        if RecordInspectView.template_name not in names:
            return []
        return [name for name in super().get_fields() if name != "id"]

    def get_field_display_value(self, field_name, field):
        """As staff read it: local times, 是/否, colleagues by name."""
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, dt.datetime):
            return local_datetime(value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, get_user_model()):
            return display_name(value)
        return value

    @property
    def bound_action(self) -> tuple[str, forms.Form] | None:
        """Set by RecordActionView when it shows the record again with a refused action's form."""
        return self.kwargs.get("bound_action")

    def get_history(self) -> list:
        return history_for(self.object)

    def get_action_forms(self) -> list[dict]:
        bound_name, bound_form = self.bound_action or (None, None)
        shown = []
        for action in self.actions:
            if not action.allowed(self, self.object):
                continue
            form = bound_form if action.name == bound_name else action.form(self.object, self.request)
            shown.append(
                {
                    "action": action,
                    "form": form,
                    "url": reverse(self.action_url_name, args=[self.object.pk, action.name]),
                }
            )
        return shown

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = self.get_history()
        context["action_forms"] = self.get_action_forms()
        bound = self.bound_action[1] if self.bound_action else None
        context["action_errors"] = (
            [message for errors in bound.errors.values() for message in errors] if bound else []
        )
        return context


class RecordActionView(RecordActionsMixin, PermissionCheckedMixin, View):
    """POST ``<pk>/action/<name>/``: validate the action's form, call its service, say what happened.

    A refusal (form or service) shows the record again with the errors on the form (status 400).
    """

    http_method_names = ["post"]
    model = None
    inspect_url_name: str | None = None
    inspect_view = None  # the viewset's inspect view callable, to re-render with a bound form

    def post(self, request, pk, action_name):
        action = self.get_action(action_name)
        self.kwargs["pk"] = pk
        instance = self.get_object()
        # Only the permission is checked here: whether the action applies now is the service's call
        # (its refusal is shown on the form), ``available`` only hides forms that cannot apply.
        if not action.permitted(self, instance):
            raise PermissionDenied
        form = action.form(instance, request, data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                result = action.run(instance, form.cleaned_data, request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.success_message(action, result or instance))
                if action.redirect_to is not None:
                    return redirect(action.redirect_to(result or instance, request))
                return redirect(self.inspect_url_name, pk)
        return self.render_refused(request, pk, action, form)

    def render_refused(self, request, pk, action: RecordAction, form) -> HttpResponse:
        """The record's page again, with the refused action's form and its errors (status 400)."""
        inspect = self.inspect_view.view_class(**self.inspect_view.view_initkwargs)
        inspect.setup(request, pk=pk, bound_action=(action.name, form))
        response = inspect.get(request, pk=pk)
        response.status_code = 400
        return response

    @staticmethod
    def success_message(action: RecordAction, instance) -> str:
        if action.success_message:
            return str(action.success_message) % {"object": instance}
        return _("%(action)s: done.") % {"action": action.label}


class AdminScreen(WagtailAdminTemplateMixin):
    """A custom admin screen (not a viewset's view), for holders of all of ``permissions``; its
    breadcrumbs are ``parents`` (``(url name, label)`` pairs) and its own title.

    The desk, the roster's screens, the candy checklist, the purchase request, survey results by period.
    """

    permissions: tuple[str, ...] = ()
    parents: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        perms_required(request.user, *self.permissions)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        trail = [{"url": reverse(name), "label": label} for name, label in self.parents]
        return self.breadcrumbs_items + trail + [{"url": "", "label": self.get_page_title()}]


def perms_required(user, *perms: str, any_of: bool = False) -> None:
    """Raise PermissionDenied unless the user has all of ``perms`` (or any, with ``any_of=True``)."""
    check = any if any_of else all
    if not check(user.has_perm(perm) for perm in perms):
        raise PermissionDenied


class KeptRecordsPolicy(ModelPermissionPolicy):
    """Records kept for the register (loans, activities, complaints…): nobody deletes them in the
    admin, whatever their groups say — they are closed, cancelled or retired instead."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a != "delete"])


class OperationsViewSet(ModelViewSet):
    """The base of every record type's admin: see the module's docstring and DESIGN.md §9."""

    copy_view_enabled = False
    add_to_reference_index = False
    inspect_view_enabled = True
    inspect_view_class = RecordInspectView
    action_view_class = RecordActionView
    actions: tuple = ()
    history_labels: dict = {}
    # Records made elsewhere (a need with its visit, an escalation by a missed visit) have no add
    # view; records changed only through their actions have no edit form ("edit" links open the
    # record); records kept for the register are never deleted (no delete view, no delete buttons).
    add_view_enabled = True
    edit_view_enabled = True
    delete_view_enabled = True

    @cached_property
    def export_filename(self):
        """The index view's own file name (``work-orders.xlsx``), not the table's name."""
        own = self.index_view_class.export_filename
        return own if own != generic.IndexView.export_filename else self.name.replace("_", "-")

    def on_register(self):
        if not self.delete_view_enabled and policy_registry.get_by_type(self.model, fallback=False) is None:
            register_permission_policy(self.model, KeptRecordsPolicy(self.model))
        super().on_register()
        register_history_labels(self.history_labels)

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(
            actions=tuple(self.actions), action_url_name=self.get_url_name("action"), **kwargs
        )
        if not self.add_view_enabled:
            view_kwargs["add_url_name"] = None
        if not self.edit_view_enabled:
            view_kwargs["edit_url_name"] = None
        if not self.delete_view_enabled:
            view_kwargs["delete_url_name"] = None
        return view_kwargs

    @property
    def action_view(self):
        return self.construct_view(
            self.action_view_class,
            inspect_url_name=self.get_url_name("inspect"),
            inspect_view=self.inspect_view,
        )

    def get_urlpatterns(self):
        urlpatterns = super().get_urlpatterns()
        if not self.edit_view_enabled:
            inspect = self.get_url_name("inspect")
            urlpatterns = [
                path(p.pattern._route, lambda request, pk: redirect(inspect, pk), name="edit")
                if p.name == "edit"
                else p
                for p in urlpatterns
            ]
        if not self.add_view_enabled:
            urlpatterns = [p for p in urlpatterns if p.name != "add"]
        if not self.delete_view_enabled:
            urlpatterns = [p for p in urlpatterns if p.name != "delete"]
        if self.actions:
            conv = self.pk_path_converter
            urlpatterns.append(
                path(f"action/<{conv}:pk>/<slug:action_name>/", self.action_view, name="action")
            )
        return urlpatterns
