"""The enquiry, candidate and person serializers of the API write their fields out by hand
(issue 7, load): their answers must be byte for byte what DRF's ModelSerializer gives for
the same declared fields, for every role, and the list must not cost a query per row."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from kinlink.api.serializers import PersonSerializer
from kinlink.people.selectors import (
    hidden_name_texts_by_person,
    persons_visible_to,
    viewable_person_ids,
)
from kinlink.people.services import add_name
from kinlink.tracing import services
from kinlink.tracing.api import (
    CandidatePersonSerializer,
    CandidateSerializer,
    EnquirySerializer,
)
from kinlink.tracing.selectors import candidates_of, enquiries_visible_to

from .conftest import confirm, consent

pytestmark = pytest.mark.django_db

_generic = serializers.ModelSerializer.to_representation


class GenericEnquiry(EnquirySerializer):
    def to_representation(self, instance):
        return _generic(self, instance)


class GenericCandidatePerson(CandidatePersonSerializer):
    def to_representation(self, instance):
        return _generic(self, instance)


class GenericCandidate(CandidateSerializer):
    person = GenericCandidatePerson(read_only=True)

    def to_representation(self, instance):
        return _generic(self, instance)


class GenericPerson(PersonSerializer):
    def to_representation(self, instance):
        return _generic(self, instance)


def render(data) -> bytes:
    return JSONRenderer().render(data)


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _enquiries(user):
    """The queryset the list and detail were answered from before: whole related rows."""
    return (
        enquiries_visible_to(user)
        .select_related("enquirer", "sought_person", "caseworker")
        .prefetch_related("status_changes__by")
        .order_by("-created_at", "-id")
    )


def _candidate_context(user, candidates):
    ids = {candidate.person_id for candidate in candidates}
    viewable = viewable_person_ids(user, ids)
    return {
        "request": SimpleNamespace(user=user),
        "viewable": viewable,
        "hidden_texts": hidden_name_texts_by_person(ids - viewable),
    }


@pytest.fixture
def cases(enquiry, sara, nadia, staff, registered):
    """A found enquiry with candidates (the person in another team's caseload, with a hidden
    name the match quotes), its status moved and a consent recorded; a second enquiry
    closed and reopened; a third left as created."""
    add_name(
        user=staff["other_caseworker"],
        person=registered,
        given_name="Kaveh",
        family_name="Parsafar",
        kind="organisational",
        hidden=True,
    )
    services.start_search(user=sara, enquiry=enquiry)
    confirm(enquiry, sara, registered)
    consent(enquiry, sara, "whereabouts")
    other = services.create_enquiry(
        user=sara,
        relationship="other",
        relationship_detail="cousin's wife",
        new_enquirer={"names": [{"given_name": "Leila", "family_name": "شریفی"}]},
        sought={"given_name": "Kaveh", "family_name": "Parsafar", "birth": "about 1965±3"},
        last_news_circumstances="line one\nline two <b>",
    )
    services.start_search(user=sara, enquiry=other)
    services.close_enquiry(user=sara, enquiry=other, outcome="not_found", note="no trace")
    services.reopen_enquiry(user=nadia, enquiry=other, note="new lead")
    services.create_enquiry(
        user=sara,
        relationship="child",
        new_enquirer={"names": [{"given_name": "Omid"}]},
        sought={"family_name": "Rahimi"},
    )
    return [enquiry, other]


def test_the_enquiry_list_and_detail_are_byte_for_byte_the_generic_serializers(cases, staff):
    for role in ("caseworker", "supervisor", "dpo", "other_caseworker"):
        user = staff[role]
        rows = list(_enquiries(user))
        context = {"latest_consents": services.latest_enquiry_consents(rows)}
        generic = GenericEnquiry(rows, many=True, context=context).data
        response = api(user).get("/api/enquiries/")
        assert response.status_code == 200
        page = {"count": len(rows), "next": None, "previous": None, "results": generic}
        assert response.content == render(page), role
        for row in rows:
            detail = api(user).get(f"/api/enquiries/{row.pk}/")
            assert detail.content == render(GenericEnquiry(row).data), role
            # a whole row (as the actions answer with) gives the same as a lean one
            assert render(EnquirySerializer(row).data) == detail.content, role
    listed = api(staff["caseworker"]).get("/api/enquiries/").json()["results"]
    assert len(listed) == 3
    changes = {row["reference"]: row["status_changes"] for row in listed}
    assert [c["to_status"] for c in changes[cases[1].reference]][-2:] == ["closed", "searching"]
    assert {c["by"] for c in changes[cases[1].reference]} >= {"sara", "nadia"}
    assert {row["consent"] for row in listed} == {None, "whereabouts"}


def test_the_candidates_are_byte_for_byte_the_generic_serializers(cases, staff, registered):
    for role in ("caseworker", "supervisor", "dpo"):
        user = staff[role]
        for enquiry in cases:
            shown = list(candidates_of(enquiry))
            assert shown
            generic = GenericCandidate(
                shown, many=True, context=_candidate_context(user, shown)
            ).data
            response = api(user).get(f"/api/enquiries/{enquiry.pk}/candidates/")
            assert response.content == render(generic), (role, enquiry.reference)
    # another team's caseworker (sara) is shown the candidate without its hidden name
    listed = api(staff["caseworker"]).get(f"/api/enquiries/{cases[1].pk}/candidates/").json()
    found = next(c for c in listed if c["person"]["reference"] == registered.reference)
    assert "Parsafar" not in str(found) and "[hidden name]" in found["explanation"]
    # and the serializers alone, with no reader in the context and in another time zone
    for enquiry in cases:
        shown = list(candidates_of(enquiry))
        with timezone.override(dt.timezone(dt.timedelta(hours=3, minutes=30))):
            hand = CandidateSerializer(shown, many=True).data
            assert render(hand) == render(GenericCandidate(shown, many=True).data)
            assert "+03:30" in render(hand).decode()


def test_the_person_api_is_byte_for_byte_the_generic_serializer(cases, staff, registered):
    registered.birth_date = dt.date(1965, 3, 21)
    registered.save()
    for role in ("caseworker", "other_caseworker", "supervisor", "dpo"):
        user = staff[role]
        persons = list(
            persons_visible_to(user)
            .prefetch_related("names")
            .select_related("caseworker")
            .order_by("reference")
        )
        assert persons
        page = {
            "count": len(persons),
            "next": None,
            "previous": None,
            "results": GenericPerson(persons, many=True).data,
        }
        assert api(user).get("/api/persons/").content == render(page), role
        for person in persons:
            answer = api(user).get(f"/api/persons/{person.pk}/").content
            assert answer == render(GenericPerson(person).data), role
    mine = api(staff["other_caseworker"]).get(f"/api/persons/{registered.pk}/").json()
    assert mine["birth_date"] == "1965-03-21" and mine["caseworker"] == "omid"
    assert {"given_name": "Kaveh", "hidden": True}.items() <= mine["names"][-1].items()


def test_the_enquiry_list_costs_the_same_few_queries_for_a_page_of_any_size(cases, sara):
    client = api(sara)
    client.get("/api/enquiries/")  # the token's first use
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/enquiries/?limit=1&offset=2").json()["results"]) == 1
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/enquiries/").json()["results"]) == 3
    # token and user, count, page, status changes, consents, the consents' merges
    assert len(many) == len(few) <= 6, [q["sql"][:80] for q in many]


def test_an_enquiry_answers_without_loading_its_people(cases, sara):
    client = api(sara)
    client.get(f"/api/enquiries/{cases[0].pk}/")  # the token's first use
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/api/enquiries/{cases[0].pk}/").json()
    assert answer["consent"] == "whereabouts" and answer["sought_person"]
    sql = [q["sql"][:60] for q in queries]
    assert not [q for q in sql if q.startswith('SELECT "people_person"')], sql
    # token and user, the enquiry, its status changes, consents, the consents' merges
    assert len(queries) <= 5, sql
