from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from operations.validators import validate_phone

USER = settings.AUTH_USER_MODEL


class DutyPost(models.TextChoices):
    A = "A", _("Post A")
    B = "B", _("Post B")


def _clean_duty_hours_and_phone(record) -> None:
    """A shift or template slot starts before it ends and carries a valid phone."""
    errors = {}
    if record.start_time and record.end_time and record.start_time >= record.end_time:
        errors["end_time"] = _("The shift must end after it starts.")
    try:
        validate_phone(record.phone)
    except ValidationError as error:
        errors["phone"] = error.messages
    if errors:
        raise ValidationError(errors)


class DutyShift(models.Model):
    """Who is on duty at post A or B on a day (值班表)."""

    date = models.DateField(_("date"), db_index=True)
    post = models.CharField(_("post"), max_length=1, choices=DutyPost.choices)
    staff = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("staff")
    )
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        ordering = ["date", "post"]
        constraints = [models.UniqueConstraint(fields=["date", "post"], name="dutyshift_date_post_uniq")]

    def __str__(self):
        return f"{self.date} {self.post}"

    def clean(self):
        super().clean()
        _clean_duty_hours_and_phone(self)


class DutyTemplateSlot(models.Model):
    """The weekly pattern that generates shifts weeks ahead."""

    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    post = models.CharField(_("post"), max_length=1, choices=DutyPost.choices)
    staff = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff"))
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("weekly duty slot")
        verbose_name_plural = _("weekly duty template")
        ordering = ["weekday", "post"]
        constraints = [
            models.UniqueConstraint(fields=["weekday", "post"], name="dutytemplateslot_weekday_post_uniq")
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.post}"

    def clean(self):
        super().clean()
        _clean_duty_hours_and_phone(self)
