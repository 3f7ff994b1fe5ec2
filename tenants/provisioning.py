"""The steps that make a new center's schema ready, registered by the apps that own them.

``tenants.services.center_create`` clones the template schema, then runs every registered step in
order, inside the new center's schema and in the one transaction of the creation: a failing step
leaves no schema and no rows behind. Tenants is the lowest app and never imports the apps above
it (DESIGN.md "Layers"); they register their steps in their ``AppConfig.ready()``:

==============  ==========  ====================================================================
order           app         step
==============  ==========  ====================================================================
``SITE``        cms         the Wagtail site, the home page and the site's sections
``GROUPS``      tenants     the staff groups of ``tenants.roles`` (page permissions on the home)
``DEFAULTS``    operations  departments, the service guide, the survey template, lending, stock
``FIRST_ADMIN`` tenants     the first admin, in the center head's group
``PROFILE``     operations  the first admin's staff profile (phone)
==============  ==========  ====================================================================

A step receives the :class:`NewCenter` and may rely on what steps of lower orders put in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SITE = 100
GROUPS = 200
DEFAULTS = 300
FIRST_ADMIN = 400
PROFILE = 500


@dataclass
class NewCenter:
    """What the steps of one provisioning share: the input, and what earlier steps made."""

    center: Any  # tenants.models.ServiceCenter
    domain: str
    admin_username: str
    admin_password: str
    admin_name: str = ""
    admin_phone: str = ""
    admin_email: str = ""
    home: Any = None  # the site's home page (a Wagtail Page), set by the SITE step
    groups: dict[str, Any] = field(default_factory=dict)  # Group by role code, set by GROUPS
    admin: Any = None  # the first admin user, set by FIRST_ADMIN


ProvisioningStepFunction = Callable[[NewCenter], None]


@dataclass(frozen=True)
class ProvisioningStep:
    order: int
    name: str
    run: ProvisioningStepFunction


_steps: dict[str, ProvisioningStep] = {}


def register_provisioning_step(order: int, fn: ProvisioningStepFunction) -> ProvisioningStepFunction:
    """Run ``fn(new_center)`` when a center is created, after the steps of lower ``order``.

    Registering the same function again replaces it (``ready()`` may run twice in tests).
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    _steps[name] = ProvisioningStep(order=order, name=name, run=fn)
    return fn


def provisioning_steps() -> list[ProvisioningStep]:
    """The registered steps in the order they run."""
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))
