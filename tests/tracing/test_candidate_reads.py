"""What the enquiry page and the candidates endpoint read of their candidates: the caseload
check that logs out-of-caseload candidates also answers which records the reader may open,
hidden-name texts come from the names loaded with the candidates, and no sealed column of a
candidate's person is read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinlink.audit.models import Entry
from kinlink.people.models import Person, PersonName
from kinlink.people.selectors import hidden_name_texts_by_person, viewable_person_ids
from kinlink.tracing.selectors import candidates_of, shown_candidates

pytestmark = pytest.mark.django_db


def _logged(enquiry) -> list[int]:
    entries = Entry.objects.filter(field="candidate", detail__enquiry=enquiry.reference)
    return sorted(int(e.object_id) for e in entries)


def test_candidates_outside_the_caseload_are_logged_and_none_is_viewable(sara, enquiry):
    candidates = list(candidates_of(enquiry))
    assert len(candidates) >= 2
    shown = shown_candidates(sara, candidates, channel="page")
    assert list(shown) == candidates
    assert shown.viewable == set() == viewable_person_ids(sara, [c.person_id for c in shown])
    assert _logged(enquiry) == sorted(c.person_id for c in candidates)


def test_no_audit_write_when_every_candidate_is_in_the_reader_s_caseload(staff, enquiry):
    dpo = staff["dpo"]
    candidates = list(candidates_of(enquiry))
    with CaptureQueriesContext(connection) as queries:
        shown = shown_candidates(dpo, candidates, channel="api")
    assert shown.viewable == {c.person_id for c in candidates}
    assert len(queries) == 1  # the caseload check only: no lock, no insert
    assert _logged(enquiry) == []
    empty = shown_candidates(dpo, [], channel="api")
    assert list(empty) == [] and empty.viewable == set()


def test_a_merged_person_may_be_opened_but_is_logged_as_outside_the_caseload(staff, enquiry):
    dpo = staff["dpo"]
    candidates = list(enquiry.candidates.order_by("id"))
    merged, survivor = candidates[0].person_id, candidates[1].person_id
    Person.objects.filter(pk=merged).update(merged_into_id=survivor)
    shown = shown_candidates(dpo, candidates, channel="page")
    # as viewable_person_ids (merged records included) and as the caseload (merged left out)
    assert shown.viewable == viewable_person_ids(dpo, [c.person_id for c in candidates])
    assert merged in shown.viewable
    assert _logged(enquiry) == [merged]


def test_hidden_name_texts_come_from_the_loaded_names(sara, enquiry):
    candidates = list(candidates_of(enquiry))
    person = candidates[0].person
    PersonName.objects.create(person=person, given_name="Kaveh", family_name="Zand", hidden=True)
    fresh = list(candidates_of(enquiry))
    persons = [c.person for c in fresh]
    with CaptureQueriesContext(connection) as queries:
        by_loaded = hidden_name_texts_by_person(persons)
    assert len(queries) == 0
    by_id = hidden_name_texts_by_person(p.pk for p in persons)
    assert by_loaded == by_id
    assert by_loaded[person.pk] == ["Kaveh Zand", "Kaveh", "Zand"]
    # a person without loaded names is read, in one query for all such
    unloaded = Person.objects.get(pk=person.pk)
    with CaptureQueriesContext(connection) as queries:
        mixed = hidden_name_texts_by_person([unloaded, *persons[1:]])
    assert len(queries) == 1
    assert mixed == by_id


def test_a_candidate_s_sealed_fields_and_the_decider_s_password_are_not_read(
    sara, enquiry, registered
):
    from tests.tracing.conftest import confirm

    confirm(enquiry, sara, registered, verify=False)
    candidates = list(candidates_of(enquiry))
    decided = next(c for c in candidates if c.decided_by_id)
    with CaptureQueriesContext(connection) as queries:
        shown = {
            c.person.reference: ([str(n) for n in c.person.names.all()], c.person.birth_place)
            for c in candidates
        }
        who = decided.decided_by.display_name
    assert len(queries) == 0
    assert who == sara.display_name
    assert shown[registered.reference] == (["مسعود حسینی"], "اهواز")
    for candidate in candidates:
        assert {"contact", "last_known_location"} <= candidate.person.get_deferred_fields()
    assert "password" in decided.decided_by.get_deferred_fields()
    # read when asked for, all the same
    assert decided.person.contact == registered.contact
