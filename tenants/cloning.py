"""Cloning the center template schema in constant time, however many centers exist.

django-tenants clones with pg-clone-schema, a PL/pgSQL function that inspects the catalogs
object by object; its cost grows with the size of the whole catalog. Measured here: 0.5 s
with a handful of schemas, 27 s with 180 — a head office with thousands of centers could not
open a new one. This module reads the template's definition once per process (tables,
constraints and indexes under their original names, which later migrations rely on) and
replays it for each new center as one batch of plain DDL plus ``INSERT … SELECT`` of the
template's rows (Wagtail's root page and site, collections, permissions, migration records).

The template holds only what Django migrations create: tables, identity columns, constraints
and indexes. Anything else (views, functions, triggers, serial defaults) makes
``template_definition`` refuse, so a future migration that adds one fails loudly in tests
instead of producing incomplete centers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from django_tenants.utils import quote_schema_name


class TemplateNotClonable(RuntimeError):
    """The template schema holds an object this cloner does not reproduce."""


@dataclass(frozen=True)
class TemplateDefinition:
    fingerprint: tuple
    tables: tuple[str, ...]
    tables_with_rows: tuple[str, ...]
    identity_columns: tuple[tuple[str, str], ...]  # (table, column)
    constraints: tuple[tuple[str, str, str, str], ...]  # (table, name, contype, definition)
    indexes: tuple[str, ...]  # CREATE INDEX statements, template-qualified


_cache: dict[str, TemplateDefinition] = {}


def template_fingerprint(cursor, template: str) -> tuple:
    """The template's migration state: (number of applied migrations, highest id)."""
    sql = f"SELECT count(*), coalesce(max(id), 0) FROM {quote_schema_name(template)}.django_migrations"  # noqa: S608
    cursor.execute(sql)
    return tuple(cursor.fetchone())


def template_definition(template: str) -> TemplateDefinition:
    """The template's tables, constraints and indexes; cached until its migrations change."""
    with connection.cursor() as cursor:
        fingerprint = template_fingerprint(cursor, template)
        cached = _cache.get(template)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        # Definitions are rendered relative to search_path: make sure it is "public" only, so
        # template objects come out qualified as "<template>." and public ones unqualified.
        connection.set_schema_to_public()
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [template])
        namespace = cursor.fetchone()[0]

        cursor.execute(
            "SELECT relkind, relname FROM pg_class WHERE relnamespace = %s AND relkind NOT IN ('r', 'i', 'S')",
            [namespace],
        )
        others = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM pg_proc WHERE pronamespace = %s", [namespace])
        functions = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relnamespace = %s AND NOT t.tgisinternal",
            [namespace],
        )
        triggers = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid "
            "WHERE c.relnamespace = %s AND pg_get_expr(d.adbin, d.adrelid) LIKE '%%nextval(%%'",
            [namespace],
        )
        serial_defaults = cursor.fetchone()[0]
        if others or functions or triggers or serial_defaults:
            raise TemplateNotClonable(
                f"template {template} holds objects the cloner does not copy: {others[:5]}, "
                f"{functions} functions, {triggers} triggers, {serial_defaults} serial defaults"
            )

        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = %s AND relkind = 'r' ORDER BY relname",
            [namespace],
        )
        tables = tuple(row[0] for row in cursor.fetchall())
        tables_with_rows = []
        for table in tables:
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {quote_schema_name(template)}.{quote_schema_name(table)})"  # noqa: S608
            )
            if cursor.fetchone()[0]:
                tables_with_rows.append(table)

        cursor.execute(
            "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relnamespace = %s AND c.relkind = 'r' AND a.attidentity <> '' AND NOT a.attisdropped "
            "ORDER BY 1, 2",
            [namespace],
        )
        identity_columns = tuple(tuple(row) for row in cursor.fetchall())

        # Primary keys, unique, check and exclusion constraints first, foreign keys last.
        cursor.execute(
            "SELECT c.relname, co.conname, co.contype, pg_get_constraintdef(co.oid) "
            "FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid "
            "WHERE c.relnamespace = %s AND co.contype IN ('p', 'u', 'c', 'x', 'f') "
            "ORDER BY co.contype = 'f', c.relname, co.conname",
            [namespace],
        )
        constraints = tuple(tuple(row) for row in cursor.fetchall())

        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "WHERE c.relnamespace = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid) "
            "ORDER BY 1",
            [namespace],
        )
        indexes = tuple(row[0] for row in cursor.fetchall())

    definition = TemplateDefinition(
        fingerprint=fingerprint,
        tables=tables,
        tables_with_rows=tuple(tables_with_rows),
        identity_columns=identity_columns,
        constraints=constraints,
        indexes=indexes,
    )
    _cache[template] = definition
    return definition


def clone_script(*, template: str, new_schema: str) -> str:
    """The SQL that creates ``new_schema`` as a copy of the template, structure and rows."""
    definition = template_definition(template)
    src, dst = quote_schema_name(template), quote_schema_name(new_schema)
    prefix, replacement = f"{template}.", f"{dst}."

    def requalify(sql: str) -> str:
        return sql.replace(prefix, replacement)

    statements = [f"CREATE SCHEMA {dst}"]
    for table in definition.tables:
        name = quote_schema_name(table)
        statements.append(
            f"CREATE TABLE {dst}.{name} (LIKE {src}.{name} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED)"
        )
    for table in definition.tables_with_rows:
        name = quote_schema_name(table)
        statements.append(f"INSERT INTO {dst}.{name} SELECT * FROM {src}.{name}")  # noqa: S608
    rows = set(definition.tables_with_rows)
    for table, column in definition.identity_columns:
        if table in rows:
            qualified = f"{dst}.{quote_schema_name(table)}"
            col = quote_schema_name(column)
            statements.append(
                f"SELECT setval(pg_get_serial_sequence('{qualified}', '{column}'), "  # noqa: S608
                f"(SELECT max({col}) FROM {qualified}))"
            )
    for table, name, _contype, definition_sql in definition.constraints:
        statements.append(
            f"ALTER TABLE {dst}.{quote_schema_name(table)} ADD CONSTRAINT {quote_schema_name(name)} "
            f"{requalify(definition_sql)}"
        )
    statements.extend(requalify(sql) for sql in definition.indexes)
    return ";\n".join(statements)


def clone_template(*, template: str, new_schema: str) -> None:
    """Create ``new_schema`` from the template inside the caller's transaction."""
    script = clone_script(template=template, new_schema=new_schema)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(script)
    connection.set_schema_to_public()
