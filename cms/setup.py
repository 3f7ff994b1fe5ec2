"""Pages every center's site starts with."""

from django.contrib.auth.models import Group
from django.db import transaction

from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

from cms.models import ActivityReportIndexPage, NoticeIndexPage, ServiceGuidePage
from tenants.roles import CENTER_HEAD


@transaction.atomic
def center_pages_install(*, home) -> None:
    """Create the 通知公告, 活动报道 and 办事指南 pages under the center's home page when missing.

    Runs in the center's schema (at provisioning, and for existing centers from ``seed_demo``).
    Idempotent: a page of a kind that already exists under ``home`` is left alone. The 活动报道
    index gets the center head's moderation workflow (``report_workflow_install``).
    """
    wanted = [
        (NoticeIndexPage, "通知公告", "notices"),
        (ActivityReportIndexPage, "活动报道", "reports"),
        (ServiceGuidePage, "办事指南", "guide"),
    ]
    for model, title, slug in wanted:
        if not model.objects.child_of(home).exists():
            home.add_child(instance=model(title=title, slug=slug, live=True))
            home.refresh_from_db()
    for index in ActivityReportIndexPage.objects.child_of(home):
        report_workflow_install(index=index)


REPORT_WORKFLOW_NAME = "中心负责人审核"  # data of a Chinese center, like the group names


@transaction.atomic
def report_workflow_install(*, index):
    """Put the center's activity reports under moderation by the center head (中心负责人).

    A Wagtail workflow with one group-approval task, assigned to the 活动报道 index: editors
    (社区文化活动专员) submit reports, the center head approves and so publishes them. Idempotent;
    an index a center head has already given another workflow keeps it. At provisioning the
    group does not exist yet: the groups step (``tenants.services``) adds the moderating role's group to every
    group-approval task when it creates the groups.
    """
    workflow = Workflow.objects.filter(name=REPORT_WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=REPORT_WORKFLOW_NAME, active=True)
    task = GroupApprovalTask.objects.filter(name=REPORT_WORKFLOW_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REPORT_WORKFLOW_NAME)
    head = Group.objects.filter(name=CENTER_HEAD.name).first()
    if head is not None:
        task.groups.add(head)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if not WorkflowPage.objects.filter(page=index).exists():
        WorkflowPage.objects.create(page=index, workflow=workflow)
    return workflow
