"""Residents' notices created from operations records."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from cms.models import NoticeCategory, NoticeIndexPage, NoticePage
from operations.models import Activity
from operations.services.common import audit_record, user_or_none


def _what_to_bring(kind: str) -> str:
    """What residents are asked to bring, by activity kind (告知注意事项)."""
    return {
        Activity.Kind.FREE_CLINIC: _(
            "Please bring your ID card, medical insurance card and any recent medical records or medicines."
        ),
        Activity.Kind.BIRTHDAY_PARTY: _(
            "Birthday guests: please bring your ID card so that we can check the date of birth."
        ),
        Activity.Kind.REPAIR_DAY: _(
            "Bring small appliances, bicycles, knives or scissors that need repairing; "
            "for repairs at home, leave your unit and phone at the desk."
        ),
    }.get(kind, "")


def center_notice_index() -> NoticeIndexPage | None:
    """The 通知公告 list under the current center's site root (None when the site has none)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return None
    return NoticeIndexPage.objects.child_of(site.root_page).first()


def _slug(index: Page, base: str) -> str:
    taken = set(index.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _paragraphs(activity) -> list[str]:
    start = timezone.localtime(activity.starts_at)
    end = timezone.localtime(activity.ends_at)
    end_text = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M")
    lines = [
        _("Time: %(start)s – %(end)s") % {"start": start.strftime("%Y-%m-%d %H:%M"), "end": end_text},
        _("Place: %(place)s") % {"place": activity.place},
    ]
    if activity.partner_name:
        lines.append(_("Together with: %(partner)s") % {"partner": activity.partner_name})
    bring = _what_to_bring(activity.kind)
    if bring:
        lines.append(_("What to bring: %(items)s") % {"items": bring})
    lines.append(_("Everyone in the estate is welcome. Ask at the service center desk for details."))
    return lines


@transaction.atomic
def notice_for_activity(*, acting_user, activity, date: dt.date | None = None) -> NoticePage:
    """Create (or return the linked) 活动预告 notice of an activity, published at once.

    The notice goes under the center's 通知公告 list; its text is built from the activity
    (time, place, partner, what to bring) and escaped; ``date`` is the notice date (default
    today). The notice expires when the activity ends. Raises ValidationError when the
    activity is cancelled or the center's site has no notice list.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.notice_page_id:
        linked = Page.objects.filter(pk=activity.notice_page_id).first()
        if linked is not None:
            return linked.specific
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("No notice is published for a cancelled activity."))
    index = center_notice_index()
    if index is None:
        raise ValidationError(_("The center's website has no notice list yet; set up the website first."))
    html = "".join(f"<p>{escape(line)}</p>" for line in _paragraphs(activity))
    title = _("Upcoming event: %(title)s") % {"title": activity.title}
    user = user_or_none(acting_user)
    notice = NoticePage(
        title=title[:255],
        slug=_slug(index, f"activity-{activity.number.lower()}"),
        category=NoticeCategory.EVENT,
        date=date or timezone.localdate(),
        # an event announcement is of no use once the event is over
        expire_at=activity.ends_at,
        body=[("paragraph_block", RichText(html))],
        search_description=f"{timezone.localtime(activity.starts_at):%Y-%m-%d %H:%M} {activity.place}"[:255],
        owner=user,
    )
    index.add_child(instance=notice)
    # Published at once, also by an officer who may only edit pages: the notice only repeats
    # what the activity record says, and publicising the activity is the officer's decision.
    notice.save_revision(user=user, log_action=True).publish(user=user, skip_permission_checks=True)
    activity.notice_page_id = notice.pk
    activity.save(update_fields=["notice_page", "updated"])
    audit_record(
        instance=activity,
        action="activity_notice_create",
        acting_user=acting_user,
        changes={"notice_page": notice.pk},
    )
    return NoticePage.objects.get(pk=notice.pk)
