"""Admin UI of the center's operations, one module per area (Wagtail loads this package)."""

from django.template.loader import render_to_string

from wagtail import hooks

from . import (  # noqa: F401
    activities,
    appointments,
    appraisal,
    audit,
    complaints,
    consumables,
    dashboard,
    elders,
    guide,
    inquiries,
    lending,
    proposals,
    residents,
    roster,
    signin,
    twofactor,
    work_orders,
)


@hooks.register("insert_global_admin_css")
def flagged_row_styles():
    """Flagged rows (overdue, breached) are red in every index (``OperationsIndexView.row_flagged``)."""
    return render_to_string("operations/shared/styles.html")
