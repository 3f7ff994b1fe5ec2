"""Named reads of the service guide and desk applications."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from operations.models import RequiredMaterial, ServiceApplication, ServiceItem, Unit


def service_items_for_desk() -> QuerySet[ServiceItem]:
    """Items staff can take applications for, with their materials and department (two queries)."""
    return (
        ServiceItem.objects.select_related("department")
        .prefetch_related(
            Prefetch("materials", queryset=RequiredMaterial.objects.order_by("sort_order", "pk"))
        )
        .order_by("sort_order", "name")
    )


def service_items_published() -> QuerySet[ServiceItem]:
    return service_items_for_desk().filter(is_published=True)


def service_applications_recent(*, service_item: ServiceItem | None = None) -> QuerySet[ServiceApplication]:
    qs = ServiceApplication.objects.select_related("service_item", "unit__building", "handled_by")
    if service_item is not None:
        qs = qs.filter(service_item=service_item)
    return qs.order_by("-created", "-pk")


def unit_find(label: str) -> Unit | None:
    """The unit written as on screen: ``3号楼-2单元-1201`` or ``3号楼-1201`` (no entrance)."""
    parts = [part.strip() for part in (label or "").replace("—", "-").replace("－", "-").split("-")]
    parts = [part for part in parts if part]
    if len(parts) == 2:
        building, entrance, room = parts[0], "", parts[1]
    elif len(parts) == 3:
        building, entrance, room = parts
    else:
        return None
    return (
        Unit.objects.select_related("building")
        .filter(building__name=building, entrance=entrance, room=room)
        .first()
    )
