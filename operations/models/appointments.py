"""Appointments (预约办理) and queue numbers (排队叫号) at the service desk.

A service item of the guide becomes bookable with a ``BookableService`` (slot length, residents per
slot, how far ahead). The desk's opening hours are ``DeskHours`` on working days or on rest days of
the official calendar (``operations.calendar``), ``DeskClosure`` closes whole days (holidays,
training). A resident's ``Booking`` takes one place of a slot; the desk marks it arrived or no-show
and starts the application from it. Walk-ins and arrived bookings get a ``QueueTicket``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from operations.models.base import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class BookableService(TimeStampedModel):
    """How residents book one service item: slot length, places per slot, how far ahead."""

    service_item = models.OneToOneField(
        "operations.ServiceItem",
        on_delete=models.CASCADE,
        related_name="booking_settings",
        verbose_name=_("service item"),
    )
    is_open = models.BooleanField(_("open for booking"), default=True)
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=30, validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("residents per slot"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    days_ahead = models.PositiveSmallIntegerField(
        _("bookable days ahead"), default=14, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    note = models.CharField(
        _("note for residents"),
        max_length=200,
        blank=True,
        help_text=_("Shown on the booking page, e.g. 请业主本人办理."),
    )

    class Meta:
        verbose_name = _("bookable service")
        verbose_name_plural = _("bookable services")
        ordering = ["service_item__sort_order", "service_item__name"]

    def __str__(self):
        return str(self.service_item)


class DeskHours(models.Model):
    """One opening period of the desk on working days or on rest days (weekends, holidays)."""

    class DayType(models.TextChoices):
        WORKING = "working", _("Working days")
        REST = "rest", _("Rest days and holidays")

    day_type = models.CharField(_("days"), max_length=8, choices=DayType.choices, default=DayType.WORKING)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["day_type", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="deskhours_order",
                violation_error_message=_("The desk must close after it opens."),
            )
        ]

    def __str__(self):
        return f"{self.get_day_type_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.opens is None or self.closes is None:
            return
        overlapping = DeskHours.objects.filter(
            day_type=self.day_type, opens__lt=self.closes, closes__gt=self.opens
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(
                _("These hours overlap %(other)s: change or delete that period first.")
                % {"other": overlapping.first()}
            )


class DeskClosure(TimeStampedModel):
    """Days the desk takes no bookings: a holiday, staff training, …"""

    class Reason(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        TRAINING = "training", _("Staff training")
        OTHER = "other", _("Other")

    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (inclusive)"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, default=Reason.HOLIDAY)
    note = models.CharField(_("note for residents"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="deskclosure_order",
                violation_error_message=_("The last day must not be before the first day."),
            )
        ]

    def __str__(self):
        if self.start_date == self.end_date:
            return f"{self.start_date} {self.get_reason_display()}"
        return f"{self.start_date}–{self.end_date} {self.get_reason_display()}"


class Booking(TimeStampedModel):
    """A resident's appointment at the desk for one service item, in one slot."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ARRIVED = "arrived", _("Arrived")
        SERVED = "served", _("Application started")
        NO_SHOW = "no_show", _("Did not come")
        CANCELLED = "cancelled", pgettext_lazy("booking", "Cancelled")

    ACTIVE_STATUSES = (Status.BOOKED, Status.ARRIVED, Status.SERVED)

    code = models.CharField(_("booking code"), max_length=12, unique=True)
    service_item = models.ForeignKey(
        "operations.ServiceItem",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("service item"),
    )
    starts_at = models.DateTimeField(_("slot starts"), db_index=True)
    ends_at = models.DateTimeField(_("slot ends"))
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    unit = models.ForeignKey(
        "operations.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    unit_text = models.CharField(_("building and room (as written)"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    served_at = models.DateTimeField(_("application started at"), null=True, blank=True)
    served_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("served by")
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True, editable=False)
    application = models.OneToOneField(
        "operations.ServiceApplication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="booking",
        verbose_name=_("application"),
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["service_item", "starts_at"], name="booking_item_start_idx"),
            models.Index(fields=["phone", "service_item"], name="booking_phone_item_idx"),
        ]

    def __str__(self):
        return self.code

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class QueueTicket(models.Model):
    """A queue number of the day: a walk-in (A…) or an arrived booking (Y…)."""

    class Kind(models.TextChoices):
        WALK_IN = "walk_in", pgettext_lazy("queue", "Walk-in")
        BOOKING = "booking", pgettext_lazy("queue", "Booked")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        DONE = "done", _("Served")
        SKIPPED = "skipped", _("Missed the call")

    PREFIXES = {Kind.WALK_IN: "A", Kind.BOOKING: "Y"}

    day = models.DateField(_("day"), db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.WALK_IN)
    number = models.PositiveIntegerField(_("number"))
    service_item = models.ForeignKey(
        "operations.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("service item"),
    )
    booking = models.OneToOneField(
        Booking,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket",
        verbose_name=_("booking"),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.WAITING)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    called_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_tickets_called",
        verbose_name=_("called by"),
    )
    counter = models.CharField(_("window"), max_length=20, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait (seconds)"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("queue number")
        verbose_name_plural = _("queue numbers")
        ordering = ["day", "issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "number"], name="queueticket_day_kind_number_uniq")
        ]
        indexes = [models.Index(fields=["day", "status"], name="queueticket_day_status_idx")]
        permissions = [
            ("view_desk_appraisal", _("Can see every staff member's desk appraisal (center head)")),
        ]

    def __str__(self):
        return self.display

    @property
    def display(self) -> str:
        return f"{self.PREFIXES[self.kind]}{self.number:03d}"
