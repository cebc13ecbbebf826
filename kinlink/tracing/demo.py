"""Synthetic enquiries at every stage, for `kinlink demo`. Called after the demo's users
and persons exist (kinlink/demo.py); goes through the services like a caseworker would.

Each enquiry looks for a registry person by the Latin spelling of their name, as a family
abroad would write it; the enquirers are invented like the persons.
"""

from __future__ import annotations

import datetime as dt
import random

from kinlink.accounts.models import User
from kinlink.accounts.roles import Role
from kinlink.people.models import NameKind, Person

from . import services
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
    _transfer_one()
    return len(STAGES)


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
