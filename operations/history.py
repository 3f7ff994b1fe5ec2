"""A record's history in words: the audit entries of ``operations.AuditEntry`` with a label per action.

Each admin area declares the labels of its services' audit actions (``history_labels`` on its
viewset, see ``operations.viewsets``), so no screen ever shows a raw code such as
``complaint_create``; ``describe`` functions turn an entry's ``changes`` into a short phrase.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.utils import get_user_display_name

from operations.models import AuditEntry

Describe = Callable[[dict], str]

_labels: dict[str, Any] = {}
_describers: dict[str, Describe] = {}

FALLBACK_LABEL = _("Changed")
NO_USER_LABEL = _("resident or system")  # residents' forms and jobs act without a staff account


def register_history_labels(labels: dict[str, Any]) -> None:
    """``{action: label}`` or ``{action: (label, describe)}`` where ``describe(changes) -> str``."""
    for action, value in labels.items():
        label, describe = value if isinstance(value, tuple) else (value, None)
        _labels[action] = label
        if describe is not None:
            _describers[action] = describe


def action_label(action: str) -> str:
    return str(_labels.get(action, FALLBACK_LABEL))


def is_labelled(action: str) -> bool:
    return action in _labels


@dataclass
class HistoryEvent:
    time: Any
    action: str
    user: Any
    changes: dict

    @property
    def label(self) -> str:
        return action_label(self.action)

    @property
    def detail(self) -> str:
        describe = _describers.get(self.action)
        return describe(self.changes or {}) if describe else ""

    @property
    def user_name(self) -> str:
        return get_user_display_name(self.user) if self.user else str(NO_USER_LABEL)


def history_for(instance: models.Model, *, exclude: Iterable[str] = ()) -> list[HistoryEvent]:
    """The audit entries of one record, oldest first (one query)."""
    entries = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
            object_id=str(instance.pk),
        )
        .exclude(action__in=list(exclude))
        .select_related("acting_user")
        .order_by("created", "id")
    )
    return [HistoryEvent(e.created, e.action, e.acting_user, e.changes) for e in entries]


def merged(*streams: Iterable[HistoryEvent]) -> list[HistoryEvent]:
    """Several event streams of one record (audit entries, follow-ups, transitions) in time order."""
    return sorted((event for stream in streams for event in stream), key=lambda event: event.time)
