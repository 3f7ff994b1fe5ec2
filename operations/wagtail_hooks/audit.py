"""Admin UI: the center's audit trail (操作日志), for the center head — one read-only index of every
audit entry, filtered by person, record type and period, with its Excel export."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from wagtail import hooks

import django_filters

from operations.filters import PeriodFilter, WagtailFilterSet
from operations.models import AuditEntry
from operations.views import audit as views
from operations.viewsets import OperationsViewSet


def _record_types():
    """The kinds of record the log holds, by their names (one query, the content types cached)."""
    ids = AuditEntry.objects.order_by().values_list("content_type_id", flat=True).distinct()
    types = [ContentType.objects.get_for_id(pk) for pk in ids]
    named = [
        (ct.pk, str(ct.model_class()._meta.verbose_name)) for ct in types if ct.model_class() is not None
    ]
    return sorted(named, key=lambda choice: choice[1])


class AuditFilterSet(WagtailFilterSet):
    acting_user = django_filters.ModelChoiceFilter(
        label=_("Who"), queryset=get_user_model().objects.order_by("first_name", "username")
    )
    content_type = django_filters.ChoiceFilter(label=_("Record type"), choices=_record_types)
    created = PeriodFilter(label=_("Time"))

    class Meta:
        model = AuditEntry
        fields = ["acting_user", "content_type", "created"]


class AuditViewSet(OperationsViewSet):
    model = AuditEntry
    name = "audit_log"
    url_prefix = "operations/audit"
    icon = "history"
    menu_label = _("Audit log")
    menu_order = 960
    add_to_settings_menu = True  # 设置 → 操作日志, for holders of operations.view_auditentry
    index_view_class = views.AuditIndexView
    filterset_class = AuditFilterSet
    inspect_view_enabled = False
    add_view_enabled = False
    edit_view_enabled = False
    delete_view_enabled = False
    form_fields = []
    list_per_page = 50


@hooks.register("register_admin_viewset")
def register_audit_viewset():
    return AuditViewSet()
