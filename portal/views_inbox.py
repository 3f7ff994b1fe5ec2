"""The head-office approval inbox: every center's submissions, their snapshot and the decision."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import selectors, services
from portal.models import Submission, SubmissionAttachment
from tenants.models import ServiceCenter

SUBMISSIONS_PER_PAGE = 50
LINE_COLUMNS = ("description", "quantity", "unit", "reason", "note")
# Keys centers send; others are shown as sent.
SNAPSHOT_LABELS = {
    "month": gettext_lazy("Month"),
    "number": gettext_lazy("Number"),
    "received": gettext_lazy("Received at"),
    "channel": gettext_lazy("Channel"),
    "subject": gettext_lazy("About"),
    "content": gettext_lazy("What happened"),
    "report": gettext_lazy("Report to head office"),
    "finding": gettext_lazy("Finding"),
    "action_taken": gettext_lazy("Actions taken"),
    "reply": gettext_lazy("Reply sent"),
    "status": gettext_lazy("Status"),
}


DECISION_LABELS = {
    Submission.Status.APPROVED: gettext_lazy("Approve"),
    Submission.Status.REJECTED: gettext_lazy("Reject"),
    Submission.Status.RETURNED: gettext_lazy("Return for changes"),
    Submission.Status.ACKNOWLEDGED: gettext_lazy("Acknowledge"),
}


class DecisionForm(forms.Form):
    """Head office's answer: approve, reject or return; a major complaint's report is acknowledged
    or returned with a request for more. The service insists on a comment when returning."""

    decision = forms.ChoiceField(label=gettext_lazy("Your decision"))
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when you reject or return."),
    )

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(d, DECISION_LABELS[d]) for d in services.decisions_for(kind)]
        if kind == Submission.Kind.MAJOR_COMPLAINT:
            choices = [
                (d, gettext_lazy("Ask the center for more") if d == Submission.Status.RETURNED else label)
                for d, label in choices
            ]
            self.fields["comment"].help_text = gettext_lazy(
                "The center sees your comment on the complaint. Required when you ask for more."
            )
        self.fields["decision"].choices = choices


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@login_required
@permission_required("portal.view_submission", raise_exception=True)
def inbox_list(request):
    status = request.GET.get("status", Submission.Status.PENDING)
    if status not in Submission.Status.values:
        status = ""  # "all"
    kind = request.GET.get("kind", "")
    if kind not in Submission.Kind.values:
        kind = ""
    center_id = _int_or_none(request.GET.get("center", ""))
    query = request.GET.get("q", "").strip()
    submissions = selectors.inbox_submissions(status=status, kind=kind, center_id=center_id, query=query)
    page = Paginator(submissions, SUBMISSIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "kind": kind,
        "center_id": center_id,
        "query": query,
        "statuses": Submission.Status.choices,
        "kinds": Submission.Kind.choices,
        "centers": ServiceCenter.objects.order_by("code").values_list("pk", "name"),
    }
    filters = request.GET.copy()
    filters.pop("page", None)
    context["filter_query"] = filters.urlencode()
    return render(request, "portal/inbox/list.html", context)


def _snapshot_rows(submission: Submission) -> tuple[list[list], list[tuple[str, object]]]:
    """Purchase-request lines as table rows, and every other snapshot entry as key/value."""
    snapshot = submission.snapshot if isinstance(submission.snapshot, dict) else {"": submission.snapshot}
    lines = []
    if submission.kind == Submission.Kind.PURCHASE_REQUEST and isinstance(snapshot.get("lines"), list):
        for line in snapshot["lines"]:
            if isinstance(line, dict):
                row = {column: line.get(column, "") for column in LINE_COLUMNS}
                row["reason"] = line.get("reason_label") or row["reason"]  # the label the center saw
                lines.append([row[column] for column in LINE_COLUMNS])
        others = [(key, value) for key, value in snapshot.items() if key != "lines"]
    else:
        others = list(snapshot.items())
    others = [(SNAPSHOT_LABELS.get(key, key), value) for key, value in others]
    return lines, others


def _render_detail(request, submission: Submission, form: DecisionForm, status: int = 200):
    lines, others = _snapshot_rows(submission)
    context = {
        "submission": submission,
        "lines": lines,
        "others": others,
        "form": form,
        "can_decide": submission.status == Submission.Status.PENDING
        and request.user.has_perm("portal.decide_submission"),
    }
    return render(request, "portal/inbox/detail.html", context, status=status)


@login_required
@permission_required("portal.view_submission", raise_exception=True)
def inbox_detail(request, pk: int):
    try:
        submission = selectors.submission_with_history(pk=pk)
    except Submission.DoesNotExist as exc:
        raise Http404 from exc
    return _render_detail(request, submission, DecisionForm(kind=submission.kind))


@require_POST
@login_required
@permission_required("portal.decide_submission", raise_exception=True)
def inbox_decide(request, pk: int):
    submission = get_object_or_404(Submission.objects.select_related("center"), pk=pk)
    form = DecisionForm(request.POST, kind=submission.kind)
    if form.is_valid():
        try:
            services.submission_decide(
                submission=submission,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("“%(title)s” of %(center)s: %(status)s.")
                % {
                    "title": submission.title,
                    "center": submission.center.name,
                    "status": submission.get_status_display(),
                },
            )
            return redirect(reverse("portal:inbox_list"))
    submission = selectors.submission_with_history(pk=pk)
    return _render_detail(request, submission, form)


@login_required
@permission_required("portal.view_submission", raise_exception=True)
def inbox_attachment(request, pk: int, attachment_pk: int):
    """A file a center sent with its submission, for head office only."""
    attachment = get_object_or_404(SubmissionAttachment, pk=attachment_pk, submission_id=pk)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.file.name.rsplit("/", 1)[-1]
    )
