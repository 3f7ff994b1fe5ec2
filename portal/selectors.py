"""Named reads of the head-office inbox, for head office and for a center."""

from django.db import connection
from django.db.models import Prefetch, QuerySet

from portal.models import Submission, SubmissionEvent
from tenants.models import ServiceCenter


def inbox_submissions(
    *, status: str = "", kind: str = "", center_id: int | None = None, query: str = ""
) -> QuerySet:
    """All centers' submissions for the head-office inbox, newest first, with their center."""
    submissions = Submission.objects.select_related("center").defer("snapshot").order_by("-created", "-id")
    if status:
        submissions = submissions.filter(status=status)
    if kind:
        submissions = submissions.filter(kind=kind)
    if center_id:
        submissions = submissions.filter(center_id=center_id)
    if query:
        submissions = submissions.filter(title__icontains=query)
    return submissions


def submission_with_history(*, pk: int) -> Submission:
    """One submission with its center and events (head office's detail page)."""
    return (
        Submission.objects.select_related("center")
        .prefetch_related(Prefetch("events", queryset=SubmissionEvent.objects.order_by("created", "id")))
        .get(pk=pk)
    )


def current_center() -> ServiceCenter | None:
    """The center whose schema the connection is in, or None in the public schema."""
    return ServiceCenter.objects.filter(schema_name=connection.schema_name).first()


def submissions_for_current_center() -> QuerySet:
    """The submissions of the center the connection is in; none at all outside a center."""
    center = current_center()
    if center is None:
        return Submission.objects.none()
    return Submission.objects.filter(center=center).prefetch_related("events")


def submission_for_current_center(*, kind: str, reference) -> Submission | None:
    """This center's submission of one of its records (with history), or None if never submitted."""
    return submissions_for_current_center().filter(kind=kind, reference=str(reference)).first()


#: What another center may read of a model project: the service, never the need's evidence or people.
MODEL_FIELDS = (
    "service",
    "description",
    "target_group",
    "fee",
    "report_plan",
    "report_resources",
    "report_cost",
    "report_risks",
    "report_measures",
)


def model_projects(*, exclude_center: ServiceCenter | None = None) -> list[dict]:
    """Service projects head office holds up as models, for the other centers (one query)."""
    rows = Submission.objects.filter(kind=Submission.Kind.SERVICE_PROJECT, is_model=True).select_related(
        "center"
    )
    if exclude_center is not None:
        rows = rows.exclude(center=exclude_center)
    return [
        {
            "pk": row.pk,
            "center": row.center.name,
            **{name: (row.snapshot or {}).get(name, "") for name in MODEL_FIELDS},
        }
        for row in rows.order_by("-decided_at", "-pk")
    ]


def model_project(*, pk) -> dict | None:
    return next((row for row in model_projects() if str(row["pk"]) == str(pk)), None)
