"""Demo testimonies: synthetic accounts by the demo's synthetic persons, with events at the
places named in the published accounts (DOMAIN.md), consents, and a few attachments.

Called by `kinlink demo` after the persons exist: `load_demo_testimonies(users, persons, rng)`.
Everything goes through the services, so the demo exercises the same rules as real use.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence

from django.core.files.uploadedfile import SimpleUploadedFile

from kinlink.accounts.roles import Role
from kinlink.people.models import ConsentMethod, Person

from . import services
from .models import EventType, Place, Purpose, Use
from .vocabulary import ensure_seeded_event_types

DEMO_TESTIMONIES = 48

PLACES = [
    ("Camp Ashraf", "camp", "Iraq", ["Camp New Iraq", "اردوگاه اشرف", "معسكر أشرف"]),
    (
        "Camp Liberty",
        "camp",
        "Iraq",
        ["Camp Hurriyeh", "Temporary Transit Facility", "کمپ لیبرتی", "معسكر الحرية"],
    ),
    (
        "TIPF",
        "facility",
        "Iraq",
        ["Camp Freedom", "Temporary Internment and Protection Facility", "the US-run camp"],
    ),
    ("Hotel Mohajer", "facility", "Iraq", ["هتل مهاجر", "فندق مهاجر"]),
    ("Ashraf 3", "camp", "Albania", ["Manez", "اشرف ۳"]),
]

# (event type, English sentence, Persian sentence); {victim} and {place} are filled in.
SCENES = [
    (
        "detention",
        "{victim} was held for weeks in a room at {place} after asking to leave.",
        "{victim} را پس از درخواست خروج هفته‌ها در اتاقی در {place} نگه داشتند.",
    ),
    (
        "solitary_confinement",
        "They kept {victim} alone in a container at {place}; nobody was allowed to speak to them.",
        "{victim} را در {place} تنها در یک کانتینر نگه داشتند و کسی حق حرف زدن با او را نداشت.",
    ),
    (
        "forced_separation",
        "At {place} {victim} was told that family was poison and letters were taken away.",
        "در {place} به {victim} گفتند خانواده سم است و نامه‌ها را گرفتند.",
    ),
    (
        "document_confiscation",
        "On arrival at {place} the passport of {victim} was taken and never returned.",
        "هنگام ورود به {place} گذرنامه {victim} را گرفتند و هرگز پس ندادند.",
    ),
    (
        "forced_confession",
        "In a meeting at {place} {victim} had to confess on camera in front of everyone.",
        "در نشستی در {place} {victim} مجبور شد جلوی همه جلوی دوربین اعتراف کند.",
    ),
    (
        "beating",
        "During a session at {place} {victim} was beaten by the section officers.",
        "در جلسه‌ای در {place} {victim} را مسئولان بخش کتک زدند.",
    ),
    (
        "escape",
        "{victim} escaped from {place} at night and reached the gate of the protecting force.",
        "{victim} شبانه از {place} فرار کرد و به دروازه نیروی حافظ رسید.",
    ),
    (
        "transfer",
        "{victim} was moved to {place} with the others, without being asked.",
        "{victim} را بدون پرسیدن همراه دیگران به {place} منتقل کردند.",
    ),
]
PERPETRATORS = ["the section officer", "a guard at the gate", "the camp commander"]
USE_SETS = [
    [Use.INTERNAL],
    [Use.INTERNAL, Use.ANONYMISED],
    [Use.INTERNAL, Use.ANONYMISED, Use.NAMED_REPORT],
    [Use.INTERNAL, Use.COURT],
    [Use.INTERNAL, Use.ANONYMISED, Use.NAMED_REPORT, Use.COURT],
]


def _names(person: Person) -> tuple[str, str]:
    """The person's name in Persian script and in Latin letters (the demo has both)."""
    names = list(person.names.all())
    persian = next((n for n in names if not n.given_name.isascii()), names[0])
    latin = next((n for n in names if n.given_name.isascii()), names[0])
    return f"{persian.given_name} {persian.family_name}", f"{latin.given_name} {latin.family_name}"


def _places(user) -> list[Place]:
    places = []
    for name, kind, country, aliases in PLACES:
        place = Place.objects.filter(name=name).first() or services.create_place(
            user=user, name=name, kind=kind, country=country, aliases=aliases
        )
        places.append(place)
    return places


def _scene_text(scene, victim: Person, place: Place, persian: bool) -> str:
    persian_name, latin_name = _names(victim)
    if persian:
        alias = next((a.name for a in place.aliases.all() if not a.name.isascii()), place.name)
        return scene[2].format(victim=persian_name, place=alias)
    return scene[1].format(victim=latin_name, place=place.name)


def _event_date(rng: random.Random, place: Place) -> tuple[dt.date, str]:
    years = {"Camp Ashraf": (1995, 2011), "Camp Liberty": (2012, 2016), "Ashraf 3": (2017, 2023)}
    low, high = years.get(place.name, (2004, 2014))
    day = dt.date(rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))
    return day, rng.choice(["day", "month", "month", "year", "about"])


def _one_testimony(rng, witness: Person, others: list[Person], places, types) -> None:
    user = witness.caseworker
    persian = rng.random() < 0.5
    scenes = rng.sample(SCENES, rng.randint(1, 3))
    cast = [(scene, rng.choice([witness, *others]), rng.choice(places)) for scene in scenes]
    sentences = [_scene_text(scene, victim, place, persian) for scene, victim, place in cast]
    testimony = services.record_testimony(
        user=user,
        witness=witness,
        recorded_on=dt.date(rng.randint(2016, 2025), rng.randint(1, 12), rng.randint(1, 28)),
        recorded_place=rng.choice(["Tirana office", "Durres", "by video call", "Cologne"]),
        language="fa" if persian else "en",
        account=" ".join(sentences),
        uses=rng.choice(USE_SETS),
        consent_method=rng.choice(ConsentMethod.values),
    )
    for (scene, victim, place), sentence in zip(cast, sentences, strict=True):
        start, precision = _event_date(rng, place)
        participants = [services.ParticipantInput("victim", person=victim)]
        if scene[0] in {"beating", "detention", "forced_confession", "solitary_confinement"}:
            participants.append(
                services.ParticipantInput("perpetrator", description=rng.choice(PERPETRATORS))
            )
        services.add_event(
            user=user,
            testimony=testimony,
            event_type=types[scene[0]],
            place=place,
            start=start,
            start_precision=precision,
            participants=participants,
            passage=sentence,
        )
    if rng.random() < 0.25:
        body = f"Synthetic demo scan for {testimony.reference}: a confiscated document.\n"
        services.add_attachment(
            user=user,
            testimony=testimony,
            upload=SimpleUploadedFile("scan.txt", body.encode(), "text/plain"),
            kind="scan",
            identifies_people=False,
        )
    _mention_and_correct(testimony, user)


# Synthetic people an account mentions without a record here: listed for redaction.
CELLMATES = [
    ["Karim Jafari", "کریم جعفری", "كريم جعفري"],
    ["Abu Layla", "ابو لیلا", "أبو ليلى"],
    ["Shirin Kamali", "شیرین کمالی"],
]


def _mention_and_correct(testimony, user) -> None:
    """Some demo accounts name a cellmate (listed for redaction) and one in four was
    corrected later, so the history page has something to show. A separate random source
    keeps the rest of the demo as it was."""
    extra = random.Random(testimony.pk)
    if extra.random() < 0.3:
        names = extra.choice(CELLMATES)
        account = services.reveal_account(user=user, testimony=testimony, reason="demo data")
        services.correct_account(
            user=user,
            testimony=testimony,
            account=f"{account} I shared a room with {names[0]} ({names[1]}).",
            reason="the witness added a detail at the second interview",
        )
        services.add_mentioned_person(user=user, testimony=testimony, names=names)


def _naming_consents(rng: random.Random, persons: Iterable[Person]) -> None:
    for person in persons:
        if rng.random() < 0.4:
            services.record_naming_consent(
                user=person.caseworker,
                person=person,
                purpose=rng.choice([Purpose.COURT, Purpose.HUMAN_RIGHTS_REPORT]),
                granted=True,
                given_on=dt.date(2024, rng.randint(1, 12), rng.randint(1, 28)),
                method=ConsentMethod.IN_PERSON,
            )


def load_demo_testimonies(
    users: dict | Iterable, persons: Sequence[Person], rng: random.Random, count: int = 0
) -> dict[str, int]:
    """Record demo testimonies by persons that have a caseworker; return what was made."""
    staff = list(users.values()) if isinstance(users, dict) else list(users)
    editor = next(u for u in staff if u.role in (Role.CASEWORKER, Role.SUPERVISOR))
    places = _places(editor)
    ensure_seeded_event_types()
    types = {t.code: t for t in EventType.objects.all()}
    candidates = [p for p in persons if p.caseworker_id and p.caseworker.role == Role.CASEWORKER]
    by_caseworker: dict[int, list[Person]] = {}
    for person in candidates:
        by_caseworker.setdefault(person.caseworker_id, []).append(person)
    witnesses = rng.sample(candidates, min(count or DEMO_TESTIMONIES, len(candidates)))
    for witness in witnesses:
        colleagues = [p for p in by_caseworker[witness.caseworker_id] if p.pk != witness.pk]
        others = rng.sample(colleagues, min(2, len(colleagues)))
        _one_testimony(rng, witness, others, places, types)
    _naming_consents(rng, witnesses)
    return {"testimonies": len(witnesses), "places": len(places)}
