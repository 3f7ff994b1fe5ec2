"""The residents' forms without an account: repair request, complaint or suggestion, public surveys.

Happy paths go through the staff services; then the ways residents (and bots) get it wrong:
empty input, bad or oversized files, HTML in text, floods, the honeypot, CSRF, another center.
"""

import datetime as dt
import io
import re

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

import pytest
from PIL import Image

from operations import ratelimit
from operations.models import AuditEntry, Complaint, Survey, SurveyResponse, WorkOrder, WorkOrderAttachment
from operations.services import surveys as survey_services
from tests.factories import answer_post, make_unit

SCRIPT = '<script>alert("x")</script><b>漏水</b>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;漏水&lt;/b&gt;"


def zh(msgid: str) -> str:
    """The Chinese a resident sees for ``msgid`` (the English msgid until translations are merged)."""
    with translation.override("zh-hans"):
        return gettext(msgid)


def image_upload(name="photo.jpg", image_format="JPEG", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def exe_upload(name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"MZ\x90\x00" + b"\x00" * 2000 + b"This program cannot be run in DOS mode"
    )


def pdf_upload(name="letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def repair_data(**overrides) -> dict:
    data = {
        "name": "王小明",
        "phone": "138 1234 5678",
        "unit_text": "",
        "description": "厨房水龙头一直滴水",
        "website": "",
    }
    data.update(overrides)
    return data


def feedback_data(**overrides) -> dict:
    data = {
        "kind": Complaint.Kind.SUGGESTION,
        "content": "建议在3号楼门口加装扶手",
        "name": "李秀英",
        "phone": "13912345678",
        "unit_text": "",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def site(alpha, client_a):
    """A resident's browser on alpha's site (the test runs in alpha's schema)."""
    return client_a


def count(model, center) -> int:
    connection.set_tenant(center)
    return model.objects.count()


# --- Repair request ------------------------------------------------------------------------------


def test_repair_request_creates_a_web_form_work_order_and_shows_its_tracking_number(site, center_a):
    unit = make_unit("5号楼", "1单元", "302")
    response = site.post("/repair/", repair_data(unit_text="5号楼-1单元-302", photo=image_upload()))
    assert response.status_code == 302 and response["Location"].startswith("/repair/done/?r=")

    work_order = WorkOrder.objects.get()
    assert work_order.source == WorkOrder.Source.WEB_FORM
    assert work_order.created_by is None
    assert work_order.unit == unit
    assert work_order.contact_name == "王小明" and work_order.contact_phone == "13812345678"
    assert work_order.description == "厨房水龙头一直滴水"
    audit = AuditEntry.objects.get(action="work_order.create", object_id=str(work_order.pk))
    assert audit.acting_user is None and audit.changes["source"] == "web_form"
    attachment = WorkOrderAttachment.objects.get(work_order=work_order)
    # stored under a name nobody can guess (center media are served by URL)
    assert re.search(r"/photo-[\w-]{16}\.jpg$", attachment.image.file.name)
    assert attachment.uploaded_by is None

    done = site.get(response["Location"])
    html = done.content.decode()
    assert done.status_code == 200
    assert work_order.tracking_code in html
    assert zh("Your repair request has been received") in html
    assert (
        zh(
            "Please keep this number. With it and the last four digits of the phone number you gave, "
            "you can check the progress at any time."
        )
        in html
    )
    assert "王小明" not in html and "5678" not in html


def test_a_unit_that_is_not_in_the_registry_is_kept_in_the_description(site):
    site.post("/repair/", repair_data(unit_text="东区7栋 楼下"))
    work_order = WorkOrder.objects.get()
    assert work_order.unit is None
    assert work_order.description.startswith("厨房水龙头一直滴水")
    assert "东区7栋 楼下" in work_order.description


@pytest.mark.parametrize("image_format,extension", [("PNG", "png"), ("WEBP", "webp")])
def test_png_and_webp_photos_are_accepted_whatever_their_name(site, image_format, extension):
    upload = image_upload(name="IMG_0001.HEIC", image_format=image_format)
    assert site.post("/repair/", repair_data(photo=upload)).status_code == 302
    attachment = WorkOrderAttachment.objects.get()
    assert attachment.image.file.name.endswith(f".{extension}")


def test_empty_repair_form_shows_chinese_messages_and_saves_nothing(site):
    response = site.post("/repair/", {"name": "", "phone": "", "description": "   ", "website": ""})
    html = response.content.decode()
    assert response.status_code == 200
    for msgid in (
        "Please enter your name.",
        "Please enter a phone number we can reach you on.",
        "Please describe what needs repairing.",
    ):
        assert zh(msgid) in html
    assert 'aria-invalid="true"' in html
    assert not WorkOrder.objects.exists()


def test_a_bad_phone_number_is_refused_in_chinese_and_the_text_is_kept(site):
    response = site.post("/repair/", repair_data(phone="12345"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "不是有效的电话号码" in html  # the validator's message, already translated
    assert "厨房水龙头一直滴水" in html and "王小明" in html
    assert not WorkOrder.objects.exists()


def test_oversized_text_is_refused_and_kept(site):
    response = site.post("/repair/", repair_data(description="漏" * 2001))
    assert response.status_code == 200
    assert (
        zh("Please keep this to at most %(limit_value)d characters (it has %(show_value)d).")
        % {
            "limit_value": 2000,
            "show_value": 2001,
        }
        in response.content.decode()
    )
    assert not WorkOrder.objects.exists()


def test_an_exe_renamed_jpg_is_refused_and_nothing_is_saved(site):
    response = site.post("/repair/", repair_data(photo=exe_upload("photo.jpg")))
    html = response.content.decode()
    assert response.status_code == 200
    assert zh("This file is not a JPEG, PNG or WebP photo: please choose a photo.") in html
    assert zh("For your safety a chosen file is not kept: please choose it again.") in html
    assert "厨房水龙头一直滴水" in html
    assert not WorkOrder.objects.exists() and not WorkOrderAttachment.objects.exists()


def test_a_gif_is_not_an_accepted_photo(site):
    response = site.post("/repair/", repair_data(photo=image_upload("a.gif", "GIF")))
    assert (
        zh("This file is not a JPEG, PNG or WebP photo: please choose a photo.") in response.content.decode()
    )
    assert not WorkOrder.objects.exists()


def test_an_oversized_photo_is_refused(site):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff\xe0" + b"0" * (5 * 1024 * 1024 + 10))
    response = site.post("/repair/", repair_data(photo=big))
    assert response.status_code == 200
    assert zh("The photo is larger than 5 MB: please choose a smaller one.") in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_html_in_the_description_is_stored_as_text_and_escaped_in_the_admin(site, center_a):
    site.post("/repair/", repair_data(description=SCRIPT, name="<i>王</i>"))
    work_order = WorkOrder.objects.get()
    assert work_order.description == SCRIPT
    site.force_login(get_user_model().objects.get(username="admin"))
    html = site.get(f"/admin/operations/work-orders/{work_order.pk}/").content.decode()
    assert ESCAPED_SCRIPT in html
    assert SCRIPT not in html and "<i>王</i>" not in html


# --- Complaint or suggestion ---------------------------------------------------------------------


def test_feedback_creates_an_online_complaint_with_the_attachment(site):
    response = site.post("/feedback/", feedback_data(attachment=pdf_upload()))
    assert response.status_code == 302 and response["Location"].startswith("/feedback/done/?r=")
    complaint = Complaint.objects.get()
    assert complaint.channel == Complaint.Channel.ONLINE
    assert complaint.kind == Complaint.Kind.SUGGESTION
    assert complaint.created_by is None
    assert complaint.complainant_phone == "13912345678"
    assert complaint.written_document is not None
    assert complaint.written_document.file.name.endswith(".pdf")
    audit = AuditEntry.objects.get(action="complaint_create", object_id=str(complaint.pk))
    assert audit.acting_user is None and audit.changes["channel"] == "online"
    assert "13912345678" not in str(audit.changes)  # personal data masked in the log

    html = site.get(response["Location"]).content.decode()
    assert complaint.tracking_code in html and zh("Your message has been received") in html


def test_feedback_accepts_a_photo_attachment(site):
    assert (
        site.post("/feedback/", feedback_data(attachment=image_upload("scan.png", "PNG"))).status_code == 302
    )
    assert Complaint.objects.get().written_document.file.name.endswith(".png")


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(lambda: exe_upload("letter.pdf"), id="exe-named-pdf"),
        pytest.param(lambda: image_upload("photo.webp", "WEBP"), id="webp"),
        pytest.param(lambda: SimpleUploadedFile("page.html", b"<html><script>x</script></html>"), id="html"),
    ],
)
def test_feedback_refuses_other_file_types(site, upload):
    response = site.post("/feedback/", feedback_data(attachment=upload()))
    html = response.content.decode()
    assert response.status_code == 200
    assert zh("Attach a photo (JPEG or PNG) or a PDF file; this file is neither.") in html
    assert "建议在3号楼门口加装扶手" in html
    assert not Complaint.objects.exists()


def test_feedback_refuses_an_oversized_attachment(site):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
    response = site.post("/feedback/", feedback_data(attachment=big))
    assert (
        zh("The attachment is larger than 5 MB: please choose a smaller file.") in response.content.decode()
    )
    assert not Complaint.objects.exists()


def test_empty_feedback_form(site):
    response = site.post("/feedback/", {"website": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert zh("Please choose complaint or suggestion.") in html
    assert zh("Please write your complaint or suggestion.") in html
    assert not Complaint.objects.exists()


def test_feedback_with_an_unknown_kind_is_refused(site):
    response = site.post("/feedback/", feedback_data(kind="praise"))
    assert zh("Please choose complaint or suggestion.") in response.content.decode()
    assert not Complaint.objects.exists()


def test_html_in_a_complaint_is_escaped_in_the_admin_detail(site):
    site.post("/feedback/", feedback_data(content=SCRIPT, kind=Complaint.Kind.COMPLAINT))
    complaint = Complaint.objects.get()
    assert complaint.content == SCRIPT
    site.force_login(get_user_model().objects.get(username="admin"))
    html = site.get(reverse("complaints:inspect", args=[complaint.pk])).content.decode()
    assert ESCAPED_SCRIPT in html and SCRIPT not in html


# --- Honeypot, rate limit, CSRF, receipts -----------------------------------------------------------


@pytest.mark.parametrize(
    "url,data,model",
    [("/repair/", repair_data, WorkOrder), ("/feedback/", feedback_data, Complaint)],
)
def test_a_filled_honeypot_gets_the_normal_thanks_page_and_saves_nothing(site, url, data, model):
    response = site.post(url, data(website="http://spam.example"))
    assert response.status_code == 302
    done = site.get(response["Location"])
    assert done.status_code == 200
    assert re.search(r'class="pf-code">[A-Z2-9]{8}<', done.content.decode())
    assert not model.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_screen_readers(site):
    html = site.get("/repair/").content.decode()
    honeypot = re.search(r'<div class="pf-hp" aria-hidden="true">.*?</div>', html, re.S).group(0)
    assert 'name="website"' in honeypot and 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot


@pytest.mark.parametrize(
    "url,data,model",
    [("/repair/", repair_data, WorkOrder), ("/feedback/", feedback_data, Complaint)],
)
def test_a_flood_of_submissions_gets_429_and_nothing_more_is_saved(site, center_a, url, data, model):
    for _i in range(ratelimit.SUBMISSIONS_PER_WINDOW):
        assert site.post(url, data()).status_code == 302
    assert model.objects.count() == ratelimit.SUBMISSIONS_PER_WINDOW
    response = site.post(url, data(name="赵六"))
    html = response.content.decode()
    assert response.status_code == 429
    assert (
        zh(
            "You have sent this form too often. Please wait 10 minutes and try again; what you entered is kept below."
        )
        in html
    )
    assert "赵六" in html  # what was typed is kept
    assert model.objects.count() == ratelimit.SUBMISSIONS_PER_WINDOW


def test_the_limit_is_per_client_per_form_and_per_center(site, center_a, center_b, client_b):
    for _i in range(ratelimit.SUBMISSIONS_PER_WINDOW):
        site.post("/repair/", repair_data())
    assert site.post("/repair/", repair_data()).status_code == 429
    other_client = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR="10.1.2.3")
    assert other_client.post("/repair/", repair_data()).status_code == 302
    assert site.post("/feedback/", feedback_data()).status_code == 302
    assert client_b.post("/repair/", repair_data()).status_code == 302
    assert count(WorkOrder, center_a) == ratelimit.SUBMISSIONS_PER_WINDOW + 1
    assert count(WorkOrder, center_b) == 1


def test_invalid_attempts_are_limited_too(site):
    for _i in range(ratelimit.ATTEMPTS_PER_WINDOW):
        assert site.post("/repair/", repair_data(phone="bad")).status_code == 200
    assert site.post("/repair/", repair_data()).status_code == 429
    assert not WorkOrder.objects.exists()


def test_x_forwarded_for_is_ignored_unless_trusted(site, settings):
    for i in range(ratelimit.SUBMISSIONS_PER_WINDOW):
        site.post("/repair/", repair_data(), HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    assert site.post("/repair/", repair_data(), HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429

    settings.TRUST_X_FORWARDED_FOR = True
    spoofed = "198.51.100.7, 203.0.113.50"  # the client wrote the first, our proxy appended the last
    assert site.post("/repair/", repair_data(), HTTP_X_FORWARDED_FOR=spoofed).status_code == 302


def test_client_address():
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.9")
    assert ratelimit.client_address(request) == "192.0.2.1"
    request.META["REMOTE_ADDR"] = "not an address"
    assert ratelimit.client_address(request) == "unknown"


@pytest.mark.parametrize("url,data", [("/repair/", repair_data), ("/feedback/", feedback_data)])
def test_csrf_is_enforced(site, url, data):
    strict = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    assert strict.post(url, data()).status_code == 403
    assert not WorkOrder.objects.exists() and not Complaint.objects.exists()
    form = strict.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    assert strict.post(url, {**data(), "csrfmiddlewaretoken": token}).status_code == 302


def test_a_tampered_or_foreign_receipt_shows_no_number(site, center_a, client_b):
    location = site.post("/repair/", repair_data())["Location"]
    code = WorkOrder.objects.get().tracking_code
    assert site.get(location[:-3] + "abc").status_code == 302
    assert site.get("/repair/done/").status_code == 302
    on_beta = client_b.get(location)
    assert on_beta.status_code == 302 and code not in on_beta.content.decode()
    assert site.get(location.replace("/repair/", "/feedback/")).status_code == 302


def test_forms_are_labelled(site):
    for url in ("/repair/", "/feedback/", "/track/"):
        html = site.get(url).content.decode()
        ids = set(re.findall(r'<(?:input|textarea)[^>]+id="([^"]+)"', html)) - {"language-select"}
        labelled = set(re.findall(r'<label[^>]+for="([^"]+)"', html))
        assert ids and ids <= labelled, url


def warm(client, url: str) -> None:
    """One request first: the host → center lookup and the site navigation are cached after it,
    so the counts below are those of our views, not of the shared layout."""
    client.get(url)


@pytest.mark.parametrize("url", ["/repair/", "/feedback/"])
def test_form_pages_in_few_queries(site, url, django_assert_max_num_queries):
    warm(site, url)
    with django_assert_max_num_queries(1):
        assert site.get(url).status_code == 200


def test_thanks_page_in_few_queries(site, django_assert_max_num_queries):
    location = site.post("/repair/", repair_data())["Location"]
    warm(site, location)
    with django_assert_max_num_queries(1):
        assert site.get(location).status_code == 200


# --- Public surveys -------------------------------------------------------------------------------


@pytest.fixture
def surveys(site):
    template = survey_services.surveys_install_defaults()
    today = timezone.localdate()

    def make(title, *, is_public=True, is_open=True, ended=False):
        start = today - dt.timedelta(days=60) if ended else today
        survey = survey_services.survey_create(
            title=title, template=template, period_start=start, period_end=start + dt.timedelta(days=30)
        )
        Survey.objects.filter(pk=survey.pk).update(is_public=is_public, is_open=is_open)
        survey.refresh_from_db()
        return survey

    return {
        "public": make("2026年第一季度满意度调查"),
        "private": make("仅限邀请的回访调查", is_public=False),
        "closed": make("已结束的调查", is_open=False),
        "ended": make("上季度的调查", ended=True),
        "questions": list(template.questions.all()),
    }


def test_the_survey_list_shows_only_open_public_surveys(site, surveys, django_assert_max_num_queries):
    warm(site, "/surveys/")
    with django_assert_max_num_queries(2):
        response = site.get("/surveys/")
    html = response.content.decode()
    assert "2026年第一季度满意度调查" in html
    assert "仅限邀请的回访调查" not in html and "已结束的调查" not in html
    assert "上季度的调查" not in html  # still open, but its period is over
    assert f'href="/surveys/{surveys["public"].pk}/"' in html


def test_answer_a_public_survey(site, surveys, django_assert_max_num_queries):
    url = f"/surveys/{surveys['public'].pk}/"
    warm(site, url)
    with django_assert_max_num_queries(3):
        form = site.get(url)
    html = form.content.decode()
    assert form.status_code == 200
    first = surveys["questions"][0]
    for value in range(1, 6):  # a rating is five labelled radio buttons
        assert f'<input type="radio" id="id_q{first.pk}_{value}" name="q{first.pk}" value="{value}"' in html
        assert f'<label for="id_q{first.pk}_{value}">' in html
    assert "非常满意" in html

    done = site.post(url, answer_post(surveys["questions"]))
    assert done.status_code == 302 and done["Location"] == f"{url}thanks/"
    response = SurveyResponse.objects.get()
    assert response.survey == surveys["public"] and response.source == SurveyResponse.Source.WEB
    assert response.invitation is None and response.entered_by is None
    assert response.answers.count() == len(surveys["questions"])
    audit = AuditEntry.objects.get(action="survey_answer_public")
    assert audit.acting_user is None
    with django_assert_max_num_queries(2):
        thanks = site.get(done["Location"])
    assert "感谢您的参与" in thanks.content.decode()


def test_a_public_survey_with_a_wrong_answer_keeps_what_was_typed(site, surveys):
    url = f"/surveys/{surveys['public'].pk}/"
    response = site.post(url, answer_post(surveys["questions"], rating="9"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "评分必须是 1 到 5 之间的整数" in html and "服务很好，谢谢！" in html
    assert not SurveyResponse.objects.exists()


def test_private_closed_and_other_center_surveys_cannot_be_answered(site, surveys, client_b, center_a):
    assert site.get(f"/surveys/{surveys['private'].pk}/").status_code == 404
    assert (
        site.post(f"/surveys/{surveys['private'].pk}/", answer_post(surveys["questions"])).status_code == 404
    )
    closed = site.post(f"/surveys/{surveys['closed'].pk}/", answer_post(surveys["questions"]))
    assert closed.status_code == 410
    ended = site.post(f"/surveys/{surveys['ended'].pk}/", answer_post(surveys["questions"]))
    assert ended.status_code == 410
    on_beta = client_b.post(f"/surveys/{surveys['public'].pk}/", answer_post(surveys["questions"]))
    assert on_beta.status_code == 404
    assert "2026年第一季度满意度调查" not in client_b.get("/surveys/").content.decode()
    assert count(SurveyResponse, center_a) == 0


def test_public_survey_flood_and_honeypot(site, surveys):
    url = f"/surveys/{surveys['public'].pk}/"
    assert site.post(url, {**answer_post(surveys["questions"]), "website": "x"}).status_code == 302
    assert not SurveyResponse.objects.exists()
    for _i in range(ratelimit.SUBMISSIONS_PER_WINDOW - 1):
        assert site.post(url, answer_post(surveys["questions"])).status_code == 302
    response = site.post(url, answer_post(surveys["questions"]))
    assert response.status_code == 429 and "服务很好，谢谢！" in response.content.decode()
    assert SurveyResponse.objects.count() == ratelimit.SUBMISSIONS_PER_WINDOW - 1


def test_survey_answer_public_service_refuses_a_private_survey(site, surveys):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        survey_services.survey_answer_public(survey=surveys["private"], answers={})
    assert error.value.code == "not_public"
    with pytest.raises(ValidationError) as error:
        survey_services.survey_answer_public(survey=surveys["closed"], answers={})
    assert error.value.code == "closed"
