"""Issue 10, merge and undo through the API: the same checks as the pages (404 outside the
caseload, only caseworkers and supervisors), and an undo through the API loses nothing."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from kinlink.people import services
from kinlink.people.models import Consent, Person, PersonMerge, PersonName, Relationship

pytestmark = pytest.mark.django_db

TABLES = {
    Person: {"updated_at"},
    PersonName: set(),
    Relationship: set(),
    Consent: set(),
}


def snapshot():
    taken = {}
    for model, skip in TABLES.items():
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        rows = [
            {n: getattr(getattr(row, n), "token", getattr(row, n)) for n in names}
            for row in model.objects.order_by("pk")
        ]
        taken[model.__name__] = rows
    return taken


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(make_user):
    keeper = make_user("omid", "caseworker", team="South")
    persian = services.register_person(
        user=keeper,
        names=[{"given_name": "مسعود", "family_name": "حسینی", "father_name": "علی"}],
        birth="1344",
        last_known_location="Rruga e Durresit 12, Tirana",
        contact="+355 69 123 4567",
    )
    latin = services.register_person(
        user=keeper,
        names=[{"given_name": "Masoud", "family_name": "Hosseyni"}],
        birth_place="Ahvaz",
    )
    sister = services.register_person(user=keeper, names=[{"given_name": "Fereshteh"}])
    services.add_relationship(user=keeper, person=sister, kind="sibling", relative=persian)
    services.add_relationship(user=keeper, person=sister, kind="sibling", relative=latin)
    services.record_consent(
        person=persian,
        context="testimony:1",
        scope="messages",
        obtained_on=dt.date.today(),
        method="in_person",
        by=keeper,
    )
    return {
        "keeper": keeper,
        "persian": persian,
        "latin": latin,
        "outsider": make_user("sara", "caseworker", team="North"),
        "analyst": make_user("lina", "analyst"),
    }


def client_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_a_merge_and_its_undo_through_the_api_lose_nothing(world):
    api = client_for(world["keeper"])
    latin, persian = world["latin"], world["persian"]
    before = snapshot()
    merged = api.post(
        f"/api/persons/{latin.pk}/merge/",
        {"duplicate": persian.reference, "reason": "same father, same year"},
        format="json",
    )
    assert merged.status_code == 201, merged.content
    assert (merged.json()["survivor"], merged.json()["merged"]) == (
        latin.reference,
        persian.reference,
    )
    persian.refresh_from_db()
    assert persian.merged_into == latin and snapshot() != before
    listed = api.get(f"/api/persons/{latin.pk}/merges/").json()
    assert [row["id"] for row in listed] == [merged.json()["id"]]

    undone = api.post(
        f"/api/persons/{latin.pk}/merges/{merged.json()['id']}/undo/",
        {"reason": "different birth places after all"},
        format="json",
    )
    assert undone.status_code == 200, undone.content
    assert undone.json()["undone_by"] == "omid" and undone.json()["undone_at"]
    after = snapshot()
    for table in before:
        assert after[table] == before[table], f"{table} changed by the merge and its undo"
    again = api.post(
        f"/api/persons/{latin.pk}/merges/{merged.json()['id']}/undo/",
        {"reason": "twice"},
        format="json",
    )
    assert again.status_code == 400


def test_the_merge_api_refuses_what_the_pages_refuse(world):
    latin, persian = world["latin"], world["persian"]
    body = {"duplicate": persian.reference, "reason": "same"}
    # outside the caseload: the record does not exist for them
    assert (
        client_for(world["outsider"])
        .post(f"/api/persons/{latin.pk}/merge/", body, format="json")
        .status_code
        == 404
    )
    # a role that does not work on records
    assert client_for(world["analyst"]).post(
        f"/api/persons/{latin.pk}/merge/", body, format="json"
    ).status_code in (403, 404)
    keeper = client_for(world["keeper"])
    no_reason = keeper.post(
        f"/api/persons/{latin.pk}/merge/", {**body, "reason": ""}, format="json"
    )
    assert no_reason.status_code == 400
    unknown = keeper.post(
        f"/api/persons/{latin.pk}/merge/", {**body, "duplicate": "P-999999"}, format="json"
    )
    assert unknown.status_code == 400 and "duplicate" in unknown.json()
    itself = keeper.post(
        f"/api/persons/{latin.pk}/merge/", {**body, "duplicate": latin.reference}, format="json"
    )
    assert itself.status_code == 400
    assert not PersonMerge.objects.exists()
    merge = services.merge_persons(
        user=world["keeper"], survivor=latin, merged=persian, reason="same"
    )
    url = f"/api/persons/{latin.pk}/merges/{merge.pk}/undo/"
    assert (
        client_for(world["outsider"]).post(url, {"reason": "x"}, format="json").status_code == 404
    )
    # a merge is undone from the record it was merged into only
    wrong = keeper.post(
        f"/api/persons/{persian.pk}/merges/{merge.pk}/undo/", {"reason": "x"}, format="json"
    )
    assert wrong.status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None


def test_the_openapi_schema_lists_the_merge_endpoints(world):
    schema = client_for(world["keeper"]).get("/api/openapi.json").json()
    for path in (
        "/api/persons/{id}/merge/",
        "/api/persons/{id}/merges/{merge_pk}/undo/",
        "/api/persons/{id}/bases/",
    ):
        assert path in schema["paths"], path
