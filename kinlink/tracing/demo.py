"""Synthetic enquiries at every stage, for `kinlink demo`. Called after the demo's users
and persons exist (kinlink/demo.py); goes through the services like a caseworker would.

Each enquiry looks for a registry person by the Latin spelling of their name, as a family
abroad would write it; the enquirers are invented like the persons.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from PIL import Image, ImageDraw

from kinlink.accounts.models import User
from kinlink.accounts.roles import Role
from kinlink.people import basis as legal_basis
from kinlink.people.models import NameKind, Person
from kinlink.people.services import create_person

from . import notices, services
from .matching import rebuild_person_keys
from .models import Candidate, Enquiry

ENQUIRERS = ["Zahra", "Parvin", "Ali", "Reza", "Maryam", "Hamid", "Leila", "Karim"]
RELATIONSHIPS = ["parent", "sibling", "child", "spouse", "sibling", "parent"]
# (final status or outcome, consent the person found gave, message exchanged)
STAGES = [
    ("open", None, False),
    ("searching", None, False),
    ("searching_unsure", None, False),
    ("candidate_found", None, False),
    ("person_asked", None, False),
    ("person_asked", "messages", True),
    ("person_asked", "alive_and_well", False),
    ("contact_restored", "whereabouts", True),
    ("alive_no_contact", "nothing", False),
    ("no_answer", None, False),
    ("deceased", None, False),
    ("not_found", None, False),
]


def _latin_name(person: Person) -> dict[str, str]:
    names = list(person.names.all())
    latin = next(
        (n for n in names if n.script == "latin" and n.kind != NameKind.ORGANISATIONAL), None
    )
    name = latin or names[0]
    return {
        "given_name": name.given_name,
        "family_name": name.family_name,
        "father_name": name.father_name,
    }


def _sought(person: Person, rng: random.Random) -> dict[str, str]:
    sought = _latin_name(person)
    if person.birth_year:
        sought["birth"] = str(person.birth_year + rng.choice([-1, 0, 0, 1]))
    sought["birth_place"] = person.birth_place
    sought["gender"] = person.gender
    return sought


def _confirm(enquiry: Enquiry, user: User, person: Person) -> Candidate:
    candidate = enquiry.candidates.filter(person=person).first()
    if candidate is None:  # the engine ranked others higher: take its best
        candidate = enquiry.candidates.order_by("-score").first()
    services.decide_candidate(
        user=user, candidate=candidate, decision="same", reason="father's name and birth year"
    )
    enquiry.refresh_from_db()
    return candidate


def _reject_others(enquiry: Enquiry, user: User) -> None:
    for candidate in enquiry.candidates.filter(decision="pending").order_by("score")[:1]:
        services.decide_candidate(
            user=user, candidate=candidate, decision="not_same", reason="different father"
        )


def _exchange_message(enquiry: Enquiry, author: User, reviewer: User) -> None:
    message = services.write_message(
        user=author,
        enquiry=enquiry,
        direction="to_sought",
        text="We never stopped looking for you. Everyone at home sends their love.",
    )
    services.review_message(user=reviewer, message=message, approve=True)
    services.deliver_message(user=author, message=message, delivered=True)
    services.record_reply(user=author, message=message, text="I am well. I think of you often.")


def _walk(enquiry: Enquiry, stage: str, scope: str | None, message: bool, cw, sup, person):
    if stage == "open":
        return
    if stage == "searching_unsure":
        candidate = enquiry.candidates.order_by("-score").first()
        if candidate is not None:
            services.decide_candidate(
                user=cw, candidate=candidate, decision="unsure", reason="birth year far apart"
            )
        return
    if stage == "not_found":
        services.close_enquiry(user=cw, enquiry=enquiry, outcome="not_found", note="no trace")
        return
    if stage == "searching" or not enquiry.candidates.exists():
        return
    _reject_others(enquiry, cw)
    candidate = _confirm(enquiry, cw, person)
    if stage == "candidate_found":
        return
    services.record_verification(
        user=cw,
        candidate=candidate,
        kind="recognised" if scope != "nothing" else "relationship",
        method="photo",
        verified_on=dt.date.today(),
        note="the enquirer recognised a recent photograph",
    )
    services.mark_person_asked(user=cw, enquiry=enquiry, note="met at the office")
    if scope:
        services.record_enquiry_consent(
            user=cw,
            enquiry=enquiry,
            scope=scope,
            obtained_on=dt.date.today(),
            method="in_person",
        )
    if message:
        _exchange_message(enquiry, cw, sup)
    if stage != "person_asked":
        services.close_enquiry(user=cw, enquiry=enquiry, outcome=stage)


def load_tracing_demo(*, seed: int = 1965) -> int:
    """File the registry under its matching keys and add one enquiry per stage, for the
    caseworkers of the team that has a supervisor. Returns the number of enquiries."""
    rebuild_person_keys()
    rng = random.Random(seed)
    supervisor = User.objects.filter(role=Role.SUPERVISOR, team__isnull=False).first()
    if supervisor is None:
        return 0
    caseworkers = list(
        User.objects.filter(role=Role.CASEWORKER, team=supervisor.team).order_by("username")
    )
    persons = list(
        Person.objects.filter(merged_into__isnull=True, birth_year__isnull=False)
        .prefetch_related("names")
        .order_by("id")
    )
    if not caseworkers or not persons:
        return 0
    made: dict[str, Enquiry] = {}
    sought: dict[str, Person] = {}
    for index, (stage, scope, message) in enumerate(STAGES):
        cw = caseworkers[index % len(caseworkers)]
        person = persons[rng.randrange(len(persons))]
        enquiry = services.create_enquiry(
            user=cw,
            relationship=RELATIONSHIPS[index % len(RELATIONSHIPS)],
            new_enquirer={
                "names": [
                    {
                        "given_name": ENQUIRERS[index % len(ENQUIRERS)],
                        "family_name": _latin_name(person)["family_name"],
                    }
                ]
            },
            sought=_sought(person, rng),
            last_news_when=str(rng.choice([1991, 1998, 2003, 2009, 2013])),
            last_news_where=rng.choice(["Camp Ashraf", "Camp Liberty", "Baghdad", "Durres"]),
            enquirer_contact=f"+98 21 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            search=stage != "open",
        )
        _walk(enquiry, stage, scope, message, cw, supervisor, person)
        made.setdefault(stage if scope is None else f"{stage}:{scope}", enquiry)
        sought.setdefault(stage, person)
    _register_later(sought["searching"])
    _transfer_one()
    _publish_notice(made["searching"])
    _record_legal_bases(made)
    return len(STAGES)


def _register_later(person: Person) -> None:
    """The person sought by the searching enquiry, met again and registered a second time
    by their own caseworker under the name in their own script, the earlier record not
    noticed: the enquiry's caseworker is notified of a person registered later, and the
    person's record finds the other one (Look for other records of this person)."""
    names = list(person.names.all())
    name = next((n for n in names if n.script != "latin"), names[0])
    create_person(
        names=[
            {
                "given_name": name.given_name,
                "family_name": name.family_name,
                "father_name": name.father_name,
            }
        ],
        birth_year=person.birth_year,
        gender=person.gender,
        birth_place=person.birth_place,
        caseworker=person.caseworker,
    )


def avatar_photo(seed: int = 7) -> bytes:
    """A drawn avatar (a head and shoulders on a plain ground), standing in for the
    enquirer's photo: never a real person's."""
    rng = random.Random(seed)
    image = Image.new("RGB", (240, 300), tuple(rng.randint(150, 230) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    skin = (224, 182, 140)
    draw.ellipse((40, 200, 200, 380), fill=tuple(rng.randint(30, 120) for _ in range(3)))
    draw.rectangle((100, 160, 140, 215), fill=skin)
    draw.ellipse((70, 60, 170, 180), fill=skin)
    draw.chord((66, 50, 174, 140), 180, 360, fill=(60, 40, 30))
    for x in (100, 140):
        draw.ellipse((x - 5, 112, x + 5, 122), fill=(40, 30, 30))
    draw.arc((100, 130, 140, 160), 20, 160, fill=(150, 70, 60), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _publish_notice(enquiry: Enquiry) -> None:
    """The enquirer of a search under way agrees to a public notice with their photo."""
    user = enquiry.caseworker
    notices.record_publication_consent(
        user=user, enquiry=enquiry, obtained_on=dt.date.today(), method="in_person"
    )
    notices.prepare_notice(user=user, enquiry=enquiry, photo=avatar_photo(enquiry.pk))


def _record_legal_bases(made: dict[str, Enquiry]) -> None:
    """Bases for several purposes: tracing a person not yet asked on their vital interest,
    their consent to relay messages, and a consent to transfer their file to a partner."""
    today = dt.date.today()
    found = made["candidate_found"]
    if found.sought_person is not None:
        legal_basis.record_legal_basis(
            person=found.sought_person,
            purpose="family_tracing",
            basis="vital_interest",
            scope="nothing",
            context=found.consent_context,
            obtained_on=today,
            by=found.caseworker,
            note="not asked yet: the family fears for their safety",
        )
    messages = made["person_asked:messages"]
    restored = made["contact_restored:whereabouts"]
    if messages.sought_person is None or restored.sought_person is None:
        return  # the engine found no one to confirm (a registry too small)
    legal_basis.record_legal_basis(
        person=messages.sought_person,
        purpose="relaying_messages",
        basis="consent",
        method="in_person",
        coverage="family messages with the enquirer, read by a caseworker before passing on",
        context=messages.consent_context,
        obtained_on=today,
        by=messages.caseworker,
    )
    legal_basis.record_legal_basis(
        person=restored.sought_person,
        purpose="transfer",
        basis="consent",
        method="writing",
        coverage="names and birth details to the Partner Red Crescent tracing service",
        obtained_on=today,
        by=restored.caseworker,
    )


def _transfer_one() -> None:
    """One transfer to a partner organisation, on the vital-interest basis, for tracing:
    only what tracing needs is sent, and no consent changes."""
    enquiry = (
        Enquiry.objects.filter(sought_person__isnull=False, status="person_asked")
        .select_related("caseworker", "sought_person")
        .order_by("id")
        .first()
    )
    if enquiry is None or enquiry.caseworker is None:
        return
    services.transfer_to_partner(
        user=enquiry.caseworker,
        person=enquiry.sought_person,
        enquiry=enquiry,
        recipient="Partner Red Crescent tracing service (demo)",
        purpose="tracing",
        basis="vital_interest",
        note="cross-border search",
    )
