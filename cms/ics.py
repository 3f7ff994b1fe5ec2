"""An iCalendar file (RFC 5545) of a center's upcoming activities, written without a library.

The rules that matter: text values escape ``\\``, ``;``, ``,`` and newlines; lines end with CRLF;
a line longer than 75 octets is folded (CRLF and one space) without splitting a UTF-8 character;
times are written in UTC (``...Z``) so no VTIMEZONE is needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODID = "-//Bianmin//Residents' site//ZH"


def ics_escape(text: str | None) -> str:
    """A TEXT value escaped for a content line."""
    text = str(text or "")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """One content line folded at 75 octets; continuation lines start with a space."""
    pieces: list[str] = []
    current, size, limit = [], 0, MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            # The leading space of a continuation line counts toward its 75 octets.
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def ics_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(activity, *, host: str, now: dt.datetime, url: str | None) -> list[str]:
    description = [str(activity.get_kind_display())]
    if activity.partner_name:
        description.append(activity.partner_name)
    if url:
        description.append(url)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{ics_escape(activity.number)}@{ics_escape(host)}",
        f"DTSTAMP:{ics_datetime(now)}",
        f"DTSTART:{ics_datetime(activity.starts_at)}",
    ]
    if activity.ends_at and activity.ends_at > activity.starts_at:
        lines.append(f"DTEND:{ics_datetime(activity.ends_at)}")
    lines += [
        f"SUMMARY:{ics_escape(activity.title)}",
        f"LOCATION:{ics_escape(activity.place)}",
        f"DESCRIPTION:{ics_escape(chr(10).join(description))}",
    ]
    if url:
        lines.append(f"URL:{url}")
    if getattr(activity, "updated", None):
        lines.append(f"LAST-MODIFIED:{ics_datetime(activity.updated)}")
    lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT"]
    return lines


def activities_calendar(
    *,
    activities: Iterable,
    calendar_name: str,
    host: str,
    now: dt.datetime,
    url_for: Callable[[object], str | None] = lambda activity: None,
) -> str:
    """The VCALENDAR text of ``activities``: one VEVENT each, UID ``<number>@<host>``."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(calendar_name)}",
    ]
    for activity in activities:
        lines += _event_lines(activity, host=host, now=now, url=url_for(activity))
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + CRLF for line in lines)
