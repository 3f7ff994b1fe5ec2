import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.models import Orderable

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from operations.models.base import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class SurveyTemplate(TimeStampedModel, ClusterableModel):
    """A reusable questionnaire: rating, choice and free-text questions."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SurveyQuestion(Orderable):
    """A question of a survey template."""

    class Kind(models.TextChoices):
        RATING = "rating", _("Rating 1–5")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Free text")

    template = ParentalKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RATING)
    options = models.TextField(_("options"), blank=True, help_text=_("Choices, one per line."))
    required = models.BooleanField(_("required"), default=True)

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class Survey(TimeStampedModel):
    """A survey run: a template asked about a work order, an activity, or the center for a period."""

    class Scope(models.TextChoices):
        WORK_ORDER = "work_order", _("Work order callback")
        ACTIVITY = "activity", _("Activity")
        CENTER = "center", _("Center-wide")

    title = models.CharField(_("title"), max_length=100)
    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("template")
    )
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices, default=Scope.CENTER)
    work_order = models.ForeignKey(
        "operations.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
        verbose_name=_("work order"),
    )
    activity = models.ForeignKey(
        "operations.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
        verbose_name=_("activity"),
    )
    is_public = models.BooleanField(
        _("open to every resident"),
        default=False,
        help_text=_("Residents may answer it from the center's website without an invitation link."),
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    is_open = models.BooleanField(_("open for answers"), default=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created"]

    def __str__(self):
        return self.title

    def accepts_answers(self, today: datetime.date | None = None) -> bool:
        """Open, and today lies within its period (when it has one)."""
        today = today or timezone.localdate()
        return (
            self.is_open
            and (self.period_start is None or self.period_start <= today)
            and (self.period_end is None or today <= self.period_end)
        )


class SurveyInvitation(models.Model):
    """A one-time link (token) for one resident's answer."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=32, unique=True)
    recipient_name = models.CharField(_("recipient"), max_length=50, blank=True)
    recipient_phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "operations.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.survey_id}:{self.token[:6]}…"


class SurveyResponse(models.Model):
    """One resident's answers to a survey (from a link, or entered from paper by staff)."""

    class Source(models.TextChoices):
        WEB = "web", _("Web link")
        PAPER = "paper", _("Paper form")
        CALLBACK = "callback", _("Phone callback")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    entered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.survey_id}#{self.pk}"


class SurveyAnswer(models.Model):
    """The answer to one question within a response."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="surveyanswer_response_question_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="surveyanswer_rating_range",
            ),
        ]
        indexes = [models.Index(fields=["question", "rating"], name="surveyanswer_q_rating_idx")]

    def __str__(self):
        return f"{self.response_id}:{self.question_id}"
