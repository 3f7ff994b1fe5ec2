"""Head office's list of every center's service projects, model projects marked by the
administrator (never by the auditor), and the other centers starting their own from one."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

import pytest

from portal.models import Submission
from portal.roles import head_office_roles_sync
from tests.base import TEST_PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SNAPSHOT = {
    "service": "代收快递",
    "description": "前台代收快递并短信通知。",
    "target_group": "全体住户",
    "fee": "免费",
    "need": "王秀英等住户白天不在家",
    "requested_by": "3号楼王秀英",
    "report_plan": "前台设代收点。",
    "report_measures": "月代收量、满意度。",
}


def url(name, *args):
    return reverse(f"portal:{name}", args=args, urlconf="portal.urls")


@pytest.fixture
def project(center_a):
    return Submission.objects.create(
        center=center_a,
        kind="service_project",
        reference="1",
        title="便民服务项目：代收快递",
        snapshot=SNAPSHOT,
        status=Submission.Status.APPROVED,
    )


def test_head_office_lists_projects_and_marks_an_approved_one_as_a_model(
    head_office_client, head_office_admin, project, center_a, center_b, zh
):
    Submission.objects.create(
        center=center_b, kind="service_project", reference="2", title="便民服务项目：家电清洗"
    )
    head_office_client.login(username="hq", password=TEST_PASSWORD)
    body = head_office_client.get(url("projects")).content.decode()
    assert "代收快递" in body and "家电清洗" in body
    only_a = head_office_client.get(url("projects"), {"center": center_a.pk}).content.decode()
    assert "家电清洗" not in only_a
    head_office_client.post(url("project_mark_model", project.pk), {"is_model": "1"})
    project.refresh_from_db()
    assert project.is_model
    pending = Submission.objects.get(reference="2")
    response = head_office_client.post(url("project_mark_model", pending.pk), {"is_model": "1"}, follow=True)
    assert "只有已批准的便民服务项目" in response.content.decode()
    pending.refresh_from_db()
    assert not pending.is_model


def test_the_auditor_reads_the_list_but_marks_nothing(head_office_client, project, zh):
    head_office_roles_sync()
    auditor = get_user_model().objects.create_user("audit", password=TEST_PASSWORD)
    auditor.groups.add(Group.objects.get(name="总部督查"))
    head_office_client.login(username="audit", password=TEST_PASSWORD)
    body = head_office_client.get(url("projects")).content.decode()
    assert "代收快递" in body and 'name="is_model"' not in body
    assert (
        head_office_client.post(url("project_mark_model", project.pk), {"is_model": "1"}).status_code == 403
    )


def test_another_center_sees_the_model_without_people_and_starts_from_it(in_center, project, center_b, zh):
    project.is_model = True
    project.save()
    client = Client(HTTP_HOST="beta.localhost")
    with in_center(center_b):
        head = make_user("zhuren", "中心负责人", "贝主任")
        assert client.login(username=head.username, password=TEST_PASSWORD)
    page = client.get("/admin/operations/proposals/models/").content.decode()
    assert "代收快递" in page and "前台设代收点" in page and "阿尔法服务中心" in page
    assert "王秀英" not in page  # the need and who asked stay with the center that wrote them
    draft = client.get(f"/admin/operations/proposals/new/?model={project.pk}").content.decode()
    assert 'value="代收快递"' in draft and "前台代收快递并短信通知" in draft
    own = Client(HTTP_HOST="alpha.localhost")
    with in_center(project.center):
        make_user("zhuren_a", "中心负责人", "阿主任")
        assert own.login(username="zhuren_a", password=TEST_PASSWORD)
    assert "前台设代收点" not in own.get("/admin/operations/proposals/models/").content.decode()


def test_the_report_document_reaches_head_office_as_its_own_copy(
    in_center, center_a, head_office_client, head_office_admin, zh, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from operations.services.proposals import proposal_report_write, proposal_submit
    from tests.operations.test_proposals_services import REPORT, discussed

    settings.MEDIA_ROOT = tmp_path
    with in_center(center_a):
        head = make_user("zhuren", "中心负责人", "张主任")
        proposal = discussed(head)
        scan = SimpleUploadedFile(
            "report.pdf", b"%PDF-1.4 feasibility report", content_type="application/pdf"
        )
        proposal_report_write(proposal=proposal, acting_user=head, document_file=scan, **REPORT)
        proposal_submit(proposal=proposal, acting_user=head)
    submission = Submission.objects.get(kind="service_project")
    attachment = submission.attachments.get()
    head_office_client.login(username="hq", password=TEST_PASSWORD)
    detail = head_office_client.get(url("inbox_detail", submission.pk)).content.decode()
    assert attachment.title in detail
    response = head_office_client.get(url("inbox_attachment", submission.pk, attachment.pk))
    assert (
        response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 feasibility report"
    )
    head_office_client.logout()
    assert head_office_client.get(url("inbox_attachment", submission.pk, attachment.pk)).status_code == 302
