"""Extension points of operations that the apps above it fill (DESIGN.md "Layers").

Operations never imports cms. The website's part of an activity — the residents' 活动预告 notice
and the activity report page — is provided by the website app, which registers an
:class:`ActivityWebsite` in its ``AppConfig.ready()`` (``cms.apps``). Until one is registered the
activity area works without a website: no notice is created, none can be linked, no report drafted.

``records_bulk_created`` is sent when a transaction that created rows with ``bulk_create`` (which
sends no ``post_save``) commits, so that listeners above (the website's page cache) can follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils.translation import gettext as _

#: Sent with ``sender=<model class>`` and ``instances=<list>`` after the creating transaction commits.
records_bulk_created = Signal()


@dataclass(frozen=True)
class ActivityWebsite:
    """What the center's website does for an activity; each callable takes keyword arguments."""

    #: ``(*, acting_user, activity) -> notice page``: create and publish the activity's 活动预告
    #: notice, or return the linked one; ValidationError when it cannot.
    notice_publish: Callable[..., Any]
    #: ``(*, limit) -> pages``: recent event notices of the center an activity may be linked to.
    notice_choices: Callable[..., Iterable[Any]]
    #: ``(*, pk) -> page | None``: the event notice ``pk`` of this center, if it is one.
    notice_find: Callable[..., Any]
    #: ``(*, acting_user, activity) -> report page``: draft the activity report (not published).
    report_draft: Callable[..., Any]
    #: ``(*, activity) -> page | None``: the activity's report page.
    report_page: Callable[..., Any]


def _no_notice(**kwargs):
    raise ValidationError(_("The center's website has no notice list yet; set up the website first."))


def _no_report(**kwargs):
    raise ValidationError(_("The site has no activity report list (活动报道) to put the report in."))


NO_WEBSITE = ActivityWebsite(
    notice_publish=_no_notice,
    notice_choices=lambda **kwargs: [],
    notice_find=lambda **kwargs: None,
    report_draft=_no_report,
    report_page=lambda **kwargs: None,
)

_activity_website: ActivityWebsite = NO_WEBSITE


def register_activity_website(website: ActivityWebsite) -> None:
    """Make ``website`` the provider of activities' notices and reports (one per project)."""
    global _activity_website
    _activity_website = website


def activity_website() -> ActivityWebsite:
    """The registered website of activities (``NO_WEBSITE`` when no app registered one)."""
    return _activity_website


#: Periodic jobs of the apps above operations, run by ``run_center_jobs`` in each center's schema:
#: ``(name, job)`` where ``job(*, now) -> str`` does its work and says what it did (or "").
_center_jobs: list[tuple[str, Callable[..., str]]] = []


def register_center_job(name: str, job: Callable[..., str]) -> None:
    """Run ``job`` in every active center with the other periodic jobs (safe to run twice)."""
    if all(existing != name for existing, _job in _center_jobs):
        _center_jobs.append((name, job))


def center_jobs() -> list[tuple[str, Callable[..., str]]]:
    return list(_center_jobs)
