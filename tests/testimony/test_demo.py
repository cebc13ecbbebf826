"""The demo testimonies: made through the services, at several places, exportable."""

from __future__ import annotations

import random

from django.core.exceptions import ValidationError

from kinlink.people.services import create_person
from kinlink.testimony import evidence, models
from kinlink.testimony.demo import PLACES, load_demo_testimonies
from kinlink.testimony.verify import verify_bundle

NAMES = [
    (("حسین", "موسوی"), ("Hossein", "Mousavi")),
    (("فرشته", "احمدی"), ("Fereshteh", "Ahmadi")),
    (("مسعود", "کریمی"), ("Masoud", "Karimi")),
    (("یگانه", "رضایی"), ("Yeganeh", "Rezaei")),
    (("پروین", "نوری"), ("Parvin", "Nouri")),
    (("علی", "جعفری"), ("Ali", "Jafari")),
]


def test_demo_testimonies_have_events_at_several_places_and_export_cleanly(staff):
    persons = [
        create_person(
            names=[
                {"given_name": fa[0], "family_name": fa[1], "kind": "legal"},
                {"given_name": en[0], "family_name": en[1], "kind": "spelling"},
            ],
            caseworker=staff["caseworker"],
        )
        for fa, en in NAMES * 2
    ]
    made = load_demo_testimonies(staff, persons, random.Random(7), count=10)
    assert made == {"testimonies": 10, "places": len(PLACES)}
    assert models.Testimony.objects.count() == 10
    assert models.AccountVersion.objects.filter(number=2).exists(), "a corrected account"
    assert models.MentionedPerson.objects.exists(), "a cellmate listed for redaction"
    places_used = set(models.Event.objects.values_list("place__name", flat=True))
    assert len(places_used) >= 3
    exported = 0
    for purpose in models.Purpose.values:
        try:
            export = evidence.export_evidence(user=staff["dpo"], recipient="NGO", purpose=purpose)
        except ValidationError:
            continue
        assert verify_bundle(export.file.path).ok
        exported += 1
    assert exported >= 1
