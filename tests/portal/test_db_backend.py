"""portal.db: django-tenants' backend that keeps the (shared) ContentType cache across schemas."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection

import pytest

from cms.models import NoticePage
from portal.db.base import contenttypes_are_shared


@pytest.mark.django_db
def test_switching_centers_keeps_the_content_type_cache(center_a, center_b, django_assert_num_queries):
    assert contenttypes_are_shared()
    notice_type = ContentType.objects.get_for_model(NoticePage)
    connection.set_tenant(center_a)
    connection.set_tenant(center_b)
    with django_assert_num_queries(0):
        assert ContentType.objects.get_for_model(NoticePage) == notice_type


@pytest.mark.django_db
def test_content_types_live_in_the_public_schema_only(center_a):
    connection.set_tenant(center_a)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'django_content_type'"
        )
        assert [row[0] for row in cursor.fetchall()] == ["public"]
