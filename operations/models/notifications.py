from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to a staff member, shown in the Wagtail admin (and sent by e-mail/SMS when set up)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True, db_index=True)
    created = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Delivery(models.TextChoices):
        NONE = "", _("not sent")
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # E-mail and SMS go out from a worker after the commit (operations.jobs.deliver_notification), retried;
    # what happened stays here for the center to see.
    email_status = models.CharField(
        _("e-mail"), max_length=10, choices=Delivery.choices, blank=True, default=""
    )
    sms_status = models.CharField(_("SMS"), max_length=10, choices=Delivery.choices, blank=True, default="")
    delivery_attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    delivery_error = models.CharField(_("delivery error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_recipient_dedupe_uniq",
            )
        ]

    def __str__(self):
        return self.title


class OutgoingSms(models.Model):
    """An SMS to a resident (booking code and reminder, survey invitation), sent by a worker after the
    commit that caused it and retried; what happened stays here for the center (operations.sms)."""

    phone = models.CharField(_("phone"), max_length=30)
    message = models.TextField(_("message"))
    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Notification.Delivery.choices,
        default=Notification.Delivery.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    error = models.CharField(_("delivery error"), max_length=300, blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS to a resident")
        verbose_name_plural = _("SMS to residents")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.kind} {self.created:%Y-%m-%d %H:%M}"
