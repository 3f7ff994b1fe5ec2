"""Consumables of the front desk (耗材): candy, first-aid supplies and others, with a stock ledger."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from operations.validators import format_decimal

USER = settings.AUTH_USER_MODEL


class ConsumableCategory(models.TextChoices):
    CANDY = "candy", _("Candy")
    FIRST_AID = "first_aid", _("First aid")
    OTHER = "other", _("Other")


class Consumable(models.Model):
    """A consumable kept at the desk. ``stock`` caches the sum of the ledger, kept by the services."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    category = models.CharField(
        _("category"), max_length=20, choices=ConsumableCategory.choices, default=ConsumableCategory.OTHER
    )
    unit = models.CharField(
        pgettext_lazy("measure", "unit"), max_length=10, help_text=_("斤, 盒, 瓶, 卷, 包…")
    )
    minimum_level = models.DecimalField(
        _("minimum level"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    target_level = models.DecimalField(
        _("target level"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    stock = models.DecimalField(
        _("stock"), max_digits=10, decimal_places=2, default=Decimal("0"), editable=False
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("consumable")
        verbose_name_plural = _("consumables")
        ordering = ["category", "sort_order", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="consumable_stock_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def below_minimum(self) -> bool:
        return self.stock < self.minimum_level

    def clean(self):
        super().clean()
        if (
            self.minimum_level is not None
            and self.target_level is not None
            and self.target_level < self.minimum_level
        ):
            raise ValidationError({"target_level": _("The target level cannot be below the minimum level.")})


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Stock received")
    USED = "used", _("Stock used")
    ADJUSTED = "adjusted", _("Adjusted")


class StockMovement(models.Model):
    """One line of the ledger: a signed quantity (received > 0, used < 0, adjusted either way)."""

    consumable = models.ForeignKey(
        Consumable, on_delete=models.PROTECT, related_name="movements", verbose_name=_("consumable")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MovementKind.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), db_index=True)
    first_aid_use = models.ForeignKey(
        "FirstAidUse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("first-aid use"),
    )
    purchase_request = models.ForeignKey(
        "PurchaseRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("purchase request"),
    )

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-pk"]

    def __str__(self):
        sign = "+" if self.quantity > 0 else ""
        return f"{self.consumable} {sign}{format_decimal(self.quantity)}"


class CandyDishCheck(models.Model):
    """The daily two-tick checklist of the candy dish: filled in the morning, locked away in the evening."""

    date = models.DateField(_("date"), unique=True)
    filled_at = models.DateTimeField(_("filled at"), null=True, blank=True)
    filled_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("filled by")
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("locked by")
    )

    class Meta:
        verbose_name = _("candy dish check")
        verbose_name_plural = _("candy dish checklist")
        ordering = ["-date"]

    def __str__(self):
        return str(self.date)


class FirstAidPatient(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    STAFF = "staff", _("Staff")
    OTHER = "other", _("Other visitor")


class FirstAidUse(models.Model):
    """When the first-aid kit was used, for whom, what happened and whether 120 was called."""

    used_at = models.DateTimeField(_("used at"), db_index=True)
    patient_kind = models.CharField(_("for whom"), max_length=10, choices=FirstAidPatient.choices)
    patient_name = models.CharField(_("name"), max_length=50, blank=True)
    what_happened = models.TextField(_("what happened"))
    called_120 = models.BooleanField(_("120 called"), default=False)
    by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("first-aid use")
        verbose_name_plural = _("first-aid uses")
        ordering = ["-used_at"]

    def __str__(self):
        return f"{timezone.localtime(self.used_at):%Y-%m-%d %H:%M} {self.get_patient_kind_display()}"


class DeskSettings(models.Model):
    """Settings of the front desk of this center (one row)."""

    candy_monthly_standard = models.DecimalField(
        _("monthly candy standard (斤)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("4")), MaxValueValidator(Decimal("6"))],
    )

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> "DeskSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
