"""Photos of an activity: its Wagtail collection, checked uploads, thumbnails, isolation between centers."""

import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission

import pytest
from PIL import Image as PILImage

from operations.models import Activity, AuditEntry
from operations.services.activities import (
    PHOTO_ROOT_COLLECTION,
    activity_cancel,
    activity_create,
    activity_photo_add,
    activity_photo_collection_ensure,
)
from tests.base import TEST_PASSWORD
from tests.factories import make_user

DETAIL_MAX_QUERIES = 30


def picture(fmt="JPEG", size=(64, 48), name=None, colour=(200, 30, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    PILImage.new("RGB", size, colour).save(out, fmt)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}[fmt]
    return SimpleUploadedFile(name or f"photo.{extension}", out.getvalue(), content_type=f"image/{extension}")


def make(title="社区义诊", kind=Activity.Kind.FREE_CLINIC):
    starts_at = timezone.now() - dt.timedelta(hours=1)
    return activity_create(
        acting_user=None,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place="中心广场",
    )


def test_collection_is_created_once_under_activity_photos(officer):
    activity = make()
    collection = activity_photo_collection_ensure(acting_user=officer, activity=activity)
    assert collection.name == f"{activity.number} 社区义诊"
    assert collection.get_parent().name == PHOTO_ROOT_COLLECTION
    assert collection.get_parent().get_parent().is_root()
    activity.refresh_from_db()
    assert activity.photo_collection == collection
    assert activity_photo_collection_ensure(acting_user=officer, activity=activity) == collection
    other = activity_photo_collection_ensure(acting_user=officer, activity=make(title="生日会"))
    assert other.get_parent() == collection.get_parent()
    assert Collection.objects.filter(name=PHOTO_ROOT_COLLECTION).count() == 1
    assert AuditEntry.objects.filter(action="activity_photo_collection_ensure").count() == 2
    # the officer's role manages website media; it manages the activity photos too
    assert GroupCollectionPermission.objects.filter(
        collection=collection.get_parent(), group__name="社区文化活动专员"
    ).exists()
    assert officer.has_perm("operations.change_activity")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_photo_add_stores_image_in_the_collection(officer, fmt):
    activity = make()
    image = activity_photo_add(acting_user=officer, activity=activity, file=picture(fmt), title=" 签到处 ")
    activity.refresh_from_db()
    assert image.collection_id == activity.photo_collection_id
    assert image.title == "签到处"
    assert (image.width, image.height) == (64, 48)
    assert image.file_size and image.file_hash
    assert image.uploaded_by_user == officer
    assert image.file.name.startswith("original_images/")
    assert AuditEntry.objects.filter(action="activity_photo_add", object_id=str(activity.pk)).exists()
    # the title defaults to the file name
    second = activity_photo_add(acting_user=officer, activity=activity, file=picture(fmt, name="合影.jpg"))
    assert second.title == "合影"


def test_photo_add_refuses_bad_files(officer):
    activity = make()
    cases = [
        SimpleUploadedFile("notes.jpg", b"this is not an image", content_type="image/jpeg"),
        SimpleUploadedFile("empty.png", b"", content_type="image/png"),
        picture("GIF", name="anim.gif"),
        picture("BMP", name="scan.bmp"),
        SimpleUploadedFile("script.png", b"<script>alert(1)</script>", content_type="image/png"),
    ]
    for upload in cases:
        with pytest.raises(ValidationError) as error:
            activity_photo_add(acting_user=officer, activity=activity, file=upload)
        assert upload.name in error.value.messages[0]
    assert get_image_model().objects.count() == 0


def test_photo_add_refuses_oversized_file(officer, monkeypatch):
    from operations.services import activities

    monkeypatch.setattr(activities, "PHOTO_MAX_BYTES", 100)
    with pytest.raises(ValidationError) as error:
        activity_photo_add(
            acting_user=officer, activity=make(), file=picture(size=(300, 300), name="big.jpg")
        )
    assert "big.jpg" in error.value.messages[0] and "10 MB" in error.value.messages[0]
    assert get_image_model().objects.count() == 0


def test_no_photos_on_a_cancelled_activity(officer):
    activity = make()
    activity_cancel(acting_user=officer, activity=activity, reason="下雨")
    with pytest.raises(ValidationError):
        activity_photo_add(acting_user=officer, activity=activity, file=picture())


def test_upload_view_saves_good_files_and_names_bad_ones(admin_client):
    activity = make()
    url = reverse("activities:action", args=[activity.pk, "photos"])
    response = admin_client.post(
        url,
        {
            "photos": [
                picture("JPEG", name="签到.jpg"),
                SimpleUploadedFile("坏文件.jpg", b"garbage", content_type="image/jpeg"),
                picture("PNG", name="现场.png"),
                picture("GIF", name="动图.gif"),
            ]
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "坏文件.jpg" in page and "动图.gif" in page
    activity.refresh_from_db()
    titles = set(
        get_image_model().objects.filter(collection=activity.photo_collection).values_list("title", flat=True)
    )
    assert titles == {"签到", "现场"}
    # thumbnails (renditions) and the link to the image library filtered by the collection
    assert page.count('class="activity-photos"') == 1
    assert f"collection_id={activity.photo_collection_id}" in page
    assert "fill-200x150" in page or "/images/" in page
    library = admin_client.get(
        reverse("wagtailimages:index"), {"collection_id": activity.photo_collection_id}
    )
    assert library.status_code == 200 and "签到" in library.content.decode()


def test_upload_view_without_files_shows_form_error(admin_client):
    activity = make()
    response = admin_client.post(reverse("activities:action", args=[activity.pk, "photos"]), {})
    assert response.status_code == 400
    assert get_image_model().objects.count() == 0


def test_upload_needs_change_permission(center_a, client_a):
    connection.set_tenant(center_a)
    activity = make()
    viewer = make_user("dispatch", "部门调度员")
    client_a.force_login(viewer)
    response = client_a.post(
        reverse("activities:action", args=[activity.pk, "photos"]), {"photos": [picture()]}
    )
    assert response.status_code in (302, 403)
    assert get_image_model().objects.count() == 0


def test_officer_uploads_and_sees_the_library(center_a, client_a, officer):
    activity = make()
    client_a.force_login(officer)
    client_a.post(
        reverse("activities:action", args=[activity.pk, "photos"]), {"photos": [picture(name="a.jpg")]}
    )
    activity.refresh_from_db()
    image = get_image_model().objects.get(collection=activity.photo_collection)
    library = client_a.get(reverse("wagtailimages:index"), {"collection_id": activity.photo_collection_id})
    assert library.status_code == 200
    assert reverse("wagtailimages:edit", args=[image.pk]) in library.content.decode()


def test_detail_queries_flat_with_photos(admin_client, django_assert_max_num_queries):
    activity = make()
    activity_photo_add(acting_user=None, activity=activity, file=picture())
    url = reverse("activities:inspect", args=[activity.pk])
    admin_client.get(url)  # renditions are generated on the first view
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES) as first:
        assert admin_client.get(url).status_code == 200
    baseline = len(first)
    for i in range(5):
        activity_photo_add(acting_user=None, activity=activity, file=picture(colour=(i * 40, 90, 90)))
    admin_client.get(url)
    with django_assert_max_num_queries(baseline):
        page = admin_client.get(url).content.decode()
    assert page.count("<img") >= 6


def test_other_centers_photos_not_reachable(center_a, center_b, client_a, client_b, in_center):
    with in_center(center_b):
        secret = make(title="贝塔秘密活动")
        image = activity_photo_add(acting_user=None, activity=secret, file=picture(name="beta.jpg"))
        beta_url = image.file.url
        rendition_url = image.get_rendition("fill-200x150").url
        secret_pk, image_pk = secret.pk, image.pk
        assert client_b.get(beta_url).status_code == 200
    with in_center(center_a):
        assert client_a.login(username="admin", password=f"alpha-{TEST_PASSWORD}")
        assert not Activity.objects.filter(pk=secret_pk).exists()
        response = client_a.get(reverse("activities:inspect", args=[secret_pk]))
        assert response.status_code == 404
        assert (
            client_a.post(
                reverse("activities:action", args=[secret_pk, "photos"]), {"photos": [picture()]}
            ).status_code
            == 404
        )
        assert client_a.get(reverse("wagtailimages:edit", args=[image_pk])).status_code in (302, 404)
    # beta's files under alpha's host: refused
    assert client_a.get(beta_url).status_code == 404
    assert client_a.get(rendition_url).status_code == 404
