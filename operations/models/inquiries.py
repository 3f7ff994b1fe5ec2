from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from operations.models.base import TimeStampedModel


class Inquiry(TimeStampedModel):
    """First-inquiry register (首问负责): the first staff member asked owns it until it is completed."""

    class Channel(models.TextChoices):
        WALK_IN = "walk_in", _("Walk-in")
        PHONE = "phone", _("Phone")

    class Status(models.TextChoices):
        ANSWERED = "answered", _("Answered on the spot")
        HANDLING = "handling", _("Handled by the first responder")
        HANDED_OVER = "handed_over", _("Handed over")
        COMPLETED = "completed", _("Completed")

    number = models.CharField(_("number"), max_length=20, unique=True)
    visitor_name = models.CharField(_("visitor"), max_length=50)
    visitor_phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "operations.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WALK_IN)
    matter = models.TextField(_("matter"))
    service_item = models.ForeignKey(
        "operations.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inquiries",
        verbose_name=_("service item"),
    )
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="first_inquiries",
        verbose_name=_("first responder"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.HANDLING)
    handed_to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inquiries_handed_to_me",
        verbose_name=_("handed to (colleague)"),
    )
    handed_to_department = models.ForeignKey(
        "operations.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inquiries",
        verbose_name=_("handed to (department)"),
    )
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handover_contact = models.CharField(_("handover contact"), max_length=100, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("first-inquiry register")
        ordering = ["-created"]
        indexes = [models.Index(fields=["first_responder", "status"], name="inquiry_responder_status_idx")]

    def __str__(self):
        return self.number


class InquiryFollowUp(models.Model):
    """A follow-up by the first responder on an inquiry they still own."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="follow_ups")
    note = models.TextField(_("note"))
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    created = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["created"]

    def __str__(self):
        return f"{self.inquiry_id}: {self.note[:20]}"
