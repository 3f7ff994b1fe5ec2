"""Head office's morning digest (DESIGN §12): one e-mail per head-office administrator with the
centers in red, the reports and alerts that arrived, yesterday's breaches and the inbox waiting —
computed from the rollups and the inbox in the public schema, never from a center's schema.

``daily_digest_send`` is safe to run twice: a ``DigestDelivery`` row per user and day is written
in the same transaction as the sending decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.kpis import KPIS, dashboard_centers, thresholds
from portal.models import CenterDay, CenterKpi, DigestDelivery, Submission

RED_LISTED = 20


@dataclass
class Digest:
    day: dt.date
    red: list[dict] = field(default_factory=list)
    red_count: int = 0
    reports: list[Submission] = field(default_factory=list)
    alerts: list[CenterKpi] = field(default_factory=list)
    breaches: list[CenterDay] = field(default_factory=list)
    breaches_total: int = 0
    inbox: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.red or self.reports or self.alerts or self.breaches or self.inbox)


def head_office_url(path: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def digest_for(*, day: dt.date) -> Digest:
    """The digest of the morning of ``day``: this month's red figures, the day before's breaches and
    reports, and what waits now (a handful of queries whatever the number of centers)."""
    yesterday = day - dt.timedelta(days=1)
    digest = Digest(day=day)
    marks = thresholds()
    for center in dashboard_centers(month=day.replace(day=1), status="active"):
        reds = [
            str(kpi.label)
            for kpi in KPIS
            if kpi.flag(getattr(center, f"kpi_{kpi.code}"), marks, running=True) == "red"
        ]
        if reds:
            digest.red_count += 1
            if len(digest.red) < RED_LISTED:
                digest.red.append({"center": center, "figures": reds})
    start = timezone.make_aware(dt.datetime.combine(yesterday, dt.time.min))
    digest.reports = list(
        Submission.objects.filter(kind=Submission.Kind.MAJOR_COMPLAINT, created__gte=start)
        .select_related("center")
        .defer("snapshot")
        .order_by("created")
    )
    digest.alerts = list(
        CenterKpi.objects.filter(
            Q(escalations_over_day__gt=0) | Q(work_orders_late_over_day__gt=0), center__status="active"
        )
        .select_related("center")
        .order_by("-escalations_over_day", "-work_orders_late_over_day")[:RED_LISTED]
    )
    breaches = CenterDay.objects.filter(day=yesterday, work_orders_breached__gt=0)
    digest.breaches = list(breaches.select_related("center").order_by("-work_orders_breached")[:RED_LISTED])
    digest.breaches_total = breaches.aggregate(n=Sum("work_orders_breached"))["n"] or 0
    digest.inbox = [
        {"kind": str(Submission.Kind(row["kind"]).label), "count": row["n"]}
        for row in Submission.objects.filter(status=Submission.Status.PENDING)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("kind")
    ]
    return digest


def digest_recipients():
    """Active head-office administrators with an e-mail address (public schema)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return (
        users.filter(Q(is_superuser=True) | Q(groups__permissions__codename="decide_submission"))
        .distinct()
        .order_by("pk")
    )


def daily_digest_send(*, day: dt.date | None = None) -> int:
    """Send the morning digest of ``day`` (default today) to each administrator once; returns how
    many were sent. Nothing is sent on a morning with nothing to report."""
    day = day or timezone.localdate()
    digest = digest_for(day=day)
    if digest.empty:
        return 0
    links = {
        "dashboard": head_office_url(reverse("portal:dashboard", urlconf="portal.urls")),
        "inbox": head_office_url(reverse("portal:inbox_list", urlconf="portal.urls")),
    }
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Head office digest %(day)s") % {"day": day.isoformat()}
        body = render_to_string("portal/digest.txt", {"digest": digest, "links": links})
        for user in digest_recipients():
            try:
                with transaction.atomic():
                    DigestDelivery.objects.create(username=user.get_username(), day=day)
                    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
            except IntegrityError:
                continue  # already sent this morning
            sent += 1
    return sent
