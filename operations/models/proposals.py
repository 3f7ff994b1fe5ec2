"""Service-project proposals (便民服务项目制定与论证, 5.1 of the procedure; DESIGN §4 item 7).

The center head analyses a need and drafts a proposal (策划), discusses it with the customer-service
head (a meeting record), may survey residents, writes the feasibility report (可行性报告) and
submits it to head office through the inbox; an approved project goes live and is reviewed after
a period. ``operations.services.proposals`` moves it through its states.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from operations.models.base import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class ServiceProposal(TimeStampedModel):
    """A proposed convenience service of the center, from the need to head office's decision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # 草稿
        DISCUSSED = "discussed", _("Discussed")  # 已论证
        SURVEYING = "surveying", _("Resident survey")  # 调查中
        FEASIBILITY = "feasibility", _("Feasibility report")  # 可行性报告
        SUBMITTED = "submitted", _("Submitted to head office")  # 已报总部
        APPROVED = "approved", pgettext_lazy("proposal", "Approved")  # 已批准
        REJECTED = "rejected", pgettext_lazy("proposal", "Rejected")  # 已驳回
        RETURNED = "returned", pgettext_lazy("proposal", "Returned")  # 已退回
        LIVE = "live", _("In service")  # 实施中
        REVIEWED = "reviewed", _("Reviewed")  # 已评估
        DROPPED = "dropped", _("Dropped")  # 已放弃 (the meeting decided against it)

    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("service"), max_length=100, help_text=_("e.g. 代收快递, 家电清洗"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # The need (需求分析)
    need = models.TextField(_("the need"), help_text=_("What residents asked for and why."))
    requested_by = models.CharField(
        _("who asked"), max_length=200, blank=True, help_text=_("e.g. 业主委员会, 3号楼住户, the front desk")
    )
    households = models.PositiveIntegerField(_("households concerned"), default=0)
    evidence_inquiries = models.ManyToManyField(
        "operations.Inquiry", blank=True, related_name="+", verbose_name=_("first inquiries")
    )
    evidence_complaints = models.ManyToManyField(
        "operations.Complaint", blank=True, related_name="+", verbose_name=_("complaints and suggestions")
    )
    evidence_work_orders = models.ManyToManyField(
        "operations.WorkOrder", blank=True, related_name="+", verbose_name=_("work orders")
    )
    evidence_surveys = models.ManyToManyField(
        "operations.Survey", blank=True, related_name="+", verbose_name=_("survey results")
    )
    # The proposed service (服务方案)
    description = models.TextField(_("what the service is"))
    target_group = models.CharField(_("for whom"), max_length=200)
    is_paid = models.BooleanField(_("paid service"), default=False)
    price = models.DecimalField(_("price (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True)
    staffing = models.CharField(_("staff"), max_length=200, blank=True)
    cost_estimate = models.DecimalField(
        _("cost estimate (yuan a month)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    start_date = models.DateField(_("proposed start"))
    department = models.ForeignKey(
        "operations.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("delivering department"),
    )
    review_after_months = models.PositiveSmallIntegerField(_("review after (months)"), default=3)
    # The resident survey (optional) and its summary by the customer-service head
    survey = models.ForeignKey(
        "operations.Survey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        verbose_name=_("resident survey"),
    )
    survey_summary = models.TextField(_("survey summary"), blank=True)
    # The feasibility report (便民服务项目可行性报告)
    report_need = models.TextField(_("need"), blank=True)
    report_plan = models.TextField(_("plan"), blank=True)
    report_resources = models.TextField(_("resources"), blank=True)
    report_cost = models.TextField(_("cost and price"), blank=True)
    report_risks = models.TextField(_("risks"), blank=True)
    report_measures = models.TextField(_("how success is measured"), blank=True)
    report_document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("report document"),
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("head office's comment"), blank=True)
    # After approval: the live service (its item in the service guide), its owner and the review date
    service_item = models.OneToOneField(
        "operations.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposal",
        verbose_name=_("service item"),
    )
    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("owner")
    )
    launched_on = models.DateField(_("in service since"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)
    # The review after the period (使用情况、满意度调查、结论), reported to head office
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_usage = models.PositiveIntegerField(_("work orders of the service"), null=True, blank=True)
    review_survey = models.ForeignKey(
        "operations.Survey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("review survey"),
    )
    review_satisfaction = models.DecimalField(
        _("satisfaction (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    review_conclusion = models.CharField(
        _("conclusion"),
        max_length=8,
        blank=True,
        choices=[("continue", _("Continue")), ("adjust", _("Adjust")), ("stop", _("Stop"))],
    )
    review_note = models.TextField(_("review"), blank=True)

    REPORT_SECTIONS = (
        "report_need",
        "report_plan",
        "report_resources",
        "report_cost",
        "report_risks",
        "report_measures",
    )

    class Meta:
        verbose_name = _("service-project proposal")
        verbose_name_plural = _("service-project proposals")
        ordering = ["-created"]
        permissions = [("submit_serviceproposal", "Can submit service-project proposals to head office")]

    def __str__(self):
        return f"{self.number} {self.title}"


class ProposalMeeting(models.Model):
    """The discussion of a proposal (5.1.2): who met, what was said, what was decided."""

    class Decision(models.TextChoices):
        GO_ON = "go_on", _("Go on")  # 继续
        CHANGE = "change", _("Change the proposal")  # 修改
        DROP = "drop", _("Drop it")  # 放弃

    proposal = models.ForeignKey(ServiceProposal, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    attendees = models.CharField(_("attendees"), max_length=300)
    minutes = models.TextField(_("minutes"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposal meeting")
        verbose_name_plural = _("proposal meetings")
        ordering = ["held_on", "pk"]

    def __str__(self):
        return f"{self.proposal_id} {self.held_on}"
