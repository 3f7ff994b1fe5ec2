"""/activities.ics: the upcoming activities as an RFC 5545 calendar, parsed here by hand."""

import datetime as dt

from django.utils import timezone

import pytest

from cms.ics import MAX_LINE_OCTETS, ics_escape, ics_fold
from tests.cms.test_home_page import add_activity, add_notice, staff_user


def unfold(raw: bytes) -> list[str]:
    """The logical lines of an iCalendar body, after checking CRLF endings and 75-octet lines."""
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    for line in physical:
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= MAX_LINE_OCTETS, line
        line.decode("utf-8")  # a fold never splits a UTF-8 character
    return raw.decode("utf-8")[:-2].replace("\r\n ", "").split("\r\n")


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def events(lines: list[str]) -> list[dict[str, str]]:
    found, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


def test_text_escaping():
    assert ics_escape("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert unescape(ics_escape("义诊;体检,量血压\n\\带医保卡")) == "义诊;体检,量血压\n\\带医保卡"


@pytest.mark.parametrize(
    "text", ["DESCRIPTION:" + "社区医院义诊" * 40, "SUMMARY:" + "a" * 200, "X:" + "é" * 100 + "😀" * 30]
)
def test_folding_keeps_lines_short_and_characters_whole(text):
    folded = ics_fold(text)
    assert unfold((folded + "\r\n").encode()) == [text]
    assert all(len(part.encode()) <= MAX_LINE_OCTETS for part in folded.split("\r\n"))
    assert ics_fold("SHORT:ok") == "SHORT:ok"


@pytest.mark.django_db
def test_calendar_of_upcoming_activities(client_a, center_a, in_center):
    from operations.services.activities import activity_cancel, activity_notice_link

    with in_center(center_a):
        clinic = add_activity(
            "中秋义诊：量血压, 测血糖; 带好医保卡\\病历",
            starts_in=dt.timedelta(days=3),
            place="3号楼前广场",
            partner_name="社区卫生服务中心",
        )
        notice = add_notice("中秋义诊活动预告", category="event")
        activity_notice_link(acting_user=staff_user("admin"), activity=clinic, notice=notice)
        party = add_activity("集体生日会", starts_in=dt.timedelta(days=10), kind="birthday_party")
        add_activity("已经结束的活动", starts_in=dt.timedelta(days=-3))
        cancelled = add_activity("取消的活动", starts_in=dt.timedelta(days=4))
        activity_cancel(acting_user=staff_user("admin"), activity=cancelled, reason="天气原因")
        clinic.refresh_from_db()
    response = client_a.get("/activities.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    lines = unfold(response.content)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert f"X-WR-CALNAME:{center_a.name}" in lines
    found = events(lines)
    assert [unescape(e["SUMMARY"]) for e in found] == [
        "中秋义诊：量血压, 测血糖; 带好医保卡\\病历",
        "集体生日会",
    ]
    first = found[0]
    assert first["UID"] == f"{clinic.number}@alpha.localhost"
    assert first["DTSTART"] == clinic.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert first["DTEND"] == clinic.ends_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    stamp = dt.datetime.strptime(first["DTSTAMP"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert abs(stamp - timezone.now()) < dt.timedelta(minutes=1)
    assert unescape(first["LOCATION"]) == "3号楼前广场"
    description = unescape(first["DESCRIPTION"])
    assert "社区卫生服务中心" in description and f"http://alpha.localhost{notice.url}" in description
    assert first["URL"] == f"http://alpha.localhost{notice.url}"
    assert found[1]["UID"] == f"{party.number}@alpha.localhost" and "URL" not in found[1]
    assert "\r\n" in response.content.decode() and "\n" not in response.content.decode().replace("\r\n", "")


@pytest.mark.django_db
def test_calendar_shows_nothing_of_another_center(client_a, client_b, center_a, center_b, in_center):
    with in_center(center_b):
        add_activity("贝塔义诊", starts_in=dt.timedelta(days=1))
    with in_center(center_a):
        add_activity("阿尔法义诊", starts_in=dt.timedelta(days=1))
    alpha = "\n".join(unfold(client_a.get("/activities.ics").content))
    beta = "\n".join(unfold(client_b.get("/activities.ics").content))
    assert "阿尔法义诊" in alpha and "贝塔" not in alpha and center_b.name not in alpha
    assert "贝塔义诊" in beta and "阿尔法" not in beta and "@beta.localhost" in beta


@pytest.mark.django_db
def test_empty_calendar_is_still_valid(client_b):
    lines = unfold(client_b.get("/activities.ics").content)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "BEGIN:VEVENT" not in lines
