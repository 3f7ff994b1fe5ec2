"""Head office's list of every center's service projects (from the inbox: what centers submitted),
filtered by state, center, region and kind; the administrator marks approved ones as models
(★ good practice shared), the auditor only reads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import services
from portal.kpis import regions
from portal.models import Submission
from tenants.models import ServiceCenter

PROJECT_KINDS = (Submission.Kind.SERVICE_PROJECT, Submission.Kind.SERVICE_REVIEW)


@login_required
@permission_required("portal.view_submission", raise_exception=True)
def project_list(request):
    kind = request.GET.get("kind", Submission.Kind.SERVICE_PROJECT)
    if kind not in PROJECT_KINDS:
        kind = Submission.Kind.SERVICE_PROJECT
    rows = Submission.objects.filter(kind=kind).select_related("center").order_by("-created", "-pk")
    status = request.GET.get("status", "")
    if status in Submission.Status.values:
        rows = rows.filter(status=status)
    center = request.GET.get("center", "")
    if center.isdigit():
        rows = rows.filter(center_id=int(center))
    region = request.GET.get("region", "")
    if region:
        rows = rows.filter(center__region=region)
    if request.GET.get("model") == "1":
        rows = rows.filter(is_model=True)
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(title__icontains=query)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/projects.html",
        {
            "page": page,
            "kind": kind,
            "kinds": [(k, Submission.Kind(k).label) for k in PROJECT_KINDS],
            "status": status,
            "statuses": Submission.Status.choices,
            "center": center,
            "centers": ServiceCenter.objects.order_by("code").values_list("pk", "name"),
            "region": region,
            "regions": regions(),
            "query": query,
            "can_mark": request.user.has_perm("portal.decide_submission"),
        },
    )


@require_POST
@login_required
@permission_required("portal.decide_submission", raise_exception=True)
def project_mark_model(request, pk: int):
    submission = get_object_or_404(Submission, pk=pk)
    try:
        services.submission_mark_model(
            submission=submission, is_model=request.POST.get("is_model") == "1", acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("“%(title)s” is now a model project for every center.") % {"title": submission.title}
            if request.POST.get("is_model") == "1"
            else _("“%(title)s” is no longer a model project.") % {"title": submission.title},
        )
    return redirect("portal:projects")
