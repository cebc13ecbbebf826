"""Which persons a user may see. Every page and endpoint about persons asks here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from kinlink.accounts.roles import Role

from .models import (
    INVERSE_RELATIONSHIP,
    Consent,
    Person,
    PersonName,
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
        return persons.filter(team_id=user.team_id) if user.team_id else persons.none()
    if user.role == Role.DPO:
        return persons
    return persons.none()


def search_persons(persons: QuerySet[Person], query: str) -> QuerySet[Person]:
    """Persons among `persons` with a name containing `query`, or that reference.

    A subquery on names rather than a join: no DISTINCT over whole person rows, and on
    PostgreSQL the names' trigram indexes (migration 0007) answer the substring match
    without reading every name of a large registry."""
    query = query.strip()
    # Names of the caseload only: the planner then starts from the caseload or from the
    # trigram index, whichever is smaller.
    named = (
        PersonName.objects.filter(Q(given_name__icontains=query) | Q(family_name__icontains=query))
        .filter(person__in=persons.values("pk").order_by())
        .values("person_id")
        .order_by()
    )
    # One id list (a UNION), not "name matches OR reference": an OR makes PostgreSQL walk
    # the whole reference index filtering each row.
    by_reference = persons.filter(reference__iexact=query).values("pk").order_by()
    return persons.filter(pk__in=named.union(by_reference))


def can_view_person(user, person: Person) -> bool:
    return persons_visible_to(user, include_merged=True).filter(pk=person.pk).exists()


def viewable_person_ids(user, person_ids: Iterable[int]) -> set[int]:
    """Which of these persons' records `user` may open: `can_view_person` for many persons
    in one query (a page or response listing candidates asks it once, not per candidate)."""
    ids = list(person_ids)
    if not ids:
        return set()
    return set(
        persons_visible_to(user, include_merged=True)
        .filter(pk__in=ids)
        .order_by()
        .values_list("pk", flat=True)
    )


def names_visible_to(user, person: Person, *, viewable: bool | None = None) -> list[PersonName]:
    """The names of `person` that `user` may read on a page or through the API: hidden names
    only for those who may see the person's record (their caseworker, their team's
    supervisor, the data-protection officer). Everyone else (another team's caseworker
    working an enquiry matched to this person, an analyst) sees the other names only.
    `viewable`: whether `user` may open the record, when the caller already asked
    (`viewable_person_ids`)."""
    names = list(person.names.all())
    if any(name.hidden for name in names):
        if viewable is None:
            viewable = can_view_person(user, person)
        if not viewable:
            names = [name for name in names if not name.hidden]
    return names


def exportable_names(person: Person) -> list[PersonName]:
    """The names that may leave kinlink in a file (CSV, XLSX, PDF, JSON, evidence bundle,
    transfer): never a hidden one, whoever asks, because a file cannot take back a name
    once it reaches someone outside the person's team."""
    return [name for name in person.names.all() if not name.hidden]


HIDDEN_NAME = "[hidden name]"


def hidden_name_texts(person_ids: Iterable[int]) -> list[str]:
    """What spells a hidden name of these persons: each full hidden name, and each part of
    one that none of their visible names shares (a shared given name is not a secret).
    Longest first, so a full name is replaced before its parts."""
    return _hidden_texts(list(PersonName.objects.filter(person_id__in=list(person_ids))))


def hidden_name_texts_by_person(persons: Iterable[int | Person]) -> dict[int, list[str]]:
    """`hidden_name_texts([pk])` for each of these persons (ids, or persons: the names of a
    person loaded with its names are used as they are), in one query at most."""
    by_person: dict[int, list[PersonName]] = {}
    to_read = []
    for person in persons:
        if isinstance(person, Person):
            prefetched = getattr(person, "_prefetched_objects_cache", {}).get("names")
            if prefetched is not None:
                by_person[person.pk] = list(prefetched)
                continue
            person = person.pk
        if person not in by_person:
            by_person[person] = []
            to_read.append(person)
    if to_read:
        for name in PersonName.objects.filter(person_id__in=to_read):
            by_person[name.person_id].append(name)
    return {pk: _hidden_texts(names) for pk, names in by_person.items()}


def _hidden_texts(names: list[PersonName]) -> list[str]:
    visible = {
        part for n in names if not n.hidden for part in (n.given_name, n.family_name) if part
    }
    texts = {str(n) for n in names if n.hidden and str(n)}
    texts |= {
        part
        for n in names
        if n.hidden
        for part in (n.given_name, n.family_name)
        if part and part not in visible
    }
    return sorted(texts, key=len, reverse=True)


def withhold_names(value: Any, texts: Sequence[str], mark: str = HIDDEN_NAME) -> Any:
    """`value` (text, or lists and dicts of it) with every text in `texts` replaced where
    it stands as a whole word, in any letter case: a hidden "Reza" takes "REZA" and "reza"
    with it, and a hidden "Sam" leaves "same" and "Samuel" as they are."""
    keys = sorted({_fold(t) for t in texts if t}, key=len, reverse=True)
    if not keys:
        return value
    return _withhold(value, keys, mark)


def _withhold(value: Any, keys: list[str], mark: str) -> Any:
    if isinstance(value, str):
        return _replace_whole_words(value, keys, mark)
    if isinstance(value, dict):
        return {k: _withhold(v, keys, mark) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_withhold(v, keys, mark) for v in value]
    return value


def _replace_whole_words(text: str, keys: list[str], mark: str) -> str:
    # One pass, longest target first at each position, so a full name wins over its parts
    # and a mark once written is never searched again. Scanned by hand rather than with a
    # compiled pattern: `re` would keep the hidden names in its pattern cache. A ZWNJ or a
    # hyphen inside a compound (علی‌رضا, Abdol-Karim) is not a letter, so a hidden part
    # there is still caught. Letter case is compared on lower-cased copies that keep every
    # position of the text: a letter whose lower case is longer (a dotted İ) stays as it is.
    folded = _fold(text)
    if not any(k in folded for k in keys):
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        for key in keys:
            end = i + len(key)
            if folded.startswith(key, i) and _stands_alone(text, i, end):
                out.append(mark)
                i = end
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _fold(text: str) -> str:
    """Lower case, of the same length as `text` (what the hidden texts are compared on)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Not glued to a letter on either side: an end of the match that is itself no letter
    (a hidden text ending in a dot) needs no boundary."""
    before_ok = start == 0 or not (_is_letter(text[start - 1]) and _is_letter(text[start]))
    after_ok = end == len(text) or not (_is_letter(text[end]) and _is_letter(text[end - 1]))
    return before_ok and after_ok


def _is_letter(char: str) -> bool:
    return char.isalnum() or char == "_"


def shown_to(
    user,
    person: Person,
    value: Any,
    *,
    viewable: bool | None = None,
    hidden_texts: Sequence[str] | None = None,
) -> Any:
    """Text about `person` made by kinlink (a match explanation that quotes the name it
    matched on) as `user` may read it: hidden names withheld unless they may see them.
    `viewable` and `hidden_texts`: the answers of `viewable_person_ids` and
    `hidden_name_texts_by_person`, when the caller asked them for many persons at once."""
    if viewable is None:
        viewable = can_view_person(user, person)
    if viewable:
        return value
    if hidden_texts is None:
        hidden_texts = hidden_name_texts([person.pk])
    return withhold_names(value, hidden_texts)


def consent_in_force(person: Person, context: str) -> Consent | None:
    """The newest consent recorded for this person and context, if not withdrawn."""
    latest = Consent.objects.filter(person=person, context=context).order_by("-id").first()
    return latest if latest is not None and latest.in_force else None


def consent_history(person: Person, context: str) -> QuerySet[Consent]:
    return Consent.objects.filter(person=person, context=context).order_by("-id")


def relationships_of(person: Person) -> list[tuple[RelationshipKind, Person, Relationship]]:
    """(kind as seen from `person`, the other person, the row), both directions: first the
    rows naming `person` first, then those naming them as the relative, each in row order.
    One query, with only what the person page prints of the rows and the other persons."""
    rels = list(
        Relationship.objects.filter(Q(person=person) | Q(relative=person))
        .select_related("person", "relative")
        .only(
            "id",
            "kind",
            "note",
            "person_id",
            "relative_id",
            "person__id",
            "person__reference",
            "relative__id",
            "relative__reference",
        )
        .order_by("id")
    )
    # (A, parent, B): seen from A, B is A's child.
    rows = [
        (RelationshipKind(INVERSE_RELATIONSHIP[rel.kind]), rel.relative, rel)
        for rel in rels
        if rel.person_id == person.pk
    ]
    rows += [
        (RelationshipKind(rel.kind), rel.person, rel)
        for rel in rels
        if rel.relative_id == person.pk
    ]
    return rows


def versions_of(person: Person) -> QuerySet[PersonVersion]:
    """Newest first, loaded with what the person page's history prints: not the snapshot
    (the whole record as it was, read when asked for) nor the editor's password or flags."""
    return (
        person.versions.select_related("by")
        .only(
            "id",
            "person_id",
            "number",
            "action",
            "at",
            "by_id",
            "changed",
            "by__id",
            "by__username",
            "by__first_name",
            "by__last_name",
        )
        .order_by("-number")
    )
