"""`kinlink link` reads the database registry as plain rows, a chunk of persons at a time
(tracing.registry), and must give the engine exactly the records that
`tracing.matching.person_record` makes from the model instances."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinlink.people.models import Person, PersonName
from kinlink.people.services import create_person
from kinlink.tracing.matching import person_record
from kinlink.tracing.registry import registry_records

pytestmark = pytest.mark.django_db


def _orm_records():
    """The records as the linkage made them before (model instances, names prefetched)."""
    persons = Person.objects.filter(merged_into__isnull=True).prefetch_related("names")
    return [person_record(p) for p in persons.order_by("pk")]


@pytest.fixture
def registry(make_user):
    keeper = make_user("sara", "caseworker", team="North")
    made = [
        create_person(
            names=[
                {"given_name": "مسعود", "family_name": "حسینی", "father_name": "علی"},
                {"given_name": "Masoud", "family_name": "Hosseini", "kind": "spelling"},
            ],
            birth="1344",
            birth_place="اهواز",
            gender="M",
            caseworker=keeper,
        ),
        create_person(
            names=[{"given_name": "Fereshteh", "family_name": ""}],
            birth="about 1965±3",
            gender="F",
        ),
        create_person(
            names=[{"family_name": "Ahmadi", "mother_name": "Zahra"}], birth="1970-05-12"
        ),
        create_person(names=[{"given_name": "Yeganeh"}], birth_year=1980),
        create_person(names=[{"given_name": "Parvin", "family_name": "Karimi"}], birth="1350 SH"),
        create_person(names=[{"given_name": "Omid", "family_name": "Moradi"}], gender="X"),
    ]
    # An alias entered before the legal name; the father's and mother's names only on later
    # names; an organisational name that is hidden; a name with no text.
    odd = create_person(names=[{"given_name": "Ray", "kind": "nickname"}], birth="1361")
    PersonName.objects.create(person=odd, kind="legal", given_name="Mohammad Reza")
    PersonName.objects.create(person=odd, kind="alias", given_name="Reza", father_name="Hassan")
    PersonName.objects.create(
        person=odd, kind="organisational", given_name="Sina", mother_name="Leila", hidden=True
    )
    PersonName.objects.create(person=odd, kind="alias", given_name="", family_name="")
    made.append(odd)
    # No names at all; a birth date as entered that no longer parses (stored columns serve);
    # a birth date without what was entered.
    made.append(Person.objects.create(reference="P-NONAME", birth_year=1955, birth_year_margin=2))
    made.append(
        Person.objects.create(
            reference="P-OLDTEXT", birth_entered="circa the sixties", birth_year=1962
        )
    )
    made.append(Person.objects.create(reference="P-DAY", birth_date=dt.date(1975, 3, 21)))
    # A merged record is not in the registry (its survivor is), whatever its names.
    merged = create_person(names=[{"given_name": "Massoud", "family_name": "Hosseini"}])
    merged.merged_into = made[0]
    merged.save(update_fields=["merged_into"])
    return made


def test_the_records_are_those_person_record_makes_from_the_models(registry):
    expected = _orm_records()
    assert len(expected) == len(registry)
    for chunk in (1, 2, 3, 5000):
        assert list(registry_records(chunk=chunk)) == expected


def test_two_queries_per_chunk_of_only_the_columns_the_engine_uses(registry):
    with CaptureQueriesContext(connection) as queries:
        records = list(registry_records(chunk=4))
    chunks = -(-len(registry) // 4)
    # persons, then their names, per chunk; one more (empty) read of persons ends it
    assert len(queries) == 2 * chunks + 1
    assert len(records) == len(registry)
    # no sealed column, nothing of the caseload
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for column in ("contact", "last_known_location", "caseworker_id", "hidden"):
        assert f'"{column}"' not in sql


def test_a_bad_chunk_is_refused():
    with pytest.raises(ValueError, match="chunk"):
        list(registry_records(chunk=0))
