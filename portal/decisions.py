"""What happens in a center when head office decides one of its submissions.

Each kind of submission names the center-side service that applies the decision (a dotted
path, so the portal does not import the centers' code at start-up). ``submission_decide``
calls it inside the center's schema, in the same transaction as the decision.
"""

from collections.abc import Callable

from django.utils.module_loading import import_string

DECISION_HANDLERS: dict[str, str] = {
    "purchase_request": "operations.services.purchasing.purchase_request_apply_decision",
}


def decision_handler(kind: str) -> Callable[..., object] | None:
    """The handler for ``kind``, or None when that kind needs nothing done in the center."""
    path = DECISION_HANDLERS.get(kind)
    return import_string(path) if path else None
