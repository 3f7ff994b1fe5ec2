"""The residents' forms on a center's host (no account): repair request, complaint or suggestion, status.

Records are written by the same services the staff use (``work_order_create`` with source
"resident web form", ``complaint_create`` with channel "online"), without an acting user.
Every form is rate-limited per client (``operations.ratelimit``), has a honeypot field
(filled in → the usual thanks page, nothing saved) and keeps CSRF protection. The thanks page
shows the tracking number from a signed, short-lived receipt in its URL (no session needed).
"""

from __future__ import annotations

from functools import wraps

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import connection, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from operations import ratelimit
from operations.forms.public import MAX_UPLOAD_BYTES, FeedbackForm, RepairRequestForm, TrackingForm
from operations.models import Complaint, WorkOrder
from operations.selectors.guide import unit_find
from operations.selectors.tracking import tracking_status
from operations.services.common import new_tracking_code
from operations.services.complaints import complaint_create
from operations.services.work_orders import work_order_attach, work_order_create

RECEIPT_MAX_AGE = 2 * 60 * 60
TEMPLATES = "operations/public"


def render_public(request, template: str, context: dict, status: int = 200):
    return render(request, f"{TEMPLATES}/{template}", context, status=status)


# --- Uploads are cut off at the size limit while the request is read ----------------------------


class SizeLimitUploadHandler(FileUploadHandler):
    """Skips an uploaded file as soon as it passes ``max_bytes``; the view reports it as too large.

    Without it a huge upload would be written to a temporary file in full before the form
    could refuse it.
    """

    def __init__(self, request, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        request.oversized_uploads = set()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.request.oversized_uploads.add(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_limited(view):
    """CSRF-protected view whose uploads are limited to ``MAX_UPLOAD_BYTES`` per file.

    Upload handlers must be set before the body is read, and the CSRF check reads it, so the
    check moves from the middleware into the view (Django's documented pattern).
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request, MAX_UPLOAD_BYTES))
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)  # exempt from the middleware only: ``protected`` checks the token


# --- Receipts: the thanks page's tracking number ------------------------------------------------


def _receipt_salt(form_name: str) -> str:
    # The schema in the salt: a receipt of one center does not open on another's host.
    return f"operations.public.receipt:{connection.schema_name}:{form_name}"


def _receipt_redirect(form_name: str, code: str):
    token = signing.dumps({"code": code}, salt=_receipt_salt(form_name))
    return redirect(f"{reverse(f'public_{form_name}_done')}?r={token}")


def _receipt_code(request, form_name: str) -> str | None:
    try:
        data = signing.loads(request.GET.get("r", ""), salt=_receipt_salt(form_name), max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        return None
    return data.get("code") if isinstance(data, dict) else None


# --- Shared handling of a resident's submission ---------------------------------------------------


def rate_limited(request, form_name: str) -> bool:
    """True when the client sent this form too often (every POST is counted, saved or not)."""
    return ratelimit.submissions(form_name).exceeded(request) or ratelimit.attempts(form_name).hit_exceeds(
        request
    )


def apply_service_errors(form, error: ValidationError, field_map: dict[str, str]) -> None:
    """Show a service's ValidationError on the form's fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def _unit_and_note(unit_text: str):
    """The unit when the resident's text names one; otherwise the text, to keep in the record."""
    if not unit_text:
        return None, ""
    unit = unit_find(unit_text)
    if unit is not None:
        return unit, ""
    return None, _("Building and room as written by the resident: %(unit)s") % {"unit": unit_text}


def _with_note(text: str, note: str) -> str:
    return f"{text}\n\n{note}" if note else text


def _submission(request, *, form_name: str, form_class, template: str, save, field_map: dict[str, str]):
    """GET shows the form; POST checks limit, honeypot and input, then saves through ``save``."""
    if request.method != "POST":
        return render_public(request, template, {"form": form_class()})
    form = form_class(
        request.POST, request.FILES, oversized=frozenset(getattr(request, "oversized_uploads", ()))
    )
    if rate_limited(request, form_name):
        return render_public(request, template, {"form": form, "rate_limited": True}, status=429)
    if form.is_bot:
        ratelimit.submissions(form_name).hit(request)
        return _receipt_redirect(form_name, new_tracking_code())
    if form.is_valid():
        try:
            with transaction.atomic():
                code = save(form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error, field_map)
        else:
            ratelimit.submissions(form_name).hit(request)
            return _receipt_redirect(form_name, code)
    file_dropped = bool(request.FILES) or bool(getattr(request, "oversized_uploads", None))
    return render_public(request, template, {"form": form, "file_dropped": file_dropped})


def _done(request, *, form_name: str, title: str):
    code = _receipt_code(request, form_name)
    if code is None:
        return redirect(f"public_{form_name}")
    return render_public(request, "done.html", {"code": code, "title": title, "form_name": form_name})


# --- Repair request → work order ----------------------------------------------------------------------


def _save_repair(data: dict) -> str:
    unit, note = _unit_and_note(data["unit_text"])
    work_order = work_order_create(
        acting_user=None,
        description=_with_note(data["description"], note),
        source=WorkOrder.Source.WEB_FORM,
        unit=unit,
        contact_name=data["name"],
        contact_phone=data["phone"],
    )
    if data.get("photo"):
        work_order_attach(work_order=work_order, acting_user=None, file=data["photo"])
    return work_order.tracking_code


@never_cache
@upload_limited
def repair_request(request):
    return _submission(
        request,
        form_name="repair",
        form_class=RepairRequestForm,
        template="repair.html",
        save=_save_repair,
        field_map={"contact_name": "name", "contact_phone": "phone", "file": "photo", "unit": "unit_text"},
    )


@never_cache
def repair_done(request):
    return _done(request, form_name="repair", title=_("Your repair request has been received"))


# --- Complaint or suggestion → complaint --------------------------------------------------------------


def _save_feedback(data: dict) -> str:
    unit, note = _unit_and_note(data["unit_text"])
    complaint = complaint_create(
        acting_user=None,
        content=_with_note(data["content"], note),
        channel=Complaint.Channel.ONLINE,
        kind=data["kind"],
        complainant_name=data["name"],
        complainant_phone=data["phone"],
        unit=unit,
        written_scan=data.get("attachment"),
    )
    return complaint.tracking_code


@never_cache
@upload_limited
def feedback(request):
    return _submission(
        request,
        form_name="feedback",
        form_class=FeedbackForm,
        template="feedback.html",
        save=_save_feedback,
        field_map={
            "complainant_name": "name",
            "complainant_phone": "phone",
            "written_scan": "attachment",
            "unit": "unit_text",
        },
    )


@never_cache
def feedback_done(request):
    return _done(request, form_name="feedback", title=_("Your message has been received"))


# --- Status page ------------------------------------------------------------------------------------


@never_cache
@csrf_protect
def track(request):
    """Tracking number + last four digits of the phone → the public status; one answer for any miss.

    Looked up by POST so that the number and digits stay out of URLs and server logs.
    """
    if request.method != "POST":
        return render_public(request, "track.html", {"form": TrackingForm()})
    form = TrackingForm(request.POST)
    if ratelimit.lookups().hit_exceeds(request):
        return render_public(request, "track.html", {"form": form, "rate_limited": True}, status=429)
    context = {"form": form}
    if form.is_valid():
        status = tracking_status(
            code=form.cleaned_data["code"], phone_last_four=form.cleaned_data["phone_last_four"]
        )
        context["status"] = status
        context["not_found"] = status is None
        if status is not None:  # the next look-up starts from an empty form
            context["form"] = TrackingForm()
    return render_public(request, "track.html", context)
