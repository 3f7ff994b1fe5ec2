"""Helpers shared by the service modules: audit entries, numbers, tracking codes, the private collections
that hold operational attachments."""

from __future__ import annotations

import secrets

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from wagtail.models import Collection, CollectionViewRestriction

from operations.models import AuditEntry, NumberCounter
from operations.services.kpis import kpis_record_changed
from operations.validators import mask_name, mask_phone

PERSONAL_FIELDS = {
    "name",
    "phone",
    "visitor_phone",
    "contact_phone",
    "complainant_name",
    "complainant_phone",
    "applicant_phone",
    "birth_date",
    "health_notes",
    "recipient_phone",
}
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def user_or_none(user):
    """The user when someone is signed in; None for jobs, residents' forms and anonymous users."""
    return user if getattr(user, "is_authenticated", False) else None


def audit_record(
    *, instance: models.Model, action: str, acting_user=None, changes: dict | None = None
) -> AuditEntry:
    """Write an audit entry. Values of personal fields are masked in the log; the fact of change is kept.

    A change to a record that head office's figures count also queues their refresh (DESIGN §12)."""
    safe: dict = {}
    for field, value in (changes or {}).items():
        if field in PERSONAL_FIELDS and isinstance(value, list | tuple):
            masker = mask_phone if "phone" in field else mask_name
            safe[field] = [masker(str(v)) if v else v for v in value]
        else:
            safe[field] = value
    entry = AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        changes=safe,
        acting_user=user_or_none(acting_user),
    )
    # Every audited change to a record head office counts refreshes the center's rollup on commit.
    kpis_record_changed(instance)
    return entry


def diff_fields(instance: models.Model, data: dict) -> dict:
    """``{field: [old, new]}`` for the fields in ``data`` whose value changes."""
    changes = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [_jsonable(old), _jsonable(new)]
    return changes


def _jsonable(value):
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def next_number(prefix: str) -> str:
    """``<prefix><yyyymmdd><nnnn>``, gap-free per day; call inside the creating transaction."""
    today = timezone.localdate()
    counter, _ = NumberCounter.objects.select_for_update().get_or_create(prefix=prefix, day=today)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}{today:%Y%m%d}{counter.last:04d}"


def new_tracking_code(length: int = 8) -> str:
    """A code residents type to follow their request (no ambiguous characters)."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(length))


def private_collection(*, name: str) -> Collection:
    """The login-only collection ``name`` below the root, created with its restriction when missing.

    Every operational attachment (work-order photos and files, complaint scans, …) is kept in one:
    documents are then served only to signed-in staff by ``/documents/<id>/``, images only by the
    center's media view, which applies the same restriction (cms.views.serve_media).
    """
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=name).first()
    if collection is None:
        collection = root.add_child(name=name)
    if not CollectionViewRestriction.objects.filter(collection=collection).exists():
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    return collection
