"""A small registry and staff in every role, for the tracing tests."""

from __future__ import annotations

import datetime as dt

import pytest

from kinlink.people.services import create_person
from kinlink.tracing import services

LOCATION = "Rruga e Durresit 12, Tirana"
CONTACT = "+355 69 123 4567"
ENQUIRER_CONTACT = "+98 21 5555 0000"


@pytest.fixture
def staff(make_user):
    return {
        "caseworker": make_user("sara", "caseworker", team="North"),
        "supervisor": make_user("nadia", "supervisor", team="North"),
        "dpo": make_user("dana", "dpo"),
        "admin": make_user("arben", "admin"),
        "analyst": make_user("lina", "analyst"),
        "other_caseworker": make_user("omid", "caseworker", team="South"),
    }


@pytest.fixture
def sara(staff):
    return staff["caseworker"]


@pytest.fixture
def nadia(staff):
    return staff["supervisor"]


@pytest.fixture
def registered(staff):
    """The sought person as registered, in Persian script, with a location and contact,
    and two others with similar names."""
    keeper = staff["other_caseworker"]
    found = create_person(
        names=[
            {
                "given_name": "مسعود",
                "family_name": "حسینی",
                "father_name": "علی",
                "language": "fa",
            }
        ],
        birth="1344",
        birth_place="اهواز",
        gender="M",
        last_known_location=LOCATION,
        contact=CONTACT,
        caseworker=keeper,
    )
    create_person(
        names=[{"given_name": "مسعود", "family_name": "حسینی", "father_name": "رضا"}],
        birth="1358",
        birth_place="تبریز",
        gender="M",
        caseworker=keeper,
    )
    create_person(
        names=[{"given_name": "Maryam", "family_name": "Karimi"}],
        birth="1970",
        caseworker=keeper,
    )
    return found


@pytest.fixture
def enquiry(sara, registered):
    return services.create_enquiry(
        user=sara,
        relationship="sibling",
        new_enquirer={"names": [{"given_name": "Fereshteh", "family_name": "Hosseini"}]},
        sought={
            "given_name": "Massoud",
            "family_name": "Hosseini",
            "father_name": "Ali",
            "birth": "1965",
            "birth_place": "Ahvaz",
            "gender": "M",
        },
        last_news_when="2003",
        last_news_where="Camp Ashraf",
        enquirer_contact=ENQUIRER_CONTACT,
    )


def confirm(enquiry, user, person, *, verify=True):
    """Confirm the candidate and (unless told not to) record the verification that must
    come before any disclosure."""
    candidate = enquiry.candidates.get(person=person)
    services.decide_candidate(user=user, candidate=candidate, decision="same", reason="father")
    if verify:
        services.record_verification(
            user=user,
            candidate=candidate,
            kind="recognised",
            method="photo",
            verified_on=dt.date.today(),
            note="recognised his photograph",
        )
    enquiry.refresh_from_db()
    return candidate


def consent(enquiry, user, scope):
    services.record_enquiry_consent(
        user=user, enquiry=enquiry, scope=scope, obtained_on=dt.date.today(), method="phone"
    )
    enquiry.refresh_from_db()


@pytest.fixture
def found(enquiry, sara, registered):
    """The enquiry with its candidate confirmed (no consent yet)."""
    confirm(enquiry, sara, registered)
    return enquiry


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Six users a test with argon2 take seconds; the hash is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
