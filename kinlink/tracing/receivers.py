"""Tracing listens to people: a new or changed person is matched against open enquiries.
Enquiries, candidates and consents follow a merge with every record about the person
(people.services.merge_persons); tracing only withdraws what matching proposed because of a
merge when it is undone."""

from __future__ import annotations

from django.dispatch import receiver

from kinlink.people.signals import person_changed, person_unmerged

from . import services


@receiver(person_changed, dispatch_uid="tracing.match_person")
def _match_person(sender, person, created, **kwargs) -> None:
    services.match_person_against_open_enquiries(person)


@receiver(person_unmerged, dispatch_uid="tracing.follow_unmerge")
def _follow_unmerge(sender, survivor, merged, merge, **kwargs) -> None:
    services.follow_unmerge(survivor, merged, merge)
