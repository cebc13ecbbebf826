"""Which persons a user may see. Every page and endpoint about persons asks here."""

from __future__ import annotations

from django.db.models import QuerySet

from kinlink.accounts.roles import Role

from .models import (
    INVERSE_RELATIONSHIP,
    Consent,
    Person,
    PersonVersion,
    Relationship,
    RelationshipKind,
)


def persons_visible_to(user, *, include_merged: bool = False) -> QuerySet[Person]:
    """Caseworkers see their own caseload, supervisors their team's, data-protection officers
    all (each read is audited); administrators and analysts see no individual records.
    Records merged into another are left out unless asked for (their history stays)."""
    persons = Person.objects.all()
    if not include_merged:
        persons = persons.filter(merged_into__isnull=True)
    if not user.is_authenticated or not user.is_active:
        return persons.none()
    if user.role == Role.CASEWORKER:
        return persons.filter(caseworker=user)
    if user.role == Role.SUPERVISOR:
        return persons.filter(team=user.team) if user.team_id else persons.none()
    if user.role == Role.DPO:
        return persons
    return persons.none()


def can_view_person(user, person: Person) -> bool:
    return persons_visible_to(user, include_merged=True).filter(pk=person.pk).exists()


def consent_in_force(person: Person, context: str) -> Consent | None:
    """The newest consent recorded for this person and context, if not withdrawn."""
    latest = Consent.objects.filter(person=person, context=context).order_by("-id").first()
    return latest if latest is not None and latest.in_force else None


def consent_history(person: Person, context: str) -> QuerySet[Consent]:
    return Consent.objects.filter(person=person, context=context).order_by("-id")


def relationships_of(person: Person) -> list[tuple[RelationshipKind, Person, Relationship]]:
    """(kind as seen from `person`, the other person, the row), both directions."""
    rows = []
    for rel in Relationship.objects.filter(person=person).select_related("relative"):
        # (A, parent, B): seen from A, B is A's child.
        rows.append((RelationshipKind(INVERSE_RELATIONSHIP[rel.kind]), rel.relative, rel))
    for rel in Relationship.objects.filter(relative=person).select_related("person"):
        rows.append((RelationshipKind(rel.kind), rel.person, rel))
    return rows


def versions_of(person: Person) -> QuerySet[PersonVersion]:
    return person.versions.select_related("by").order_by("-number")
