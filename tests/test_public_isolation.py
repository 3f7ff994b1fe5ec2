"""Every public URL of center A shows nothing of center B (issue: pages, feeds, sitemap, search,
media, status page, .ics) — one crawl over two centers that hold the same kinds of content."""

import datetime as dt

from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.rich_text import RichText

import pytest

from cms.models import ActivityReportIndexPage, ActivityReportPage, NoticeIndexPage, NoticePage
from operations.models import WorkOrder
from operations.services.activities import activity_create
from operations.services.work_orders import work_order_create

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/",
    "/notices/",
    "/reports/",
    "/guide/",
    "/search/?q=停水",
    "/search/?q=义诊",
    "/feeds/notices/rss/",
    "/feeds/notices/atom/",
    "/feeds/reports/rss/",
    "/feeds/reports/atom/",
    "/sitemap.xml",
    "/activities.ics",
    "/surveys/",
    "/repair/",
    "/feedback/",
    "/track/",
]


def _fill(marker: str) -> dict:
    """A notice, a report with a cover image, an upcoming activity and a web work order."""
    image = get_image_model().objects.create(
        title=f"{marker} 封面", file=get_test_image_file(filename=f"{marker.lower()}.png")
    )
    notice = NoticePage(
        title=f"关于3号楼停水的通知 {marker}",
        slug=f"water-{marker.lower()}",
        category="utilities",
        urgent=True,
        body=[("paragraph_block", RichText(f"<p>{marker} 停水安排</p>"))],
    )
    NoticeIndexPage.objects.get().add_child(instance=notice)
    notice.save_revision().publish()
    report = ActivityReportPage(
        title=f"义诊报道 {marker}",
        slug=f"report-{marker.lower()}",
        summary=marker,
        cover_image=image,
        live=False,
    )
    ActivityReportIndexPage.objects.get().add_child(instance=report)
    report.save_revision().publish()
    starts = timezone.now() + dt.timedelta(days=3)
    activity_create(
        acting_user=None,
        kind="free_clinic",
        title=f"社区义诊 {marker}",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        place=f"{marker} 广场",
    )
    order = work_order_create(
        acting_user=None,
        description=f"{marker} 水龙头漏水",
        source=WorkOrder.Source.WEB_FORM,
        contact_name="王先生",
        contact_phone="13812345678",
    )
    return {
        "notice_url": notice.url,
        "report_url": report.url,
        "image_url": image.file.url,
        "tracking_code": order.tracking_code,
    }


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_no_public_url_of_alpha_shows_anything_of_beta(center_a, center_b, client_a, client_b, in_center):
    with in_center(center_a):
        alpha = _fill("ALPHAMARK")
    with in_center(center_b):
        beta = _fill("BETAMARK")

    for url in PUBLIC_URLS:
        response = client_a.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        assert "BETAMARK" not in body and "贝塔服务中心" not in body, url
        assert "beta.localhost" not in body, url
    # alpha's own content is where it should be (the crawl above is not vacuous)
    assert "ALPHAMARK" in _body(client_a.get("/search/?q=ALPHAMARK"))
    assert "ALPHAMARK" in _body(client_a.get("/feeds/reports/rss/"))
    assert "ALPHAMARK" in _body(client_a.get("/activities.ics"))

    # beta's pages, media and tracking number do not exist on alpha's host
    for path in (beta["notice_url"], beta["report_url"], beta["notice_url"] + "poster/"):
        assert client_a.get(path).status_code == 404, path
    assert client_a.get(beta["image_url"]).status_code == 404
    assert client_b.get(beta["image_url"]).status_code == 200
    track = client_a.post("/track/", {"code": beta["tracking_code"], "phone_last_four": "5678"})
    assert "BETAMARK" not in _body(track) and "漏水" not in _body(track)
    assert alpha["tracking_code"] != beta["tracking_code"]
    found = client_b.post("/track/", {"code": beta["tracking_code"], "phone_last_four": "5678"})
    assert found.status_code == 200 and "未找到" not in _body(found)
    missing = client_a.post("/track/", {"code": beta["tracking_code"], "phone_last_four": "5678"})
    assert "未找到" in _body(missing)
