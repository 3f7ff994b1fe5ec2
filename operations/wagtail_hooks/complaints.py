"""Admin UI: complaints and suggestions (投诉建议) and satisfaction surveys (满意度调查).

Two menu groups. The listings are ModelViewSets with filters; creating and changing records
happens in the custom views of ``operations.views.complaints`` / ``operations.views.surveys``,
which call the services (the generic add/edit views are not exposed for complaints, surveys
and responses).
"""

from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect

import django_filters

from operations.admin_menu import PermissionMenuItem
from operations.models import Complaint, Survey, SurveyTemplate
from operations.permissions import display_complainant
from operations.selectors.complaints import complaints_list
from operations.selectors.surveys import surveys_list
from operations.views import complaints as complaint_views
from operations.views import surveys as survey_views


class AdminLink(ViewSet):
    """A menu entry for a custom admin view (the view's URL is registered by ``register_admin_urls``)."""

    def __init__(self, *, name: str, label, url_name: str, icon: str, permission: str, query: str = ""):
        super().__init__(name=name)
        self.menu_label = label
        self.icon = icon
        self.url_name = url_name
        self.query = query
        self.permission = permission

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            label=self.menu_label,
            url=reverse(self.url_name) + self.query,
            name=self.name,
            icon_name=self.icon,
            order=self.get_menu_item_order(order),
            permission=self.permission,
        )


def _user_name(instance) -> str:
    user = instance.handler
    return (user.get_full_name() or user.get_username()) if user else ""


# --- complaints ------------------------------------------------------------------------------


class ComplaintFilterSet(WagtailFilterSet):
    overdue = django_filters.BooleanFilter(
        label=_("overdue"), method="filter_overdue", widget=BooleanRadioSelect
    )
    created = django_filters.DateFromToRangeFilter(label=_("received"), widget=DateRangePickerWidget)

    class Meta:
        model = Complaint
        fields = [
            "status",
            "kind",
            "channel",
            "is_major",
            "report_to_head_office",
            "subject_department",
            "handler",
        ]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(is_overdue=value)


class ComplainantColumn(Column):
    """The complainant, masked unless the viewer is the center head or the handler."""

    def __init__(self, name, part: int, **kwargs):
        super().__init__(name, **kwargs)
        self.part = part

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        value = display_complainant(parent_context["request"].user, instance)[self.part]
        context["value"] = context["raw_value"] = value or self.empty_value_display
        return context


class ReplyDueColumn(Column):
    cell_template_name = "operations/complaints/reply_due_cell.html"


class ComplaintIndexView(IndexView):
    def get_base_queryset(self):
        return complaints_list()

    def get_add_url(self):
        if self.request.user.has_perm("operations.add_complaint"):
            return reverse("operations_complaints:create")

    @cached_property
    def add_item_label(self):
        return _("Record a complaint or suggestion")

    def get_edit_url(self, instance):
        return reverse("operations_complaints:detail", args=[instance.pk])

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    @cached_property
    def header_more_buttons(self):
        from wagtail.admin.widgets.button import Button

        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(_("Export to Excel"), url=reverse("operations_complaints:export"), icon_name="download")
        )
        return buttons


class ComplaintViewSet(ModelViewSet):
    model = Complaint
    name = "complaints"
    icon = "warning"
    menu_label = _("All complaints")
    index_view_class = ComplaintIndexView
    filterset_class = ComplaintFilterSet
    copy_view_enabled = False
    list_per_page = 30
    list_display = [
        "number",
        "kind",
        "channel",
        BooleanColumn("is_major", label=_("major complaint")),
        ComplainantColumn("complainant", part=0, label=_("complainant")),
        ComplainantColumn("complainant_phone", part=1, label=_("complainant phone")),
        Column("subject_department", label=_("department concerned")),
        Column("handler", label=_("handler"), accessor=_user_name),
        "status",
        ReplyDueColumn("reply_due", label=_("reply due"), sort_key="reply_due"),
        "created",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": "operations_complaints:create",
                "edit_url_name": "operations_complaints:detail",
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        # Only the listing: complaints change through the services, in the custom views.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]

    @property
    def url_finder_class(self):
        from wagtail.admin.admin_url_finder import ModelAdminURLFinder

        return type(
            "_ComplaintURLFinder", (ModelAdminURLFinder,), {"edit_url_name": "operations_complaints:detail"}
        )


class ComplaintViewSetGroup(ViewSetGroup):
    menu_label = _("Complaints and suggestions")
    menu_icon = "warning"
    menu_order = 330
    items = (
        ComplaintViewSet(),
        AdminLink(
            name="complaint-new",
            label=_("Record a complaint"),
            url_name="operations_complaints:create",
            icon="plus",
            permission="operations.add_complaint",
        ),
        AdminLink(
            name="complaint-overdue",
            label=_("Overdue replies"),
            url_name="complaints:index",
            query="?overdue=true",
            icon="time",
            permission="operations.view_complaint",
        ),
        AdminLink(
            name="complaint-export",
            label=_("Export to Excel"),
            url_name="operations_complaints:export",
            icon="download",
            permission="operations.view_complaint",
        ),
    )


# --- surveys ---------------------------------------------------------------------------------


class SurveyTemplateViewSet(ModelViewSet):
    """Questionnaires are configuration: edited directly, with their questions inline."""

    model = SurveyTemplate
    name = "survey-templates"
    icon = "form"
    menu_label = _("Survey templates")
    list_display = ["name", "is_active", "updated"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    copy_view_enabled = True
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("is_active"),
        InlinePanel("questions", label=_("questions"), min_num=1),
    ]

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update=for_update)
        return survey_views.template_form_class(form_class)

    delete_view_class = survey_views.SurveyTemplateDeleteView


class SurveyFilterSet(WagtailFilterSet):
    class Meta:
        model = Survey
        fields = ["scope", "is_open", "template"]


class SurveyIndexView(IndexView):
    def get_base_queryset(self):
        return surveys_list()

    def get_add_url(self):
        if self.request.user.has_perm("operations.add_survey"):
            return reverse("operations_surveys:create")

    @cached_property
    def add_item_label(self):
        return _("Start a survey")

    def get_edit_url(self, instance):
        return reverse("operations_surveys:detail", args=[instance.pk])

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None


class SurveyViewSet(ModelViewSet):
    model = Survey
    name = "surveys"
    icon = "list-ul"
    menu_label = _("Surveys")
    index_view_class = SurveyIndexView
    filterset_class = SurveyFilterSet
    copy_view_enabled = False
    list_display = [
        "title",
        "scope",
        Column("template", label=_("template")),
        "period_start",
        "period_end",
        Column("n_invitations", label=_("invitations")),
        Column("n_responses", label=_("responses")),
        BooleanColumn("is_open", label=_("open for answers")),
        "created",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": "operations_surveys:create",
                "edit_url_name": "operations_surveys:detail",
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]

    @property
    def url_finder_class(self):
        from wagtail.admin.admin_url_finder import ModelAdminURLFinder

        return type(
            "_SurveyURLFinder", (ModelAdminURLFinder,), {"edit_url_name": "operations_surveys:detail"}
        )


class SurveyViewSetGroup(ViewSetGroup):
    menu_label = _("Satisfaction surveys")
    menu_icon = "list-ul"
    menu_order = 340
    items = (
        SurveyViewSet(),
        SurveyTemplateViewSet(),
        AdminLink(
            name="survey-new",
            label=_("Start a survey"),
            url_name="operations_surveys:create",
            icon="plus",
            permission="operations.add_survey",
        ),
        AdminLink(
            name="survey-period-results",
            label=_("Results by period"),
            url_name="operations_surveys:period_results",
            icon="table",
            permission="operations.view_survey",
        ),
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [ComplaintViewSetGroup(), SurveyViewSetGroup()]


@hooks.register("register_admin_urls")
def register_admin_urls():
    complaint_patterns = [
        path("new/", complaint_views.ComplaintCreateView.as_view(), name="create"),
        path("<int:pk>/", complaint_views.ComplaintDetailView.as_view(), name="detail"),
        path("<int:pk>/letter/", complaint_views.ComplaintReplyLetterView.as_view(), name="letter"),
        path("export/", complaint_views.ComplaintExportView.as_view(), name="export"),
    ]
    survey_patterns = [
        path("new/", survey_views.SurveyCreateView.as_view(), name="create"),
        path("<int:pk>/", survey_views.SurveyDetailView.as_view(), name="detail"),
        path("<int:pk>/invitations/", survey_views.SurveyInvitationsView.as_view(), name="invitations"),
        path("<int:pk>/paper/", survey_views.SurveyPaperEntryView.as_view(), name="paper"),
        path("period/", survey_views.SurveyPeriodResultsView.as_view(), name="period_results"),
    ]
    return [
        path("complaints/", include((complaint_patterns, "operations_complaints"))),
        path("surveys/", include((survey_patterns, "operations_surveys"))),
    ]
