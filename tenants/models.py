"""Service centers (tenants) and their domains, stored in the public schema."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from django_tenants.models import DomainMixin, TenantMixin


class ServiceCenter(TenantMixin):
    """A residential service center: one PostgreSQL schema, one or more domains."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    # Schemas are created by tenants.services.center_create inside one transaction, never
    # implicitly on save, and never dropped by deleting a row.
    auto_create_schema = False
    auto_drop_schema = False

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("short code"), max_length=30, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    service_hours = models.CharField(_("service hours"), max_length=100, blank=True)
    region = models.CharField(
        _("region"),
        max_length=50,
        blank=True,
        db_index=True,
        help_text=_("The area or group of centers it belongs to (片区), for head office's filters."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    status_changed = models.DateTimeField(_("status changed"), null=True, blank=True)
    require_head_two_factor = models.BooleanField(
        _("center heads sign in with two factors"),
        default=False,
        help_text=_(
            "When on, the center's heads (and its administrators) confirm every sign-in with a code from "
            "an authenticator app; other staff may choose to."
        ),
    )

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("service center")
        verbose_name_plural = _("service centers")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Domain(DomainMixin):
    """A host name that routes to a service center."""

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class CenterAuditLog(models.Model):
    """Who did what to a center, in the head office (create, suspend, reactivate)."""

    center = models.ForeignKey(
        ServiceCenter, on_delete=models.PROTECT, related_name="audit_log", verbose_name=_("service center")
    )
    action = models.CharField(_("action"), max_length=32)
    acting_username = models.CharField(_("acting user"), max_length=150, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("center audit entry")
        verbose_name_plural = _("center audit log")
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.center_id} {self.action}"


class SpareSchema(models.Model):
    """A schema cloned from the center template ahead of time, ready to become a new center (tenants.spares).

    Its name starts with ``_spare_``, which no center's short code can (codes start with a letter). The
    fingerprint is the template's migration state and the steps run ahead when it was made: a spare whose
    fingerprint is no longer current is never claimed, and the next refill drops it.
    """

    schema_name = models.CharField(_("schema"), max_length=63, unique=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=200)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    seconds = models.FloatField(_("seconds to prepare"), default=0)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("spare schema")
        verbose_name_plural = _("spare schemas")
        ordering = ["created", "id"]

    def __str__(self):
        return self.schema_name
