"""Head office's 定时任务 page: when each periodic job last ran, for how many centers, which failed and why
(``portal.jobs``' heartbeat)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from portal.jobs import registered_jobs
from portal.models import JobRun


def _interval(entry) -> dt.timedelta | None:
    schedule = entry.get("schedule")
    if isinstance(schedule, int | float):
        return dt.timedelta(seconds=schedule)
    if len(getattr(schedule, "day_of_month", range(31))) < 28:
        return dt.timedelta(days=32)  # a monthly crontab entry
    return dt.timedelta(days=1)  # the other crontab entries run daily


@login_required
@permission_required("tenants.view_servicecenter", raise_exception=True)
def job_list(request):
    runs = {run.name: run for run in JobRun.objects.all()}
    jobs = registered_jobs()
    now = timezone.now()
    rows = []
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        name = entry["args"][0]
        spec = jobs.get(name)
        run = runs.get(name)
        interval = _interval(entry)
        late = run is None or run.started is None or (interval and now - run.started > 2 * interval)
        rows.append({"name": name, "label": spec.label if spec else name, "run": run, "late": late})
    return render(request, "portal/jobs.html", {"rows": rows, "eager": settings.CELERY_TASK_ALWAYS_EAGER})
