"""Fixtures for testimonies: staff of two teams, witnesses with Persian and Latin names,
and files under a temporary MEDIA_ROOT."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kinlink.people.models import ConsentMethod
from kinlink.people.services import create_person
from kinlink.testimony import services
from kinlink.testimony.models import EventType, ParticipantRole, Purpose, Use
from kinlink.testimony.vocabulary import ensure_seeded_event_types

RECORDED = dt.date(2024, 3, 5)
ACCOUNT = (
    "My name is Hossein Mousavi. In 2012 I was moved to Camp Liberty. "
    "Fereshteh Ahmadi was held in solitary confinement for three months. "
    "The commander took our passports."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    # Eight staff per test: a fast hasher keeps the suite quick (login is tested elsewhere).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(make_user):
    return {
        "caseworker": make_user("sara", "caseworker", team="North"),
        "other_caseworker": make_user("omid", "caseworker", team="North"),
        "south_caseworker": make_user("elira", "caseworker", team="South"),
        "supervisor": make_user("nadia", "supervisor", team="North"),
        "south_supervisor": make_user("besa", "supervisor", team="South"),
        "dpo": make_user("dana", "dpo"),
        "admin": make_user("arben", "admin"),
        "analyst": make_user("lina", "analyst"),
    }


@pytest.fixture
def witness(staff):
    return create_person(
        names=[
            {"given_name": "Hossein", "family_name": "Mousavi", "father_name": "Reza"},
            {"given_name": "حسین", "family_name": "موسوی", "kind": "spelling"},
        ],
        caseworker=staff["caseworker"],
    )


@pytest.fixture
def victim(staff):
    return create_person(
        names=[
            {"given_name": "Fereshteh", "family_name": "Ahmadi"},
            {"given_name": "فرشته", "family_name": "احمدی", "kind": "spelling"},
        ],
        caseworker=staff["caseworker"],
    )


@pytest.fixture
def event_types(db):
    ensure_seeded_event_types()  # gone if a browser test flushed the database before
    return {t.code: t for t in EventType.objects.all()}


@pytest.fixture
def liberty(staff):
    return services.create_place(
        user=staff["caseworker"],
        name="Camp Liberty",
        kind="camp",
        country="Iraq",
        aliases=["Camp Hurriyeh", "Temporary Transit Facility", "کمپ لیبرتی"],
    )


@pytest.fixture
def record(staff, witness):
    def make(*, uses=(Use.INTERNAL, Use.COURT), account=ACCOUNT, user=None, person=None, **fields):
        return services.record_testimony(
            user=user or staff["caseworker"],
            witness=person or witness,
            recorded_on=fields.pop("recorded_on", RECORDED),
            account=account,
            language=fields.pop("language", "en"),
            uses=uses,
            **fields,
        )

    return make


@pytest.fixture
def court_testimony(record, staff, witness, victim, event_types, liberty):
    """A testimony with court consent, two events, an attachment; both people named."""
    testimony = record()
    user = staff["caseworker"]
    services.add_event(
        user=user,
        testimony=testimony,
        event_type=event_types["transfer"],
        place=liberty,
        start=dt.date(2012, 1, 1),
        start_precision="year",
        participants=[services.ParticipantInput(ParticipantRole.VICTIM, person=witness)],
        passage="In 2012 I was moved to Camp Liberty.",
    )
    services.add_event(
        user=user,
        testimony=testimony,
        event_type=event_types["solitary_confinement"],
        place=liberty,
        start=dt.date(2013, 2, 1),
        start_precision="month",
        end=dt.date(2013, 5, 1),
        end_precision="month",
        participants=[
            services.ParticipantInput(ParticipantRole.VICTIM, person=victim),
            services.ParticipantInput(ParticipantRole.PERPETRATOR, description="the commander"),
        ],
        passage="Fereshteh Ahmadi was held in solitary confinement for three months.",
    )
    services.add_attachment(
        user=user,
        testimony=testimony,
        upload=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 a scanned page\n", "application/pdf"),
        kind="scan",
        identifies_people=False,
    )
    for person in (witness, victim):
        services.record_naming_consent(
            user=user,
            person=person,
            purpose=Purpose.COURT,
            granted=True,
            given_on=RECORDED,
            method=ConsentMethod.IN_PERSON,
        )
    return testimony
