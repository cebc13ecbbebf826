"""Issue 10, transfers to partner organisations through the pages and the API: the form
shows exactly which fields each purpose sends, the list and the record show what left, only
who may see the enquiry or the person sees them, and no transfer changes a consent."""

import pytest
from rest_framework.test import APIClient

from kinlink.people.models import Consent
from kinlink.tracing import services
from kinlink.tracing.models import Transfer

from .conftest import CONTACT, LOCATION, consent

pytestmark = pytest.mark.django_db


def consent_rows():
    return list(Consent.objects.order_by("pk").values())


def test_the_form_shows_exactly_which_fields_each_purpose_sends(client, found, sara):
    client.force_login(sara)
    html = client.get(f"/en/tracing/{found.pk}/transfer/").content.decode()
    tracing = html[html.index('data-fields="tracing"') :]
    tracing = tracing[: tracing.index("</span>")]
    for field in ("reference", "names", "gender", "birth year or date", "birth place"):
        assert field in tracing, field
    messages = html[html.index('data-fields="relaying_messages"') :]
    messages = messages[: messages.index("</span>")]
    assert "reference" in messages and "names" in messages and "birth place" not in messages
    assert "contact" not in tracing.lower() and "location" not in tracing.lower()


def test_a_transfer_through_the_page_is_recorded_minimised_and_changes_no_consent(
    client, found, sara
):
    consent(found, sara, "messages")
    before = consent_rows()
    client.force_login(sara)
    response = client.post(
        f"/en/tracing/{found.pk}/transfer/",
        {"recipient": "Partner Society", "purpose": "tracing", "basis": "vital_interest"},
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/tracing/transfers/{transfer.pk}/"
    assert (transfer.recipient, transfer.purpose, transfer.basis, transfer.enquiry) == (
        "Partner Society",
        "tracing",
        "vital_interest",
        found,
    )
    assert consent_rows() == before
    detail = client.get(f"/en/tracing/transfers/{transfer.pk}/").content.decode()
    assert "Partner Society" in detail and "مسعود" in detail
    assert LOCATION not in detail and CONTACT not in detail
    listed = client.get("/en/tracing/transfers/").content.decode()
    assert f'data-transfer="{transfer.pk}"' in listed
    assert services.family_reply(found, user=sara).disclosure.scope == "messages"


def test_the_page_refuses_a_basis_that_does_not_allow_the_purpose(client, found, sara):
    client.force_login(sara)
    response = client.post(
        f"/en/tracing/{found.pk}/transfer/",
        {"recipient": "Partner Society", "purpose": "relaying_messages", "basis": "vital_interest"},
    )
    assert response.status_code == 400 and not Transfer.objects.exists()


def test_transfers_are_seen_only_by_who_may_see_the_enquiry_or_person(client, found, sara, staff):
    transfer = services.transfer_to_partner(
        user=sara,
        person=found.sought_person,
        enquiry=found,
        recipient="Partner Society",
        purpose="tracing",
        basis="vital_interest",
    )
    outsider = staff["other_caseworker"]  # keeps the person, not the enquiry
    client.force_login(staff["analyst"])
    assert client.get(f"/en/tracing/transfers/{transfer.pk}/").status_code == 404
    assert (
        f'data-transfer="{transfer.pk}"'
        not in client.get("/en/tracing/transfers/").content.decode()
    )
    client.force_login(outsider)
    assert client.get(f"/en/tracing/{found.pk}/transfer/").status_code in (403, 404)
    api = APIClient()
    api.force_authenticate(staff["analyst"])
    assert api.get(f"/api/transfers/{transfer.pk}/").status_code == 404
    # the registry keeper sees it: the person is in their caseload
    keeper = APIClient()
    keeper.force_authenticate(staff["other_caseworker"])
    assert keeper.get(f"/api/transfers/{transfer.pk}/").status_code == 200


def test_the_api_lists_creates_and_shows_transfers_without_changing_a_consent(found, sara):
    consent(found, sara, "alive_and_well")
    before = consent_rows()
    api = APIClient()
    api.force_authenticate(sara)
    body = {
        "enquiry": found.pk,
        "recipient": "Partner Society",
        "purpose": "relaying_messages",
        "basis": "consent",
    }
    refused = api.post("/api/transfers/", body, format="json")
    assert refused.status_code == 400 and "basis" in refused.json()
    done = api.post("/api/transfers/", {**body, "purpose": "tracing", "basis": "vital_interest"})
    assert done.status_code == 201, done.content
    assert set(done.json()["sent"]) == {"reference", "names", "gender", "birth", "birth_place"}
    listed = api.get("/api/transfers/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [done.json()["id"]]
    shown = api.get(f"/api/transfers/{done.json()['id']}/").content.decode()
    assert LOCATION not in shown and CONTACT not in shown
    assert consent_rows() == before
    assert api.post("/api/transfers/", {**body, "enquiry": 999999}).status_code == 404
    assert services.consent_scope(found) == "alive_and_well"
