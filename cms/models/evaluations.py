"""服务承诺与满意度: each month's evaluation published on the center's site (DESIGN §12).

The regulations ask that service quality and residents' satisfaction be published regularly
(定期公布服务质量和用户满意度的评价结果). On the first of each month ``cms.services.evaluations``
writes the previous month's figures from head office's rollup into a page of its own, one per
month, so the history stays. The figures are read-only: no panel edits them, and the pages'
permission tester refuses editing, unpublishing, deleting, moving or copying them to everyone.
"""

from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, PagePermissionTester

from cms.models.routing import OneQueryViewRestrictionsMixin, OneTypeChildrenRouteMixin


class PublishedFiguresPermissionTester(PagePermissionTester):
    """Nobody changes published figures by hand, not even the center's administrator: the admin
    offers no edit, delete, unpublish, move or copy for these pages (and refuses the URLs)."""

    def can_add_subpage(self):
        return False

    def can_edit(self):
        return False

    def can_delete(self, ignore_bulk=False):
        return False

    def can_unpublish(self):
        return False

    def can_publish(self):
        return False

    def can_submit_for_moderation(self):
        return False

    def can_set_view_restrictions(self):
        return False

    def can_lock(self):
        return False

    def can_reorder_children(self):
        return False

    def can_move(self):
        return False

    def can_copy(self):
        return False

    def can_move_to(self, destination):
        return False

    def can_copy_to(self, destination, recursive=False):
        return False


class PublishedFiguresMixin:
    def permissions_for_user(self, user):
        return PublishedFiguresPermissionTester(user, self)


def _percent(numerator: int, denominator: int):
    return round(100 * numerator / denominator, 1) if denominator else None


class EvaluationIndexPage(
    PublishedFiguresMixin, OneQueryViewRestrictionsMixin, OneTypeChildrenRouteMixin, Page
):
    """服务承诺与满意度: the months published so far, newest first."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.EvaluationPage"]
    max_count_per_parent = 1
    is_creatable = False  # made by the monthly job
    per_page = 12
    content_panels = [FieldPanel("title", read_only=True)]
    promote_panels: list = []

    class Meta:
        verbose_name = _("service evaluation list")
        verbose_name_plural = _("service evaluation lists")

    @property
    def child_page_model(self):
        return EvaluationPage

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        months = EvaluationPage.objects.child_of(self).live().order_by("-month")
        context["evaluations"] = Paginator(months, self.per_page).get_page(request.GET.get("page"))
        return context


class EvaluationPage(PublishedFiguresMixin, OneQueryViewRestrictionsMixin, Page):
    """One month's published figures; written by the job, never by hand."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    work_orders_completed = models.PositiveIntegerField(_("work orders completed"), default=0)
    work_orders_in_time = models.PositiveIntegerField(_("completed within the committed limit"), default=0)
    complaints_replied = models.PositiveIntegerField(_("complaints replied"), default=0)
    complaints_replied_in_time = models.PositiveIntegerField(_("complaints replied on time"), default=0)
    ratings = models.PositiveIntegerField(_("ratings"), default=0)
    ratings_satisfied = models.PositiveIntegerField(_("ratings of 4 or 5"), default=0)
    responses = models.PositiveIntegerField(_("satisfaction responses"), default=0)
    activities_held = models.PositiveIntegerField(_("activities held"), default=0)

    FIGURES = (
        "work_orders_completed",
        "work_orders_in_time",
        "complaints_replied",
        "complaints_replied_in_time",
        "ratings",
        "ratings_satisfied",
        "responses",
        "activities_held",
    )
    parent_page_types = ["cms.EvaluationIndexPage"]
    subpage_types: list[str] = []
    is_creatable = False
    content_panels = [FieldPanel("title", read_only=True), FieldPanel("month", read_only=True)] + [
        FieldPanel(name, read_only=True) for name in FIGURES
    ]
    promote_panels: list = []

    class Meta:
        verbose_name = _("monthly service evaluation")
        verbose_name_plural = _("monthly service evaluations")

    @property
    def in_time_percent(self):
        return _percent(self.work_orders_in_time, self.work_orders_completed)

    @property
    def replied_in_time_percent(self):
        return _percent(self.complaints_replied_in_time, self.complaints_replied)

    @property
    def satisfaction_percent(self):
        return _percent(self.ratings_satisfied, self.ratings)
