from django.db import migrations, models

# A caseload (`people.selectors.persons_visible_to`: live persons of one caseworker or one
# team) read from an index alone: the home page counts it and the persons search joins the
# matching names with it, without visiting the persons' rows, which lie all over the table
# (on a large registry that was 5,000 heap blocks for a caseworker, 50,000 for a team).
INDEXES = [
    models.Index(
        fields=["caseworker", "id"],
        condition=models.Q(merged_into__isnull=True),
        name="people_person_cw_live",
    ),
    models.Index(
        fields=["team", "id"],
        condition=models.Q(merged_into__isnull=True),
        name="people_person_team_live",
    ),
]


def add_indexes(apps, schema_editor):
    person = apps.get_model("people", "Person")
    for index in INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            # IF NOT EXISTS: an operator of a large registry may have built it beforehand
            # with CREATE INDEX CONCURRENTLY, to keep the table unlocked meanwhile.
            sql = str(index.create_sql(person, schema_editor))
            schema_editor.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        else:
            schema_editor.add_index(person, index)


def remove_indexes(apps, schema_editor):
    person = apps.get_model("people", "Person")
    for index in INDEXES:
        schema_editor.remove_index(person, index)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_recent_and_name_search"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="person", index=index) for index in INDEXES
            ],
            database_operations=[
                migrations.RunPython(add_indexes, remove_indexes, elidable=False),
            ],
        ),
    ]
