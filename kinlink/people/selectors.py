"""Which persons a user may see. Every page and endpoint about persons asks here."""

from __future__ import annotations

from django.db.models import QuerySet

from kinlink.accounts.roles import Role

from .models import Person


def persons_visible_to(user) -> QuerySet[Person]:
    """Caseworkers see their own caseload, supervisors their team's, data-protection officers
    all (each read is audited); administrators and analysts see no individual records."""
    persons = Person.objects.all()
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
    return persons_visible_to(user).filter(pk=person.pk).exists()
