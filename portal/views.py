"""The head-office portal: sign in, list centers, create, suspend and reactivate them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.forms import CenterCreateForm, CenterSuspendForm
from tenants import services
from tenants.models import ServiceCenter


def center_urls(request, domain: str) -> dict[str, str]:
    port = request.get_port()
    suffix = "" if port in ("80", "443") else f":{port}"
    base = f"{request.scheme}://{domain}{suffix}"
    return {"site": f"{base}/", "admin": f"{base}/admin/"}


CENTERS_PER_PAGE = 50


@login_required
@permission_required("tenants.view_servicecenter", raise_exception=True)
def center_list(request):
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    centers = ServiceCenter.objects.select_related("kpi").prefetch_related("domains").order_by("code")
    if query:
        centers = centers.filter(
            Q(name__icontains=query) | Q(code__icontains=query) | Q(domains__domain__icontains=query)
        ).distinct()
    if status in ServiceCenter.Status.values:
        centers = centers.filter(status=status)
    page = Paginator(centers, CENTERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for center in page.object_list:
        primary = next((d.domain for d in center.domains.all() if d.is_primary), None)
        kpi = getattr(center, "kpi", None)  # None until the center's first end-of-day job
        rows.append(
            {
                "center": center,
                "domain": primary,
                "urls": center_urls(request, primary) if primary else {},
                "overdue_loans": kpi.overdue_loans if kpi else None,
            }
        )
    context = {
        "rows": rows,
        "page": page,
        "query": query,
        "status": status,
        "statuses": ServiceCenter.Status.choices,
    }
    return render(request, "portal/center_list.html", context)


@never_cache
@login_required
@permission_required("tenants.add_servicecenter", raise_exception=True)
def center_create(request):
    form = CenterCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.center_create(**form.cleaned_data, acting_username=request.user.get_username())
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            return render(
                request,
                "portal/center_created.html",
                {"result": result, "urls": center_urls(request, result.domain)},
            )
    return render(request, "portal/center_form.html", {"form": form})


@require_POST
@login_required
@permission_required("tenants.change_servicecenter", raise_exception=True)
def center_suspend(request, pk: int):
    center = get_object_or_404(ServiceCenter, pk=pk)
    form = CenterSuspendForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.center_suspend(center=center, acting_username=request.user.get_username(), reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("“%(name)s” is suspended: its site now shows a suspension notice.") % {"name": center.name},
        )
    return redirect("portal:center_list")


@require_POST
@login_required
@permission_required("tenants.change_servicecenter", raise_exception=True)
def center_reactivate(request, pk: int):
    center = get_object_or_404(ServiceCenter, pk=pk)
    try:
        services.center_reactivate(center=center, acting_username=request.user.get_username())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” is active again.") % {"name": center.name})
    return redirect("portal:center_list")


@require_POST
@login_required
@permission_required("tenants.change_servicecenter", raise_exception=True)
def center_two_factor(request, pk: int):
    """Require (or stop requiring) two-factor sign-in of the center's heads and administrators."""
    center = get_object_or_404(ServiceCenter, pk=pk)
    required = request.POST.get("required") == "1"
    services.center_two_factor_set(
        center=center, required=required, acting_username=request.user.get_username()
    )
    if required:
        message = _("“%(name)s”: its heads and administrators now sign in with two factors.")
    else:
        message = _("“%(name)s”: two-factor sign-in is now optional for its heads.")
    messages.success(request, message % {"name": center.name})
    return redirect("portal:center_list")
