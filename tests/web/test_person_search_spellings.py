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


def test_the_api_searches_persons_the_same_way(registry):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(registry["sara"])

    def found(query):
        response = api.get("/api/persons/", {"q": query})
        assert response.status_code == 200
        return {row["reference"] for row in response.json()["results"]}

    refs = {key: registry[key].reference for key in ("latin", "persian", "husain", "hassan")}
    assert found("Hosein") == {refs["latin"], refs["persian"], refs["husain"]}
    assert found(refs["hassan"]) == {refs["hassan"]}
    assert found("nobody like this") == set()
    assert len(api.get("/api/persons/").json()["results"]) == 4  # no q: the whole caseload


@pytest.mark.parametrize("query", ["%", "_", "\\", "x" * 500, "حسین" * 50])
def test_odd_input_is_searched_never_a_server_error(client, registry, query):
    from rest_framework.test import APIClient

    client.force_login(registry["sara"])
    assert client.get("/en/persons/", {"q": query}).status_code == 200
    api = APIClient()
    api.force_authenticate(registry["sara"])
    assert api.get("/api/persons/", {"q": query}).status_code == 200


def test_a_name_too_long_for_a_whole_key_is_found_by_its_cut_key(registry):
    long_family = "Qorbani" * 25  # 175 letters: its keys are longer than a stored key may be
    person = people.register_person(
        user=registry["sara"], names=[{"given_name": "Abdolkarim", "family_name": long_family}]
    )
    persons = persons_visible_to(registry["sara"])
    assert person.pk in persons_with_similar_names(persons, f"Abdulkarim {long_family}")


def test_a_search_of_many_words_is_not_read_as_a_name(registry):
    persons = persons_visible_to(registry["sara"])
    assert persons_with_similar_names(persons, "Hossein Mousavi " * 4) == []
