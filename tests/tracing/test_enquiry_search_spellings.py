"""The enquiry list's search finds the sought person's name spelled another way and in
another script, not only as typed (tracing.matching.enquiries_with_similar_names)."""

import pytest

from kinlink.tracing import services
from kinlink.tracing.selectors import caseload

pytestmark = pytest.mark.django_db


def _references(user, query):
    return {e.reference for e in caseload(user, query=query)}


def test_the_sought_name_is_found_in_another_spelling_and_script(enquiry, sara):
    assert _references(sara, "مسعود") == {enquiry.reference}
    assert _references(sara, "Masud Hoseini") == {enquiry.reference}
    assert _references(sara, "Husseini") == {enquiry.reference}
    assert _references(sara, "Hassan") == set()  # same consonants, another name


def test_only_the_callers_enquiries_are_searched(enquiry, staff):
    assert _references(staff["other_caseworker"], "Masud") == set()
    assert _references(staff["supervisor"], "Masud") == {enquiry.reference}


def test_a_closed_enquiry_is_found_as_typed_only(enquiry, sara):
    services.close_enquiry(user=sara, enquiry=enquiry, outcome="not_found")
    assert _references(sara, "Massoud") == {enquiry.reference}
    assert _references(sara, "Masud") == set()  # a closed enquiry is filed under no key


def test_the_enquiry_list_page_shows_it(client, enquiry, sara):
    client.force_login(sara)
    page = client.get("/en/tracing/", {"q": "مسعود حسینی"}).content.decode()
    assert enquiry.reference in page


def test_the_api_lists_enquiries_by_the_same_search_and_by_status(enquiry, sara):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(sara)

    def found(**params):
        response = api.get("/api/enquiries/", params)
        assert response.status_code == 200
        return {row["reference"] for row in response.json()["results"]}

    assert found(q="مسعود حسینی") == {enquiry.reference}
    assert found(q="Hassan") == set()
    assert found(status=enquiry.status) == {enquiry.reference}
    assert found(status="closed") == set()
    assert found() == {enquiry.reference}
    bad = api.get("/api/enquiries/", {"status": "lost"})
    assert bad.status_code == 400 and "unknown status 'lost'" in bad.json()["status"][0]


def _new_enquiry(client, given, family, relative="Zahra"):
    response = client.post(
        "/en/tracing/new/",
        {
            "enquirer_given_name": relative,
            "enquirer_family_name": family,
            "relationship": "sibling",
            "given_name": given,
            "family_name": family,
            "birth": "1965",
        },
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_enquiry_for_a_name_already_sought_says_so(client, enquiry, sara):
    client.force_login(sara)
    page = _new_enquiry(client, "مسعود", "حسینی", relative="Maryam")
    assert "Other open enquiries seek a person with a name like this" in page
    assert enquiry.reference in page.split("Other open enquiries")[1][:200]

    page = _new_enquiry(client, "Behrouz", "Karimi")
    assert "Other open enquiries" not in page
