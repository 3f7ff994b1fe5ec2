from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from operations.models.base import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class Complaint(TimeStampedModel):
    """A complaint or suggestion (投诉建议); the complainant's identity is confidential."""

    class Channel(models.TextChoices):
        ORAL = "oral", _("Oral")  # 口头
        PHONE = "phone", _("Phone")  # 电话
        WRITTEN = "written", _("Written")  # 书面
        ONLINE = "online", _("Online")  # 网上

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        SUGGESTION = "suggestion", _("Suggestion")

    class SubjectKind(models.TextChoices):
        STAFF = "staff", _("A staff member")
        DEPARTMENT = "department", _("A department")
        SERVICE = "service", _("A service")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        INVESTIGATING = "investigating", _("Investigating")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", _("Closed")

    class Verdict(models.TextChoices):
        JUSTIFIED = "justified", _("Justified")  # 属实
        PARTLY = "partly", _("Partly justified")  # 部分属实
        UNFOUNDED = "unfounded", _("Unfounded")  # 不属实

    class ReplyMethod(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral")

    number = models.CharField(_("number"), max_length=20, unique=True)
    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMPLAINT)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    is_major = models.BooleanField(_("major complaint"), default=False)
    complainant_name = models.CharField(_("complainant"), max_length=50, blank=True)
    complainant_phone = models.CharField(_("complainant phone"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "operations.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    subject_kind = models.CharField(
        _("about"), max_length=12, choices=SubjectKind.choices, default=SubjectKind.OTHER
    )
    subject_staff = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_about_me",
        verbose_name=_("staff member concerned"),
    )
    subject_department = models.ForeignKey(
        "operations.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("department concerned"),
    )
    subject_service_item = models.ForeignKey(
        "operations.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("service concerned"),
    )
    subject_text = models.CharField(_("about (details)"), max_length=200, blank=True)
    content = models.TextField(_("complaint"))
    written_document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written complaint (scan)"),
    )
    handler = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_handled",
        verbose_name=_("handler"),
    )
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.RECEIVED)
    reply_due = models.DateField(_("reply due"), null=True, blank=True, db_index=True)
    investigation_notes = models.TextField(_("investigation notes"), blank=True)
    finding = models.TextField(_("finding"), blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True)
    action_taken = models.TextField(_("action taken"), blank=True)
    reply_method = models.CharField(_("reply"), max_length=10, choices=ReplyMethod.choices, blank=True)
    reply_text = models.TextField(_("reply text"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    report_to_head_office = models.BooleanField(_("report to head office"), default=False)
    head_office_report = models.TextField(_("report to head office (text)"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "reply_due"], name="complaint_status_due_idx")]
        permissions = [("view_complainant", _("Can see who complained (center head)"))]

    def __str__(self):
        return self.number
