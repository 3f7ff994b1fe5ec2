"""Demo complaints (every channel, a major and an overdue one) and a survey with 30 answers; twice = once."""

from demo.complaints import complaints_demo_data_install
from operations.models import Complaint, Survey
from operations.selectors.complaints import complaints_overdue


def test_demo_data_is_complete_and_idempotent(alpha):
    complaints_demo_data_install()
    counts = (Complaint.objects.count(), Survey.objects.count(), Survey.objects.get().responses.count())
    complaints_demo_data_install()
    assert (
        Complaint.objects.count(),
        Survey.objects.count(),
        Survey.objects.get().responses.count(),
    ) == counts
    assert counts[0] >= 5 and counts[2] == 30
    channels = set(Complaint.objects.values_list("channel", flat=True))
    assert {"oral", "phone", "written"} <= channels
    major = Complaint.objects.get(is_major=True)
    assert major.report_to_head_office and major.head_office_report
    assert complaints_overdue().count() == 1
    assert Complaint.objects.filter(status=Complaint.Status.CLOSED).exists()
