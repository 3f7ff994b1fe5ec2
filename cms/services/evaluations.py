"""Publishing 服务承诺与满意度 on the center's site (DESIGN §12).

``evaluation_publish(month=...)`` runs in a center's schema: it reads the center's month from head
office's rollup (``portal.CenterMonth``, which the centers' services keep current and the nightly
job rebuilds), writes it into that month's ``EvaluationPage`` under the 服务承诺与满意度 index (made
when missing) and publishes it. Run again, it refreshes the same page: one page per month.
``run_center_jobs`` publishes the previous month once a new month has begun.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import EvaluationIndexPage, EvaluationPage, HomePage
from portal.models import CenterMonth
from portal.selectors import current_center

INDEX_TITLE = "服务承诺与满意度"  # data of a Chinese center, like the other section titles
INDEX_SLUG = "evaluation"


def previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def evaluation_index() -> EvaluationIndexPage | None:
    """The center's 服务承诺与满意度 page, made under its home page when missing."""
    index = EvaluationIndexPage.objects.order_by("path").first()
    if index is not None:
        return index
    home = HomePage.objects.order_by("path").first()
    if home is None:
        return None
    index = EvaluationIndexPage(title=INDEX_TITLE, slug=INDEX_SLUG, live=True)
    home.add_child(instance=index)
    return index


@transaction.atomic
def evaluation_publish(*, month: dt.date) -> EvaluationPage | None:
    """Publish (or refresh) the center's evaluation of ``month``; None outside a center."""
    center = current_center()
    index = evaluation_index() if center is not None else None
    if index is None:
        return None
    month = month.replace(day=1)
    row = CenterMonth.objects.filter(center=center, month=month).first()
    figures = {name: getattr(row, name, 0) or 0 for name in EvaluationPage.FIGURES}
    page = EvaluationPage.objects.child_of(index).filter(month=month).first()
    title = _("Service commitments and satisfaction, %(month)s") % {"month": f"{month:%Y-%m}"}
    if page is None:
        page = EvaluationPage(title=title, slug=f"{month:%Y-%m}", month=month, **figures)
        index.add_child(instance=page)
    else:
        if all(getattr(page, name) == value for name, value in figures.items()) and page.live:
            return page
        for name, value in figures.items():
            setattr(page, name, value)
    page.save_revision().publish()
    return page


PUBLISH_FROM_HOUR = 6  # after the nightly rebuild of the rollup (publish_center_kpis)


def evaluation_publish_due(*, now: dt.datetime) -> EvaluationPage | None:
    """The previous month's evaluation, when it has not been published yet (cheap to call often);
    on the first of the month only once the night's rebuild of the figures is done."""
    local = timezone.localtime(now)
    if local.day == 1 and local.hour < PUBLISH_FROM_HOUR:
        return None
    month = previous_month(local.date())
    if EvaluationPage.objects.filter(month=month).exists():
        return None
    return evaluation_publish(month=month)


def evaluation_job(*, now) -> str:
    """The periodic job (``operations.hooks.register_center_job``): last month's evaluation once."""
    page = evaluation_publish_due(now=now)
    return f"evaluation {page.month:%Y-%m} published" if page is not None else ""
