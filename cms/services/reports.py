"""Activity reports drafted from held activities."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format, time_format
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from wagtail.images import get_image_model
from wagtail.log_actions import log

from cms.models import ActivityReportIndexPage, ActivityReportPage, HomePage
from cms.setup import center_pages_install
from operations.models import Activity
from operations.selectors.activities import activity_figures
from operations.services.common import audit_record, user_or_none

BODY_PHOTOS = 4  # image blocks drafted into the body; the gallery shows all of them
SUMMARY_LENGTH = 500


def _report_index() -> ActivityReportIndexPage:
    index = ActivityReportIndexPage.objects.order_by("path").first()
    if index is None:
        home = HomePage.objects.order_by("path").first()
        if home is not None:
            center_pages_install(home=home)
            index = ActivityReportIndexPage.objects.order_by("path").first()
    if index is None:
        raise ValidationError(_("The site has no activity report list (活动报道) to put the report in."))
    return index


def _unique_slug(index: ActivityReportIndexPage, base: str) -> str:
    taken = set(index.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _join(parts: list[str]) -> str:
    separator = "" if (get_language() or "").startswith("zh") else " "  # Chinese sentences need no space
    return separator.join(parts)


def _figure_sentences(activity, figures: dict) -> list[str]:
    parts = []
    if figures.get("participants"):
        parts.append(_("Participants: %(count)s.") % {"count": number_format(figures["participants"])})
    if activity.kind == activity.Kind.REPAIR_DAY and figures.get("repairs_done"):
        parts.append(_("Repairs done: %(count)s.") % {"count": number_format(figures["repairs_done"])})
    if figures.get("satisfaction_rate") is not None:
        rate = f"{number_format(figures['satisfaction_rate'], 1)}%"
        parts.append(_("Satisfaction rate: %(rate)s.") % {"rate": rate})
    return parts


def _summary(activity, figures: dict) -> str:
    day = timezone.localtime(activity.starts_at).date()
    parts = [
        _("On %(date)s, “%(title)s” (%(kind)s) was held at %(place)s.")
        % {
            "date": date_format(day, "DATE_FORMAT"),
            "title": activity.title,
            "kind": activity.get_kind_display(),
            "place": activity.place,
        }
    ]
    if activity.partner_name:
        parts.append(_("It was organised together with %(partner)s.") % {"partner": activity.partner_name})
    if figures.get("participants"):
        parts.append(_("Participants: %(count)s.") % {"count": number_format(figures["participants"])})
    return Truncator(_join(parts)).chars(SUMMARY_LENGTH)


def _story(activity, figures: dict) -> str:
    """The body's first paragraph: when, where, with whom, and the figures, for the editor to extend.

    Only facts fit for the public: never the plan texts (staff, contacts) or participants' names.
    """
    starts, ends = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    end = (
        time_format(ends, "TIME_FORMAT")
        if ends.date() == starts.date()
        else date_format(ends, "DATETIME_FORMAT")
    )
    parts = [
        _("The activity ran from %(start)s to %(end)s at %(place)s.")
        % {"start": date_format(starts, "DATETIME_FORMAT"), "end": end, "place": activity.place}
    ]
    if activity.festival:
        parts.append(_("It was held for the %(festival)s.") % {"festival": activity.get_festival_display()})
    if activity.partner_name:
        parts.append(_("Partner organisation: %(partner)s.") % {"partner": activity.partner_name})
    parts += _figure_sentences(activity, figures)
    return _join(parts)


def _body(activity, figures: dict, photos: list) -> list:
    body = [("paragraph_block", f"<p>{escape(_story(activity, figures))}</p>")]
    body += [
        ("image_block", {"image": photo, "caption": "", "alt_text": photo.default_alt_text[:200]})
        for photo in photos[:BODY_PHOTOS]
    ]
    return body


@transaction.atomic
def activity_report_draft(*, acting_user, activity) -> ActivityReportPage:
    """Draft (not publish) the report of a held activity under the center's 活动报道 index.

    The draft carries the title, date, a drafted summary, the activity's photo collection as its
    gallery (first photo as cover), the figures, and a body of a paragraph and a few photos. An
    editor then edits it and submits it for moderation. Returns the activity's existing report
    page when it already has one.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status not in (Activity.Status.HELD, Activity.Status.REPORTED):
        raise ValidationError(
            _("A report can only be drafted for a held activity; this one is “%(status)s”.")
            % {"status": activity.get_status_display()}
        )
    existing = ActivityReportPage.objects.filter(activity=activity).order_by("pk").first()
    if existing is not None:
        return existing

    index = _report_index()
    figures = activity_figures(activity)
    photos = []
    if activity.photo_collection_id is not None:
        photos = list(
            get_image_model()
            .objects.filter(collection_id=activity.photo_collection_id)
            .order_by("created_at", "pk")
        )
    summary = _summary(activity, figures)
    rate = figures.get("satisfaction_rate")
    user = user_or_none(acting_user)
    page = ActivityReportPage(
        title=activity.title,
        slug=_unique_slug(index, activity.number.lower()),
        live=False,
        has_unpublished_changes=True,
        owner=user,
        date=timezone.localtime(activity.starts_at).date(),
        activity=activity,
        summary=summary,
        gallery_collection_id=activity.photo_collection_id,
        cover_image=photos[0] if photos else None,
        participants_count=figures.get("participants") or None,
        repairs_done=figures.get("repairs_done") if activity.kind == Activity.Kind.REPAIR_DAY else None,
        satisfaction_rate=Decimal(str(rate)) if rate is not None else None,
        body=_body(activity, figures, photos),
    )
    index.add_child(instance=page)
    revision = page.save_revision(user=user, log_action=False)
    log(instance=page, action="wagtail.create", user=user, revision=revision, content_changed=True)
    audit_record(
        instance=activity,
        action="activity_report_draft",
        acting_user=acting_user,
        changes={"report_page": page.pk},
    )
    return page
