"""Head-office records in the public schema: the approval inbox and per-center figures.

Centers reach these tables through the search path (their schema, then public) while one of
their services runs; head office reads them without ever entering a center's schema.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import ServiceCenter


class Submission(models.Model):
    """Something a center sent to head office for a decision, with a snapshot of what was sent."""

    class Kind(models.TextChoices):
        PURCHASE_REQUEST = "purchase_request", _("Monthly purchase request")
        SERVICE_PROJECT = "service_project", _("Service project proposal")
        MAJOR_COMPLAINT = "major_complaint", _("Major complaint")
        SERVICE_REVIEW = "service_review", _("Service project review")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        # A major complaint's report: head office acknowledges it or asks for more; it closes
        # when the center closes the complaint.
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLOSED = "closed", _("Closed")

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
    # ★ An approved service project head office holds up as a model for the other centers.
    is_model = models.BooleanField(_("model project"), default=False)

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


class SubmissionAttachment(models.Model):
    """A file a center sent with a submission (a proposal's feasibility report), copied into head
    office's own storage so head office can open it without a center's login."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("submission")
    )
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to="submissions/%Y/%m/")
    created = models.DateTimeField(_("time"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("submission attachment")
        verbose_name_plural = _("submission attachments")
        ordering = ["created", "id"]

    def __str__(self):
        return self.title


class SubmissionEvent(models.Model):
    """One step in a submission's history: submitted, resubmitted, updated, approved, rejected,
    returned, acknowledged, closed."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        UPDATED = "updated", _("Update sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLOSED = "closed", _("Closed")

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
    # What is open now (the service-desk rollup, ``operations.services.kpis``).
    loans_out = models.PositiveIntegerField(_("loans out"), default=0)
    work_orders_open = models.PositiveIntegerField(_("open work orders"), default=0)
    work_orders_overdue = models.PositiveIntegerField(_("open work orders past their deadline"), default=0)
    inquiries_overdue = models.PositiveIntegerField(_("first inquiries open past their limit"), default=0)
    complaints_open = models.PositiveIntegerField(_("open complaints"), default=0)
    complaints_overdue = models.PositiveIntegerField(_("complaints open past their reply date"), default=0)
    escalations_open = models.PositiveIntegerField(_("open not-reached escalations"), default=0)
    # Alerts on head office's dashboard (refreshed by the periodic jobs as time passes).
    escalations_over_day = models.PositiveIntegerField(_("elders not reached for over 24 hours"), default=0)
    work_orders_late_over_day = models.PositiveIntegerField(
        _("work orders more than a day past their deadline"), default=0
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("center figures")
        verbose_name_plural = _("center figures")

    def __str__(self):
        return f"{self.center_id}"


class KpiFigures(models.Model):
    """What happened at a center in a period (a day or a month), without personal data.

    Each figure counts events by when they happened: work orders by registration, completion and
    deadline; complaints by receipt and reply; ratings by when they were given; activities by
    their date. ``operations.services.kpis`` computes them from the center's records.
    """

    work_orders_opened = models.PositiveIntegerField(_("work orders registered"), default=0)
    work_orders_completed = models.PositiveIntegerField(_("work orders completed"), default=0)
    work_orders_in_time = models.PositiveIntegerField(_("completed within the committed limit"), default=0)
    work_orders_breached = models.PositiveIntegerField(_("deadlines breached"), default=0)
    completion_minutes_median = models.PositiveIntegerField(
        _("median completion time (minutes)"), null=True, blank=True
    )
    complaints_received = models.PositiveIntegerField(_("complaints received"), default=0)
    complaints_major = models.PositiveIntegerField(_("major complaints"), default=0)
    complaints_replied = models.PositiveIntegerField(_("complaints replied"), default=0)
    complaints_replied_in_time = models.PositiveIntegerField(_("complaints replied on time"), default=0)
    responses = models.PositiveIntegerField(_("satisfaction responses"), default=0)
    ratings = models.PositiveIntegerField(_("ratings"), default=0)
    ratings_satisfied = models.PositiveIntegerField(_("ratings of 4 or 5"), default=0)
    clinics_held = models.PositiveIntegerField(_("free clinics held"), default=0)
    birthday_parties_held = models.PositiveIntegerField(_("birthday parties held"), default=0)
    repair_days_held = models.PositiveIntegerField(_("volunteer repair days held"), default=0)
    activities_held = models.PositiveIntegerField(_("activities held"), default=0)
    bookings = models.PositiveIntegerField(_("desk bookings"), default=0)
    bookings_no_show = models.PositiveIntegerField(_("bookings not come"), default=0)
    queue_called = models.PositiveIntegerField(_("queue numbers called"), default=0)
    queue_wait_seconds = models.PositiveBigIntegerField(
        _("total wait of the numbers called (seconds)"), default=0
    )

    class Meta:
        abstract = True

    @property
    def average_wait_minutes(self) -> float | None:
        return self.queue_wait_seconds / 60 / self.queue_called if self.queue_called else None

    @property
    def in_time_rate(self) -> float | None:
        """Share of the period's completed work orders that kept the committed limit (0–1)."""
        return self.work_orders_in_time / self.work_orders_completed if self.work_orders_completed else None

    @property
    def replied_in_time_rate(self) -> float | None:
        return self.complaints_replied_in_time / self.complaints_replied if self.complaints_replied else None

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of the period's ratings that are 4 or 5 (0–1)."""
        return self.ratings_satisfied / self.ratings if self.ratings else None


class CenterDay(KpiFigures):
    """A center's figures for one day (local date), for the daily digest and short trends."""

    center = models.ForeignKey(
        ServiceCenter, on_delete=models.CASCADE, related_name="days", verbose_name=_("service center")
    )
    day = models.DateField(_("day"))
    updated = models.DateTimeField(_("updated"), auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta(KpiFigures.Meta):
        abstract = False
        verbose_name = _("center day")
        verbose_name_plural = _("center days")
        ordering = ["-day", "center_id"]
        constraints = [models.UniqueConstraint(fields=["center", "day"], name="centerday_center_day_uniq")]

    def __str__(self):
        return f"{self.center_id} {self.day:%Y-%m-%d}"


class CenterMonth(KpiFigures):
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

    class Meta(KpiFigures.Meta):
        abstract = False
        verbose_name = _("center month")
        verbose_name_plural = _("center months")
        ordering = ["-month", "center_id"]
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="centermonth_center_month_uniq")
        ]
        # The dashboard joins one month of every center: read that month's rows, not every month's.
        indexes = [models.Index(fields=["month", "center"], name="centermonth_month_center")]

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


class KpiThreshold(models.Model):
    """Head office's amber and red marks for one figure of the dashboard (``portal.kpis.KPIS``).

    A rate is a percentage (95 means 95%); whether a figure is bad above or below its marks is
    the figure's own (``Kpi.higher_is_better``). Without a row the figure's defaults apply.
    """

    code = models.CharField(_("figure"), max_length=40, unique=True)
    amber = models.DecimalField(_("amber from"), max_digits=8, decimal_places=1, null=True, blank=True)
    red = models.DecimalField(_("red from"), max_digits=8, decimal_places=1, null=True, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    updated_by_name = models.CharField(_("updated by"), max_length=150, blank=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("dashboard threshold")
        verbose_name_plural = _("dashboard thresholds")

    def __str__(self):
        return self.code


class DigestDelivery(models.Model):
    """One morning's digest sent to one head-office user: the send job is safe to run twice."""

    username = models.CharField(_("user"), max_length=150)
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["username", "day"], name="digest_one_per_user_day")]

    def __str__(self):
        return f"{self.username} {self.day}"


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


class SignInUnlock(models.Model):
    """A sign-in lockout lifted by hand, at a center (its head) or at head office (its administrator).

    Failures, lockouts and sign-ins are django-axes' own records in each schema (``AccessFailureLog``
    with its ``locked_out`` flag, ``AccessLog``); the unlock is kept here, in the public schema, so
    that head office sees every center's and a center sees its own (``schema_name``).
    """

    schema_name = models.CharField(_("schema"), max_length=63, db_index=True)
    username = models.CharField(_("username"), max_length=255)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    attempts_cleared = models.PositiveIntegerField(_("failed attempts cleared"), default=0)
    unlocked_by = models.CharField(_("unlocked by"), max_length=150)
    unlocked_at = models.DateTimeField(_("unlocked at"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("sign-in unlock")
        verbose_name_plural = _("sign-in unlocks")
        ordering = ["-unlocked_at", "-id"]

    def __str__(self):
        return f"{self.schema_name} {self.username} {self.ip_address}"


class AccountSecurityEvent(models.Model):
    """A change to how an account signs in: two-factor sign-in turned on, replaced, reset or turned
    off, recovery codes renewed or one used. Kept in the public schema like ``SignInUnlock``, so head
    office sees its own and a center its own (``schema_name``, enforced by row-level security)."""

    class Action(models.TextChoices):
        ENABLED = "2fa_enabled", _("Two-factor sign-in turned on")
        REPLACED = "2fa_replaced", _("Authenticator replaced")
        DISABLED = "2fa_disabled", _("Two-factor sign-in turned off")
        RESET = "2fa_reset", _("Two-factor sign-in reset by an administrator")
        CODES_RENEWED = "codes_renewed", _("Recovery codes renewed")
        CODE_USED = "code_used", _("Signed in with a recovery code")

    schema_name = models.CharField(_("schema"), max_length=63, db_index=True)
    username = models.CharField(_("username"), max_length=255)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    acting_username = models.CharField(_("by"), max_length=150)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("account security event")
        verbose_name_plural = _("account security events")
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.schema_name} {self.username} {self.action}"


class JobRun(models.Model):
    """The last run of a periodic job (the heartbeat head office reads on 定时任务): when it started and
    finished, how many centers it ran for, which failed and why (``portal.jobs``)."""

    name = models.CharField(_("job"), max_length=60, unique=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    expected = models.PositiveIntegerField(_("centers"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    failed_centers = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["name"]

    def __str__(self):
        return self.name
