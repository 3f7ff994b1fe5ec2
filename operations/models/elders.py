"""Elders living alone (独居老人关怀, procedure 5.2.2–5.2.4): the registry, consents, visits on
cadence, needs turned into special services, not-reached escalations and care alerts.

Health notes, phones and family contacts are sensitive personal data (PIPL): the services save them
only under the consents below and log every change; views of them are logged too (``ElderAccess``).
Nothing here is ever deleted: an elder who moves away, enters a care home or dies changes status.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from operations.models.base import TimeStampedModel
from operations.validators import validate_phone

USER = settings.AUTH_USER_MODEL


class RiskTier(models.TextChoices):
    """The local programmes' tiers; the higher the tier, the closer the contact."""

    HIGH = "high", _("High risk")  # 高风险
    PRIORITY = "priority", _("Priority")  # 重点
    GENERAL = "general", _("General")  # 一般


class RiskReason(models.TextChoices):
    AGE_80 = "age_80", _("Aged 80 or over")
    DEMENTIA = "dementia", _("Dementia")
    HEART = "heart", _("Severe heart disease")
    CHRONIC = "chronic", _("Chronic illness")
    DISCHARGED = "discharged", _("Recently discharged from hospital")
    DISABLED = "disabled", _("Disability")
    TEKUN = "tekun", _("Extreme poverty support (特困)")
    FAMILY_PLANNING = "family_planning", _("Family-planning special family (计生特殊家庭)")
    NO_LIFT = "no_lift", _("Lives above the ground floor without a lift")
    LIVES_ALONE = "lives_alone", _("Lives completely alone")
    OTHER = "other", _("Other")


class Elder(TimeStampedModel):
    """An elder on the center's registry (独居老人档案): a resident of a unit, with care details."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    class Living(models.TextChoices):
        ALONE = "alone", _("Lives alone")  # 独居
        EMPTY_NEST = "empty_nest", _("Empty nest (couple)")  # 空巢
        WITH_CARER = "with_carer", _("Lives with a carer")  # 与保姆同住
        OTHER = "other", _("Other")

    class Mobility(models.TextChoices):
        INDEPENDENT = "independent", _("Walks unaided")
        AID = "aid", _("Walks with an aid")
        WHEELCHAIR = "wheelchair", _("Wheelchair")
        BEDRIDDEN = "bedridden", _("Bedridden")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("elder status", "Active")
        IN_HOSPITAL = "in_hospital", _("In hospital")
        CARE_HOME = "care_home", _("In a care home")
        MOVED = "moved", _("Moved away")
        DECEASED = "deceased", _("Deceased")

    CLOSED_STATUSES = (Status.CARE_HOME, Status.MOVED, Status.DECEASED)

    resident = models.OneToOneField(
        "operations.Resident", on_delete=models.PROTECT, related_name="elder", verbose_name=_("resident")
    )
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, validators=[validate_phone])
    home_phone = models.CharField(_("home phone"), max_length=20, blank=True, validators=[validate_phone])
    living = models.CharField(
        _("living situation"), max_length=12, choices=Living.choices, default=Living.ALONE
    )
    living_note = models.CharField(_("living situation, details"), max_length=200, blank=True)
    mobility = models.CharField(
        _("mobility"), max_length=12, choices=Mobility.choices, default=Mobility.INDEPENDENT
    )
    health_notes = models.TextField(
        _("health notes"), blank=True, help_text=_("Sensitive: saved only with the elder's health consent.")
    )
    manager = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="elders_managed", verbose_name=_("customer manager")
    )
    delegate = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="elders_delegated",
        verbose_name=_("delegate"),
    )
    delegate_from = models.DateField(_("delegate from"), null=True, blank=True)
    delegate_until = models.DateField(_("delegate until"), null=True, blank=True)
    risk_tier = models.CharField(
        _("risk tier"), max_length=10, choices=RiskTier.choices, default=RiskTier.GENERAL
    )
    risk_reasons = models.JSONField(_("risk reasons"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateField(_("status since"))
    paused_until = models.DateField(
        _("visits paused until"), null=True, blank=True, help_text=_("While in hospital.")
    )
    returned_at = models.DateTimeField(
        _("back from hospital at"), null=True, blank=True, help_text=_("A visit is due within 24 hours.")
    )
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)
    registered_on = models.DateField(_("registered on"))
    registry_consent = models.BooleanField(_("consents to the registry"), default=False, editable=False)
    health_consent = models.BooleanField(_("consents to health notes"), default=False, editable=False)
    card_given_on = models.DateField(_("contact card given on"), null=True, blank=True)

    class Meta:
        verbose_name = _("elder")
        verbose_name_plural = _("elders")
        ordering = ["resident__unit_id", "resident__name"]
        indexes = [
            models.Index(fields=["status", "manager"], name="elder_status_manager_idx"),
            models.Index(fields=["status", "risk_tier"], name="elder_status_tier_idx"),
        ]
        permissions = [
            ("view_elder_sensitive", _("Can see every elder's health notes, phones and family contacts")),
            ("export_elder_health", _("Can export elders' health notes")),
        ]

    def __str__(self):
        return str(self.resident) if self.resident_id else _("elder")

    @property
    def name(self) -> str:
        return self.resident.name


class ElderConsent(models.Model):
    """A consent the elder gave (or withdrew): to be on the registry, or to have health notes kept."""

    class Kind(models.TextChoices):
        REGISTRY = "registry", _("Registry")
        HEALTH = "health", _("Health notes")

    class Method(models.TextChoices):
        SIGNED = "signed", _("Signed form")
        ORAL = "oral", _("Oral, with a witness")

    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="consents", verbose_name=_("elder")
    )
    kind = models.CharField(_("consent to"), max_length=10, choices=Kind.choices)
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how"), max_length=8, choices=Method.choices)
    witness = models.CharField(_("witness"), max_length=50, blank=True)
    scan = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("scan of the signed form"),
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.given_on}"


class ElderContact(models.Model):
    """A family member or other emergency contact, called in order when the elder is not reached."""

    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("elder")
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20, help_text=_("e.g. 儿子, 女儿, 邻居"))
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_phone])
    may_be_told = models.BooleanField(
        _("may be told about services"), default=True, help_text=_("Whether we may tell them about services.")
    )
    order = models.PositiveSmallIntegerField(_("order to call"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        ordering = ["elder_id", "order", "id"]

    def __str__(self):
        return f"{self.name} ({self.relation})"


class ElderCareSettings(models.Model):
    """The center's care rules; the center can tighten the company's defaults, never loosen them."""

    home_visits_per_month = models.PositiveSmallIntegerField(_("home visits per month"), default=2)
    high_risk_contacts_per_week = models.PositiveSmallIntegerField(
        _("contacts per week with high-risk elders"), default=1
    )
    first_visit_by_day = models.PositiveSmallIntegerField(_("first visit of the month by day"), default=15)
    escalation_hours = models.PositiveSmallIntegerField(
        _("hours before a not-reached elder is escalated"), default=4
    )
    need_departments = models.JSONField(
        _("department of each kind of need"),
        default=dict,
        blank=True,
        help_text=_("Need kind → department code; kinds left out use the company's mapping."),
    )

    class Meta:
        verbose_name = _("elder care settings")
        verbose_name_plural = _("elder care settings")

    def __str__(self):
        return str(_("elder care settings"))


class CareAlert(models.Model):
    """恶劣天气/突发事件关怀: every high-risk elder is due for contact today, until all are reached."""

    class Kind(models.TextChoices):
        HEAT = "heat", _("Heat wave")
        COLD = "cold", _("Cold snap")
        TYPHOON = "typhoon", _("Typhoon or storm")
        OUTAGE = "outage", _("Power or water outage")
        OTHER = "other", _("Other emergency")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    note = models.TextField(_("note"), blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    raised_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("raised by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("closed by")
    )
    close_note = models.CharField(_("closing note"), max_length=200, blank=True)
    elders = models.ManyToManyField(
        Elder, related_name="care_alerts", verbose_name=_("elders to contact"), blank=True
    )

    class Meta:
        verbose_name = _("care alert")
        verbose_name_plural = _("care alerts")
        ordering = ["-raised_at"]

    def __str__(self):
        return self.title


class ElderVisit(TimeStampedModel):
    """A visit (拜访) or call: who, when, reached or not, the checklist, what the elder needs."""

    class Kind(models.TextChoices):
        HOME = "home", _("Home visit")
        PHONE = "phone", _("Phone call with the elder")
        FAMILY = "family", _("Call with the family")

    class Check(models.TextChoices):
        SPEECH = "speech", _("Speech")
        MOBILITY = "mobility", _("Mobility")
        ILLNESS = "illness", _("Illness")
        MENTAL = "mental", _("Mental state")
        GAS = "gas", _("Gas")
        WATER = "water", _("Water")
        ELECTRICITY = "electricity", _("Electricity")
        HEATING = "heating", _("Heating")
        HYGIENE = "hygiene", _("Hygiene")
        ENVIRONMENT = "environment", _("Living environment")
        NEIGHBOURS = "neighbours", _("Neighbours")

    HEALTH_CHECKS = (Check.SPEECH, Check.MOBILITY, Check.ILLNESS, Check.MENTAL)

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="visits", verbose_name=_("elder"))
    visited_at = models.DateTimeField(_("visited at"))
    visitor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("visitor")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.HOME)
    reached = models.BooleanField(_("reached the elder"), default=True)
    concerns = models.JSONField(
        _("needs attention"), default=list, blank=True, help_text=_("Checklist items that need attention.")
    )
    observations = models.TextField(_("observations"), blank=True)
    card_given = models.BooleanField(_("contact card given"), default=False)
    care_alert = models.ForeignKey(
        CareAlert,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
        verbose_name=_("care alert"),
    )
    created_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("elder visit")
        verbose_name_plural = _("elder visits")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["elder", "visited_at"], name="eldervisit_elder_time_idx")]

    def __str__(self):
        return f"{self.elder} {self.visited_at:%Y-%m-%d}"

    @property
    def counts_as_home_visit(self) -> bool:
        return self.kind == self.Kind.HOME and self.reached


class NeedKind(models.TextChoices):
    SHOPPING = "shopping", _("Shopping")  # 代购物
    BILLS = "bills", _("Paying utility bills")  # 代交水电费
    ENQUIRY = "enquiry", _("Enquiries")  # 代咨询
    HOUSEWORK = "housework", _("Housework")  # 整理家务
    UTILITIES = "utilities", _("Water and electricity check")  # 排查水电
    CLEANING = "cleaning", _("Cleaning (家政)")  # 家政
    CARRYING = "carrying", _("Carrying")  # 搬运
    HEALTH = "health", _("Health")
    OTHER = "other", _("Other")


class ElderNeed(TimeStampedModel):
    """A need recorded at a visit; may become a special-service work order; the manager reports back."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("elder need", "Open")
        ORDERED = "ordered", _("Work order sent")
        HANDLED = "handled", _("Handled")
        DECLINED = "declined", _("Declined by the elder")

    visit = models.ForeignKey(
        ElderVisit, on_delete=models.PROTECT, related_name="needs", verbose_name=_("visit")
    )
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="needs", verbose_name=_("elder"))
    kind = models.CharField(_("kind"), max_length=10, choices=NeedKind.choices)
    detail = models.CharField(_("details"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    work_order = models.OneToOneField(
        "operations.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="elder_need",
        verbose_name=_("work order"),
    )
    family_told = models.BooleanField(_("family told"), default=False)
    family_told_how = models.CharField(_("how the family was told"), max_length=100, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_note = models.CharField(_("how it was handled"), max_length=300, blank=True)
    replied_on = models.DateField(
        _("reply visit on"), null=True, blank=True, help_text=_("The day the manager went back to report.")
    )
    reply_note = models.CharField(_("reply"), max_length=300, blank=True)
    replied_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("replied by")
    )

    class Meta:
        verbose_name = _("elder's need")
        verbose_name_plural = _("elders' needs")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["elder", "status"], name="elderneed_elder_status_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.elder}"


class ElderEscalation(TimeStampedModel):
    """A visit or call that did not reach the elder: contacts called in order, then an in-person check."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("escalation", "Open")
        ESCALATED = "escalated", _("Escalated to the center head")
        RESOLVED = "resolved", _("Resolved")

    class Outcome(models.TextChoices):
        FOUND_WELL = "found_well", _("Found well")
        IN_HOSPITAL = "in_hospital", _("In hospital")
        WITH_FAMILY = "with_family", _("With family")
        EMERGENCY = "emergency", _("Emergency services called")
        OTHER = "other", _("Other")

    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("elder")
    )
    visit = models.OneToOneField(
        ElderVisit, on_delete=models.PROTECT, related_name="escalation", verbose_name=_("visit not reached")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateTimeField(_("escalate at"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    work_order = models.ForeignKey(
        "operations.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("in-person check"),
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome, details"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("not-reached escalation")
        verbose_name_plural = _("not-reached escalations")
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "deadline"], name="elderesc_status_deadline_idx")]

    def __str__(self):
        return f"{self.elder} {self.created:%Y-%m-%d %H:%M}"


class EscalationCall(models.Model):
    """One call to an emergency contact during an escalation."""

    escalation = models.ForeignKey(
        ElderEscalation, on_delete=models.PROTECT, related_name="calls", verbose_name=_("escalation")
    )
    contact = models.ForeignKey(
        ElderContact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contact"),
    )
    called_at = models.DateTimeField(_("called at"))
    answered = models.BooleanField(_("answered"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    acting_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("call to a contact")
        verbose_name_plural = _("calls to contacts")
        ordering = ["called_at", "id"]

    def __str__(self):
        return f"{self.contact} {self.called_at:%H:%M}"


class ElderAccess(models.Model):
    """A view of an elder's sensitive fields: who, when, which fields, where (page, export, print)."""

    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("elder")
    )
    user = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("viewed by")
    )
    fields = models.JSONField(_("fields"), default=list)
    context = models.CharField(_("where"), max_length=20)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("view of sensitive data")
        verbose_name_plural = _("views of sensitive data")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["elder", "created"], name="elderaccess_elder_time_idx")]

    def __str__(self):
        return f"{self.elder_id} {self.context} {self.created:%Y-%m-%d %H:%M}"


class ClinicObservation(models.Model):
    """What a free clinic (义诊) observed of an elder (blood pressure…); kept only with the health consent.

    Invitations and attendance of care activities are the activity's participants (the elder's
    resident); this holds the health part, which stays with the elder's sensitive data.
    """

    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="clinic_observations", verbose_name=_("elder")
    )
    activity = models.ForeignKey(
        "operations.Activity", on_delete=models.PROTECT, related_name="+", verbose_name=_("free clinic")
    )
    observations = models.CharField(_("observations"), max_length=300, help_text=_("e.g. 血压 130/85"))
    recorded_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("clinic observation")
        verbose_name_plural = _("clinic observations")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "activity"], name="clinicobservation_elder_activity_uniq"
            )
        ]

    def __str__(self):
        return f"{self.elder} · {self.activity}"
