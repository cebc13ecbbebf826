"""Issue 10, legal basis per purpose: tracing may rest on the vital interest of a person not
yet asked; disclosing their whereabouts needs their consent, never a vital interest alone.
Transfers to a partner organisation record recipient, purpose and basis, send only what the
purpose needs, and never change or widen a consent."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinlink.audit.models import Entry
from kinlink.people import basis as legal_basis
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
    consent_to_transfers(registered, keeper)
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


def consent_to_transfers(person, user):
    return legal_basis.record_basis_by(
        user=user,
        person=person,
        purpose="transfer",
        basis="consent",
        coverage="to partner societies for tracing",
        obtained_on=dt.date.today(),
        method="writing",
    )


def test_a_transfer_cannot_change_or_widen_a_consent(found, sara, staff, registered):
    consent(found, sara, "messages")
    consent_to_transfers(registered, staff["other_caseworker"])
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


def test_a_transfer_on_consent_needs_a_recorded_consent_to_transfers(staff, registered):
    keeper = staff["other_caseworker"]
    with pytest.raises(ValidationError) as refused:
        transfer(keeper, registered, basis="consent")
    assert "basis" in refused.value.message_dict and not Transfer.objects.exists()
    record = consent_to_transfers(registered, keeper)
    assert transfer(keeper, registered, basis="consent").basis == "consent"
    legal_basis.withdraw_basis_by(user=keeper, record=record, reason="withdrawn by phone")
    with pytest.raises(ValidationError):
        transfer(keeper, registered, basis="consent")


# -- one check per act, a basis per purpose ----------------------------------------------------


def test_each_act_reads_its_own_purpose_and_a_basis_that_allows_it(staff, registered):
    keeper = staff["other_caseworker"]
    assert legal_basis.basis_for_act("case_management", person=registered) is None
    legal_basis.record_basis_by(
        user=keeper,
        person=registered,
        purpose="case_management",
        basis="vital_interest",
        coverage="exit case while in transit",
        obtained_on=dt.date.today(),
    )
    assert legal_basis.basis_for_act("case_management", person=registered).basis == (
        "vital_interest"
    )
    # a basis for one purpose never counts for another
    assert legal_basis.basis_for_act("testimony_use", person=registered) is None
    assert legal_basis.basis_for_act("relaying_messages", person=registered) is None
    legal_basis.record_basis_by(
        user=keeper,
        person=registered,
        purpose="testimony_use",
        basis="vital_interest",
        coverage="human-rights report",
        obtained_on=dt.date.today(),
    )
    assert legal_basis.basis_for_act("testimony_use", person=registered) is None
    with pytest.raises(ValidationError):
        legal_basis.require_basis("testimony_use", person=registered)


def test_a_record_keeps_scope_date_who_and_how_a_consent_was_obtained(staff, registered):
    keeper = staff["other_caseworker"]
    with pytest.raises(ValidationError) as missing:
        legal_basis.record_basis_by(
            user=keeper,
            person=registered,
            purpose="relaying_messages",
            basis="consent",
            obtained_on=dt.date.today(),
        )
    assert {"method", "coverage"} <= set(missing.value.message_dict)
    record = legal_basis.record_basis_by(
        user=keeper,
        person=registered,
        purpose="relaying_messages",
        basis="consent",
        coverage="messages with his sister only",
        obtained_on=dt.date(2026, 11, 1),
        method="in_person",
    )
    record.refresh_from_db()
    assert (record.coverage, record.obtained_on, record.recorded_by, record.method) == (
        "messages with his sister only",
        dt.date(2026, 11, 1),
        keeper,
        "in_person",
    )
    for role in ("caseworker", "analyst", "admin"):  # outside the caseload, or no case role
        with pytest.raises(PermissionDenied):
            legal_basis.record_basis_by(
                user=staff[role],
                person=registered,
                purpose="case_management",
                basis="vital_interest",
                coverage="x",
                obtained_on=dt.date.today(),
            )


def test_messages_are_relayed_only_on_a_basis_that_allows_it(found, sara, nadia):
    record_basis(found, sara, "vital_interest", scope="messages")
    with pytest.raises(ValidationError):
        services.write_message(user=sara, enquiry=found, direction="to_enquirer", text="I am well.")
    consent(found, sara, "messages")
    message = services.write_message(
        user=sara, enquiry=found, direction="to_enquirer", text="I am well."
    )
    services.review_message(user=nadia, message=message, approve=True)
    # the basis changes after the review: the delivery is refused
    record_basis(found, sara, "public_interest", scope="messages")
    with pytest.raises(ValidationError):
        services.deliver_message(user=sara, message=message, delivered=True)


def test_the_basis_pages_record_and_list_a_basis_and_withdraw_it(client, staff, registered):
    keeper = staff["other_caseworker"]
    client.force_login(keeper)
    url = f"/en/tracing/persons/{registered.pk}/bases/"
    response = client.post(
        url,
        {
            "purpose": "case_management",
            "basis": "vital_interest",
            "coverage": "exit case",
            "obtained_on": dt.date.today(),
        },
    )
    assert response.status_code == 302
    record = Consent.objects.get(person=registered, purpose="case_management")
    page = client.get(url).content.decode()
    assert "exit case" in page and f'data-basis="{record.pk}"' in page
    client.post(f"{url}{record.pk}/withdraw/", {"reason": "case closed"})
    record.refresh_from_db()
    assert record.withdrawn_at is not None and record.withdrawn_by == keeper
    client.force_login(staff["caseworker"])  # not their caseload
    assert client.get(url).status_code == 404


def test_the_basis_api_records_lists_and_withdraws(staff, registered):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(staff["other_caseworker"])
    url = f"/api/persons/{registered.pk}/bases/"
    body = {
        "purpose": "relaying_messages",
        "basis": "consent",
        "coverage": "messages with his sister",
        "obtained_on": str(dt.date.today()),
        "method": "phone",
    }
    created = api.post(url, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["recorded_by"] == "omid" and created.json()["in_force"] is True
    refused = api.post(url, {**body, "method": ""}, format="json")
    assert refused.status_code == 400 and "method" in refused.json()
    listed = api.get(url).json()
    assert [row["purpose"] for row in listed] == ["relaying_messages"]
    gone = api.post(f"{url}{created.json()['id']}/withdraw/", {"reason": "no"}, format="json")
    assert gone.status_code == 200 and gone.json()["in_force"] is False
    outsider = APIClient()
    outsider.force_authenticate(staff["caseworker"])
    assert outsider.get(url).status_code == 404


# -- the family's letter never betrays that the person was found -------------------------------


def letter_body(client, enquiry) -> str:
    html = client.get(f"/en/tracing/{enquiry.pk}/letter/").content.decode()
    body = html[html.index("<article") : html.index("</article>")]
    return body.replace(enquiry.reference, "REF")


@pytest.mark.parametrize("outcome", ["alive_no_contact", "no_answer"])
def test_nothing_at_all_gives_the_same_letter_as_not_found(client, found, sara, outcome):
    consent(found, sara, "nothing")
    services.close_enquiry(user=sara, enquiry=found, outcome=outcome)
    other = services.create_enquiry(
        user=sara,
        relationship=found.relationship,
        enquirer=found.enquirer,
        sought={"given_name": "Massoud", "family_name": "Hosseini"},
        search=False,
    )
    services.close_enquiry(user=sara, enquiry=other, outcome="not_found")
    client.force_login(sara)
    assert letter_body(client, found) == letter_body(client, other)
    assert 'data-consent="none"' in letter_body(client, found)
    assert "We have found" not in letter_body(client, found)


def test_while_the_search_goes_on_nothing_at_all_reads_like_any_open_enquiry(client, found, sara):
    consent(found, sara, "nothing")
    other = services.create_enquiry(
        user=sara,
        relationship=found.relationship,
        enquirer=found.enquirer,
        sought={"given_name": "Massoud", "family_name": "Hosseini"},
        search=False,
    )
    client.force_login(sara)
    assert letter_body(client, found) == letter_body(client, other)
