"""The default exit and reintegration pathway (../shared/DOMAIN.md), its task templates, and
the usual document types. Administrators change or extend them later without code.

The names are marked for translation (gettext_noop) so that the pages show them in the
user's language; the database keeps the English text.
"""

from django.db import migrations
from django.utils.translation import gettext_noop as _

PATHWAY = _("Exit and reintegration")
PATHWAY_DESCRIPTION = _(
    "From the first contact with a person leaving a closed group to their new life: "
    "transit, interviews, relocation or return home, and reintegration."
)

# (code, name, closes the case, [(task title, due after days)])
STAGES = [
    (
        "first_contact",
        _("First contact"),
        False,
        [
            (_("Agree a safe way to stay in touch"), 3),
            (_("Assess immediate needs: safety, shelter, health"), 3),
            (_("Explain how kinlink records and protects the person's data"), 7),
        ],
    ),
    (
        "leaving",
        _("Leaving / exit in progress"),
        False,
        [
            (_("Plan a safe exit with the person"), 7),
            (_("List identity papers held by the group"), 14),
        ],
    ),
    (
        "transit",
        _("In transit"),
        False,
        [
            (_("First call to family, if the person wishes"), 14),
            (_("Arrange a medical check"), 14),
        ],
    ),
    (
        "interviews",
        _("Interviews"),
        False,
        [
            (_("Arrange legal aid for the interviews"), 7),
            (_("Prepare for the refugee-status interview"), 14),
        ],
    ),
    (
        "awaiting_relocation",
        _("Awaiting relocation"),
        False,
        [
            (_("Retrieve identity documents"), 30),
            (_("Prepare travel documents"), 30),
        ],
    ),
    (
        "relocated_or_returned",
        _("Relocated to a third country / returned home"),
        False,
        [
            (_("Apply for residence permit"), 14),
            (_("Register with health service"), 14),
            (_("Find housing"), 30),
        ],
    ),
    (
        "reintegration",
        _("Reintegration"),
        False,
        [
            (_("Offer psychosocial support"), 14),
            (_("Enrol in a language course"), 30),
            (_("Refer to employment support"), 30),
            (_("Support contact with family"), 30),
        ],
    ),
    ("closed", _("Closed"), True, []),
]

# (code, name, renewal lead days or None for the default)
DOCUMENT_TYPES = [
    ("passport", _("Passport"), 90),
    ("identity_card", _("Identity card"), None),
    ("residence_permit", _("Residence permit"), None),
    ("refugee_status", _("Refugee status or protection certificate"), None),
    ("travel_document", _("Travel document"), None),
    ("work_permit", _("Work permit"), None),
    ("birth_certificate", _("Birth certificate"), None),
]


def create_defaults(apps, schema_editor):
    Pathway = apps.get_model("cases", "Pathway")
    Stage = apps.get_model("cases", "Stage")
    TaskTemplate = apps.get_model("cases", "TaskTemplate")
    DocumentType = apps.get_model("cases", "DocumentType")
    pathway, _created = Pathway.objects.get_or_create(
        name=PATHWAY, defaults={"description": PATHWAY_DESCRIPTION, "is_default": True}
    )
    for position, (code, name, is_final, tasks) in enumerate(STAGES, start=1):
        stage, _created = Stage.objects.get_or_create(
            pathway=pathway,
            name=name,
            defaults={"code": code, "position": position * 10, "is_final": is_final},
        )
        for task_position, (title, days) in enumerate(tasks, start=1):
            TaskTemplate.objects.get_or_create(
                stage=stage,
                title=title,
                defaults={"due_after_days": days, "position": task_position * 10},
            )
    for code, name, lead in DOCUMENT_TYPES:
        DocumentType.objects.get_or_create(
            name=name, defaults={"code": code, "renewal_lead_days": lead}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
