"""A candidate's match explanation in the reader's language.

kinlink.matching imports nothing from Django, so it writes its explanations in English
("family name: same in another script; birth year: 2 years apart (1965 vs 1963)"); they
are stored with each candidate and the API returns them as they are (`explanation`), a
stable text for other programs. The pages, and the API's `explanation_lines` (in the
language of the request's Accept-Language), show them translated: the engine's phrases are
a small fixed grammar (kinlink.matching.explain), read here piece by piece. A piece this
module does not know is shown as it is, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.translation import get_language, npgettext, pgettext, pgettext_lazy

from kinlink.web.dates import localise_digits

CONTEXT = "match explanation"

_FIELDS = {
    "given name": pgettext_lazy(CONTEXT, "given name"),
    "family name": pgettext_lazy(CONTEXT, "family name"),
    "father's name": pgettext_lazy(CONTEXT, "father's name"),
    "mother's name": pgettext_lazy(CONTEXT, "mother's name"),
    "birth year": pgettext_lazy(CONTEXT, "birth year"),
    "birth date": pgettext_lazy(CONTEXT, "birth date"),
    "gender": pgettext_lazy(CONTEXT, "gender"),
    "birth place": pgettext_lazy(CONTEXT, "birth place"),
}
_VALUES = {
    "same": pgettext_lazy(CONTEXT, "same"),
    "same in another script": pgettext_lazy(CONTEXT, "same in another script"),
    "spelling variant": pgettext_lazy(CONTEXT, "spelling variant"),
    "another transliteration": pgettext_lazy(CONTEXT, "another transliteration"),
    "nickname": pgettext_lazy(CONTEXT, "nickname"),
    "partly the same": pgettext_lazy(CONTEXT, "partly the same"),
    "similar spelling": pgettext_lazy(CONTEXT, "similar spelling"),
    "one consonant apart": pgettext_lazy(CONTEXT, "one consonant apart"),
    "different": pgettext_lazy(CONTEXT, "different"),
    "not recorded": pgettext_lazy(CONTEXT, "not recorded"),
    "not known": pgettext_lazy(CONTEXT, "not known"),
    "same, day differs": pgettext_lazy(CONTEXT, "same, day differs"),
}
_SWAPPED = "given and family names swapped"
_APART = re.compile(r"(\d+) years? apart \((\S+) vs (\S+)\)")
_CONSISTENT = re.compile(r"consistent \((\S+) vs (\S+)\)")
_ALIAS = re.compile(r"matched on the (request's|recorded) other name (.+)")


#: Evidence weaker than this many bits (a likelihood ratio of 2) is shown as neither for
#: nor against the match.
STANCE_BITS = 1.0


@dataclass(frozen=True, slots=True)
class ShownPiece:
    """One piece of an explanation as a page shows it."""

    text: str
    stance: str  # "for", "against" (the match), or "" (a note, or weak evidence)
    stance_label: str  # the stance in words, for screen readers ("" for none)


def explanation_pieces(
    text: str, evidence: Sequence[Mapping[str, Any]] | None = None
) -> list[ShownPiece]:
    """The pieces of `text` in the active language; with the candidate's `evidence`
    (kinlink.matching.explain.Evidence as stored), each field's piece says whether it
    speaks for or against the match."""
    if not text:
        return []
    weights = {e["text"]: e["weight"] for e in evidence or () if "text" in e and "weight" in e}
    language = get_language() or "en"
    labels = _stance_labels(language)
    out = []
    for piece in text.split("; "):
        weight = weights.get(piece)
        stance = ""
        if weight is not None and abs(weight) >= STANCE_BITS:
            stance = "for" if weight > 0 else "against"
        # a piece that quotes a name is not kept in the cache (no names in a process's
        # memory longer than the request that shows them)
        shown = _piece(piece) if _ALIAS.fullmatch(piece) else _shown(piece, language)
        out.append(ShownPiece(localise_digits(shown, language), stance, labels[stance]))
    return out


# A page shows ten candidates of six or seven pieces, most of them alike ("gender: same"):
# each piece is translated once per language. Both functions run with `language` active.
@lru_cache(maxsize=4096)
def _shown(piece: str, language: str) -> str:
    return _piece(piece)


@lru_cache(maxsize=32)
def _stance_labels(language: str) -> dict[str, str]:
    return {
        "for": pgettext(CONTEXT, "for the match"),
        "against": pgettext(CONTEXT, "against the match"),
        "": "",
    }


def _piece(piece: str) -> str:
    if piece == _SWAPPED:
        return pgettext(CONTEXT, "given and family names swapped")
    alias = _ALIAS.fullmatch(piece)
    if alias:
        if alias.group(1) == "recorded":
            return pgettext(CONTEXT, "matched on the recorded other name %(name)s") % {
                "name": alias.group(2)
            }
        return pgettext(CONTEXT, "matched on the enquiry's other name %(name)s") % {
            "name": alias.group(2)
        }
    field, sep, value = piece.partition(": ")
    if not sep or field not in _FIELDS:
        return piece
    shown = _value(value)
    if shown is None:
        return piece
    return pgettext(CONTEXT, "%(field)s: %(value)s") % {"field": _FIELDS[field], "value": shown}


def _value(value: str) -> str | None:
    if value in _VALUES:
        return str(_VALUES[value])
    apart = _APART.fullmatch(value)
    if apart:
        years = int(apart.group(1))
        return npgettext(
            CONTEXT,
            "%(years)s year apart (%(enquiry)s vs %(record)s)",
            "%(years)s years apart (%(enquiry)s vs %(record)s)",
            years,
        ) % {"years": years, "enquiry": apart.group(2), "record": apart.group(3)}
    consistent = _CONSISTENT.fullmatch(value)
    if consistent:
        return pgettext(CONTEXT, "consistent (%(enquiry)s vs %(record)s)") % {
            "enquiry": consistent.group(1),
            "record": consistent.group(2),
        }
    return None
