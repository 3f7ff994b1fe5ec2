from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Created/updated times for operational records."""

    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class NumberCounter(models.Model):
    """Daily sequence behind human-readable numbers such as GD202611270001."""

    prefix = models.CharField(max_length=8)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="numbercounter_prefix_day_uniq")
        ]

    def __str__(self):
        return f"{self.prefix}{self.day:%Y%m%d}:{self.last}"
