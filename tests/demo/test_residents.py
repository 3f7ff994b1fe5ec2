"""Demo residents: six buildings, their units and about sixty residents with valid phones; twice = once."""

from demo.residents import residents_demo_data_install
from operations.models import Building, Resident, Unit
from operations.validators import is_valid_phone


def test_demo_data_is_idempotent(alpha):
    first = residents_demo_data_install()
    counts = (Building.objects.count(), Unit.objects.count(), Resident.objects.count())
    second = residents_demo_data_install()
    assert (Building.objects.count(), Unit.objects.count(), Resident.objects.count()) == counts
    assert first["buildings"] == 6 and 50 <= first["residents"] <= 80
    assert second == {"buildings": 0, "units": 0, "residents": 0}
    assert Resident.objects.filter(birth_date__isnull=False).exists()
    assert all(is_valid_phone(phone) for phone in Resident.objects.values_list("phone", flat=True))
