"""Replacing the names of people who did not consent to be named by stable pseudonyms.

Pure Python (no Django): `evidence.py` gathers the people of a bundle and their names.

* A pseudonym is ``Person `` plus six hex digits of HMAC-SHA256(recipient key, person id):
  the same person has the same pseudonym in every bundle to one recipient, and another
  one for another recipient, so recipients cannot link their bundles.
* Every name a person has (legal names, aliases, organisational names, spellings in other
  scripts) is looked for in every script: a word matches a name part when their
  normalised forms are equal or when they share a phonetic reading and score ≥ 0.85 in
  `kinlink.names` (حسین = Hossein = Husain, not Hassan). Compounds (Mohammad Reza,
  محمدرضا) and suffixed family names (Hosseinnia, حسین‌نیا, حسین نیا) are matched whole.
* Consecutive matching words form one span. A span that only one redacted person's names
  explain becomes that person's pseudonym; a span that only named people explain is left
  as written; anything else (a lone "Hossein" when two people are called Hossein, a
  father's name) becomes "[name withheld]". Mistaking a word for a name costs a word;
  missing a name could cost a life, so ambiguity always redacts.
* People's reference numbers (P-000123) are redacted too.
* People the account names who are not linked to it (`MentionedPerson`: names a
  caseworker listed) are redacted like linked people, with their own pseudonym.
* `others` are names found in the person registry that no person of the bundle bears:
  they become "[name withheld]" (a name shared with a registry entry proves no identity,
  so no pseudonym). Words of a place's name in the gazetteer ("Camp Ashraf") are kept
  when they only match such registry names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from kinlink.names import normalize
from kinlink.names.compounds import HONORIFICS, name_parts
from kinlink.names.similarity import token_similarity
from kinlink.names.transliterate import code_variants

from .search import WORD

WITHHELD = "[name withheld]"
SAME_NAME = 0.85
# What may separate the words of one name: spaces, hyphens, the zero-width non-joiner.
_NAME_GAP = re.compile(r"[\s\-\u200c\u200d]{1,3}")

Owner = tuple[str, int]  # ("person", id), ("relative", id) or OTHER
OTHER: Owner = ("other", 0)


@dataclass
class PersonToRedact:
    """One person of a bundle. `pseudonym` is None when they consented to be named."""

    person_id: int
    names: list[str]
    reference: str = ""
    relative_names: list[str] = field(default_factory=list)
    pseudonym: str | None = None


class Pseudonyms:
    """Stable pseudonyms from a recipient's key; unique within one bundle."""

    def __init__(self, key: bytes):
        self._key = key
        self._given: dict[str, int] = {}

    def __call__(self, person_id: int) -> str:
        digest = hmac.new(self._key, f"person:{person_id}".encode(), hashlib.sha256)
        hexed = digest.hexdigest().upper()
        for length in range(6, 65, 2):
            label = f"Person {hexed[:length]}"
            if self._given.setdefault(label, person_id) == person_id:
                return label
        raise AssertionError("unreachable: a full HMAC collides")


@lru_cache(maxsize=1 << 14)
def _codes(token: str) -> frozenset[str]:
    return frozenset(c for c, _ in code_variants(token) if c)


class Redactor:
    """Redacts the names of a bundle's people from any text given to it."""

    def __init__(
        self,
        people: Iterable[PersonToRedact],
        others: Iterable[str] = (),
        places: Iterable[str] = (),
    ):
        self.people = {p.person_id: p for p in people}
        self._exact: dict[str, set[Owner]] = {}
        self._by_code: dict[str, list[tuple[str, Owner]]] = {}
        self._other_exact: dict[str, set[Owner]] = {}
        self._other_by_code: dict[str, list[tuple[str, Owner]]] = {}
        self._places = {
            tuple(normalize(m.group(0)) for m in WORD.finditer(place)) for place in places
        }
        self._places.discard(())
        self._place_lengths = sorted({len(words) for words in self._places}, reverse=True)
        self._references: list[tuple[str, str]] = []
        for person in self.people.values():
            for name in person.names:
                self._add_name(name, ("person", person.person_id))
            for name in person.relative_names:
                self._add_name(name, ("relative", person.person_id))
            if person.reference and person.pseudonym:
                self._references.append((person.reference, person.pseudonym))
        for name in others:
            self._add_name(name, OTHER, self._other_exact, self._other_by_code)
        self._cache: dict[str, frozenset[Owner]] = {}

    def _add_name(self, name: str, owner: Owner, exact=None, by_code=None) -> None:
        exact = self._exact if exact is None else exact
        by_code = self._by_code if by_code is None else by_code
        for joined, pieces in name_parts(normalize(name)):
            for part in {joined, *pieces} if len(pieces) > 1 else {joined}:
                if len(part) < 2 or part in HONORIFICS:
                    continue
                exact.setdefault(part, set()).add(owner)
                for reading in _codes(part):
                    by_code.setdefault(reading, []).append((part, owner))

    @staticmethod
    def _look_up(word: str, exact, by_code) -> set[Owner]:
        found = set(exact.get(word, ()))
        if len(word) >= 2:
            for reading in _codes(word):
                for part, owner in by_code.get(reading, ()):
                    if owner not in found and token_similarity(word, part) >= SAME_NAME:
                        found.add(owner)
        return found

    def owners(self, word: str) -> frozenset[Owner]:
        """Whose name this (normalised) word can be; OTHER alone when it is no name of the
        bundle's people but a name in the registry."""
        if word in self._cache:
            return self._cache[word]
        found = self._look_up(word, self._exact, self._by_code)
        if not found and self._other_exact:
            found = self._look_up(word, self._other_exact, self._other_by_code)
        self._cache[word] = frozenset(found)
        return self._cache[word]

    def _in_place_names(self, words: list[str]) -> set[int]:
        """Indexes of the words that are part of a place's name written in the text."""
        protected: set[int] = set()
        for i in range(len(words)):
            for length in self._place_lengths:
                if tuple(words[i : i + length]) in self._places:
                    protected.update(range(i, i + length))
                    break
        return protected

    def _spans(self, text: str) -> list[tuple[int, int, frozenset[Owner]]]:
        tokens = [(m.start(), m.end(), normalize(m.group(0))) for m in WORD.finditer(text)]
        protected = self._in_place_names([t[2] for t in tokens]) if self._places else set()
        matches: list[tuple[int, int, frozenset[Owner]]] = []
        i = 0
        while i < len(tokens):
            start, end, word = tokens[i]
            if i + 1 < len(tokens) and _NAME_GAP.fullmatch(text[end : tokens[i + 1][0]]):
                joined = name_parts(f"{word} {tokens[i + 1][2]}")
                if len(joined) == 1:
                    owners = self.owners(joined[0][0])
                    if owners and not (owners == {OTHER} and i in protected):
                        matches.append((start, tokens[i + 1][1], owners))
                        i += 2
                        continue
            owners = self.owners(word) if word else frozenset()
            if owners and not (owners == {OTHER} and i in protected):
                matches.append((start, end, owners))
            i += 1
        return _merge(text, matches)

    def _replacement(self, owners: frozenset[Owner]) -> str | None:
        """None keeps the text as written."""
        if OTHER in owners:
            return WITHHELD
        if all(self.people[pid].pseudonym is None for _kind, pid in owners):
            return None
        if len(owners) == 1:
            kind, pid = next(iter(owners))
            if kind == "person":
                return f"[{self.people[pid].pseudonym}]"
        return WITHHELD

    def redact(self, text: str) -> str:
        if not text:
            return text
        out: list[str] = []
        last = 0
        for start, end, owners in self._spans(text):
            replacement = self._replacement(owners)
            if replacement is None:
                continue
            out.append(text[last:start])
            out.append(replacement)
            last = end
        out.append(text[last:])
        result = "".join(out)
        for reference, pseudonym in self._references:
            result = result.replace(reference, f"[{pseudonym}]")
        return result

    def label(self, person_id: int, display_name: str) -> str:
        """How a person is shown in structured data: their name, or their pseudonym."""
        pseudonym = self.people[person_id].pseudonym
        return display_name if pseudonym is None else pseudonym


def _merge(
    text: str, matches: list[tuple[int, int, frozenset[Owner]]]
) -> list[tuple[int, int, frozenset[Owner]]]:
    """Join adjacent matches that can be one person's name (Hossein + Mousavi)."""
    spans: list[tuple[int, int, frozenset[Owner]]] = []
    for start, end, owners in matches:
        if spans:
            p_start, p_end, p_owners = spans[-1]
            common = p_owners & owners
            if common and _NAME_GAP.fullmatch(text[p_end:start]):
                spans[-1] = (p_start, end, common)
                continue
        spans.append((start, end, owners))
    return spans
