"""The center's audit trail people can read (操作日志): every audit entry of the services in words —
when, who, which kind of record, which record, what was done — filterable by person, record type and
period, exported as the index's own Excel. Records named after a person (a resident, an elder, a
contact) are named only to staff who may see residents' contacts; the entries' own values of personal
fields were masked when they were written (``operations.services.common.audit_record``)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.ui.tables import Column

from operations.history import NO_USER_LABEL, HistoryEvent, action_label
from operations.models import AuditEntry
from operations.viewsets import OperationsIndexView, display_name, local_datetime

#: Records whose name is a person's: shown by number only to staff who may not see contacts.
PERSONAL_RECORDS = {
    "resident",
    "elder",
    "eldercontact",
    "eldervisit",
    "elderneed",
    "elderescalation",
    "escalationcall",
    "elderconsent",
    "elderaccess",
    "clinicobservation",
    "activityparticipant",
    "firstaidpatient",
}


def record_type(entry: AuditEntry) -> str:
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    return str(model._meta.verbose_name) if model is not None else ""


class AuditIndexView(OperationsIndexView):
    export_filename = "audit-log"
    default_ordering = "-created"
    list_export = ["created", "person", "record_type", "record", "action", "detail"]
    export_headings = {
        "created": gettext_lazy("Time"),
        "person": gettext_lazy("Who"),
        "record_type": gettext_lazy("Record type"),
        "record": gettext_lazy("Record"),
        "action": gettext_lazy("What was done"),
        "detail": gettext_lazy("Detail"),
    }

    def get_base_queryset(self):
        return AuditEntry.objects.select_related("acting_user")

    def _record(self, entry: AuditEntry) -> str:
        model = ContentType.objects.get_for_id(entry.content_type_id).model
        if model in PERSONAL_RECORDS and not self.request.user.has_perm("operations.view_resident_contact"):
            return f"#{entry.object_id}"
        return entry.object_repr

    @staticmethod
    def _person(entry: AuditEntry) -> str:
        return display_name(entry.acting_user) if entry.acting_user_id else str(NO_USER_LABEL)

    @staticmethod
    def _detail(entry: AuditEntry) -> str:
        return HistoryEvent(entry.created, entry.action, entry.acting_user, entry.changes).detail

    def to_row_dict(self, item):
        self._export_row_flagged = False
        return {
            "created": local_datetime(item.created),
            "person": self._person(item),
            "record_type": record_type(item),
            "record": self._record(item),
            "action": action_label(item.action),
            "detail": self._detail(item),
        }

    @property
    def columns(self):
        return [
            Column(
                "created", label=_("Time"), sort_key="created", accessor=lambda e: local_datetime(e.created)
            ),
            Column("person", label=_("Who"), accessor=self._person),
            Column("record_type", label=_("Record type"), accessor=record_type),
            Column("record", label=_("Record"), accessor=self._record),
            Column("action", label=_("What was done"), accessor=lambda e: action_label(e.action)),
            Column("detail", label=_("Detail"), accessor=self._detail),
        ]
