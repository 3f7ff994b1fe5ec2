"""A center's schema as Citus schema-based sharding needs it: 64-bit keys, no foreign key out of the schema.

Citus 12+ (``citus.enable_schema_based_sharding``) places each center schema, whole, on one worker
node. Joins inside a schema stay local; a foreign key from a center's table to a public table (here:
``django_content_type``, which Wagtail, taggit and our audit entries point at) or to another schema
cannot be kept across nodes, and 32-bit keys (Wagtail's, taggit's, Django auth's tables) are the
first thing to run out in a long-lived distributed database. ``schema_findings`` lists both kinds
of problem; ``schema_citus_prepare`` fixes them in one schema, idempotently:

- it drops the foreign keys that leave the schema (the columns and their indexes stay; content types
  are only ever written by migrations, so nothing can point at a missing one);
- it widens to ``bigint`` every 16/32-bit primary key, identity column (and its sequence),
  foreign-key column and ``…_id`` column (Wagtail's log entries and taggit keep ids without a
  constraint).

It runs as the last center migration (``cms.0006_citus_ready``), in the template and every center;
a later third-party migration that brings such a key back fails the catalog test
(``tests/tenants/test_citus.py``) until a new migration runs it again. Django's models still say
``AutoField``: Python ints are the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from django_tenants.utils import quote_schema_name


@dataclass
class SchemaFindings:
    schema: str
    foreign_keys_out: list[tuple[str, str, str]] = field(default_factory=list)  # (table, constraint, target)
    narrow_keys: list[tuple[str, str, str]] = field(default_factory=list)  # (table, column, type)
    narrow_sequences: list[str] = field(default_factory=list)  # identity sequences of 16/32 bits

    def __bool__(self):
        return bool(self.foreign_keys_out or self.narrow_keys or self.narrow_sequences)


def schema_findings(*, schema: str) -> SchemaFindings:
    """What in ``schema`` stops Citus from placing it on one node, read from the catalog."""
    findings = SchemaFindings(schema=schema)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, co.conname, tn.nspname || '.' || t.relname "
            "FROM pg_constraint co "
            "JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_class t ON t.oid = co.confrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace "
            "WHERE n.nspname = %s AND co.contype = 'f' AND tn.nspname <> n.nspname ORDER BY 1, 2",
            [schema],
        )
        findings.foreign_keys_out = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
            "AND a.atttypid IN ('int2'::regtype, 'int4'::regtype) AND ("
            "  a.attidentity <> '' OR a.attname LIKE '%%\\_id' OR a.attname = 'id' OR EXISTS ("
            "    SELECT 1 FROM pg_constraint co WHERE co.conrelid = c.oid AND co.contype IN ('p', 'f') "
            "    AND a.attnum = ANY (co.conkey))"
            ") ORDER BY 1, 2",
            [schema],
        )
        findings.narrow_keys = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND s.seqtypid <> 'int8'::regtype ORDER BY 1",
            [schema],
        )
        findings.narrow_sequences = [row[0] for row in cursor.fetchall()]
    return findings


def schema_citus_prepare(*, schema: str) -> SchemaFindings:
    """Drop ``schema``'s foreign keys to other schemas and widen its keys to bigint; returns what it fixed."""
    findings = schema_findings(schema=schema)
    if not findings:
        return findings
    qualified = quote_schema_name(schema)
    statements = [
        f"ALTER TABLE {qualified}.{quote_schema_name(table)} DROP CONSTRAINT {quote_schema_name(name)}"
        for table, name, _target in findings.foreign_keys_out
    ]
    by_table: dict[str, list[str]] = {}
    for table, column, _type in findings.narrow_keys:
        by_table.setdefault(table, []).append(column)
    for table, columns in by_table.items():
        alters = ", ".join(f"ALTER COLUMN {quote_schema_name(column)} TYPE bigint" for column in columns)
        statements.append(f"ALTER TABLE {qualified}.{quote_schema_name(table)} {alters}")
    with connection.cursor() as cursor:
        # Deferred foreign-key checks pending in this transaction would block ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            cursor.execute(statement)
        # An identity column keeps its sequence's type when the column is widened: widen the sequences too.
        for sequence in schema_findings(schema=schema).narrow_sequences:
            cursor.execute(f"ALTER SEQUENCE {qualified}.{quote_schema_name(sequence)} AS bigint")
    return findings
