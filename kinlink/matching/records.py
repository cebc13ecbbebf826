"""The records the matching engine works on: registry persons and tracing requests.

Plain dataclasses with no behaviour beyond light validation, so the Django side, the CLI
and the benchmark can all build them from their own storage.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from kinlink.calendars import ApproxDate

__all__ = [
    "Gender",
    "MatchRequest",
    "PersonRecord",
    "Registry",
    "parse_gender",
]

Gender = Literal["M", "F"]
PersonId = str | int


@dataclass(slots=True)
class PersonRecord:
    """A person as recorded in the registry (or, as :class:`MatchRequest`, as sought).

    Every field but ``id`` may be missing.  ``aliases`` are other full names the person
    is known by (organisational name, nickname, a spelling in another script); each is
    matched as an extra name.
    """

    id: PersonId
    given_name: str | None = None
    family_name: str | None = None
    father_name: str | None = None
    mother_name: str | None = None
    birth: ApproxDate | None = None
    gender: Gender | None = None
    birth_place: str | None = None
    aliases: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.given_name = _clean(self.given_name)
        self.family_name = _clean(self.family_name)
        self.father_name = _clean(self.father_name)
        self.mother_name = _clean(self.mother_name)
        self.birth_place = _clean(self.birth_place)
        if self.gender is not None:
            self.gender = parse_gender(self.gender)
        if self.aliases is None:
            self.aliases = []
        elif isinstance(self.aliases, str):
            self.aliases = [self.aliases]
        self.aliases = [a for a in (_clean(x) for x in self.aliases) if a]


@dataclass(slots=True)
class MatchRequest(PersonRecord):
    """A tracing request: the sought person as the family describes them.

    ``id`` is the request's id.  Same fields as :class:`PersonRecord`.
    """


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


_GENDERS: dict[str, Gender] = {
    "m": "M",
    "male": "M",
    "man": "M",
    "h": "M",  # homme
    "mashkull": "M",  # Albanian
    "مرد": "M",
    "مذکر": "M",
    "ذکر": "M",
    "ذكر": "M",
    "رجل": "M",
    "f": "F",
    "female": "F",
    "woman": "F",
    "w": "F",
    "femer": "F",
    "femër": "F",
    "زن": "F",
    "مونث": "F",
    "مؤنث": "F",
    "انثی": "F",
    "انثى": "F",
    "أنثى": "F",
    "امرأة": "F",
}


def parse_gender(value: object) -> Gender | None:
    """'M', 'F' or None from M/F/male/female (any case) or the Persian/Arabic words.

    Raises ValueError naming the value when it is something else.
    """
    if value is None:
        return None
    text = str(value).strip().lower()
    if not text:
        return None
    try:
        return _GENDERS[text]
    except KeyError:
        raise ValueError(f"gender {value!r} is not M, F or empty") from None


@runtime_checkable
class Registry(Protocol):
    """Anything that can hand the engine its registry persons.

    A list of :class:`PersonRecord` satisfies it; the Django side can wrap a queryset
    (iterate in chunks, ``len`` = count).
    """

    def __iter__(self) -> Iterator[PersonRecord]: ...

    def __len__(self) -> int: ...


def as_list(records: Iterable[PersonRecord]) -> list[PersonRecord]:
    """The records as a list (no copy when already a list)."""
    return records if isinstance(records, list) else list(records)
