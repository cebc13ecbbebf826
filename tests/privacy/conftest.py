"""A person known to every app (names, relatives, enquiries both ways, consent, a case with a
document scan, a testimony with an attachment, named in someone else's testimony), with
values that are sentences so that a scan of the whole database can look for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kinlink.cases import services as cases
from kinlink.cases.models import DocumentType, Stage
from kinlink.people import services as people
from kinlink.people.models import ConsentMethod, Person
from kinlink.testimony import services as testimony
from kinlink.testimony.models import EventType, ParticipantRole, Use
from kinlink.tracing import services as tracing
from kinlink.tracing.models import FamilyMessage

GIVEN = "Yeganeh who left in the spring"
FAMILY = "Solullari of the northern valley"
FATHER = "Hosseinnia the patient father"
PERSIAN = "یگانه که در بهار رفت"
CONTACT = "yeganeh-left-in-spring@example.org, +355 69 000 1111"
LOCATION = "the blue house behind the Durres fish market"
BIRTH_PLACE = "Ahvaz on the bank of the Karun river"
DOCUMENT_NUMBER = "PASSPORT-K7734-YEGANEH"
ACCOUNT = f"I am {GIVEN} {FAMILY}. In 2009 I was kept alone for a month in Camp Ashraf."
MESSAGE = f"Dear {GIVEN}, your mother waits every evening for news."
SCAN = f"scanned passport page of {GIVEN} {FAMILY}\n".encode()
AUDIO = f"voice recording of {GIVEN}\n".encode()
# Everything that must be gone after an erasure (the Persian name too).
SECRETS = (GIVEN, FAMILY, FATHER, PERSIAN, CONTACT, LOCATION, BIRTH_PLACE, DOCUMENT_NUMBER)


@dataclass
class World:
    subject: Person
    relative: Person
    own_enquiry: object
    enquiry_about: object
    case: object
    document: object
    testimony: object
    other_testimony: object
    attachment: object


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(make_user):
    return {
        "caseworker": make_user("sara", "caseworker", team="North"),
        "supervisor": make_user("nadia", "supervisor", team="North"),
        "dpo": make_user("dana", "dpo"),
        "admin": make_user("arben", "admin"),
        "analyst": make_user("lina", "analyst"),
    }


@pytest.fixture
def dpo(staff):
    return staff["dpo"]


def _close_case(user, case) -> None:
    closed = Stage.objects.get(pathway=case.pathway, code="closed")
    cases.move_case(user=user, case=case, to_stage=closed, reason="settled", outcome="settled")


@pytest.fixture
def world(staff) -> World:
    sara = staff["caseworker"]
    subject = people.create_person(
        names=[
            {"given_name": GIVEN, "family_name": FAMILY, "father_name": FATHER},
            {"given_name": PERSIAN, "kind": "spelling"},
        ],
        birth="1967",
        birth_place=BIRTH_PLACE,
        gender="F",
        contact=CONTACT,
        last_known_location=LOCATION,
        caseworker=sara,
    )
    relative = people.create_person(
        names=[{"given_name": "Parvin", "family_name": "Another Family"}], caseworker=sara
    )
    people.add_relationship(
        user=sara, person=relative, kind="parent", relative=subject, note=f"mother of {GIVEN}"
    )

    own_enquiry = tracing.create_enquiry(
        user=sara,
        relationship="sibling",
        enquirer=subject,
        sought={"given_name": "Masoud", "family_name": "Somebody Else", "birth": "1960"},
        last_news_where="Camp Liberty",
        enquirer_contact=CONTACT,
    )
    tracing.close_enquiry(user=sara, enquiry=own_enquiry, outcome="not_found")

    enquiry_about = tracing.create_enquiry(
        user=sara,
        relationship="child",
        enquirer=relative,
        sought={"given_name": GIVEN, "family_name": FAMILY, "father_name": FATHER},
        last_news_where=LOCATION,
        last_news_circumstances=f"{GIVEN} was last seen at {BIRTH_PLACE}",
        enquirer_contact="the relative's own phone +98 21 0000",
    )
    enquiry_about.sought_person = subject
    enquiry_about.save()
    people.record_consent(
        person=subject,
        context=enquiry_about.consent_context,
        scope="messages",
        obtained_on=dt.date(2024, 5, 1),
        method=ConsentMethod.PHONE,
        by=sara,
        recipient=relative,
        note=f"{GIVEN} agreed on the phone",
    )
    FamilyMessage.objects.create(
        enquiry=enquiry_about, direction="to_sought", text=MESSAGE, author=sara
    )
    tracing.close_enquiry(user=sara, enquiry=enquiry_about, outcome="alive_no_contact")

    case = cases.open_case(user=sara, person=subject, opened_on=dt.date(2024, 1, 8))
    cases.add_task(user=sara, case=case, title=f"Call {GIVEN}", notes=f"reach at {LOCATION}")
    document = cases.add_document(
        user=sara,
        case=case,
        document_type=DocumentType.objects.get(code="residence_permit"),
        issuing_country="Albania",
        number=DOCUMENT_NUMBER,
        expires_on=dt.date(2030, 1, 1),
        scan=SimpleUploadedFile("passport.png", SCAN, "image/png"),
    )
    cases.add_referral(
        user=sara, case=case, service_type="housing", partner="Shelter", notes=f"for {GIVEN}"
    )
    _close_case(sara, case)

    transfer = EventType.objects.get(code="transfer")
    told = testimony.record_testimony(
        user=sara,
        witness=subject,
        recorded_on=dt.date(2024, 3, 5),
        account=ACCOUNT,
        recorded_place=LOCATION,
        uses=(Use.INTERNAL,),
    )
    testimony.add_event(
        user=sara,
        testimony=told,
        event_type=transfer,
        start=dt.date(2009, 1, 1),
        start_precision="year",
        place_detail=BIRTH_PLACE,
        participants=[testimony.ParticipantInput(ParticipantRole.VICTIM, person=subject)],
        passage="In 2009 I was kept alone for a month",
    )
    attachment = testimony.add_attachment(
        user=sara,
        testimony=told,
        upload=SimpleUploadedFile("voice.mp3", AUDIO, "audio/mpeg"),
        kind="audio",
        description=f"{GIVEN} speaking",
    )
    other = testimony.record_testimony(
        user=sara,
        witness=relative,
        recorded_on=dt.date(2024, 4, 2),
        account="The commander shouted at my daughter.",
        uses=(Use.INTERNAL,),
    )
    testimony.add_event(
        user=sara,
        testimony=other,
        event_type=transfer,
        start=dt.date(2010, 1, 1),
        start_precision="year",
        participants=[testimony.ParticipantInput(ParticipantRole.VICTIM, person=subject)],
    )
    for row in (subject, own_enquiry, enquiry_about, case, document, told):
        row.refresh_from_db()
    return World(
        subject=subject,
        relative=relative,
        own_enquiry=own_enquiry,
        enquiry_about=enquiry_about,
        case=case,
        document=document,
        testimony=told,
        other_testimony=other,
        attachment=attachment,
    )
