"""Head-office records in the public schema: the approval inbox and per-center figures.

Centers reach these tables through the search path (their schema, then public) while one of
their services runs; head office reads them without ever entering a center's schema.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import ServiceCenter


class Submission(models.Model):
    """Something a center sent to head office for a decision, with a snapshot of what was sent."""

    class Kind(models.TextChoices):
        PURCHASE_REQUEST = "purchase_request", _("Monthly purchase request")
        SERVICE_PROJECT = "service_project", _("Service project proposal")
        MAJOR_COMPLAINT = "major_complaint", _("Major complaint")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")

    center = models.ForeignKey(
        ServiceCenter, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("service center")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=64, help_text=_("The record's id in the center."))
    title = models.CharField(_("title"), max_length=200)
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    submitted_by_name = models.CharField(_("submitted by"), max_length=150, blank=True)
    created = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created", "-id"]
        permissions = [("decide_submission", _("Can approve, reject or return submissions"))]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "kind", "reference"], name="portal_submission_one_per_record"
            )
        ]
        indexes = [models.Index(fields=["status", "-created"], name="portal_sub_status_created")]

    def __str__(self):
        return self.title


class SubmissionEvent(models.Model):
    """One step in a submission's history: submitted, resubmitted, approved, rejected, returned."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="events", verbose_name=_("submission")
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["created", "id"]

    def __str__(self):
        return f"{self.submission_id} {self.action}"


class CenterKpi(models.Model):
    """Figures a center's jobs publish for head office, cheap to read for many centers at once."""

    center = models.OneToOneField(
        ServiceCenter, on_delete=models.CASCADE, related_name="kpi", verbose_name=_("service center")
    )
    overdue_loans = models.PositiveIntegerField(_("overdue loans"), default=0)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("center figures")
        verbose_name_plural = _("center figures")

    def __str__(self):
        return f"{self.center_id}"


class CenterMonth(models.Model):
    """A center's figures for one calendar month, without personal data, for head office.

    Written by the center's services as they change (``portal.services.center_month_set``) and safe
    to recompute (``manage.py publish_center_months``); head office reads many centers in one query.
    """

    center = models.ForeignKey(
        ServiceCenter, on_delete=models.CASCADE, related_name="months", verbose_name=_("service center")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    elders_high = models.PositiveIntegerField(_("high-risk elders"), default=0)
    elders_priority = models.PositiveIntegerField(_("priority elders"), default=0)
    elders_general = models.PositiveIntegerField(_("general elders"), default=0)
    elder_visits_required = models.PositiveIntegerField(_("home visits required"), default=0)
    elder_visits_done = models.PositiveIntegerField(_("home visits done (counted)"), default=0)
    elders_fully_visited = models.PositiveIntegerField(_("elders fully visited"), default=0)
    escalations_opened = models.PositiveIntegerField(_("not-reached escalations opened"), default=0)
    escalations_resolved = models.PositiveIntegerField(_("not-reached escalations resolved"), default=0)
    special_services_done = models.PositiveIntegerField(_("special services for elders done"), default=0)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("center month")
        verbose_name_plural = _("center months")
        ordering = ["-month", "center_id"]
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="centermonth_center_month_uniq")
        ]

    def __str__(self):
        return f"{self.center_id} {self.month:%Y-%m}"

    @property
    def elders(self) -> int:
        return self.elders_high + self.elders_priority + self.elders_general

    @property
    def visit_rate(self) -> float | None:
        """Counted home visits over required ones (each elder's visits capped at the requirement)."""
        if not self.elder_visits_required:
            return None
        return self.elder_visits_done / self.elder_visits_required


class PublishedReport(models.Model):
    """A center's published activity report, as listed on the company website's news page.

    Kept current by the center's publish, unpublish and delete signals (``portal.news``), so the
    news page reads one public table instead of every center's schema.
    """

    center = models.ForeignKey(
        ServiceCenter,
        on_delete=models.CASCADE,
        related_name="published_reports",
        verbose_name=_("service center"),
    )
    page_id = models.PositiveIntegerField(_("page id"), help_text=_("The report page's id in the center."))
    title = models.CharField(_("title"), max_length=255)
    url = models.URLField(_("address"), max_length=500)
    date = models.DateField(_("activity date"))
    summary = models.TextField(_("summary"), blank=True)
    cover_url = models.URLField(_("cover image address"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published at"))

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("published activity report")
        verbose_name_plural = _("published activity reports")
        ordering = ["-date", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["center", "page_id"], name="portal_publishedreport_one_per_page")
        ]
        indexes = [models.Index(fields=["-date", "-published_at"], name="portal_pubreport_date")]

    def __str__(self):
        return self.title
