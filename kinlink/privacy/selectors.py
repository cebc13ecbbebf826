"""Reads for data-subject rights: every row that refers to a person, found by walking the
models' foreign keys, so a model added later is covered without a change here.

The walk starts from the person (and the records merged into them: the same human), takes
every row with a foreign key to one of them, then the rows that hang off those (an
enquiry's messages, a case's tasks and documents, a testimony's events), and stops at
tables that hold other people's data or derived data only (`NOT_DESCENDED`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet

from kinlink.accounts.roles import Role
from kinlink.audit.models import Entry
from kinlink.people.models import Person

from .models import ErasureRequest, RequestState, RetentionRule

# Tables not followed from a parent row: candidates of an enquiry are other persons (the
# subject's own candidacies are found directly), notifications and reminders are staff
# to-do items, keys and search terms are derived from names and rebuilt from them.
NOT_DESCENDED = frozenset(
    {
        "tracing.candidate",
        "tracing.notification",
        "tracing.enquirykey",
        "cases.reminder",
        "testimony.searchterm",
    }
)

# Sealed fields that belong to another person than the row's subject: revealed only when
# the subject is the one named by the given foreign key.
SEALED_OWNER: dict[tuple[str, str], str] = {
    ("tracing.enquiry", "enquirer_contact"): "enquirer",
}


def is_dpo(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.DPO)


def may_set_retention(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.role in {Role.DPO, Role.ADMIN}
    )


def subject_ids(person: Person) -> list[int]:
    """The person and every record merged into them, however deep."""
    ids, frontier = [person.pk], [person.pk]
    while frontier:
        frontier = list(
            Person.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids += frontier
    return ids


def person_links() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Every (model, foreign key) that points at a person, except a person's own
    `merged_into` (followed by `subject_ids`)."""
    links = []
    for model in apps.get_models():
        for fk in model._meta.concrete_fields:
            if not (fk.many_to_one or fk.one_to_one) or fk.related_model is not Person:
                continue
            if model is Person:
                continue
            links.append((model, fk))
    return links


def _children(row: models.Model) -> Iterator[models.Model]:
    for rel in row._meta.related_objects:
        child = rel.related_model
        if not (rel.one_to_many or rel.one_to_one) or child is Person:
            continue
        if child._meta.label_lower in NOT_DESCENDED:
            continue
        yield from child._default_manager.filter(**{rel.field.name: row}).order_by("pk")


@dataclass
class Holdings:
    """What is held about one person: rows by model label, in the order found."""

    person: Person
    ids: list[int]
    rows: dict[str, dict[int, models.Model]] = field(default_factory=dict)

    def add(self, row: models.Model) -> bool:
        bucket = self.rows.setdefault(row._meta.label_lower, {})
        if row.pk in bucket:
            return False
        bucket[row.pk] = row
        return True

    def all_rows(self) -> Iterator[models.Model]:
        for bucket in self.rows.values():
            yield from bucket.values()

    def counts(self) -> dict[str, int]:
        return {label: len(bucket) for label, bucket in self.rows.items() if bucket}


def holdings_of(person: Person) -> Holdings:
    """Every row that refers to the person, directly or through a row that does."""
    ids = subject_ids(person)
    held = Holdings(person=person, ids=ids)
    queue: list[models.Model] = []
    for row in Person.objects.filter(pk__in=ids).order_by("pk"):
        held.add(row)
    for model, fk in person_links():
        for row in model._default_manager.filter(**{f"{fk.name}_id__in": ids}).order_by("pk"):
            if held.add(row):
                queue.append(row)
    while queue:
        row = queue.pop(0)
        for child in _children(row):
            if held.add(child):
                queue.append(child)
    return held


def audit_entries_about(held: Holdings) -> QuerySet[Entry]:
    """Audit entries whose object is one of the rows held about the person."""
    condition = Q(pk__in=[])
    for label, bucket in held.rows.items():
        condition |= Q(object_type=label, object_id__in=[str(pk) for pk in bucket])
    return Entry.objects.filter(condition).order_by("seq")


def may_reveal(row: models.Model, field_name: str, ids: Iterable[int]) -> bool:
    owner = SEALED_OWNER.get((row._meta.label_lower, field_name))
    return owner is None or getattr(row, f"{owner}_id") in set(ids)


def requests_for(person: Person | None = None) -> QuerySet[ErasureRequest]:
    requests = ErasureRequest.objects.select_related("person", "recorded_by", "decided_by")
    return requests.filter(person=person) if person is not None else requests


def is_pseudonymised_or_erased(person: Person) -> bool:
    return ErasureRequest.objects.filter(person=person, state=RequestState.DONE).exists()


def retention_rules() -> QuerySet[RetentionRule]:
    return RetentionRule.objects.select_related("updated_by").order_by("record_type")


def recent_exports(limit: int = 20) -> QuerySet[Entry]:
    return Entry.objects.filter(action="export", detail__has_key="subject_access")[:limit]
