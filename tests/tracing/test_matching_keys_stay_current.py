"""The database's matching keys: filed again when the key rules change, and candidates
chosen by the votes of specific keys (synthetic people only)."""

import pytest
from django.core.management import call_command

from kinlink.calendars import parse_birth_date
from kinlink.matching.keys import KEYS_VERSION, CandidatePolicy, request_keys
from kinlink.matching.records import MatchRequest
from kinlink.people.services import create_person
from kinlink.tracing import matching
from kinlink.tracing.models import KeyIndex, PersonKey


@pytest.fixture
def keeper(make_user, db):
    return make_user("omid", "caseworker", team="South")


def _person(keeper, given, family, father="", birth="1350"):
    return create_person(
        names=[{"given_name": given, "family_name": family, "father_name": father}],
        birth=birth,
        gender="F",
        caseworker=keeper,
    )


def test_a_migration_after_a_change_of_key_rules_files_everyone_again(keeper):
    person = _person(keeper, "هانیه", "محمدپور")
    matching.rebuild_all_keys()
    assert matching.keys_are_current()
    # as if the keys had been made by an older release
    PersonKey.objects.filter(person=person).delete()
    KeyIndex.objects.filter(pk=1).update(version=KEYS_VERSION - 1)
    assert not matching.keys_are_current()

    call_command("migrate", verbosity=0)

    assert matching.keys_are_current()
    stored = set(PersonKey.objects.filter(person=person).values_list("key", flat=True))
    assert stored >= set(matching._keys(matching.record_keys(matching.person_record(person))))


def test_current_keys_are_not_filed_again(keeper):
    _person(keeper, "هانیه", "محمدپور")
    matching.rebuild_all_keys()
    assert matching.ensure_keys_current() is None


def test_a_typo_in_the_given_name_still_finds_the_person_among_many_namesakes(keeper):
    # 40 women of the family Mohammadpour born in the same period, one of them Hanieh
    for i in range(40):
        _person(keeper, f"نام{i}", "محمدپور", birth=str(1348 + i % 5))
    sought = _person(keeper, "هانیه", "محمدپور", birth="1350")
    matching.rebuild_all_keys()
    request = MatchRequest("q", "Hsanieh", "Mohammad Pour", birth=parse_birth_date("1971"))
    policy = CandidatePolicy(cap=5, max_single_name=10)
    ids = matching.candidate_person_ids(matching._keys(request_keys(request)), policy)
    # the family name alone is too common here to vote; family + first letter + period is not
    assert sought.pk in ids
    assert len(ids) <= 5


def test_refiling_everyone_stores_what_filing_each_person_stores(keeper):
    people = [
        _person(keeper, g, f, father="رضا") for g, f in (("سارا", "کریمی"), ("Reza", "Ahmadi"))
    ]
    expected = {p.pk: set(matching.store_person_keys(p)) for p in people}
    expected_all = {
        p.pk: set(PersonKey.objects.filter(person=p).values_list("key", flat=True)) for p in people
    }
    PersonKey.objects.all().delete()

    matching.rebuild_person_keys(batch=1)  # one person per chunk, then the rest

    for p in people:
        stored = set(PersonKey.objects.filter(person=p).values_list("key", flat=True))
        assert stored == expected_all[p.pk]
        assert expected[p.pk] <= stored  # the blocking keys, beside the value counts
