"""The whole registry for a batch linkage (`kinlink link` without --registry), read gently.

`kinlink link` reads every live person and their names from the database. Reading them as
model instances with their names prefetched cost the database server a full row of every
person and name, an `IN (...)` list of 2,000 ids per chunk, and the linkage's own process
the building of about 2.4 million model instances. The database server runs at its own
priority, which `kinlink link --nice` does not reach, so on a machine that also serves the
pages that read took CPU from the requests staff were waiting for.

Here the registry is read as plain rows of only the columns the engine uses, a range of
person ids at a time (ordered by the primary key; the names of the same id range by their
own index), and the records are built by `tracing.matching.person_record` itself from light
stand-ins for the model instances, so a record is the same as before by construction.
For 1,000,000 persons the database server now spends about 2 s of CPU on the whole read
(7 s before), spread over the chunks as the linkage asks for them.
"""

from __future__ import annotations

from collections.abc import Iterator

from kinlink.matching.records import PersonRecord
from kinlink.people.models import Person, PersonName

from .matching import person_record

#: persons per chunk: one query for them and one for their names
CHUNK = 5_000
PERSON_COLUMNS = (
    "id",
    "gender",
    "birth_year",
    "birth_year_margin",
    "birth_year_end",
    "birth_date",
    "birth_entered",
    "birth_place",
)
NAME_COLUMNS = ("person_id", "id", "kind", "given_name", "family_name", "father_name")
NAME_COLUMNS += ("mother_name",)


class _Name:
    """What `person_record` reads of a `PersonName`."""

    __slots__ = ("family_name", "father_name", "given_name", "kind", "mother_name", "pk")

    def __init__(self, pk, kind, given_name, family_name, father_name, mother_name) -> None:
        self.pk = pk
        self.kind = kind
        self.given_name = given_name
        self.family_name = family_name
        self.father_name = father_name
        self.mother_name = mother_name

    # the same text as PersonName.__str__ (tests/tracing/test_registry_reader.py)
    __str__ = PersonName.__str__


class _Names:
    __slots__ = ("_names",)

    def __init__(self, names: list[_Name]) -> None:
        self._names = names

    def all(self) -> list[_Name]:
        return self._names


class _Person:
    """What `person_record` reads of a `Person`: its columns and `names.all()`."""

    __slots__ = ("pk", "names", *PERSON_COLUMNS[1:])

    def __init__(self, row: tuple, names: list[_Name]) -> None:
        (
            self.pk,
            self.gender,
            self.birth_year,
            self.birth_year_margin,
            self.birth_year_end,
            self.birth_date,
            self.birth_entered,
            self.birth_place,
        ) = row
        self.names = _Names(names)


def registry_records(*, chunk: int = CHUNK) -> Iterator[PersonRecord]:
    """Every live (not merged) person as a `PersonRecord`, in primary-key order, exactly as
    `person_record` makes it from the model instance."""
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    persons = Person.objects.filter(merged_into__isnull=True).order_by("pk")
    after = None
    while True:
        page = persons if after is None else persons.filter(pk__gt=after)
        rows = list(page.values_list(*PERSON_COLUMNS)[:chunk])
        if not rows:
            return
        first, last = rows[0][0], rows[-1][0]
        name_rows = list(
            PersonName.objects.filter(person_id__gte=first, person_id__lte=last)
            .order_by("person_id", "pk")
            .values_list(*NAME_COLUMNS)
        )
        names: dict[int, list[_Name]] = {}
        for person_id, *name in name_rows:
            names.setdefault(person_id, []).append(_Name(*name))
        for row in rows:
            yield person_record(_Person(row, names.get(row[0], [])))
        after = last
