from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A department that work orders are dispatched to (工程部, 保洁部, 护卫部, 客服部…)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name
