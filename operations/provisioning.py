"""What operations adds to a new center (provisioning steps, registered in ``OperationsConfig.ready()``)."""

from operations.models import StaffProfile
from operations.services.defaults import center_defaults_install
from tenants.provisioning import NewCenter


def center_operations_install(new_center: NewCenter) -> None:
    """Departments, the service guide, the survey template, lending and stock defaults."""
    center_defaults_install()


def first_admin_profile_create(new_center: NewCenter) -> None:
    """The first admin's staff profile, with the phone given at provisioning."""
    StaffProfile.objects.create(user=new_center.admin, phone=(new_center.admin_phone or "").strip())
