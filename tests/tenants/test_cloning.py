"""The template clone reproduces the template exactly: tables, constraints and indexes by name."""

from django.conf import settings
from django.db import connection

from wagtail.models import Page

import pytest

from cms.models import HomePage
from tenants import cloning

pytestmark = pytest.mark.django_db

CATALOG = {
    "tables": "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = %s AND c.relkind = 'r'",
    # A partial index's predicate is re-parsed into an equivalent text: compare it by presence.
    "indexes": "SELECT c.relname, regexp_replace(regexp_replace(pg_get_indexdef(c.oid), ' ON [^.]+\\.', ' ON '), "
    "' WHERE .*$', ' WHERE …') "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'i'",
    "constraints": "SELECT co.conname, co.contype, regexp_replace(pg_get_constraintdef(co.oid), "
    "'REFERENCES [a-z_]+\\.', 'REFERENCES ') FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace "
    "WHERE n.nspname = %s AND co.contype <> 'n'",
    "identity": "SELECT c.relname, a.attname, a.attidentity FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND a.attidentity <> ''",
    "not_null": "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r' AND a.attnotnull "
    "AND a.attnum > 0",
}


def catalog(schema: str) -> dict[str, set]:
    connection.set_schema_to_public()
    result = {}
    with connection.cursor() as cursor:
        for key, sql in CATALOG.items():
            cursor.execute(sql, [schema])
            result[key] = set(cursor.fetchall())
    return result


def test_a_cloned_center_matches_the_template(center_a):
    template, clone = catalog(settings.TENANT_BASE_SCHEMA), catalog(center_a.schema_name)
    for key in CATALOG:
        assert template[key] == clone[key], (key, sorted(template[key] ^ clone[key])[:5])
    assert len(template["tables"]) > 50 and len(template["constraints"]) > 100


def test_identity_sequences_continue_after_the_copied_rows(center_a, in_center):
    with in_center(center_a):
        home = HomePage.objects.get()
        child = home.add_child(instance=Page(title="新页面", slug="new-page"))
        assert child.pk > home.pk


def test_clone_script_is_built_once_per_template_state(center_a):
    first = cloning.template_definition(settings.TENANT_BASE_SCHEMA)
    assert cloning.template_definition(settings.TENANT_BASE_SCHEMA) is first
    script = cloning.clone_script(template=settings.TENANT_BASE_SCHEMA, new_schema="zz_probe")
    assert f"{settings.TENANT_BASE_SCHEMA}." not in script.split("FROM")[0]  # only the sources name it
    assert 'CREATE SCHEMA "zz_probe"' in script


def test_objects_the_cloner_cannot_copy_are_refused(center_a, monkeypatch):
    monkeypatch.setattr(cloning, "_cache", {})
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE VIEW "{settings.TENANT_BASE_SCHEMA}".probe_view AS SELECT 1 AS one')
    with pytest.raises(cloning.TemplateNotClonable):
        cloning.template_definition(settings.TENANT_BASE_SCHEMA)
