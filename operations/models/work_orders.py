from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from operations.models.base import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class WorkOrder(TimeStampedModel):
    """A repair, special service or other job, dispatched to a department with a committed deadline."""

    class Kind(models.TextChoices):
        REPAIR = "repair", _("Repair")
        SPECIAL_SERVICE = "special_service", _("Special service")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        FRONT_DESK = "front_desk", _("Front desk")
        PHONE = "phone", _("Phone")
        WEB_FORM = "web_form", _("Resident web form")
        ELDER_VISIT = "elder_visit", _("Elder visit")
        ACTIVITY_DAY = "activity_day", _("Activity day")
        INSPECTION = "inspection", _("Inspection")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # 待受理
        DISPATCHED = "dispatched", _("Dispatched")  # 已派单
        IN_PROGRESS = "in_progress", _("In progress")  # 处理中
        COMPLETED = "completed", _("Completed")  # 已完成
        CALLED_BACK = "called_back", _("Called back")  # 已回访
        CLOSED = "closed", _("Closed")  # 已关闭
        CANCELLED = "cancelled", _("Cancelled")  # 已取消

    OPEN_STATUSES = (Status.PENDING, Status.DISPATCHED, Status.IN_PROGRESS)

    number = models.CharField(_("number"), max_length=20, unique=True)
    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REPAIR)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.FRONT_DESK)
    unit = models.ForeignKey(
        "operations.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        verbose_name=_("unit"),
    )
    resident = models.ForeignKey(
        "operations.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        verbose_name=_("resident"),
    )
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    description = models.TextField(_("description"))
    service_item = models.ForeignKey(
        "operations.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        verbose_name=_("service item"),
    )
    department = models.ForeignKey(
        "operations.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
        verbose_name=_("department"),
    )
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_work_orders",
        verbose_name=_("assignee"),
    )
    is_urgent = models.BooleanField(_("urgent (急事急办)"), default=False)
    is_paid = models.BooleanField(_("paid service"), default=False)
    price = models.DecimalField(_("price (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    deadline = models.DateTimeField(_("committed deadline"), null=True, blank=True)
    is_breached = models.BooleanField(_("deadline breached"), default=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    result_note = models.TextField(_("result"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    callback_comment = models.TextField(_("callback comment"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    due_soon_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    breach_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="wo_status_deadline_idx"),
            models.Index(fields=["department", "status", "deadline"], name="wo_dept_status_idx"),
            models.Index(fields=["assignee", "status"], name="wo_assignee_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="wo_satisfaction_range",
            )
        ]

    def __str__(self):
        return self.number


class WorkOrderTransition(models.Model):
    """One status change of a work order: who, when, from what to what, and why."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    note = models.TextField(_("note"), blank=True)
    acting_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    created = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created", "id"]

    def __str__(self):
        return f"{self.work_order_id}: {self.from_status}→{self.to_status}"


class DeadlineExtension(models.Model):
    """A later committed deadline, with the reason and how the resident was told."""

    class InformedVia(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        SMS = "sms", _("SMS")
        WECHAT = "wechat", _("WeChat")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    previous_deadline = models.DateTimeField(_("previous deadline"), null=True)
    new_deadline = models.DateTimeField(_("new deadline"))
    reason = models.TextField(_("reason"))
    informed_via = models.CharField(_("resident told via"), max_length=10, choices=InformedVia.choices)
    informed_at = models.DateTimeField(_("resident told at"))
    acting_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    created = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["created"]

    def __str__(self):
        return f"{self.work_order_id}: {self.new_deadline}"


class WorkOrderAttachment(models.Model):
    """A photo (Wagtail image) or document of a work order, stored in the center's own media."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(image__isnull=False) | models.Q(document__isnull=False),
                name="wo_attachment_has_file",
            )
        ]

    def __str__(self):
        return self.caption or f"{self.work_order_id}"
