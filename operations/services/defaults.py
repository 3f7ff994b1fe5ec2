"""What every center starts with: departments, a service guide, a survey template…

Called by provisioning for a new center and by ``seed_demo`` for existing ones; every step is
idempotent (get-or-create by a natural key) so running it twice changes nothing.
"""

from django.db import transaction

from operations.data.departments import DEFAULT_DEPARTMENTS
from operations.models import Department
from operations.services.appointments import appointments_install_defaults
from operations.services.consumables import consumables_install_defaults
from operations.services.guide import service_guide_install_defaults
from operations.services.lending import lending_install_defaults
from operations.services.surveys import surveys_install_defaults


def departments_install_defaults() -> None:
    for order, (code, name, description) in enumerate(DEFAULT_DEPARTMENTS):
        Department.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "sort_order": order}
        )


@transaction.atomic
def center_defaults_install() -> None:
    """Install the defaults into the current center's schema (the caller sets the tenant)."""
    departments_install_defaults()
    service_guide_install_defaults()
    surveys_install_defaults()
    lending_install_defaults()
    consumables_install_defaults()
    appointments_install_defaults()
