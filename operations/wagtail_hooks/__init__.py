"""Admin UI of the center's operations, one module per area (Wagtail loads this package)."""

from . import activities, complaints, consumables, guide, inquiries, lending, residents, roster, work_orders  # noqa: F401
