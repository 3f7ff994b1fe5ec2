from django.db import models
from django.utils.translation import gettext_lazy as _

from operations.models.base import TimeStampedModel
from operations.validators import validate_phone


class Building(models.Model):
    """A building (楼栋) of the estate."""

    name = models.CharField(_("building"), max_length=50, unique=True, help_text=_("e.g. 3号楼"))
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """A dwelling: building, entrance (单元) and room number (房号)."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building")
    )
    entrance = models.CharField(
        _("entrance"), max_length=20, blank=True, help_text=_("e.g. 2单元; blank if none")
    )
    room = models.CharField(_("room"), max_length=20, help_text=_("e.g. 1201"))

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building__sort_order", "building__name", "entrance", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "entrance", "room"], name="unit_building_entrance_room_uniq"
            )
        ]

    def __str__(self):
        return "-".join(part for part in (self.building.name, self.entrance, self.room) if part)


class Resident(TimeStampedModel):
    """A resident of a unit: owner, tenant or family member."""

    class Relation(models.TextChoices):
        OWNER = "owner", _("Owner")
        TENANT = "tenant", _("Tenant")
        FAMILY = "family", _("Family member")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="residents", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    relation = models.CharField(
        _("relation"), max_length=10, choices=Relation.choices, default=Relation.OWNER
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["unit_id", "name"]
        indexes = [models.Index(fields=["phone"], name="resident_phone_idx")]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="resident_unit_name_uniq")]
        permissions = [("view_resident_contact", _("Can see residents' full phone numbers"))]

    def __str__(self):
        return f"{self.name} ({self.unit})" if self.unit_id else self.name
