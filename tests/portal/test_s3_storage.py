"""Media on S3-compatible object storage (#16), against a real local server (moto's server mode).

Each test switches ``STORAGES["default"]`` to ``portal.storage.TenantS3Storage`` for itself only; the
rest of the suite keeps the file system. Keys carry the schema (``alpha/original_images/…``), names in
the database stay as on the file system, and every file still goes through our views: the media view
for images and renditions (streamed, or a redirect to a URL signed for a few minutes), the documents view,
the head-office inbox.
"""

import datetime as dt
import importlib
import io
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.images import get_image_model
from wagtail.models import Collection

import pytest
import requests
from django_tenants.files.storage import TenantFileSystemStorage
from PIL import Image as PILImage

from operations.models import Complaint
from operations.services import work_orders
from operations.services.complaints import complaint_create
from portal.models import Submission
from portal.storage import TenantS3Storage
from tests.base import TEST_PASSWORD
from tests.cms.test_reports import add_report, report_index
from tests.s3 import BUCKET, CheckedMotoServer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 written complaint, private"


@pytest.fixture(scope="session")
def s3_server():
    server = CheckedMotoServer()
    server.start()
    server.client().create_bucket(Bucket=BUCKET)
    yield server
    server.stop()


@pytest.fixture
def s3_media(settings, s3_server):
    """Media of this test on the local object storage (streamed by the media view unless the test says)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "portal.storage.TenantS3Storage", "OPTIONS": s3_server.storage_options()},
    }
    settings.MEDIA_S3_DELIVERY = "stream"
    yield s3_server
    s3_server.empty()


def png_bytes(size=(40, 30), colour="red") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def object_bytes(server, key: str) -> bytes:
    return server.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()


def staff_login(client, center, in_center, username="desk"):
    with in_center(center):
        get_user_model().objects.create_user(username=username, password=TEST_PASSWORD)
        assert client.login(username=username, password=TEST_PASSWORD)
    return client


# --- Settings: the file system stays the default -------------------------------------------------------


def test_the_file_system_stays_the_default(settings):
    assert settings.MEDIA_STORAGE == "filesystem"
    assert settings.STORAGES["default"]["BACKEND"] == "django_tenants.files.storage.TenantFileSystemStorage"
    assert type(storages["default"]) is TenantFileSystemStorage


@pytest.fixture
def storage_settings(monkeypatch):
    """Load ``portal.settings.storage`` under a given environment; reloaded clean afterwards."""
    module = importlib.import_module("portal.settings.storage")
    for name in ("MEDIA_STORAGE", "MEDIA_S3_DELIVERY", "AWS_STORAGE_BUCKET_NAME", "AWS_QUERYSTRING_EXPIRE"):
        monkeypatch.delenv(name, raising=False)

    def load(**environ):
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(module)

    yield load
    monkeypatch.undo()
    importlib.reload(module)


def test_s3_is_chosen_by_the_environment(storage_settings):
    assert not hasattr(storage_settings(), "STORAGES")
    module = storage_settings(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="center-media",
        AWS_S3_ENDPOINT_URL="http://minio.internal:9000",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_S3_REGION_NAME="cn-east-1",
        AWS_QUERYSTRING_EXPIRE="120",
    )
    default = module.STORAGES["default"]
    assert default["BACKEND"] == "portal.storage.TenantS3Storage"
    assert default["OPTIONS"]["bucket_name"] == "center-media"
    assert default["OPTIONS"]["endpoint_url"] == "http://minio.internal:9000"
    assert default["OPTIONS"]["querystring_expire"] == 120
    assert module.MEDIA_S3_DELIVERY == "stream"
    assert (
        module.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


def test_s3_settings_refuse_what_cannot_work(storage_settings):
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        storage_settings(MEDIA_STORAGE="s3")
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE"):
        storage_settings(MEDIA_STORAGE="ftp")
    with pytest.raises(ImproperlyConfigured, match="MEDIA_S3_DELIVERY"):
        storage_settings(MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="b", MEDIA_S3_DELIVERY="public")


@pytest.mark.parametrize(
    "options",
    [{"querystring_auth": False}, {"default_acl": "public-read"}, {"custom_domain": "media.example.com"}],
)
def test_the_storage_refuses_to_be_public(s3_server, options):
    with pytest.raises(ImproperlyConfigured):
        TenantS3Storage(**s3_server.storage_options(**options))


# --- Keys under the schema, nothing across centers -----------------------------------------------------


def test_keys_carry_the_schema_and_another_center_reads_nothing(s3_media, center_a, center_b, in_center):
    with in_center(center_a):
        name = default_storage.save("notes/visit.txt", ContentFile(b"alpha's note"))
        assert name == "notes/visit.txt"  # the database keeps the file system's name
        assert default_storage.url(name) == "/media/alpha/notes/visit.txt"
        assert default_storage.open(name).read() == b"alpha's note"
        # The same name again is a new file, never an overwrite (as on the file system).
        second = default_storage.save("notes/visit.txt", ContentFile(b"another"))
        assert second != name
    assert s3_media.object_keys() == sorted([f"alpha/{name}", f"alpha/{second}"])
    acl = s3_media.client().get_object_acl(Bucket=BUCKET, Key=f"alpha/{name}")
    assert not [
        grant for grant in acl["Grants"] if "URI" in grant["Grantee"]
    ]  # no AllUsers / AuthenticatedUsers

    with in_center(center_b):
        assert not default_storage.exists(name)
        with pytest.raises(FileNotFoundError):
            default_storage.open(name)
        for escape in ("../alpha/notes/visit.txt", "notes/../../alpha/notes/visit.txt"):
            with pytest.raises(SuspiciousOperation):
                default_storage.open(escape)
            with pytest.raises(SuspiciousOperation):
                default_storage.url(escape)
            with pytest.raises(SuspiciousOperation):
                default_storage.signed_url(escape)
        # A name spelling another schema stays below this one's prefix.
        assert default_storage.key("alpha/notes/visit.txt") == "beta/alpha/notes/visit.txt"
        assert not default_storage.exists("alpha/notes/visit.txt")


# --- Images and renditions on the residents' pages -------------------------------------------------------


def test_an_uploaded_image_and_its_rendition_are_under_the_center_and_shown_on_its_page(
    s3_media, alpha, client_a, client_b
):
    admin = client_a
    admin.force_login(get_user_model().objects.get(username="admin"))
    response = admin.post(
        reverse("wagtailimages:add"),
        {
            "title": "义诊现场",
            "file": png_file("clinic.png"),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302
    image = get_image_model().objects.get(title="义诊现场")
    assert s3_media.object_keys() == [f"alpha/{image.file.name}"]
    assert image.file.name.startswith("original_images/")

    index = report_index()
    add_report(index, "义诊报道", cover_image=image)
    admin.logout()
    page = client_a.get(index.url)
    assert page.status_code == 200
    src = re.search(r'src="(/media/alpha/images/[^"]+)"', page.content.decode()).group(1)
    rendition_name = src.removeprefix("/media/alpha/")
    assert f"alpha/{rendition_name}" in s3_media.object_keys()
    assert image.renditions.filter(file=rendition_name).exists()

    served = client_a.get(src)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert body(served) == object_bytes(s3_media, f"alpha/{rendition_name}")

    # Another center's host serves neither alpha's URL nor the same name under its own prefix.
    assert client_b.get(src).status_code == 404
    assert client_b.get(src.replace("/media/alpha/", "/media/beta/")).status_code == 404


def test_a_signed_url_serves_the_image_for_a_few_minutes_only(
    s3_media, settings, center_a, in_center, client_a
):
    settings.MEDIA_S3_DELIVERY = "signed-url"
    with in_center(center_a):
        image = get_image_model().objects.create(title="活动照片", file=png_file("party.png"))
        rendition = image.get_rendition("fill-40x30")
        url = rendition.url
    assert url == f"/media/alpha/{rendition.file.name}"

    response = client_a.get(url)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    signed = response["Location"]
    assert signed.startswith(s3_media.endpoint_url + f"/{BUCKET}/alpha/images/")
    assert "X-Amz-Expires=300" in signed and "X-Amz-Signature=" in signed
    fetched = requests.get(signed, timeout=10)
    assert fetched.status_code == 200 and fetched.content.startswith(b"\x89PNG")

    unsigned = signed.split("?", 1)[0]
    assert requests.get(unsigned, timeout=10).status_code == 403  # the bucket is private
    tampered = signed.replace("/alpha/images/", "/beta/images/")
    assert requests.get(tampered, timeout=10).status_code == 403  # a signature holds for its key only
    s3_media.check.clock_offset = dt.timedelta(seconds=301)
    expired = requests.get(signed, timeout=10)
    assert expired.status_code == 403 and b"expired" in expired.content


def test_the_renditions_cache_never_hands_out_another_centers_file(
    s3_media, center_a, center_b, in_center, client_a, client_b
):
    colours = {"alpha": (255, 0, 0), "beta": (0, 0, 255)}
    urls = {}
    for center in (center_a, center_b):
        with in_center(center):
            # The same primary key and file name in both schemas: Wagtail's cache key and the stored names are
            # the same but for the tenant.
            get_image_model().objects.filter(pk=990001).delete()
            get_image_model().objects.create(
                pk=990001,
                title="封面",
                file=SimpleUploadedFile(
                    "cover.png", png_bytes(colour=colours[center.code]), content_type="image/png"
                ),
            )
            get_image_model().objects.get(pk=990001).get_rendition("fill-40x30")  # stored and cached
    for center in (center_a, center_b):
        with in_center(center):
            cached = get_image_model().objects.get(pk=990001).get_rendition("fill-40x30")
            urls[center.code] = cached.url
            assert cached.url == f"/media/{center.code}/{cached.file.name}"
    assert urls["alpha"].removeprefix("/media/alpha/") == urls["beta"].removeprefix("/media/beta/")
    assert {key.split("/", 1)[0] for key in s3_media.object_keys()} == {"alpha", "beta"}
    for code, client in (("alpha", client_a), ("beta", client_b)):
        served = client.get(urls[code])
        assert served.status_code == 200
        assert PILImage.open(io.BytesIO(body(served))).convert("RGB").getpixel((5, 5)) == colours[code]


# --- Private files: work-order photos, complaint scans, head office's copies --------------------------


@pytest.fixture
def work_order_photo(s3_media, center_a, in_center):
    with in_center(center_a):
        from operations.models import Building, Resident, Unit

        block, _ = Building.objects.get_or_create(name="9号楼")
        unit, _ = Unit.objects.get_or_create(building=block, entrance="1单元", room="101")
        resident = Resident.objects.create(unit=unit, name="张三", phone="13812341234")
        order = work_orders.work_order_create(acting_user=None, description="厨房漏水", resident=resident)
        photo = work_orders.work_order_attach(work_order=order, acting_user=None, file=png_file("leak.png"))
        rendition = photo.image.get_rendition("fill-40x30")
        return {"original": photo.image.file.name, "rendition": rendition.file.name}


@pytest.mark.parametrize("delivery", ["stream", "signed-url"])
def test_a_work_order_photo_goes_only_to_signed_in_staff(
    s3_media, work_order_photo, settings, delivery, center_a, in_center, client_a, client_b
):
    settings.MEDIA_S3_DELIVERY = delivery
    for kind in ("original", "rendition"):
        assert f"alpha/{work_order_photo[kind]}" in s3_media.object_keys()
        assert client_a.get(f"/media/alpha/{work_order_photo[kind]}").status_code == 404, kind
    staff = staff_login(client_a, center_a, in_center)
    for kind in ("original", "rendition"):
        response = staff.get(f"/media/alpha/{work_order_photo[kind]}")
        if delivery == "stream":
            assert response.status_code == 200, kind
            data = body(response)
        else:
            assert response.status_code == 302, kind
            data = requests.get(response["Location"], timeout=10).content
        assert data.startswith(b"\x89PNG"), kind
        # Nor through beta's host, under either prefix.
        assert client_b.get(f"/media/alpha/{work_order_photo[kind]}").status_code == 404
        assert client_b.get(f"/media/beta/{work_order_photo[kind]}").status_code == 404


def test_a_complaint_scan_downloads_through_the_documents_view_for_staff_only(
    s3_media, center_a, in_center, client_a, client_b
):
    with in_center(center_a):
        complaint = complaint_create(
            content="楼道灯坏了一个月没人修",
            channel=Complaint.Channel.WRITTEN,
            written_scan=SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
        )
        document = complaint.written_document
        path = f"/documents/{document.pk}/{document.filename}"
        name = document.file.name
    assert object_bytes(s3_media, f"alpha/{name}") == PDF

    assert client_a.get(path).status_code == 302  # to the login page
    assert client_a.get(f"/media/alpha/{name}").status_code == 404  # never from the media view
    assert client_b.get(path).status_code == 404
    staff = staff_login(client_a, center_a, in_center)
    response = staff.get(path)
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"


def test_head_office_opens_its_own_copy_of_a_centers_report(
    s3_media, in_center, center_a, head_office_client, head_office_admin
):
    from operations.services.proposals import proposal_report_write, proposal_submit
    from tests.factories import make_user
    from tests.operations.test_proposals_services import REPORT, discussed

    report = b"%PDF-1.4 feasibility report"
    with in_center(center_a):
        head = make_user("zhuren", "中心负责人", "张主任")
        proposal = discussed(head)
        scan = SimpleUploadedFile("report.pdf", report, content_type="application/pdf")
        proposal_report_write(proposal=proposal, acting_user=head, document_file=scan, **REPORT)
        proposal_submit(proposal=proposal, acting_user=head)
    attachment = Submission.objects.get(kind="service_project").attachments.get()
    keys = s3_media.object_keys()
    assert f"public/{attachment.file.name}" in keys  # head office's copy, in the public schema's prefix
    assert any(key.startswith("alpha/documents/") for key in keys)  # the center keeps its own

    url = reverse(
        "portal:inbox_attachment", args=[attachment.submission_id, attachment.pk], urlconf="portal.urls"
    )
    assert head_office_client.get(url).status_code == 302
    head_office_client.login(username="hq", password=TEST_PASSWORD)
    response = head_office_client.get(url)
    assert response.status_code == 200 and body(response) == report


@pytest.mark.parametrize("delivery", ["stream", "signed-url"])
def test_a_file_that_is_not_an_image_is_a_sandboxed_download(
    s3_media, settings, delivery, center_a, in_center, client_a
):
    settings.MEDIA_S3_DELIVERY = delivery
    with in_center(center_a):
        name = default_storage.save("notes/page.html", ContentFile(b"<script>alert(1)</script>"))
    response = client_a.get(f"/media/alpha/{name}")
    if delivery == "stream":
        assert response.status_code == 200
        assert response["Content-Disposition"] == "attachment"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"
    else:
        assert response.status_code == 302
        fetched = requests.get(response["Location"], timeout=10)
        assert fetched.status_code == 200 and fetched.headers["Content-Disposition"] == "attachment"
    assert client_a.get("/media/alpha/notes/missing.png").status_code == 404
