"""Demo lending desk: a month of loans (overdue and damaged ones), follow-ups, reading glasses; twice = once."""

from demo.lending import lending_demo_data_install
from operations.models import Loan, LoanFollowUp, ReadingGlassesUse, Resident
from tests.factories import make_unit, make_user


def test_demo_idempotent(alpha):
    make_user("li", "前台客服", "李前台")
    Resident.objects.create(unit=make_unit(), name="王建国", phone="13812345678")
    first = lending_demo_data_install()
    counts = (Loan.objects.count(), LoanFollowUp.objects.count(), ReadingGlassesUse.objects.count())
    assert first["loans"] > 10
    assert Loan.objects.filter(return_condition="damaged").exists()
    assert Loan.objects.overdue().exists()
    assert counts[1] >= 2 and counts[2] > 0
    lending_demo_data_install()
    assert (
        Loan.objects.count(),
        LoanFollowUp.objects.count(),
        ReadingGlassesUse.objects.count(),
    ) == counts
