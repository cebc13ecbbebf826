"""The large-registry generator at a small size: persons with names and matching keys,
enquiries over every status with candidates, so the page and load benchmarks measure a
registry the application can search."""

from __future__ import annotations

from collections import Counter

import pytest

from kinlink.matching.keys import record_keys
from kinlink.people.models import Person, PersonName
from kinlink.tracing.matching import _keys, candidate_person_ids, person_record
from kinlink.tracing.models import Candidate, Enquiry, PersonKey, StatusChange

pytestmark = pytest.mark.django_db


def test_generator_fills_persons_names_keys_enquiries_and_candidates():
    from bench.large_registry import build

    figures = build(200, 20, workers=1)

    assert figures["persons"] == Person.objects.count() == 200
    names_per_person = Counter(PersonName.objects.values_list("person_id", flat=True))
    assert len(names_per_person) == 200
    assert set(names_per_person.values()) <= {1, 2, 3}
    assert Person.objects.filter(caseworker__isnull=True).count() == 0

    # Keys are those the application files a person under, so candidate search finds them.
    person = Person.objects.prefetch_related("names").get(pk=57)
    expected = _keys(record_keys(person_record(person)))
    stored = sorted(PersonKey.objects.filter(person=person).values_list("key", flat=True))
    assert stored == expected
    assert 57 in candidate_person_ids(expected)

    assert Enquiry.objects.count() == 20
    closed = Enquiry.objects.filter(status="closed")
    assert all(e.outcome for e in closed)
    for enquiry in Enquiry.objects.exclude(status="open"):
        assert Candidate.objects.filter(enquiry=enquiry).count() == 5
        assert StatusChange.objects.filter(enquiry=enquiry).count() >= 2
    assert Candidate.objects.filter(enquiry__status="open").count() == 0
