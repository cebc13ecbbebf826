"""The event types every installation starts with. Users add and retire types later;
labels of these seeded ones are translated in kinlink/testimony/vocabulary.py."""

from django.db import migrations

SEED = [
    ("detention", "detention"),
    ("solitary_confinement", "solitary confinement"),
    ("forced_separation", "forced separation from family"),
    ("forced_divorce", "forced divorce"),
    ("document_confiscation", "confiscation of documents"),
    ("beating", "beating"),
    ("forced_confession", "forced confession"),
    ("denied_contact", "contact with family denied"),
    ("threat", "threat"),
    ("escape", "escape"),
    ("transfer", "transfer"),
    ("release", "release"),
    ("death", "death"),
]


def seed(apps, schema_editor):
    EventType = apps.get_model("testimony", "EventType")
    for position, (code, name) in enumerate(SEED, 1):
        EventType.objects.get_or_create(code=code, defaults={"name": name, "position": position})


def unseed(apps, schema_editor):
    EventType = apps.get_model("testimony", "EventType")
    EventType.objects.filter(code__in=[code for code, _ in SEED], events__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("testimony", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
