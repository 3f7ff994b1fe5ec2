"""Center figures for head office: upserted by center jobs, shown cheaply on the center list."""

from django.urls import reverse

import pytest

from portal.models import CenterKpi
from portal.services import center_kpi_set
from tenants.models import ServiceCenter
from tests.base import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_center_kpi_set_creates_then_updates_one_row(in_center, center_a):
    with in_center(center_a):  # called from the center's end-of-day job
        center_kpi_set(center=center_a, overdue_loans=3)
        center_kpi_set(center=center_a, overdue_loans=1)
    assert CenterKpi.objects.get(center=center_a).overdue_loans == 1
    assert CenterKpi.objects.count() == 1


def test_center_kpi_set_refuses_unknown_figures(center_a):
    with pytest.raises(ValueError, match="overdue"):
        center_kpi_set(center=center_a, overdue=3)
    assert not CenterKpi.objects.exists()


def test_center_list_shows_overdue_loans_in_flat_queries(
    head_office_client, head_office_admin, center_a, center_b, django_assert_max_num_queries
):
    center_kpi_set(center=center_a, overdue_loans=7)
    ServiceCenter.objects.bulk_create(
        ServiceCenter(schema_name=f"bulk{i}", code=f"bulk{i}", name=f"批量中心{i}") for i in range(60)
    )
    CenterKpi.objects.bulk_create(
        CenterKpi(center=c, overdue_loans=2) for c in ServiceCenter.objects.filter(code__startswith="bulk")
    )
    head_office_client.login(username="hq", password=TEST_PASSWORD)
    with django_assert_max_num_queries(6):
        response = head_office_client.get(reverse("portal:center_list", urlconf="portal.urls"))
    assert response.status_code == 200
    rows = {row["center"].code: row["overdue_loans"] for row in response.context["rows"]}
    assert rows["alpha"] == 7
    assert rows["beta"] is None  # no end-of-day job yet
    assert rows["bulk1"] == 2
    assert "逾期未还" in response.content.decode()
