# The directory's search (holder name or city, icontains: UPPER(...) LIKE
# '%...%') through trigram indexes on PostgreSQL. SQLite has no pg_trgm and
# keeps its plain scan.

from django.db import migrations

INDEXES = {
    "certificate_holder_name_trgm": "holder_name",
    "certificate_holder_city_trgm": "holder_city",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "certification_certificate" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops) WHERE "status" = \'active\''
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("certification", "0007_public_page_indexes")]

    operations = [migrations.RunPython(create, drop)]
