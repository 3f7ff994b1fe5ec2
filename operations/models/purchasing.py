"""The monthly purchase request (月度申购单) of a center, submitted to head office."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from operations.validators import format_decimal

USER = settings.AUTH_USER_MODEL


class PurchaseRequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for changes")
    RECEIVED = "received", _("Received into stock")


class PurchaseRequest(models.Model):
    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=10, choices=PurchaseRequestStatus.choices, default=PurchaseRequestStatus.DRAFT
    )
    comment = models.TextField(_("head-office comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_name = models.CharField(_("decided by"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["-month"]
        permissions = [("submit_purchaserequest", "Can submit the purchase request to head office")]

    def __str__(self):
        return f"{self.month:%Y-%m}"

    @property
    def editable(self) -> bool:
        return self.status in (PurchaseRequestStatus.DRAFT, PurchaseRequestStatus.RETURNED)


class LineReason(models.TextChoices):
    BELOW_MINIMUM = "below_minimum", _("Below minimum")
    DAMAGED = "damaged", _("Damaged")
    LOST = "lost", _("Lost")
    CANDY_STANDARD = "candy_standard", _("Candy standard")
    OTHER = "other", _("Other")


class PurchaseRequestLine(models.Model):
    request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("purchase request")
    )
    consumable = models.ForeignKey(
        "operations.Consumable",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consumable"),
    )
    item_code = models.CharField(_("item code"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=120)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit = models.CharField(pgettext_lazy("measure", "unit"), max_length=10)
    reason = models.CharField(
        _("reason"), max_length=20, choices=LineReason.choices, default=LineReason.OTHER
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    auto = models.BooleanField(_("drafted automatically"), default=False, editable=False)

    class Meta:
        verbose_name = _("purchase request line")
        verbose_name_plural = _("purchase request lines")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.description} × {format_decimal(self.quantity)}{self.unit}"


EVENT_LABELS = {
    "drafted": _("Drafted"),
    "refreshed": _("Automatic lines refreshed"),
    "submitted": _("Submitted"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "returned": _("Returned for changes"),
    "received": _("Received into stock"),
}


class PurchaseRequestEvent(models.Model):
    """History of a purchase request: drafted, submitted, decided, received."""

    request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("purchase request")
    )
    action = models.CharField(_("action"), max_length=20)
    actor_name = models.CharField(_("by"), max_length=100, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("purchase request event")
        verbose_name_plural = _("purchase request history")
        ordering = ["created", "pk"]

    def __str__(self):
        return f"{self.request} {self.action}"

    @property
    def action_label(self):
        return EVENT_LABELS.get(self.action, self.action)
