"""Row-level security on the public tables that centers write to (DESIGN §15).

A center's requests run with the public schema on their search path, so these tables were protected only
by the filters in our code. Every connection now states whose it is — ``bianmin.schema``, set together
with the search path by ``portal.db`` — and PostgreSQL itself keeps a center to its own rows: it can neither
read nor write another center's, even with a raw query. Head office (``public``, or no setting: migrations,
management commands) sees every row. ``FORCE`` makes the tables' owner obey too; only a superuser bypasses
row-level security, so production connects as an ordinary role (docs: README "Production").
"""

from django.db import migrations

CURRENT = "current_setting('bianmin.schema', true)"
HEAD_OFFICE = f"coalesce({CURRENT}, '') IN ('', 'public')"
OWN_CENTER = f"(SELECT id FROM tenants_servicecenter WHERE schema_name = {CURRENT})"

#: table → (the rows of the current center, rows every center may read too)
TABLES = {
    "portal_submission": (f"center_id = {OWN_CENTER}", "is_model"),
    "portal_submissionevent": (
        f"submission_id IN (SELECT id FROM portal_submission WHERE center_id = {OWN_CENTER})",
        None,
    ),
    "portal_submissionattachment": (
        f"submission_id IN (SELECT id FROM portal_submission WHERE center_id = {OWN_CENTER})",
        None,
    ),
    "portal_publishedreport": (f"center_id = {OWN_CENTER}", None),
    "portal_centerday": (f"center_id = {OWN_CENTER}", None),
    "portal_centermonth": (f"center_id = {OWN_CENTER}", None),
    "portal_centerkpi": (f"center_id = {OWN_CENTER}", None),
    "portal_signinunlock": (f"schema_name = {CURRENT}", None),
}


def forward_sql() -> list[str]:
    statements = []
    for table, (own, shared) in TABLES.items():
        statements += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY center_rows ON {table} USING ({HEAD_OFFICE} OR {own}) WITH CHECK ({HEAD_OFFICE} OR {own})",
        ]
        if shared:
            statements.append(f"CREATE POLICY shared_rows ON {table} FOR SELECT USING ({shared})")
    return statements


def backward_sql() -> list[str]:
    statements = []
    for table, (_own, shared) in TABLES.items():
        statements.append(f"DROP POLICY IF EXISTS center_rows ON {table}")
        if shared:
            statements.append(f"DROP POLICY IF EXISTS shared_rows ON {table}")
        statements += [f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY", f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"]
    return statements


class Migration(migrations.Migration):
    dependencies = [("portal", "0014_signin_unlock"), ("tenants", "0002_center_region")]

    operations = [migrations.RunSQL(forward_sql(), backward_sql())]
