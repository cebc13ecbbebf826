"""The API applies the same access and consent rules as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from kinlink.testimony.verify import verify_bundle


@pytest.fixture
def api(staff):
    def client_for(role: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(staff[role])
        return client

    return client_for


def test_a_caseworker_records_a_testimony_and_its_event_through_the_api(api, witness, liberty):
    client = api("caseworker")
    response = client.post(
        "/api/testimonies/",
        {
            "witness": witness.pk,
            "recorded_on": "2024-03-05",
            "language": "fa",
            "account": "They beat Hossein in Camp Hurriyeh.",
            "uses": ["internal", "anonymised"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "account" not in body
    assert body["uses_in_force"] == ["anonymised", "internal"]
    response = client.post(
        f"/api/testimonies/{body['id']}/events/",
        {
            "event_type": "beating",
            "place": liberty.pk,
            "start": "2013-01-01",
            "start_precision": "year",
            "participants": [
                {"role": "victim", "person": witness.pk},
                {"role": "perpetrator", "description": "a guard"},
            ],
            "passage": "They beat Hossein",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()[0]["has_passage"] is True
    found = client.get("/api/testimonies/", {"q": "حسین", "place": liberty.pk}).json()
    assert [t["id"] for t in found["results"]] == [body["id"]]


def test_the_account_comes_only_from_reveal_with_a_reason(api, record):
    testimony = record(account="The account.")
    client = api("caseworker")
    assert "account" not in client.get(f"/api/testimonies/{testimony.pk}/").json()
    assert client.post(f"/api/testimonies/{testimony.pk}/reveal/", {}).status_code == 400
    response = client.post(f"/api/testimonies/{testimony.pk}/reveal/", {"reason": "check"})
    assert response.json() == {"account": "The account."}


def test_records_outside_the_caseload_answer_404(api, record, witness):
    testimony = record()
    client = api("south_caseworker")
    assert client.get(f"/api/testimonies/{testimony.pk}/").status_code == 404
    assert (
        client.post(f"/api/testimonies/{testimony.pk}/reveal/", {"reason": "x"}).status_code == 404
    )
    response = client.post(
        "/api/naming-consents/",
        {
            "person": witness.pk,
            "purpose": "court",
            "granted": True,
            "given_on": "2024-01-01",
            "method": "phone",
        },
        format="json",
    )
    assert response.status_code == 404


def test_a_naming_consent_is_recorded_through_the_api_and_answered_whole(api, witness):
    body = {
        "person": witness.pk,
        "purpose": "court",
        "granted": True,
        "given_on": "2024-01-01",
        "method": "phone",
    }
    response = api("caseworker").post("/api/naming-consents/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {**body, "note": ""}


def test_consent_history_and_withdrawal_through_the_api(api, record):
    testimony = record()
    client = api("caseworker")
    response = client.post(
        f"/api/testimonies/{testimony.pk}/consents/",
        {"use": "court", "granted": False, "given_on": str(dt.date(2024, 5, 1)), "method": "phone"},
        format="json",
    )
    assert [(c["use"], c["granted"]) for c in response.json()][:1] == [("court", False)]
    assert client.get(f"/api/testimonies/{testimony.pk}/").json()["uses_in_force"] == ["internal"]


def test_a_supervisor_exports_through_the_api_and_a_caseworker_may_not(api, court_testimony):
    assert (
        api("caseworker")
        .post("/api/evidence-exports/", {"recipient": "Court", "purpose": "court"})
        .status_code
        == 403
    )
    client = api("supervisor")
    response = client.post("/api/evidence-exports/", {"recipient": "Court", "purpose": "court"})
    assert response.status_code == 201, response.json()
    export = response.json()
    download = client.get(f"/api/evidence-exports/{export['id']}/download/")
    assert download.status_code == 200
    from kinlink.testimony.models import EvidenceExport

    assert verify_bundle(EvidenceExport.objects.get().file.path).ok


def test_places_timeline_and_figures(api, court_testimony, liberty, victim):
    client = api("caseworker")
    assert client.get("/api/places/", {"q": "کمپ لیبرتی"}).json()["results"][0]["id"] == liberty.pk
    assert len(client.get(f"/api/places/{liberty.pk}/events/").json()) == 2
    assert len(client.get(f"/api/timelines/{victim.pk}/").json()) == 1
    assert api("analyst").get("/api/testimony-figures/").status_code == 200
    assert api("caseworker").get("/api/testimony-figures/").status_code == 403
    codes = [t["code"] for t in client.get("/api/event-types/").json()]
    assert "forced_confession" in codes


def test_the_schema_describes_the_testimony_endpoints(client):
    schema = client.get("/api/openapi.json", HTTP_ACCEPT="application/json").json()
    for path in [
        "/api/testimonies/",
        "/api/testimonies/{id}/reveal/",
        "/api/evidence-exports/",
        "/api/testimony-attachments/{id}/",
        "/api/places/",
    ]:
        assert path in schema["paths"], path
