import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinlink.audit.models import Entry

from .conftest import CONTACT, ENQUIRER_CONTACT, LOCATION

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def new_enquiry(client) -> dict:
    response = client.post(
        "/api/enquiries/",
        {
            "enquirer_names": [{"given_name": "Fereshteh", "family_name": "Hosseini"}],
            "relationship": "sibling",
            "sought": {
                "given_name": "Massoud",
                "family_name": "Hosseini",
                "father_name": "Ali",
                "birth": "1965",
                "birth_place": "Ahvaz",
            },
            "enquirer_contact": ENQUIRER_CONTACT,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_whole_flow_passes_through_the_api(sara, nadia, registered):
    cw, sup = api(sara), api(nadia)
    enquiry = new_enquiry(cw)
    assert ENQUIRER_CONTACT not in str(enquiry)
    base = f"/api/enquiries/{enquiry['id']}"
    candidates = cw.get(f"{base}/candidates/").json()
    assert candidates[0]["person"]["id"] == registered.pk
    assert candidates[0]["explanation"]

    confirmed = cw.post(
        f"/api/candidates/{candidates[0]['id']}/confirm/", {"reason": "father and year"}
    )
    assert confirmed.json()["decision"] == "same"
    verified = cw.post(
        f"/api/candidates/{candidates[0]['id']}/verify/",
        {
            "kind": "recognised",
            "method": "photo",
            "verified_on": dt.date.today().isoformat(),
            "note": "she recognised his photograph",
        },
    )
    assert verified.status_code == 201 and verified.json()["by"] == "sara"

    consent = cw.post(
        f"{base}/consent/",
        {"scope": "messages", "obtained_on": dt.date.today().isoformat(), "method": "phone"},
    )
    assert consent.status_code == 200 and consent.json()["in_force"]["scope"] == "messages"

    refused = cw.post(
        f"{base}/messages/", {"direction": "to_enquirer", "text": "I live at Rruga e Durresit 12"}
    )
    assert refused.status_code == 400
    message = cw.post(
        f"{base}/messages/", {"direction": "to_enquirer", "text": "I am well, dear sister."}
    ).json()
    assert cw.post(f"/api/messages/{message['id']}/review/", {"approve": True}).status_code == 403
    assert (
        sup.post(f"/api/messages/{message['id']}/review/", {"approve": True}).json()["state"]
        == "approved"
    )
    assert (
        cw.post(f"/api/messages/{message['id']}/deliver/", {"delivered": True}).json()["state"]
        == "delivered"
    )

    letter = cw.get(f"{base}/family-reply/").json()
    assert letter["consent"] == "messages" and letter["found"] and letter["messages_allowed"]
    assert letter["location"] is None and letter["contact"] is None
    assert [m["text"] for m in letter["messages"]] == ["I am well, dear sister."]
    assert LOCATION not in str(letter) and CONTACT not in str(letter)

    cw.post(
        f"{base}/consent/",
        {"scope": "whereabouts", "obtained_on": dt.date.today().isoformat(), "method": "phone"},
    )
    letter = cw.get(f"{base}/family-reply/").json()
    assert (letter["location"], letter["contact"]) == (LOCATION, CONTACT)

    cw.post(f"{base}/consent/withdraw/", {"reason": "changed their mind"})
    letter = cw.get(f"{base}/family-reply/").json()
    assert (letter["location"], letter["contact"], letter["found"]) == (None, None, False)

    closed = cw.post(f"{base}/close/", {"outcome": "alive_no_contact"}).json()
    assert closed["status"] == "closed"
    assert [c["to_status"] for c in closed["status_changes"]] == [
        "open",
        "searching",
        "candidate_found",
        "person_asked",
        "closed",
    ]
    assert Entry.objects.filter(action="disclose", detail__channel="api").count() == 3


def test_an_enquiry_outside_the_caseload_answers_404(staff, enquiry):
    for role in ("admin", "analyst", "other_caseworker"):
        client = api(staff[role])
        assert client.get(f"/api/enquiries/{enquiry.pk}/").status_code == 404
        assert client.get(f"/api/enquiries/{enquiry.pk}/family-reply/").status_code == 404
        assert client.get("/api/enquiries/").json()["results"] == []
        assert client.get("/api/candidates/").json()["results"] == []
        assert client.get("/api/messages/").json()["results"] == []


def test_errors_of_the_services_come_back_as_400_with_the_field(sara, enquiry):
    response = api(sara).post(f"/api/enquiries/{enquiry.pk}/close/", {"outcome": "deceased"})
    assert response.status_code == 400 and "outcome" in response.json()


def test_an_administrator_cannot_record_an_enquiry_through_the_api(staff):
    response = api(staff["admin"]).post(
        "/api/enquiries/",
        {
            "enquirer_names": [{"given_name": "A"}],
            "relationship": "parent",
            "sought": {"given_name": "B"},
        },
        format="json",
    )
    assert response.status_code == 403


def test_a_new_candidate_notification_can_be_read_and_dismissed(enquiry, sara, staff):
    from kinlink.people.services import create_person

    create_person(
        names=[{"given_name": "Masoud", "family_name": "Hoseini", "father_name": "Ali"}],
        birth="1966",
        caseworker=staff["other_caseworker"],
    )
    client = api(sara)
    notes = client.get("/api/notifications/").json()["results"]
    assert [n["kind"] for n in notes] == ["new_candidate"]
    assert client.post(f"/api/notifications/{notes[0]['id']}/read/").status_code == 204
    assert client.get("/api/notifications/").json()["results"] == []


def test_the_tracing_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json", HTTP_ACCEPT="application/json").json()["paths"]
    for path in (
        "/api/enquiries/",
        "/api/enquiries/{id}/family-reply/",
        "/api/enquiries/{id}/consent/",
        "/api/candidates/{id}/confirm/",
        "/api/messages/{id}/review/",
    ):
        assert path in paths
