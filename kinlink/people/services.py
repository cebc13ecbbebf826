"""Every write about persons and every read of their sensitive fields goes through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from kinlink.accounts.models import Team
from kinlink.audit.sensitive import reveal

from .models import Person, PersonName
from .selectors import can_view_person


def next_reference() -> str:
    last = Person.objects.aggregate(top=Max("id"))["top"] or 0
    return f"P-{last + 1:06d}"


@transaction.atomic
def create_person(
    *,
    names: list[dict],
    gender: str = "",
    birth_year: int | None = None,
    birth_place: str = "",
    caseworker=None,
    team: Team | None = None,
    contact: str = "",
    last_known_location: str = "",
    **fields,
) -> Person:
    person = Person.objects.create(
        reference=next_reference(),
        gender=gender,
        birth_year=birth_year,
        birth_place=birth_place,
        caseworker=caseworker,
        team=team or (caseworker.team if caseworker is not None else None),
        contact=contact or None,
        last_known_location=last_known_location or None,
        **fields,
    )
    for name in names:
        PersonName.objects.create(person=person, **name)
    return person


def read_sensitive_field(*, user, person: Person, field: str, reason: str) -> str | None:
    """A staff member reads a person's contact or location (never a disclosure to a family)."""
    if field not in {"contact", "last_known_location"}:
        raise ValueError(f"{field!r} is not a sensitive field of a person")
    if not can_view_person(user, person):
        raise PermissionDenied("this person is not in your caseload")
    return reveal(person, field, reason=reason)
