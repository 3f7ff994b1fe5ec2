"""Demo service guide: first inquiries in every outcome (one overdue) and applications; twice = once."""

from demo.guide import guide_demo_data_install
from operations.models import Inquiry, InquiryFollowUp, ServiceApplication
from operations.selectors.inquiries import inquiries_overdue
from tests.factories import make_user


def test_demo_covers_every_outcome_and_is_idempotent(guide):
    make_user("li", first_name="李前台", email="li@example.com")
    make_user("wang", first_name="王师傅", email="wang@example.com")
    created = guide_demo_data_install()
    assert created["inquiries"] >= 8
    assert set(Inquiry.objects.values_list("status", flat=True)) == set(Inquiry.Status.values)
    assert inquiries_overdue().exists()
    assert set(ServiceApplication.objects.values_list("status", flat=True)) == set(
        ServiceApplication.Status.values
    )
    counts = (
        Inquiry.objects.count(),
        ServiceApplication.objects.count(),
        InquiryFollowUp.objects.count(),
    )
    again = guide_demo_data_install()
    assert again == {"inquiries": 0, "applications": 0}
    assert (
        Inquiry.objects.count(),
        ServiceApplication.objects.count(),
        InquiryFollowUp.objects.count(),
    ) == counts
