"""Named reads of residents and units."""

from django.db.models import Q, QuerySet

from operations.models import Resident
from operations.validators import normalize_phone


def residents_matching(
    queryset: QuerySet[Resident], query: str, *, include_phone: bool
) -> QuerySet[Resident]:
    """Residents whose name, building, entrance or room contains ``query`` (Chinese works as is:
    a substring match, no word segmentation needed); by phone only when ``include_phone``, so a
    user who sees numbers masked cannot confirm a number by searching for it."""
    query = (query or "").strip()
    if not query:
        return queryset
    condition = (
        Q(name__icontains=query)
        | Q(unit__building__name__icontains=query)
        | Q(unit__entrance__icontains=query)
        | Q(unit__room__icontains=query)
    )
    if include_phone:
        digits = normalize_phone(query)
        if digits:
            condition |= Q(phone__icontains=digits)
    return queryset.filter(condition)
