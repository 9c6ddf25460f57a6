"""GIN indexes for PostgreSQL's full-text search of `q` (recommendations/filters.py).

Built CONCURRENTLY (so non-atomic) so that the running site keeps writing while they build;
nothing happens on SQLite, whose search is a plain word match.
"""

from django.db import migrations

INDEXES = {
    "recommendation_text_fts": "recommendations_recommendation",
    "progressupdate_text_fts": "recommendations_progressupdate",
}
# Must match the expression Django writes for SearchVector("text", config="english").
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(text, ''))"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin ({EXPRESSION})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("recommendations", "0004_staff_roles")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
