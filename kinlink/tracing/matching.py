"""The seam between the database and kinlink.matching: records in, ranked candidates out.

Blocking keys are stored in PersonKey/EnquiryKey so that the database picks the few
hundred persons worth scoring, however large the registry; the engine then scores and
explains them in pure Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When
from django.utils import timezone

from kinlink.calendars import ApproxDate, InvalidDate, parse_birth_date
from kinlink.matching.keys import (
    KEYS_VERSION,
    CandidatePolicy,
    prepare,
    record_keys,
    record_tf_keys,
    request_keys,
)
from kinlink.matching.model import TermFrequencies
from kinlink.matching.records import MatchRequest, PersonRecord, parse_gender
from kinlink.matching.search import Candidate as RankedCandidate
from kinlink.matching.search import rank_candidates
from kinlink.names import name_keys, name_similarity
from kinlink.people.models import NameKind, Person, PersonName

from .models import Enquiry, EnquiryKey, KeyIndex, PersonKey

KEY_LENGTH = PersonKey._meta.get_field("key").max_length
TOP_K = 10
#: PersonKey rows that count values instead of blocking: ``t:<field>`` (the person has
#: the field) and ``t:<field>:<frequency key>`` (its value), so that the database counts
#: how common a name is in the registry (term frequencies) with the same index.
#: Requests never look up keys with this prefix.
TF_PREFIX = "t:"


def _birth(
    entered: str, year: int | None, year_end: int | None, margin: int, day: dt.date | None = None
) -> ApproxDate | None:
    if entered:
        try:
            return parse_birth_date(entered)
        except InvalidDate:
            pass  # stored before a parser change: fall back to the stored columns
    if day is not None:
        return ApproxDate(day.year, day.month, day.day)
    if year is None:
        return None
    return ApproxDate(year=year, plus_minus_years=margin, year_end=year_end)


def _gender(value: str) -> str | None:
    try:
        return parse_gender(value)
    except ValueError:
        return None


def person_record(person: Person) -> PersonRecord:
    """A registry person for the engine: the legal (or first) name, every other as an alias."""
    names = sorted(person.names.all(), key=lambda n: (n.kind != NameKind.LEGAL, n.pk))
    main = names[0] if names else None
    aliases = [str(n) for n in names[1:] if str(n)]
    birth = _birth(
        person.birth_entered,
        person.birth_year,
        person.birth_year_end,
        person.birth_year_margin,
        person.birth_date,
    )
    return PersonRecord(
        id=person.pk,
        given_name=main.given_name if main else None,
        family_name=main.family_name if main else None,
        father_name=next((n.father_name for n in names if n.father_name), None),
        mother_name=next((n.mother_name for n in names if n.mother_name), None),
        birth=birth,
        gender=_gender(person.gender),
        birth_place=person.birth_place,
        aliases=aliases,
    )


def enquiry_request(enquiry: Enquiry) -> MatchRequest:
    """The sought person as the family describes them."""
    return MatchRequest(
        id=enquiry.pk,
        given_name=enquiry.sought_given_name,
        family_name=enquiry.sought_family_name,
        father_name=enquiry.sought_father_name,
        mother_name=enquiry.sought_mother_name,
        birth=_birth(
            enquiry.sought_birth_entered,
            enquiry.sought_birth_year,
            enquiry.sought_birth_year_end,
            enquiry.sought_birth_margin,
        ),
        gender=_gender(enquiry.sought_gender),
        birth_place=enquiry.sought_birth_place,
        aliases=[line.strip() for line in enquiry.sought_other_names.splitlines() if line.strip()],
    )


def _keys(keys: Iterable[str]) -> list[str]:
    return sorted({key[:KEY_LENGTH] for key in keys})


def _tf_key(fld: str, value: str | None = None) -> str:
    key = f"{TF_PREFIX}{fld}" if value is None else f"{TF_PREFIX}{fld}:{value}"
    return key[:KEY_LENGTH]


def _tf_keys(record: PersonRecord) -> list[str]:
    out = []
    for fld, value in record_tf_keys(record).items():
        out += [_tf_key(fld), _tf_key(fld, value)]
    return out


@transaction.atomic
def store_person_keys(person: Person) -> list[str]:
    """(Re)file a person under their keys; a merged record is filed under none.

    Returns the blocking keys (the value-counting ``t:`` rows are stored beside them)."""
    PersonKey.objects.filter(person=person).delete()
    if person.merged_into_id is not None:
        return []
    record = person_record(person)
    keys = _keys(record_keys(record))
    PersonKey.objects.bulk_create(
        [PersonKey(person=person, key=key) for key in sorted({*keys, *_tf_keys(record)})]
    )
    return keys


def registry_frequencies(records: Iterable[PersonRecord]) -> TermFrequencies:
    """How many registry persons share each name/place value of these records (the
    request and its candidates), with one query over the stored ``t:`` keys: the term
    frequencies the engine uses so that a common name weighs less than a rare one."""
    wanted: dict[str, tuple[str, str | None]] = {}
    for record in records:
        for fld, value in record_tf_keys(prepare(record)).items():
            wanted[_tf_key(fld)] = (fld, None)
            wanted[_tf_key(fld, value)] = (fld, value)
    counts: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    if wanted:
        rows = (
            PersonKey.objects.filter(key__in=list(wanted))
            .values("key")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("key", "n")
        )
        for key, n in rows:
            fld, value = wanted[key]
            if value is None:
                totals[fld] = n
            else:
                counts.setdefault(fld, {})[value] = n
    return TermFrequencies.from_counts(
        counts, {fld: totals.get(fld, sum(c.values())) for fld, c in counts.items()}
    )


@transaction.atomic
def store_enquiry_keys(enquiry: Enquiry) -> list[str]:
    """(Re)file an enquiry under its keys while it is open; a closed one is filed under none."""
    EnquiryKey.objects.filter(enquiry=enquiry).delete()
    if enquiry.is_closed:
        return []
    keys = _keys(request_keys(enquiry_request(enquiry)))
    EnquiryKey.objects.bulk_create([EnquiryKey(enquiry=enquiry, key=key) for key in keys])
    return keys


def enquiries_sharing_keys(keys: list[str]) -> list[int]:
    return list(
        EnquiryKey.objects.filter(key__in=keys)
        .values_list("enquiry_id", flat=True)
        .distinct()
        .order_by("enquiry_id")
    )


def candidate_person_ids(keys: list[str], policy: CandidatePolicy | None = None) -> list[int]:
    """Persons with the most votes of the enquiry's keys, within the cap (the rule of
    kinlink.matching.keys.CandidatePolicy, counted by the database)."""
    policy = policy or CandidatePolicy()
    counts = dict(
        PersonKey.objects.filter(key__in=keys)
        .values("key")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("key", "n")
    )
    if not counts:
        return []
    voting = {key: policy.weight(n) for key, n in counts.items() if policy.votes(key, n)}
    if not voting:
        _n, key = min((n, key) for key, n in counts.items())
        rows = PersonKey.objects.filter(key=key).order_by("person_id")[: policy.cap]
        return sorted(rows.values_list("person_id", flat=True))
    votes = Case(
        *(When(key=key, then=Value(w)) for key, w in voting.items()),
        output_field=IntegerField(),
    )
    best = (
        PersonKey.objects.filter(key__in=list(voting))
        .values("person_id")
        .annotate(votes=Sum(votes))
        .order_by("-votes", "person_id")[: policy.cap]
    )
    return sorted(row["person_id"] for row in best)


def rank_for_enquiry(enquiry: Enquiry, *, top_k: int = TOP_K) -> list[RankedCandidate]:
    """The engine's ranked candidates for an enquiry (never the enquirer, never a merged
    record)."""
    request = enquiry_request(enquiry)
    ids = candidate_person_ids(_keys(request_keys(request)))
    persons = (
        Person.objects.filter(pk__in=ids, merged_into__isnull=True)
        .exclude(pk=enquiry.enquirer_id)
        .prefetch_related("names")
    )
    records = [person_record(p) for p in persons]
    if not records:
        return []
    registry_size = Person.objects.filter(merged_into__isnull=True).count()
    tf = registry_frequencies([request, *records])
    return rank_candidates(request, records, registry_size=registry_size, tf=tf, top_k=top_k)


def rank_for_person(
    person: Person, among: QuerySet[Person], *, top_k: int = TOP_K
) -> list[RankedCandidate]:
    """Records among `among` that may be the same person as `person` (registered twice,
    by two offices or in two scripts), best first: the engine's candidates with the
    person's own record as the request (never the person themself, never a merged record)."""
    request = person_record(person)
    ids = candidate_person_ids(_keys(request_keys(request)))
    others = (
        among.filter(pk__in=ids, merged_into__isnull=True)
        .exclude(pk=person.pk)
        .prefetch_related("names")
    )
    records = [person_record(p) for p in others]
    if not records:
        return []
    registry_size = Person.objects.filter(merged_into__isnull=True).count()
    tf = registry_frequencies([request, *records])
    return rank_candidates(request, records, registry_size=registry_size, tf=tf, top_k=top_k)


def rebuild_person_keys(batch: int = 2000) -> int:
    """File every person again (after an import, or when the name keys change), a chunk
    of persons per transaction; a merged record is filed under no key."""
    done = 0
    queryset = (
        Person.objects.filter(merged_into__isnull=True).prefetch_related("names").order_by("pk")
    )
    chunk: list[Person] = []
    for person in queryset.iterator(chunk_size=batch):
        chunk.append(person)
        if len(chunk) >= batch:
            done += _refile(chunk)
            chunk = []
    done += _refile(chunk)
    PersonKey.objects.filter(person__merged_into__isnull=False).delete()
    return done


@transaction.atomic
def _refile(persons: list[Person]) -> int:
    """store_person_keys for many persons at once, in plain SQL: the rows hold nothing
    but a key, and a million persons file a few dozen million of them."""
    if not persons:
        return 0
    rows = []
    for person in persons:
        record = person_record(person)
        rows += [
            (person.pk, key) for key in sorted({*_keys(record_keys(record)), *_tf_keys(record)})
        ]
    q = connection.ops.quote_name
    table, person, key = q(PersonKey._meta.db_table), q("person_id"), q("key")
    ids = [p.pk for p in persons]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {person} IN ({marks})", ids)  # noqa: S608
        insert = f"INSERT INTO {table} ({person}, {key}) VALUES (%s, %s)"  # noqa: S608
        cursor.executemany(insert, rows)
    return len(persons)


def rebuild_enquiry_keys(batch: int = 2000) -> int:
    """File every open enquiry again (closed ones are filed under no key)."""
    done = 0
    for enquiry in Enquiry.objects.all().iterator(chunk_size=batch):
        store_enquiry_keys(enquiry)
        done += 1
    return done


def rebuild_all_keys() -> tuple[int, int]:
    """File every person and enquiry under the current keys and record their version."""
    persons = rebuild_person_keys()
    enquiries = rebuild_enquiry_keys()
    KeyIndex.objects.update_or_create(
        pk=1, defaults={"version": KEYS_VERSION, "rebuilt_at": timezone.now()}
    )
    return persons, enquiries


def keys_are_current() -> bool:
    row = KeyIndex.objects.filter(pk=1).first()
    return row is not None and row.version == KEYS_VERSION


def ensure_keys_current() -> tuple[int, int] | None:
    """After an upgrade that changed the matching keys, file everyone again; returns the
    counts filed, or None when the stored keys were current."""
    if keys_are_current():
        return None
    return rebuild_all_keys()


# -- the persons search: names spelled another way ---------------------------------------------

#: How alike a name must be to the one searched for to be listed (`name_similarity`).
SIMILAR_NAME = 0.85
#: Persons sharing a search key with the name searched for that are compared, at most.
SIMILAR_LOOKED_AT = 2000
#: A word shorter than this makes keys too common to search by (it still finds substrings).
SHORTEST_SEARCHED_WORD = 3
#: A search of more words than this is no name (it still finds substrings).
MOST_SEARCHED_WORDS = 6

#: A reading of a search: (given name, family name), None for "either".
Reading = tuple[str | None, str | None]


def _searched_names(query: str) -> list[Reading]:
    """(given, family) readings of a search: one word as either name, several as given and
    family name in either order, split between any two words (None: any)."""
    words = query.split()
    if not 0 < len(words) <= MOST_SEARCHED_WORDS:
        return []
    if any(len(word) < SHORTEST_SEARCHED_WORD for word in words):
        return []
    if len(words) == 1:
        return [(words[0], None), (None, words[0])]
    readings: list[Reading] = []
    for cut in range(1, len(words)):
        first, rest = " ".join(words[:cut]), " ".join(words[cut:])
        readings += [(first, rest), (rest, first)]
    return readings


def _search_keys(readings: list[Reading]) -> dict[str, set[Reading]]:
    """The search keys the readings make, each with the readings that make it."""
    keys: dict[str, set[Reading]] = {}
    for reading in readings:
        given, family = reading
        if family is None:
            made = {f"g:{k}" for k in name_keys(given)}
        elif given is None:
            made = {f"f:{k}" for k in name_keys(family)}
        else:
            made = {f"fg:{f}|{g}" for f in name_keys(family) for g in name_keys(given)}
        for key in made:  # cut as the stored keys are (`_keys`)
            keys.setdefault(key[:KEY_LENGTH], set()).add(reading)
    return keys


def _alike(readings_of: dict[int, set[Reading]], names: Iterable[tuple]) -> set[int]:
    """The ids among (id, given, family) rows with a name alike to a reading that found
    that person (a person found as a given name is not compared as a family name). Many
    rows share a spelling (a family name is common in a caseload): each is compared once."""
    seen: dict[tuple[str, str], bool] = {}

    def close(searched: str | None, name: str) -> bool:
        if searched is None:
            return True
        if not name:
            return False
        if (searched, name) not in seen:
            seen[searched, name] = name_similarity(searched, name) >= SIMILAR_NAME
        return seen[searched, name]

    return {
        pk
        for pk, given, family in names
        if any(close(g, given) and close(f, family) for g, f in readings_of[pk])
    }


def _readings_of(found: QuerySet, keys: dict[str, set[Reading]]) -> dict[int, set[Reading]]:
    """From (id, key) rows, at most SIMILAR_LOOKED_AT: the readings that found each id."""
    readings_of: dict[int, set[Reading]] = {}
    for pk, key in found.order_by()[:SIMILAR_LOOKED_AT]:
        readings_of.setdefault(pk, set()).update(keys[key])
    return readings_of


def _with_similar_names(
    query: str,
    filed: Callable[[list[str]], QuerySet],
    names: Callable[[list[int]], Iterable[tuple]],
    known: Iterable[int] = (),
) -> list[int]:
    """The search of both functions below: `filed(keys)` gives (id, key) rows of the records
    filed under those keys, `names(ids)` (id, given, family) rows of those records."""
    keys = _search_keys(_searched_names(query))
    if not keys:
        return []
    readings_of = _readings_of(filed(list(keys)), keys)
    for pk in known:
        readings_of.pop(pk, None)
    if not readings_of:
        return []
    return sorted(_alike(readings_of, names(list(readings_of))))


def persons_with_similar_names(
    persons: QuerySet[Person], query: str, *, known: Iterable[int] = ()
) -> list[int]:
    """Ids of the persons among `persons` with a name spelled like the one searched for, in
    any script: "Hosein" finds Hossein, Husain and حسین, which a substring search does not.
    The search keys the name makes (those `record_keys` files persons under) pick the
    persons worth comparing (SIMILAR_LOOKED_AT keys of persons at most); a person is listed
    when one of their names is at least SIMILAR_NAME alike to a reading of the search
    (`_searched_names`) that made one of those keys. `known`: ids the caller has found
    already (by substring), neither compared nor returned."""
    return _with_similar_names(
        query,
        lambda keys: PersonKey.objects.filter(
            key__in=keys, person__in=persons.values("pk").order_by()
        ).values_list("person_id", "key"),
        # no .order_by() would join the persons for the default order by reference
        lambda ids: (
            PersonName.objects.filter(person_id__in=ids)
            .values_list("person_id", "given_name", "family_name")
            .order_by()
        ),
        known,
    )


def enquiries_with_similar_names(enquiries: QuerySet[Enquiry], query: str) -> list[int]:
    """Ids of the enquiries among `enquiries` whose sought person's name is spelled like the
    one searched for, in any script (as `persons_with_similar_names`). Open enquiries only:
    a closed one is filed under no key (the substring search still finds it)."""
    return _with_similar_names(
        query,
        lambda keys: EnquiryKey.objects.filter(
            key__in=keys, enquiry__in=enquiries.values("pk").order_by()
        ).values_list("enquiry_id", "key"),
        lambda ids: (
            Enquiry.objects.filter(pk__in=ids)
            .values_list("pk", "sought_given_name", "sought_family_name")
            .order_by()
        ),
    )
