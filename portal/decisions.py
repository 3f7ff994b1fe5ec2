"""What happens in a center when head office decides one of its submissions.

Each kind of submission has the center-side service that applies the decision. The app that owns
the kind registers it in its ``AppConfig.ready()`` (operations registers ``purchase_request``):
the portal sits below the centers' apps and never imports them (DESIGN.md "Layers").
``submission_decide`` calls the handler inside the center's schema, in the same transaction as
the decision.
"""

from collections.abc import Callable

DecisionHandler = Callable[..., object]

#: kind → ``handler(*, reference, decision, comment, decided_by_name)``
DECISION_HANDLERS: dict[str, DecisionHandler] = {}


def register_decision_handler(kind: str, handler: DecisionHandler) -> DecisionHandler:
    """Let ``handler`` apply head office's decisions on submissions of ``kind`` in the center."""
    DECISION_HANDLERS[kind] = handler
    return handler


def decision_handler(kind: str) -> DecisionHandler | None:
    """The handler for ``kind``, or None when that kind needs nothing done in the center."""
    return DECISION_HANDLERS.get(kind)
