"""Showing candidates costs the same few queries and one lock of the audit chain's head
whatever their number (a 1,000,000-person registry under load: bench/load.py), while every
person read outside the caseload still has its own audit entry and hidden names stay
withheld from another team."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinlink.audit.models import Entry
from kinlink.audit.services import record_many, verify_chain
from kinlink.people import services as people
from kinlink.people.models import PersonName
from kinlink.tracing import services as tracing
from kinlink.tracing.models import Candidate

pytestmark = pytest.mark.django_db

HIDDEN = ("Kaveh", "Parsafar")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sara(make_user):
    return make_user("sara", "caseworker", team="North")


@pytest.fixture
def omid(make_user):
    return make_user("omid", "caseworker", team="South")


@pytest.fixture
def enquiry(sara):
    return tracing.create_enquiry(
        user=sara,
        relationship="sibling",
        new_enquirer={"names": [{"given_name": "Fereshteh", "family_name": "Rahimi"}]},
        sought={"given_name": "Dariush", "family_name": "Rahimi", "birth": "1965"},
    )


def _candidates(enquiry, owner, count: int) -> list[Candidate]:
    """`count` candidates held by `owner`, each with a hidden name its explanation quotes."""
    persons = []
    for n in range(count):
        person = people.register_person(
            user=owner, names=[{"given_name": f"Dariush{n}", "family_name": "Rahimi"}]
        )
        PersonName.objects.create(
            person=person, given_name=HIDDEN[0], family_name=HIDDEN[1], hidden=True
        )
        persons.append(person)
    # after every registration: each one re-matches the open enquiry
    return [
        Candidate.objects.update_or_create(
            enquiry=enquiry,
            person=person,
            defaults={
                "rank": n + 1,
                "score": 0.9 - n / 100,
                "explanation": f"matched {HIDDEN[0]} {HIDDEN[1]} and Dariush{n}",
                "evidence": [{"name": f"{HIDDEN[0]} {HIDDEN[1]}"}],
            },
        )[0]
        for n, person in enumerate(persons)
    ]


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _queries(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured), response


def test_api_candidates_take_the_same_queries_for_three_and_nine_candidates(enquiry, sara, omid):
    url = f"/api/enquiries/{enquiry.pk}/candidates/"
    client = _api(sara)
    _candidates(enquiry, omid, 3)
    few, _ = _queries(client, url)
    Candidate.objects.filter(enquiry=enquiry).delete()
    made = _candidates(enquiry, omid, 9)
    last_seq = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    many, response = _queries(client, url)
    assert many == few, f"{few} queries for 3 candidates but {many} for 9"
    # still one audit entry per person read outside the caseload, each naming its person
    logged = Entry.objects.filter(seq__gt=last_seq, field="candidate", action="read")
    shown = Candidate.objects.filter(enquiry=enquiry).values_list("person_id", flat=True)
    assert len(shown) >= len(made) == 9
    assert sorted(int(e.object_id) for e in logged) == sorted(shown)
    assert {e.detail["channel"] for e in logged} == {"api"}
    assert verify_chain().ok
    # another team's hidden names: in no name list, explanation or evidence
    body = response.content.decode()
    assert HIDDEN[0] not in body and HIDDEN[1] not in body
    assert "[hidden name]" in body


def test_the_caseworker_of_the_candidates_sees_their_hidden_names(enquiry, sara, omid):
    made = {c.person_id for c in _candidates(enquiry, sara, 2)}
    _, response = _queries(_api(sara), f"/api/enquiries/{enquiry.pk}/candidates/")
    rows = [row for row in response.json() if row["person"]["id"] in made]
    assert len(rows) == 2
    assert all(f"{HIDDEN[0]} {HIDDEN[1]}" in row["person"]["names"] for row in rows)
    assert all(HIDDEN[0] in row["explanation"] for row in rows)


def test_enquiry_page_takes_the_same_queries_for_three_and_nine_candidates(
    client, enquiry, sara, omid
):
    client.force_login(sara)
    url = f"/en/tracing/{enquiry.pk}/"
    _candidates(enquiry, omid, 3)
    few, _ = _queries(client, url)
    Candidate.objects.filter(enquiry=enquiry).delete()
    _candidates(enquiry, omid, 9)
    many, response = _queries(client, url)
    assert many == few, f"{few} queries for 3 candidates but {many} for 9"
    assert HIDDEN[1] not in response.content.decode()


def test_record_many_appends_a_chain_that_verifies(sara):
    before = Entry.objects.count()
    made = record_many(
        [{"action": "read", "object_type": "people.person", "object_id": n} for n in range(5)]
    )
    assert [e.seq for e in made] == list(range(made[0].seq, made[0].seq + 5))
    assert Entry.objects.count() == before + 5
    assert record_many([]) == []
    assert verify_chain().ok
