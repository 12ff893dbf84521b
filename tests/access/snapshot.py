"""Every row the portal keeps, read before and after a request, to show that a refused request
changed nothing (and that an allowed one changed something)."""

import functools
from collections import defaultdict

from django.apps import apps
from django.db import connection

# The project's apps, with the history tables simple-history adds to them, the outbox
# (cmpp.notifications) and allauth's own records (addresses, authenticators). Sessions are left
# out: signing in and out changes them whatever the page.
APP_LABELS = (
    "core",
    "notifications",
    "accounts",
    "portal",
    "councils",
    "cohorts",
    "learners",
    "networks",
    "reports",
    "account",
    "mfa",
)


@functools.cache
def _query() -> str:
    """One query for every row of every table: the table's name, and the row as one text.

    Read in one go because the matrix reads it about two thousand times; the SQL (CAST, ||,
    COALESCE, UNION ALL) is the same in SQLite and PostgreSQL."""
    quote = connection.ops.quote_name
    selects = []
    for config in apps.get_app_configs():
        if config.label not in APP_LABELS:
            continue
        for model in config.get_models(include_auto_created=True):
            row = " || '|' || ".join(
                f"COALESCE(CAST({quote(field.column)} AS TEXT), '<null>')"
                for field in model._meta.local_concrete_fields
            )
            table = model._meta.db_table
            selects.append(f"SELECT '{table}', {row} FROM {quote(table)}")  # noqa: S608
    assert selects, "no tables to read"
    return " UNION ALL ".join(selects) + " ORDER BY 1, 2"


def snapshot() -> dict[str, list[str]]:
    """Every row of every table, as text, by table."""
    rows = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_query())
        for table, row in cursor.fetchall():
            rows[table].append(row)
    return dict(rows)


def changes(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ, each with how many rows it had before and after."""
    return [
        f"{table} ({len(before.get(table, []))} -> {len(after.get(table, []))} rows)"
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    ]
