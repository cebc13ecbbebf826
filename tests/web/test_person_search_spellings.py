"""The persons search finds names spelled another way and in another script ("Hosein" finds
Hossein, Husain and حسین), not only names containing what was typed, and only within the
caseload (tracing.matching.persons_with_similar_names)."""

import pytest

from kinlink.people import services as people
from kinlink.people.models import Person
from kinlink.people.selectors import persons_visible_to
from kinlink.tracing.matching import persons_with_similar_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(make_user):
    sara = make_user("sara", "caseworker", team="North")
    omid = make_user("omid", "caseworker", team="South")

    def person(user, given, family, **extra):
        return people.register_person(
            user=user, names=[{"given_name": given, "family_name": family}], **extra
        )

    return {
        "sara": sara,
        "latin": person(sara, "Hossein", "Mousavi", birth_year=1965),
        "persian": person(sara, "حسین", "موسوی"),
        "husain": person(sara, "Husain", "Karimi"),
        "hassan": person(sara, "Hassan", "Mousavi"),  # another name with the same consonants
        "elsewhere": person(omid, "Hossein", "Rahimi"),  # not in Sara's caseload
    }


def _found(registry, query):
    persons = persons_visible_to(registry["sara"])
    found = set(persons_with_similar_names(persons, query))
    return {key for key, person in registry.items() if key != "sara" and person.pk in found}


def test_one_word_finds_given_or_family_names_spelled_another_way_in_any_script(registry):
    assert _found(registry, "Hosein") == {"latin", "persian", "husain"}
    assert _found(registry, "حسين") == {"latin", "persian", "husain"}  # Arabic yeh
    assert _found(registry, "Musavi") == {"latin", "persian", "hassan"}


def test_two_words_are_given_and_family_name_in_either_order(registry):
    assert _found(registry, "Husein Musawi") == {"latin", "persian"}
    assert _found(registry, "Moosavi Hosein") == {"latin", "persian"}
    assert _found(registry, "حسن موسوی") == {"hassan"}


def test_a_word_too_short_to_search_by_keys_finds_nothing_here(registry):
    assert _found(registry, "Ho") == set()
    assert _found(registry, "Ho Mousavi") == set()


def test_the_persons_page_lists_substring_and_spelling_matches_by_reference(client, registry):
    client.force_login(registry["sara"])
    page = client.get("/en/persons/?q=Hosein").content.decode()

    shown = [key for key in ("latin", "persian", "husain", "hassan", "elsewhere")]
    shown = [key for key in shown if registry[key].reference in page]
    assert shown == ["latin", "persian", "husain"]
    references = [registry[key].reference for key in shown]
    assert [page.index(ref) for ref in references] == sorted(page.index(r) for r in references)
    assert "<bdi>حسین موسوی</bdi>" in page


def test_a_substring_search_still_finds_what_it_found(client, registry):
    client.force_login(registry["sara"])
    page = client.get("/en/persons/?q=ssei").content.decode()
    assert registry["latin"].reference in page
    assert registry["persian"].reference not in page  # "ssei" is no name to spell
    assert Person.objects.count() == 5
