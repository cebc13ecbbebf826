"""Ship the default retention periods (an administrator or DPO changes them later)."""

from django.db import migrations

DEFAULTS = {
    "closed_enquiry": 3652,
    "closed_case": 2557,
    "inactive_person": 3652,
    "login_records": 180,
}


def add_defaults(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for record_type, days in DEFAULTS.items():
        RetentionRule.objects.get_or_create(
            record_type=record_type, defaults={"period_days": days, "enabled": True}
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
