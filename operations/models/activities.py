"""Community activities (社区文化活动): free clinics, birthday parties, repair days, and their records."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from operations.models.base import TimeStampedModel
from operations.validators import validate_phone

USER = settings.AUTH_USER_MODEL


class Activity(TimeStampedModel):
    """One community activity with its plan, publicity, participants and status (procedure 5.2.4)."""

    class Kind(models.TextChoices):
        FREE_CLINIC = "free_clinic", _("Free clinic")  # 义诊
        BIRTHDAY_PARTY = "birthday_party", _("Group birthday party")  # 集体生日会
        REPAIR_DAY = "repair_day", _("Volunteer repair day")  # 义工维修日
        OTHER = "other", _("Other activity")

    class Festival(models.TextChoices):
        NONE = "", _("No festival")
        MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
        SPRING = "spring", _("Spring Festival")
        DRAGON_BOAT = "dragon_boat", _("Dragon Boat Festival")
        LANTERN = "lantern", _("Lantern Festival")
        DOUBLE_NINTH = "double_ninth", _("Double Ninth Festival")
        NATIONAL_DAY = "national_day", _("National Day")
        OTHER = "other", _("Other festival")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PUBLICISED = "publicised", _("Publicised")
        HELD = "held", _("Held")
        REPORTED = "reported", _("Reported")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=120)
    festival = models.CharField(
        _("festival"), max_length=16, choices=Festival.choices, blank=True, default=""
    )
    partner_name = models.CharField(_("partner organisation"), max_length=120, blank=True)
    partner_contact = models.CharField(_("partner contact person"), max_length=50, blank=True)
    partner_phone = models.CharField(
        _("partner phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    organiser = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_activities",
        verbose_name=_("organiser"),
    )
    plan_text = models.TextField(_("plan"), blank=True)
    plan_document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("plan document"),
    )
    execution_plan_text = models.TextField(_("execution plan"), blank=True)
    execution_plan_document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("execution plan document"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    photo_collection = models.ForeignKey(
        "wagtailcore.Collection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("photo collection"),
    )
    notice_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("notice"),
        help_text=_("The residents' notice that announces the activity."),
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return f"{self.number} {self.title}"


class ActivityPublicity(models.Model):
    """One ticked channel of the publicity checklist (条幅, 短信, 温馨提示, 微信)."""

    class Channel(models.TextChoices):
        BANNER = "banner", _("Banner")
        SMS = "sms", _("SMS")
        NOTICE = "notice", _("Notice board")
        WECHAT = "wechat", _("WeChat")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="publicity", verbose_name=_("activity")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("done by")
    )
    done_at = models.DateTimeField(_("done at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["done_at"]
        verbose_name = _("activity publicity")
        verbose_name_plural = _("activity publicity")
        constraints = [
            models.UniqueConstraint(fields=["activity", "channel"], name="activitypublicity_channel_uniq")
        ]

    def __str__(self):
        return f"{self.activity_id}:{self.channel}"


class ActivityParticipant(models.Model):
    """A resident (or a named person) invited to or attending an activity."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="participants", verbose_name=_("activity")
    )
    resident = models.ForeignKey(
        "operations.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity_participations",
        verbose_name=_("resident"),
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    unit = models.ForeignKey(
        "operations.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    invited = models.BooleanField(_("invited"), default=False)
    attended = models.BooleanField(_("attended"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("activity participant")
        verbose_name_plural = _("activity participants")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "resident"],
                condition=models.Q(resident__isnull=False),
                name="activityparticipant_resident_uniq",
            )
        ]

    def __str__(self):
        return self.name or str(self.resident_id)


class ActivityRepairItem(models.Model):
    """A request taken at a repair day: a work order, or (out of scope) the advice or referral given."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="repair_items", verbose_name=_("activity")
    )
    work_order = models.ForeignKey(
        "operations.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("work order"),
    )
    description = models.TextField(_("description"))
    out_of_scope = models.BooleanField(_("out of scope"), default=False)
    advice = models.TextField(_("advice or referral"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("repair day item")
        verbose_name_plural = _("repair day items")

    def __str__(self):
        return self.description[:40]
