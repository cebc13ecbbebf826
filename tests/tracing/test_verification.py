"""Issue 10: verification (the enquirer recognises the person found, or the relationship is
confirmed) is a separate, recorded step; until it is recorded the family learns nothing
beyond "not yet", whatever the consent says: in the service, the letter and the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from kinlink.audit.models import Entry
from kinlink.tracing import services
from kinlink.tracing.models import Verification

from .conftest import CONTACT, LOCATION, confirm, consent

pytestmark = pytest.mark.django_db
NOT_YET = "We are still handling your enquiry."


def verify(user, candidate, **extra):
    return services.record_verification(
        user=user,
        candidate=candidate,
        kind=extra.get("kind", "recognised"),
        method=extra.get("method", "photo"),
        verified_on=extra.get("verified_on", dt.date.today()),
        note=extra.get("note", "knew the scar on his hand"),
    )


@pytest.fixture
def unverified(enquiry, sara, registered):
    """Confirmed and with full consent, but not verified."""
    confirm(enquiry, sara, registered, verify=False)
    consent(enquiry, sara, "whereabouts")
    return enquiry


def assert_says_not_yet(reply):
    d = reply.disclosure
    assert not d.verified and not d.found and not d.may_relay_messages and not d.deceased
    assert d.scope == "none" and d.location is None and d.contact is None
    assert reply.messages == [] and reply.paragraphs[0].startswith(NOT_YET)


@pytest.mark.parametrize("scope", ["whereabouts", "messages", "alive_and_well"])
def test_no_consent_discloses_anything_before_verification(enquiry, sara, registered, scope):
    confirm(enquiry, sara, registered, verify=False)
    consent(enquiry, sara, scope)
    assert_says_not_yet(services.family_reply(enquiry, user=sara))
    entry = Entry.objects.filter(action="disclose").order_by("seq").last()
    assert entry.detail["verified"] is False and entry.detail["fields"] == []


def test_recording_the_verification_opens_what_the_consent_allows(unverified, sara):
    candidate = services.confirmed_candidate(unverified)
    verification = verify(sara, candidate)
    assert (verification.by, verification.method, verification.kind) == (
        sara,
        "photo",
        "recognised",
    )
    assert verification.verified_on == dt.date.today() and verification.note
    reply = services.family_reply(unverified, user=sara)
    assert reply.disclosure.verified
    assert (reply.disclosure.location, reply.disclosure.contact) == (LOCATION, CONTACT)
    assert Entry.objects.filter(field="verification", object_id=str(unverified.pk)).exists()


def test_a_death_is_not_announced_before_verification(unverified, sara):
    services.close_enquiry(user=sara, enquiry=unverified, outcome="deceased")
    unverified.refresh_from_db()
    assert_says_not_yet(services.family_reply(unverified, user=sara))


def test_only_a_confirmed_candidate_can_be_verified(enquiry, sara, registered):
    candidate = enquiry.candidates.get(person=registered)
    with pytest.raises(ValidationError):
        verify(sara, candidate)
    services.decide_candidate(user=sara, candidate=candidate, decision="unsure", reason="doubt")
    with pytest.raises(ValidationError):
        verify(sara, candidate)
    assert not Verification.objects.exists()


def test_a_verification_in_the_future_is_refused(enquiry, sara, registered):
    candidate = confirm(enquiry, sara, registered, verify=False)
    with pytest.raises(ValidationError):
        verify(sara, candidate, verified_on=dt.date.today() + dt.timedelta(days=2))


def test_reversing_the_confirmation_voids_the_verification(unverified, sara):
    candidate = services.confirmed_candidate(unverified)
    verify(sara, candidate)
    services.decide_candidate(user=sara, candidate=candidate, decision="unsure", reason="doubt")
    services.decide_candidate(user=sara, candidate=candidate, decision="same", reason="sure now")
    unverified.refresh_from_db()
    consent(unverified, sara, "whereabouts")
    assert services.enquiry_verification(unverified) is None
    assert_says_not_yet(services.family_reply(unverified, user=sara))
    verify(sara, candidate, kind="relationship", method="documents")
    assert services.family_reply(unverified, user=sara).disclosure.location == LOCATION


def test_the_letter_says_not_yet_until_verified(client, sara, unverified):
    client.force_login(sara)
    letter = client.get(f"/en/tracing/{unverified.pk}/letter/").content.decode()
    assert LOCATION not in letter and CONTACT not in letter and NOT_YET in letter
    candidate = services.confirmed_candidate(unverified)
    response = client.post(
        f"/en/tracing/candidates/{candidate.pk}/verify/",
        {"kind": "recognised", "method": "in_person", "verified_on": dt.date.today()},
    )
    assert response.status_code == 302
    letter = client.get(f"/en/tracing/{unverified.pk}/letter/").content.decode()
    assert LOCATION in letter and CONTACT in letter


def test_the_enquiry_page_shows_the_verification_step(client, sara, unverified):
    client.force_login(sara)
    html = client.get(f"/en/tracing/{unverified.pk}/").content.decode()
    assert 'id="verification" data-verified="no"' in html
    verify(sara, services.confirmed_candidate(unverified), note="knew the scar")
    html = client.get(f"/en/tracing/{unverified.pk}/").content.decode()
    assert 'data-verified="yes"' in html and "knew the scar" in html


def test_the_api_family_reply_says_not_yet_until_verified(sara, unverified):
    api = APIClient()
    api.force_authenticate(sara)
    base = f"/api/enquiries/{unverified.pk}/family-reply/"
    reply = api.get(base).json()
    assert reply["verified"] is False and reply["found"] is False
    assert reply["location"] is None and reply["contact"] is None
    assert LOCATION not in str(reply) and CONTACT not in str(reply)
    candidate = services.confirmed_candidate(unverified)
    refused = api.post(f"/api/candidates/{candidate.pk}/verify/", {"kind": "x"})
    assert refused.status_code == 400
    done = api.post(
        f"/api/candidates/{candidate.pk}/verify/",
        {"kind": "relationship", "method": "phone", "verified_on": dt.date.today().isoformat()},
    )
    assert done.status_code == 201
    reply = api.get(base).json()
    assert reply["verified"] is True and (reply["location"], reply["contact"]) == (
        LOCATION,
        CONTACT,
    )


def test_someone_outside_the_caseload_cannot_verify(staff, unverified):
    candidate = services.confirmed_candidate(unverified)
    api = APIClient()
    api.force_authenticate(staff["other_caseworker"])
    response = api.post(
        f"/api/candidates/{candidate.pk}/verify/",
        {"kind": "relationship", "method": "phone", "verified_on": dt.date.today().isoformat()},
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        verify(staff["admin"], candidate)
