import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinlink.audit.models import Entry
from kinlink.tracing import services
from kinlink.tracing.models import Notification

from .conftest import CONTACT, LOCATION, consent

pytestmark = pytest.mark.django_db


def reply(enquiry, user):
    return services.family_reply(enquiry, user=user, channel="letter")


def test_without_consent_the_family_is_told_nothing_about_the_person_found(found, sara):
    d = services.disclosure_for(found, user=sara, channel="page")
    assert (d.found, d.location, d.contact, d.may_relay_messages) == (False, None, None, False)


def test_alive_and_well_consent_says_so_and_nothing_more(found, sara):
    consent(found, sara, "alive_and_well")
    d = services.disclosure_for(found, user=sara, channel="page")
    assert d.found and not d.may_relay_messages and d.location is None and d.contact is None


def test_messages_only_consent_relays_messages_without_whereabouts(found, sara):
    consent(found, sara, "messages")
    d = services.disclosure_for(found, user=sara, channel="page")
    assert d.may_relay_messages and (d.location, d.contact) == (None, None)


def test_full_consent_discloses_location_and_contact(found, sara):
    consent(found, sara, "whereabouts")
    d = services.disclosure_for(found, user=sara, channel="letter")
    assert (d.location, d.contact) == (LOCATION, CONTACT)


def test_withdrawal_takes_the_whereabouts_back(found, sara):
    consent(found, sara, "whereabouts")
    services.withdraw_enquiry_consent(user=sara, enquiry=found, reason="asked us to")
    d = services.disclosure_for(found, user=sara, channel="letter")
    assert (d.found, d.location, d.contact) == (False, None, None)


def test_a_consent_for_another_enquiry_discloses_nothing_here(found, sara, registered):
    from kinlink.people.services import record_consent

    record_consent(
        person=registered,
        context="enquiry:999",
        scope="whereabouts",
        obtained_on=found.created_at.date(),
        method="phone",
        by=sara,
    )
    assert services.disclosure_for(found, user=sara, channel="page").location is None


def test_a_vital_interest_basis_never_discloses(found, sara, registered):
    from kinlink.people.services import record_consent

    record_consent(
        person=registered,
        recipient=found.enquirer,
        context=found.consent_context,
        scope="whereabouts",
        basis="vital_interest",
        obtained_on=found.created_at.date(),
        method="phone",
        by=sara,
    )
    assert services.disclosure_for(found, user=sara, channel="page").location is None


def test_a_deceased_outcome_is_told_without_location(found, sara):
    consent(found, sara, "whereabouts")
    services.close_enquiry(user=sara, enquiry=found, outcome="deceased")
    d = services.disclosure_for(found, user=sara, channel="letter")
    assert d.deceased and d.location is None and d.contact is None


def test_every_disclosure_is_audited_with_what_it_held(found, sara):
    consent(found, sara, "whereabouts")
    services.disclosure_for(found, user=sara, channel="api")
    entry = Entry.objects.filter(action="disclose").first()
    assert entry.detail["channel"] == "api"
    assert entry.detail["fields"] == ["location", "contact", "alive_and_well"]
    assert Entry.objects.filter(action="read", field="contact").exists()


def test_nobody_outside_the_enquiry_gets_a_disclosure_even_an_administrator(found, sara, staff):
    consent(found, sara, "whereabouts")
    for role in ("admin", "analyst", "other_caseworker"):
        with pytest.raises(PermissionDenied):
            services.disclosure_for(found, user=staff[role], channel="page")


def test_the_letter_with_messages_only_consent_holds_no_address(found, sara):
    consent(found, sara, "messages")
    letter = reply(found, sara)
    text = " ".join(letter.paragraphs)
    assert "exchange messages" in text
    assert LOCATION not in text and CONTACT not in text
    assert letter.disclosure.location is None


def test_a_consent_needs_a_confirmed_person(enquiry, sara):
    with pytest.raises(ValidationError):
        consent(enquiry, sara, "messages")


# -- messages --------------------------------------------------------------------------------


def test_a_message_from_the_sought_person_needs_their_consent_to_messages(found, sara):
    with pytest.raises(ValidationError):
        services.write_message(user=sara, enquiry=found, direction="to_enquirer", text="Hello")
    consent(found, sara, "alive_and_well")
    with pytest.raises(ValidationError):
        services.write_message(user=sara, enquiry=found, direction="to_enquirer", text="Hello")


def test_a_message_goes_through_review_by_a_second_person(found, sara, nadia):
    consent(found, sara, "messages")
    message = services.write_message(
        user=sara, enquiry=found, direction="to_enquirer", text="I am well, dear sister."
    )
    assert message.state == "draft"
    assert Notification.objects.filter(user=nadia, kind="message_to_review").exists()
    with pytest.raises(PermissionDenied):
        services.review_message(user=sara, message=message, approve=True)
    services.review_message(user=nadia, message=message, approve=True)
    services.deliver_message(user=sara, message=message, delivered=True)
    assert message.state == "delivered" and message.reviewed_by == nadia
    assert message in reply(found, sara).messages


def test_an_unapproved_message_cannot_be_delivered(found, sara):
    consent(found, sara, "messages")
    message = services.write_message(
        user=sara, enquiry=found, direction="to_enquirer", text="Hello"
    )
    with pytest.raises(ValidationError):
        services.deliver_message(user=sara, message=message, delivered=True)


def test_a_reviewer_may_send_a_message_back_with_a_note(found, sara, nadia):
    message = services.write_message(user=sara, enquiry=found, direction="to_sought", text="Hi")
    with pytest.raises(ValidationError):
        services.review_message(user=nadia, message=message, approve=False)
    services.review_message(user=nadia, message=message, approve=False, note="shorter")
    assert message.state == "draft" and message.review_note == "shorter"


@pytest.mark.parametrize(
    "text",
    [
        "Come to Rruga e Durresit 12",
        "I live in Tirana now",
        "Call me on +355 69 123 4567",
        "call ۰۹۱۲ ۱۲۳ ۴۵۶۷",
        "write to masoud@example.org",
        "My address: 5 Main Street",
        "خیابان آزادی، کوچه ۳",
    ],
)
def test_a_message_with_an_address_is_refused_without_consent_to_share_whereabouts(
    found, sara, text
):
    consent(found, sara, "messages")
    with pytest.raises(ValidationError):
        services.write_message(user=sara, enquiry=found, direction="to_enquirer", text=text)


def test_with_consent_to_share_whereabouts_a_message_may_carry_an_address(found, sara):
    consent(found, sara, "whereabouts")
    message = services.write_message(
        user=sara, enquiry=found, direction="to_enquirer", text="Call me on +355 69 123 4567"
    )
    assert message.state == "draft"


def test_an_approved_message_is_held_back_when_consent_is_withdrawn(found, sara, nadia):
    consent(found, sara, "messages")
    message = services.write_message(
        user=sara, enquiry=found, direction="to_enquirer", text="I am well"
    )
    services.review_message(user=nadia, message=message, approve=True)
    services.withdraw_enquiry_consent(user=sara, enquiry=found)
    with pytest.raises(ValidationError):
        services.deliver_message(user=sara, message=message, delivered=True)
    assert reply(found, sara).messages == []


def test_a_reply_becomes_a_new_draft_the_other_way(found, sara, nadia):
    consent(found, sara, "messages")
    message = services.write_message(user=sara, enquiry=found, direction="to_sought", text="Hi")
    services.review_message(user=nadia, message=message, approve=True)
    services.deliver_message(user=sara, message=message, delivered=True)
    answer = services.record_reply(user=sara, message=message, text="Hello, I am well")
    message.refresh_from_db()
    assert message.state == "replied"
    assert (answer.direction, answer.state, answer.reply_to) == ("to_enquirer", "draft", message)


def test_an_undeliverable_message_is_recorded(found, sara, nadia):
    message = services.write_message(user=sara, enquiry=found, direction="to_sought", text="Hi")
    services.review_message(user=nadia, message=message, approve=True)
    services.deliver_message(user=sara, message=message, delivered=False)
    assert message.state == "undeliverable"
