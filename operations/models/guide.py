from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.models import Orderable

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from operations.models.base import TimeStampedModel


class ServiceItem(TimeStampedModel, ClusterableModel):
    """A matter residents come to the center for, with everything they must be told at once (一次性告知)."""

    class Category(models.TextChoices):
        MOVE_IN = "move_in", _("Move-in")
        RENOVATION = "renovation", _("Renovation")
        REPAIR = "repair", _("Repair")
        CONVENIENCE = "convenience", _("Convenience services")
        ELDERLY = "elderly", _("Elderly care")
        CERTIFICATE = "certificate", _("Certificates")
        COMPLAINT = "complaint", _("Complaints and suggestions")
        OTHER = "other", _("Other")

    class LimitUnit(models.TextChoices):
        HOURS = "hours", _("hours")
        WORKING_DAYS = "working_days", _("working days")

    class Fee(models.TextChoices):
        FREE = "free", _("Free")
        PAID = "paid", _("Paid")

    name = models.CharField(_("name"), max_length=100, unique=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    procedure = models.TextField(_("procedure"), blank=True, help_text=_("One step per line."))
    time_limit_value = models.PositiveIntegerField(_("committed time limit"), null=True, blank=True)
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    fee_type = models.CharField(_("fee"), max_length=8, choices=Fee.choices, default=Fee.FREE)
    fee_amount = models.DecimalField(
        _("fee amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fee_basis = models.CharField(_("fee basis"), max_length=200, blank=True)
    legal_basis = models.TextField(_("legal or regulatory basis"), blank=True)
    department = models.ForeignKey(
        "operations.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_items",
        verbose_name=_("responsible department"),
    )
    is_published = models.BooleanField(_("published"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service guide")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.fee_type == self.Fee.PAID and not self.fee_amount and not self.fee_basis:
            raise ValidationError({"fee_amount": _("A paid service needs an amount or a basis for the fee.")})

    @property
    def procedure_steps(self) -> list[str]:
        return [line.strip() for line in self.procedure.splitlines() if line.strip()]


class RequiredMaterial(Orderable):
    """One material an application for a service item needs."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("Original")
        COPY = "copy", _("Copy")
        BOTH = "both", _("Original and copy")

    service_item = ParentalKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("material"), max_length=100)
    form = models.CharField(_("original or copy"), max_length=10, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("required material")
        verbose_name_plural = _("required materials")

    def __str__(self):
        return self.name


class WorkdayOverride(models.Model):
    """An admin correction of the official calendar (years the calendar library does not know yet)."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True, help_text=_("e.g. 春节调休"))

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date}"


class ServiceApplication(TimeStampedModel):
    """An application at the desk: materials checked, the missing list told once, or a written refusal."""

    class Status(models.TextChoices):
        COMPLETE = "complete", _("Materials complete, accepted")
        INCOMPLETE = "incomplete", _("Materials missing, told once")
        REFUSED = "refused", _("Refused in writing")

    number = models.CharField(_("number"), max_length=20, unique=True)
    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="applications", verbose_name=_("service item")
    )
    applicant_name = models.CharField(_("applicant"), max_length=50)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "operations.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    materials_brought = models.JSONField(_("materials brought"), default=list, blank=True)
    materials_missing = models.JSONField(_("materials missing"), default=list, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    due_at = models.DateTimeField(
        _("committed completion"),
        null=True,
        blank=True,
        help_text=_("Accepted applications: the committed time limit counted from acceptance."),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created"]

    def __str__(self):
        return self.number
