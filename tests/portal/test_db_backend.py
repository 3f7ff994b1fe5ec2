"""portal.db: django-tenants' backend that keeps the (shared) ContentType cache across schemas."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.backends.postgresql.introspection import TableInfo

import pytest
from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection

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


@pytest.mark.django_db
def test_a_schemas_table_list_is_the_one_django_tenants_finds(center_a):
    """portal.db.introspection finds a schema's tables by its namespace: the same list as django-tenants'
    (Django's visibility test over the whole catalog, with the search path narrowed to the schema)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE VIEW alpha.introspection_probe AS SELECT 1 AS one")
    for schema in ("public", settings.TENANT_BASE_SCHEMA, "alpha"):
        connection.set_schema(schema)
        with connection.cursor() as cursor:
            ours = connection.introspection.get_table_list(cursor)
            theirs = DatabaseSchemaIntrospection(connection).get_table_list(cursor)
        assert len(ours) > 10 and sorted(ours) == sorted(theirs), schema
    assert TableInfo("introspection_probe", "v", None) in ours
    assert "django_migrations" in connection.introspection.table_names()
