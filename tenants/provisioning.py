"""The steps that make a new center's schema ready, registered by the apps that own them.

``tenants.services.center_create`` gives the new center a schema — a spare prepared ahead of time
(``tenants.spares``) or, when none is ready, a fresh clone of the template — then runs the registered
steps in order, inside the new center's schema and in the one transaction of the creation: a failing
step leaves no schema and no rows behind (and a claimed spare goes back to the pool). Tenants is the
lowest app and never imports the apps above it (DESIGN.md "Layers"); they register their steps in
their ``AppConfig.ready()``.

A step registered with ``ahead=True`` does not depend on the center (its name, domain or first
admin): it runs when a spare is prepared, so creating a center from a spare skips it. Without a
spare, the ahead steps run first, then the others. ``NewCenter.center`` is None in an ahead step.

==============  ==========  =====  ==============================================================
order           app         ahead  step
==============  ==========  =====  ==============================================================
``SITE``        cms         yes    the home page, the site's sections, a Site not yet named
``GROUPS``      tenants     yes    the staff groups of ``tenants.roles`` (page permissions on the home)
``DEFAULTS``    operations  yes    departments, the service guide, the survey template, lending, stock
``SITE_NAME``   cms         no     the Site's hostname and name and the home page's title
``FIRST_ADMIN`` tenants     no     the first admin, in the center head's group
``PROFILE``     operations  no     the first admin's staff profile (phone)
==============  ==========  =====  ==============================================================

A step receives the :class:`NewCenter` and may rely on what steps of lower orders (and, in a step
that is not ahead, every ahead step) put in the schema; what they put in ``NewCenter`` itself
(``home``, ``groups``) is only there when the ahead steps ran in the same creation — read it from
the schema otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SITE = 100
GROUPS = 200
DEFAULTS = 300
SITE_NAME = 350
FIRST_ADMIN = 400
PROFILE = 500


@dataclass
class NewCenter:
    """What the steps of one provisioning share: the input, and what earlier steps made."""

    center: Any  # tenants.models.ServiceCenter; None in an ahead step
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
    ahead: bool = False


_steps: dict[str, ProvisioningStep] = {}


def register_provisioning_step(
    order: int, fn: ProvisioningStepFunction, *, ahead: bool = False
) -> ProvisioningStepFunction:
    """Run ``fn(new_center)`` when a center is created, after the steps of lower ``order``.

    ``ahead``: the step does not depend on the center and runs when a spare schema is prepared.
    Registering the same function again replaces it (``ready()`` may run twice in tests).
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    _steps[name] = ProvisioningStep(order=order, name=name, run=fn, ahead=ahead)
    return fn


def provisioning_steps(*, ahead: bool | None = None) -> list[ProvisioningStep]:
    """The registered steps in the order they run: the ahead ones first. ``ahead`` selects one kind."""
    return sorted(
        (step for step in _steps.values() if ahead is None or step.ahead == ahead),
        key=lambda step: (not step.ahead, step.order, step.name),
    )
