"""Demo service projects: 代收快递 the whole way to a finished review and a model project; twice = once."""

import pytest

from demo.proposals import proposals_demo_data_install
from operations.models import ServiceProposal
from portal.models import Submission
from tests.factories import make_user


@pytest.mark.django_db
def test_the_model_project_goes_the_whole_way_and_twice_is_once(head_office_admin, in_center, center_a):
    with in_center(center_a):
        head = make_user("zhuren", "中心负责人", "张主任")
        assert proposals_demo_data_install(center_code="yangguang", acting_user=head) == {"proposals": 1}
        proposal = ServiceProposal.objects.get()
        assert proposal.status == ServiceProposal.Status.REVIEWED
        assert proposal.review_usage == 6 and proposal.service_item.is_published
        assert proposals_demo_data_install(center_code="yangguang", acting_user=head) == {"proposals": 0}
    project = Submission.objects.get(kind="service_project", center=center_a)
    assert project.status == Submission.Status.APPROVED and project.is_model
    assert Submission.objects.filter(kind="service_review", center=center_a).exists()
