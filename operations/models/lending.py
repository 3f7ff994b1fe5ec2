"""Convenience items at the front desk (便民物品) and the lending register (便民服务登记表).

A loan's status (out, overdue, returned) is never stored: it follows from ``returned_at`` and
``due_at`` (see ``LoanQuerySet`` and ``Loan.status``).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operations.models.base import TimeStampedModel


class ItemKind(models.TextChoices):
    READING_GLASSES = "reading_glasses", _("Reading glasses")
    TOOLBOX = "toolbox", _("Toolbox")
    TOOL = "tool", _("Tool")
    FIRST_AID_KIT = "first_aid_kit", _("First-aid kit")
    OTHER = "other", _("Other")


class ConvenienceItem(TimeStampedModel):
    """An item kept at the front desk and lent to residents."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        LENT = "lent", _("Lent")
        DAMAGED = "damaged", _("Damaged")
        LOST = "lost", _("Lost")
        RETIRED = "retired", _("Retired")

    Kind = ItemKind

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices, default=ItemKind.OTHER)
    location = models.CharField(_("kept at"), max_length=100, blank=True)
    condition_note = models.CharField(_("condition"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE, db_index=True
    )

    class Meta:
        verbose_name = _("convenience item")
        verbose_name_plural = _("convenience items")
        ordering = ["kind", "code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class ToolboxContent(models.Model):
    """What a toolbox holds (锤子, 钳子 …)."""

    item = models.ForeignKey(
        ConvenienceItem, on_delete=models.CASCADE, related_name="contents", verbose_name=_("toolbox")
    )
    name = models.CharField(_("name"), max_length=50)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("toolbox content")
        verbose_name_plural = _("toolbox contents")
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="toolboxcontent_item_name_uniq")]

    def __str__(self):
        return f"{self.name} ×{self.quantity}"


class LoanDueRule(models.Model):
    """When a loan of this kind of item is due back: by default the same day at the closing time."""

    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices, unique=True)
    due_time = models.TimeField(_("due back by"), default=dt.time(18, 0))
    days = models.PositiveSmallIntegerField(
        _("days"), default=0, help_text=_("0 = the same day (日借日还), 1 = the next day …")
    )

    class Meta:
        verbose_name = _("loan due rule")
        verbose_name_plural = _("loan due rules")
        ordering = ["kind"]

    def __str__(self):
        return f"{self.get_kind_display()}: +{self.days} {self.due_time:%H:%M}"


class LoanQuerySet(models.QuerySet):
    def out(self):
        return self.filter(returned_at__isnull=True)

    def overdue(self, now=None):
        return self.filter(returned_at__isnull=True, due_at__lt=now or timezone.now())

    def returned(self):
        return self.filter(returned_at__isnull=False)


class Loan(TimeStampedModel):
    """One line of the lending register: one or more items lent to a resident."""

    class Condition(models.TextChoices):
        GOOD = "good", _("Good")
        DAMAGED = "damaged", _("Damaged")
        LOST = "lost", _("Lost")

    STATUS_OUT = "out"
    STATUS_OVERDUE = "overdue"
    STATUS_RETURNED = "returned"

    unit = models.ForeignKey(
        "operations.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    borrower_name = models.CharField(_("borrower"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    lent_at = models.DateTimeField(_("lent at"))
    due_at = models.DateTimeField(_("due back"))
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lent by"),
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("received by"),
    )
    return_condition = models.CharField(
        _("condition on return"), max_length=10, choices=Condition.choices, blank=True
    )
    return_note = models.CharField(_("inspection note"), max_length=200, blank=True)
    items = models.ManyToManyField(
        ConvenienceItem, through="LoanItem", related_name="loans", verbose_name=_("items")
    )

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("lending register")
        ordering = ["-lent_at"]
        indexes = [
            models.Index(fields=["-lent_at"], name="loan_lent_at_idx"),
            # The overdue queue and the desk's "still out" list: only the few open loans are indexed.
            models.Index(fields=["due_at"], name="loan_open_due_idx", condition=Q(returned_at__isnull=True)),
        ]

    def __str__(self):
        if not self.lent_at:
            return self.borrower_name
        return f"{self.borrower_name} {timezone.localtime(self.lent_at):%Y-%m-%d %H:%M}"

    def status_at(self, now=None) -> str:
        if self.returned_at is not None:
            return self.STATUS_RETURNED
        if self.due_at and self.due_at < (now or timezone.now()):
            return self.STATUS_OVERDUE
        return self.STATUS_OUT

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def is_overdue(self) -> bool:
        return self.status == self.STATUS_OVERDUE

    @property
    def inspection(self) -> str:
        """The register's 检查情况: the condition on return and the inspection note."""
        if not self.returned_at:
            return ""
        condition = self.get_return_condition_display()
        return f"{condition}（{self.return_note}）" if self.return_note else condition


class LoanItem(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="loan_items")
    item = models.ForeignKey(ConvenienceItem, on_delete=models.PROTECT, related_name="loan_items")

    class Meta:
        verbose_name = _("loaned item")
        verbose_name_plural = _("loaned items")
        constraints = [models.UniqueConstraint(fields=["loan", "item"], name="loanitem_loan_item_uniq")]

    def __str__(self):
        return f"{self.loan_id}: {self.item_id}"


class LoanFollowUp(models.Model):
    """The desk chasing an overdue loan: called or visited, a promised time, the outcome."""

    class Method(models.TextChoices):
        CALLED = "called", _("Called")
        VISITED = "visited", _("Visited")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="follow_ups")
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    promised_at = models.DateTimeField(_("promised return"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    created = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("loan follow-up")
        verbose_name_plural = _("loan follow-ups")
        ordering = ["created"]

    def __str__(self):
        return f"{self.loan_id}: {self.outcome[:20]}"


class ReadingGlassesUse(models.Model):
    """One use of the desk's reading glasses by a visitor (no personal data)."""

    item = models.ForeignKey(
        ConvenienceItem, on_delete=models.PROTECT, related_name="glasses_uses", verbose_name=_("item")
    )
    used_at = models.DateTimeField(_("used at"), db_index=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("reading glasses use")
        verbose_name_plural = _("reading glasses uses")
        ordering = ["-used_at"]

    def __str__(self):
        return f"{self.item_id} {timezone.localtime(self.used_at):%Y-%m-%d %H:%M}"
