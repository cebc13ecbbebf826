"""Issue 10, legal basis per purpose: tracing may rest on the vital interest of a person not
yet asked; disclosing their whereabouts needs their consent, never a vital interest alone.
Transfers to a partner organisation record recipient, purpose and basis, send only what the
purpose needs, and never change or widen a consent."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinlink.audit.models import Entry
from kinlink.people import services as people
from kinlink.people.models import Consent
from kinlink.tracing import services
from kinlink.tracing.models import Transfer

from .conftest import CONTACT, LOCATION, consent

pytestmark = pytest.mark.django_db


def record_basis(enquiry, user, basis, scope="whereabouts"):
    people.record_consent(
        person=enquiry.sought_person,
        recipient=enquiry.enquirer,
        context=enquiry.consent_context,
        scope=scope,
        basis=basis,
        obtained_on=dt.date.today(),
        method="partner",
        by=user,
    )


def test_tracing_may_rest_on_vital_interest_but_disclosure_needs_consent():
    assert services.basis_allows("tracing", "vital_interest")
    assert services.basis_allows("disclosure", "consent")
    assert not services.basis_allows("disclosure", "vital_interest")
    assert not services.basis_allows("disclosure", "public_interest")


@pytest.mark.parametrize("basis", ["vital_interest", "public_interest"])
def test_no_disclosure_on_the_vital_interest_basis_alone(found, sara, basis):
    record_basis(found, sara, basis)
    reply = services.family_reply(found, user=sara)
    d = reply.disclosure
    assert d.verified and d.scope == "none" and not d.found
    assert d.location is None and d.contact is None
    entry = Entry.objects.filter(action="disclose").order_by("seq").last()
    assert entry.detail["basis"] == basis and entry.detail["fields"] == []


def test_a_vital_interest_record_after_a_consent_closes_disclosure(found, sara):
    consent(found, sara, "whereabouts")
    assert services.family_reply(found, user=sara).disclosure.location == LOCATION
    record_basis(found, sara, "vital_interest")
    assert services.family_reply(found, user=sara).disclosure.location is None


def test_the_search_goes_on_without_any_consent(enquiry, sara):
    assert services.start_search(user=sara, enquiry=enquiry) is not None


def transfer(user, person, **kwargs):
    values = {"recipient": "Partner Society", "purpose": "tracing", "basis": "vital_interest"}
    return services.transfer_to_partner(user=user, person=person, **{**values, **kwargs})


def test_a_transfer_records_recipient_purpose_basis_and_sends_only_what_is_needed(
    found, staff, registered
):
    keeper = staff["other_caseworker"]
    sent = transfer(keeper, registered, note="cross-border search")
    assert (sent.recipient, sent.purpose, sent.basis, sent.by) == (
        "Partner Society",
        "tracing",
        "vital_interest",
        keeper,
    )
    assert set(sent.sent) == {"reference", "names", "gender", "birth", "birth_place"}
    assert LOCATION not in str(sent.sent) and CONTACT not in str(sent.sent)
    entry = Entry.objects.filter(object_type="tracing.transfer", action="export").get()
    assert entry.detail["for"] == "Partner Society" and entry.detail["basis"] == "vital_interest"
    fewer = transfer(keeper, registered, purpose="relaying_messages", basis="consent")
    assert set(fewer.sent) == {"reference", "names"}


@pytest.mark.parametrize("fields", [["contact"], ["last_known_location"], ["names", "contact"]])
def test_a_transfer_cannot_send_more_than_its_purpose_needs(staff, registered, fields):
    with pytest.raises(ValidationError):
        transfer(staff["other_caseworker"], registered, fields=fields)
    assert not Transfer.objects.exists()


def test_a_transfer_needs_a_basis_that_allows_its_purpose(staff, registered):
    with pytest.raises(ValidationError):
        transfer(
            staff["other_caseworker"],
            registered,
            purpose="relaying_messages",
            basis="vital_interest",
        )
    with pytest.raises(ValidationError):
        transfer(staff["other_caseworker"], registered, recipient=" ")


def test_a_transfer_cannot_change_or_widen_a_consent(found, sara, staff, registered):
    consent(found, sara, "messages")
    before = list(Consent.objects.order_by("pk").values())
    reply_before = services.family_reply(found, user=sara).disclosure
    transfer(staff["other_caseworker"], registered, basis="consent")
    transfer(staff["other_caseworker"], registered, purpose="relaying_messages", basis="consent")
    assert list(Consent.objects.order_by("pk").values()) == before
    reply_after = services.family_reply(found, user=sara).disclosure
    assert reply_after.scope == reply_before.scope == "messages"
    assert reply_after.location is None and reply_after.contact is None


def test_only_who_may_see_the_person_transfers_them(staff, registered):
    for role in ("caseworker", "admin", "analyst"):
        with pytest.raises(PermissionDenied):
            transfer(staff[role], registered)


def test_the_api_transfers_the_person_sought_minimised_and_refuses_extra_fields(found, sara):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(sara)
    url = f"/api/enquiries/{found.pk}/transfer/"
    body = {"recipient": "Partner Society", "purpose": "tracing", "basis": "vital_interest"}
    refused = api.post(url, {**body, "fields": ["contact"]}, format="json")
    assert refused.status_code == 400 and "fields" in refused.json()
    done = api.post(url, body, format="json")
    assert done.status_code == 201, done.content
    assert done.json()["basis"] == "vital_interest" and "contact" not in done.json()["sent"]
    assert LOCATION not in done.content.decode() and CONTACT not in done.content.decode()
