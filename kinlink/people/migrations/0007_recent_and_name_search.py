from django.conf import settings
from django.db import migrations, models

# Name search (`people.selectors.search_persons`) matches substrings with icontains, which
# PostgreSQL writes as UPPER(col::text) LIKE '%...%': trigram indexes on exactly those
# expressions answer it without reading every name. pg_trgm is a trusted extension (the
# database owner may create it). SQLite has none of this and scans, which is fine at its sizes.
TRIGRAM_INDEXES = {
    "people_personname_given_trgm": "given_name",
    "people_personname_family_trgm": "family_name",
}


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON people_personname "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )
    # reference__iexact: UPPER(reference::text) = UPPER(%s)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS people_person_reference_upper "
        "ON people_person ((UPPER(reference::text)))"
    )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*TRIGRAM_INDEXES, "people_person_reference_upper"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("people", "0006_legal_basis_per_purpose"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["caseworker", "-updated_at"], name="people_person_cw_updated"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["team", "-updated_at"], name="people_person_team_updated"),
        ),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
