"""Trigram indexes for the learner search on PostgreSQL.

The search (`learner_search_q`) looks for each word inside names and email with `icontains`,
which Django writes as `UPPER("learners_learner"."first_name"::text) LIKE UPPER('%word%')`: no
B-tree index serves a match inside a value, so at national scale every search read all 20,000
learners (80 to 120 ms). A GIN index of each expression's trigrams (pg_trgm) serves it (about
1 ms). The indexes are on exactly the expressions Django writes, or PostgreSQL will not use them.

pg_trgm is a trusted extension from PostgreSQL 13, so the database's owner can create it. SQLite
(the test suite's other database) has neither, so there the migration does nothing; the indexes
are not in the model's state for the same reason.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = ("first_name", "last_name", "email")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS learner_{column}_trigram ON learners_learner "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS learner_{column}_trigram")


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0007_learner_anonymised_on"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
