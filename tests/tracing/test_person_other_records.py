"""A person's record finds other records of the same person in the caseload (registered
twice, in another script) and offers to merge them; nothing outside the caseload is read."""

import pytest

from kinlink.people.models import Person
from kinlink.people.services import create_person
from kinlink.tracing.selectors import possible_other_records

pytestmark = pytest.mark.django_db


def _person(user, given, family, father, **extra):
    names = [{"given_name": given, "family_name": family, "father_name": father}]
    return create_person(names=names, caseworker=user, **extra)


@pytest.fixture
def twice(staff):
    sara, omid = staff["caseworker"], staff["other_caseworker"]
    first = _person(sara, "Hossein", "Jafari", "Reza", birth="1967", birth_place="Mashhad")
    again = _person(sara, "حسین", "جعفری", "رضا", birth="1967", birth_place="مشهد")
    namesake = _person(sara, "Hassan", "Jafari", "Ali", birth="1990")
    elsewhere = _person(omid, "Hosein", "Jafari", "Reza", birth="1967", birth_place="Mashhad")
    return {"first": first, "again": again, "namesake": namesake, "elsewhere": elsewhere}


def test_the_same_person_in_another_script_is_found_only_in_the_caseload(twice, sara):
    found = [c.person_id for c in possible_other_records(sara, twice["first"])]
    assert found == [twice["again"].pk]


def test_the_page_shows_why_and_offers_the_merge(client, twice, sara):
    client.force_login(sara)
    page = client.get(f"/en/tracing/persons/{twice['first'].pk}/others/").content.decode()

    assert f'data-person="{twice["again"].reference}"' in page
    assert "<bdi>حسین جعفری</bdi>" in page and "father&#x27;s name: same" in page
    assert twice["elsewhere"].reference not in page and twice["namesake"].reference not in page
    assert f"Merge into {twice['first'].reference}" in page

    response = client.post(
        f"/en/tracing/persons/{twice['first'].pk}/merge/",
        {"duplicate": twice["again"].reference, "reason": "same father, year and town"},
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=twice["again"].pk).merged_into_id == twice["first"].pk
    after = client.get(f"/en/tracing/persons/{twice['first'].pk}/others/").content.decode()
    assert "No other record in your caseload looks like this person." in after


def test_a_person_outside_the_caseload_has_no_such_page(client, twice, sara):
    client.force_login(sara)
    assert client.get(f"/en/tracing/persons/{twice['elsewhere'].pk}/others/").status_code == 404


def test_a_data_protection_officer_sees_them_but_merges_nothing_here(verified_client, twice, staff):
    client = verified_client(staff["dpo"])
    page = client.get(f"/en/tracing/persons/{twice['first'].pk}/others/").content.decode()
    assert twice["again"].reference in page and twice["elsewhere"].reference in page
    assert "Merge into" not in page


def test_the_record_page_links_to_it(client, twice, sara):
    client.force_login(sara)
    page = client.get(f"/en/tracing/persons/{twice['first'].pk}/").content.decode()
    assert f"/en/tracing/persons/{twice['first'].pk}/others/" in page
