"""Blocking keys: which registry persons are worth comparing with a request at all.

Each registry row (a person's name, or one of their aliases) is filed under a few
*keys* built from :func:`kinlink.names.name_keys` (which makes spellings of a name in
any script share at least one key) combined with each other, with the father's name and
with the birth period::

    f:<family>            g:<given>
    fg:<family>|<given>   fgb:<family>|<given>|<5-year period>
    fb:<family>|<period>  gb:<given>|<period>
    fa:<family>|<father>  ga:<given>|<father>      d:<birth date>
    fib:<family>|<given's first letter>|<period>   gib:<given>|<family's first letter>|<period>
        (and with an empty period, looked up by requests that give no birth year)
    ab:<father>|<period>  pb:<birth place>|<period>  am:<father>|<mother>

Records without a birth date are filed under the period ``?`` so that a request with a
birth year still reaches them.  A request looks up the same kinds of keys, for its names
in the order given and swapped, and for its aliases.  Common names make some keys hold
tens of thousands of persons; :func:`select_candidates` lets each key of up to a few
thousand persons vote for them (a rarer key more) and keeps the few hundred with most
votes, so "Mohammad Hosseini, born 1965, father Reza" is answered from the persons who
share family+given+period, family+father and father+period, not from every Mohammad
Hosseini.

The keys of a record are a pure function of the record (:func:`record_keys`), so a
database can store them in a table and answer the lookups itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .features import BirthFeat, NameFeat, birth_feat, name_feat
from .records import PersonRecord

__all__ = [
    "BUCKET_SLACK",
    "BUCKET_YEARS",
    "KEYS_VERSION",
    "SINGLE_NAME_KINDS",
    "CandidatePolicy",
    "NameVariant",
    "PreparedRecord",
    "prepare",
    "record_keys",
    "record_tf_keys",
    "request_key_variants",
    "request_keys",
    "row_keys",
    "select_candidates",
    "single_name",
]

#: The rules of :func:`record_keys` and :func:`request_keys`, numbered: a store that keeps
#: keys (the Django side's PersonKey table) files everyone again when it changes.
KEYS_VERSION = 2
#: Key kinds with one name only (alone or with the birth period): they do not vote.
SINGLE_NAME_KINDS = frozenset({"f", "g", "fb", "gb"})


def single_name(key: str) -> bool:
    """A key of one name only (alone or with the birth period)."""
    return key[: key.index(":")] in SINGLE_NAME_KINDS


#: Width of a birth period in years.
BUCKET_YEARS = 5
#: A request looks at periods covering its birth years widened by this much: the model's
#: "2-3 years apart" level is the last one that still counts clearly in favour.
BUCKET_SLACK = 3
MISSING_BUCKET = "?"


@dataclass(frozen=True, slots=True)
class CandidatePolicy:
    """Which registry rows one request compares in full.

    Every key of the request that is specific enough (:meth:`votes`) votes for each of
    its rows with :meth:`weight` (more for a smaller posting: sharing a rare key says
    more); the ``cap`` rows with the most votes are the candidates (ties: lower row id
    first).  A person who shares the
    family name and a first letter in the birth period, the father's name and the
    place comes first, even when a typo in the given name left them out of the keys
    with both names.  When no key may vote, the first ``cap`` rows of the smallest
    posting are taken (the name is so common and the request so thin that any choice
    among them is as good as another).
    """

    cap: int = 600
    max_posting: int = 1000
    max_single_name: int = 100

    def votes(self, key: str, n: int) -> bool:
        """Whether a key filed under ``n`` rows may vote: up to ``max_posting`` rows when
        it joins two facts (two names, a name and the father, a name and a first letter
        and the period, father and period, place and period, father and mother, a birth
        date), up to ``max_single_name`` for a name alone or with only the period (a
        rare family name says enough, a common one too little)."""
        if single_name(key):
            return n <= self.max_single_name
        return n <= self.max_posting

    def weight(self, n: int) -> int:
        """Votes of a key filed under ``n`` rows: 4 bits per halving, integers so that
        every store sums them exactly alike."""
        return round(4 * math.log2(2 * self.max_posting / n))

    def weights(self) -> list[int]:
        """``weight(n)`` for n = 0 .. max_posting (index 0 unused), as a lookup table."""
        return [0, *(self.weight(n) for n in range(1, self.max_posting + 1))]


@dataclass(frozen=True, slots=True)
class NameVariant:
    """One reading of a record's name: as given, swapped, or an alias."""

    given: NameFeat | None
    family: NameFeat | None
    kind: str  # "name" | "swapped" | "alias"
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class PreparedRecord:
    """A record turned into features, with its name variants."""

    id: Any
    variants: tuple[NameVariant, ...]
    father: NameFeat | None
    mother: NameFeat | None
    place: NameFeat | None
    birth: BirthFeat | None
    gender: str | None


def _split_alias(alias: str, family: NameFeat | None) -> tuple[NameFeat | None, NameFeat | None]:
    parts = alias.split()
    if len(parts) <= 1:
        # a single word is another given name (nickname, organisational name)
        return name_feat(alias), family
    return name_feat(" ".join(parts[:-1])), name_feat(parts[-1])


def prepare(record: PersonRecord, *, as_request: bool = False) -> PreparedRecord:
    """Features of a record.  A request also gets its swapped reading."""
    given = name_feat(record.given_name)
    family = name_feat(record.family_name)
    variants = [NameVariant(given, family, "name")]
    if (
        as_request
        and (given is not None or family is not None)
        and (given is None or family is None or given.norm != family.norm)
    ):
        variants.append(NameVariant(family, given, "swapped"))
    seen = {(given.norm if given else None, family.norm if family else None)}
    for alias in record.aliases:
        g, f = _split_alias(alias, family)
        sig = (g.norm if g else None, f.norm if f else None)
        if sig in seen or (g is None and f is None):
            continue
        seen.add(sig)
        variants.append(NameVariant(g, f, "alias", alias))
    return PreparedRecord(
        id=record.id,
        variants=tuple(variants),
        father=name_feat(record.father_name),
        mother=name_feat(record.mother_name),
        place=name_feat(record.birth_place),
        birth=birth_feat(record.birth),
        gender=record.gender,
    )


def _record_buckets(birth: BirthFeat | None) -> list[str]:
    if birth is None:
        return [MISSING_BUCKET]
    return [str(b) for b in range(birth.lo // BUCKET_YEARS, birth.hi // BUCKET_YEARS + 1)]


def _request_buckets(birth: BirthFeat | None) -> list[str]:
    if birth is None:
        return []
    lo = (birth.lo - BUCKET_SLACK) // BUCKET_YEARS
    hi = (birth.hi + BUCKET_SLACK) // BUCKET_YEARS
    return [*(str(b) for b in range(lo, hi + 1)), MISSING_BUCKET]


def _keys(
    given: NameFeat | None,
    family: NameFeat | None,
    father: NameFeat | None,
    buckets: Sequence[str],
    out: set[str],
    *,
    undated: bool,
) -> None:
    gk = given.keys if given is not None else ()
    fk = family.keys if family is not None else ()
    ak = father.keys if father is not None else ()
    for f in fk:
        out.add("f:" + f)
        for b in buckets:
            out.add(f"fb:{f}|{b}")
        for a in ak:
            out.add(f"fa:{f}|{a}")
        for g in gk:
            fg = f"{f}|{g}"
            out.add("fg:" + fg)
            for b in buckets:
                out.add(f"fgb:{fg}|{b}")
    for g in gk:
        out.add("g:" + g)
        for a in ak:
            out.add(f"ga:{g}|{a}")
        for b in buckets:
            if b != MISSING_BUCKET:
                out.add(f"gb:{g}|{b}")
    # one name and the other's first letter, by period: a typo in the other name (Hsanieh
    # for Hanieh, Kaprimi for Karimi) still finds the person among a few dozen namesakes;
    # without the period (``undated``) for a request that gives no birth year
    periods = [*buckets, ""] if undated else buckets
    g_initials = _initials(given)
    f_initials = _initials(family)
    for b in periods:
        for f in fk:
            for i in g_initials:
                out.add(f"fib:{f}|{i}|{b}")
        for g in gk:
            for i in f_initials:
                out.add(f"gib:{g}|{i}|{b}")


def _initials(name: NameFeat | None) -> set[str]:
    """First letters of a name's keys, and ``'`` when it begins on a vowel (or may: a
    typo right after the vowel, Acda for Aida, leaves the first consonant unknown)."""
    if name is None:
        return set()
    out = {k[0] for k in name.keys if k}
    if name.onset != "c":
        out.add("'")
    return out


def _other_keys(p: PreparedRecord, buckets: Sequence[str], out: set[str]) -> None:
    """Keys without a name: for a family who garbled both names, the father's name,
    the mother's name, the birth place and the birth period still find the person
    (these postings are small only for uncommon values; the cap skips the rest)."""
    ak = p.father.keys if p.father is not None else ()
    mk = p.mother.keys if p.mother is not None else ()
    pk = p.place.keys if p.place is not None else ()
    for b in buckets:
        if b == MISSING_BUCKET:
            continue
        for a in ak:
            out.add(f"ab:{a}|{b}")
        for k in pk:
            out.add(f"pb:{k}|{b}")
    for a in ak:
        for m in mk:
            out.add(f"am:{a}|{m}")


def _day_key(birth: BirthFeat | None, out: set[str]) -> None:
    # an exact birth date is specific enough on its own (a few dozen persons a day in
    # a million): it finds the person when both names are badly misspelt
    if birth is not None and birth.day is not None:
        out.add(f"d:{birth.day}")


def row_keys(prepared: PreparedRecord, variant: NameVariant) -> set[str]:
    """Keys under which one registry row (a name variant of a person) is filed."""
    out: set[str] = set()
    buckets = _record_buckets(prepared.birth)
    _keys(variant.given, variant.family, prepared.father, buckets, out, undated=True)
    _day_key(prepared.birth, out)
    _other_keys(prepared, buckets, out)
    return out


def record_keys(record: PersonRecord | PreparedRecord) -> set[str]:
    """All keys under which a registry person is filed (its name and its aliases).

    A pure function of the record: store these in a database table (key, person id) to
    answer :func:`request_keys` lookups without an in-memory index.
    """
    p = record if isinstance(record, PreparedRecord) else prepare(record)
    out: set[str] = set()
    for v in p.variants:
        out |= row_keys(p, v)
    return out


def record_tf_keys(record: PersonRecord | PreparedRecord) -> dict[str, str]:
    """Field -> frequency key of a registry person's values (main name only).

    Count persons per (field, key) in a table and pass the counts as
    ``TermFrequencies.from_counts(...)`` to ``rank_candidates(tf=...)`` so that common
    names weigh less, as in the index and the batch linkage.
    """
    p = record if isinstance(record, PreparedRecord) else prepare(record)
    main = p.variants[0]
    out = {}
    for fld, feat in (
        ("given_name", main.given),
        ("family_name", main.family),
        ("father_name", p.father),
        ("mother_name", p.mother),
        ("birth_place", p.place),
    ):
        if feat is not None:
            out[fld] = feat.tfkey
    return out


def request_keys(request: PersonRecord | PreparedRecord) -> list[str]:
    """Keys to look up for a request (names as given and swapped, and its aliases),
    sorted."""
    p = request if isinstance(request, PreparedRecord) else prepare(request, as_request=True)
    out: set[str] = set()
    buckets = _request_buckets(p.birth)
    for v in p.variants:
        _keys(v.given, v.family, p.father, buckets, out, undated=p.birth is None)
    _day_key(p.birth, out)
    _other_keys(p, buckets, out)
    return sorted(out)


def request_key_variants(request: PersonRecord | PreparedRecord) -> dict[str, int]:
    """Keys to look up, each with a bit mask of the request readings that produce it
    (bit i = ``variants[i]``).  A candidate found only through keys of the swapped
    reading is compared only in the swapped reading, and so on: the batch linkage
    pairs readings with candidates the same way."""
    p = request if isinstance(request, PreparedRecord) else prepare(request, as_request=True)
    out: dict[str, int] = {}
    buckets = _request_buckets(p.birth)
    for i, v in enumerate(p.variants):
        keys: set[str] = set()
        _keys(v.given, v.family, p.father, buckets, keys, undated=p.birth is None)
        _day_key(p.birth, keys)
        _other_keys(p, buckets, keys)
        bit = 1 << i
        for k in keys:
            out[k] = out.get(k, 0) | bit
    return out


def select_candidates(
    keys: Iterable[str] | Mapping[str, int],
    postings: Mapping[str, Sequence[Any]],
    policy: CandidatePolicy | None = None,
) -> list[Any]:
    """Candidate ids from precomputed postings (key -> ids), by votes (CandidatePolicy).

    Works with any store: pass the postings of the request's keys as read from a
    database.  Returns distinct ids, sorted.
    """
    policy = policy or CandidatePolicy()
    votes: dict[Any, int] = {}
    smallest: tuple[int, str] | None = None
    for k in keys:
        ids = postings.get(k)
        if not ids:
            continue
        n = len(ids)
        if smallest is None or (n, k) < smallest:
            smallest = (n, k)
        if not policy.votes(k, n):
            continue
        w = policy.weight(n)
        for i in ids:
            votes[i] = votes.get(i, 0) + w
    if not votes:
        return sorted(postings[smallest[1]])[: policy.cap] if smallest else []
    ranked = sorted(votes, key=lambda i: (-votes[i], i))
    return sorted(ranked[: policy.cap])
