"""Explanations a caseworker can read: which fields agree, how, and how strongly.

"family name: same in another script; given name: spelling variant; birth year: 2 years
apart; father's name: same".
"""

from __future__ import annotations

from dataclasses import dataclass

from .features import FIELD_LABELS, MISSING, BirthFeat, NameFeat, is_part
from .keys import NameVariant, PreparedRecord

__all__ = ["Evidence", "explain_levels"]

_NAME_TEXT = {
    "exact": "same",
    "other_script": "same in another script",
    "variant": "spelling variant",
    "loose": "another transliteration",
    "nickname": "nickname",
    "close": "similar spelling",
    "faint": "one consonant apart",
    "different": "different",
}
_PLACE_TEXT = {**_NAME_TEXT}
_GENDER_TEXT = {"same": "same", "different": "different"}

#: Order in which fields are explained.
ORDER = (
    "family_name",
    "given_name",
    "birth",
    "father_name",
    "mother_name",
    "gender",
    "birth_place",
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """How one field of the pair compares, and its weight in bits (+ for, - against)."""

    field: str
    level: str
    text: str
    weight: float

    def __str__(self) -> str:
        return self.text


def _years(b: BirthFeat) -> str:
    return str(b.lo) if b.lo == b.hi else f"{b.lo}-{b.hi}"


def _center(b: BirthFeat) -> float:
    return (b.lo + b.hi) / 2


def _birth_text(level: str, q: BirthFeat | None, r: BirthFeat | None) -> str:
    label = FIELD_LABELS["birth"]
    if level == "same_day":
        return "birth date: same"
    if q is None or r is None:
        return f"{label}: not known"
    if level == "same_year_other_day":
        return f"{label}: same, day differs"
    diff = abs(_center(q) - _center(r))
    if level == "same_year":
        if diff < 1:
            return f"{label}: same"
        return f"{label}: consistent ({_years(q)} vs {_years(r)})"
    gap = max(q.lo - r.hi, r.lo - q.hi, 0)
    n = max(gap, round(diff))
    unit = "year" if n == 1 else "years"
    return f"{label}: {n} {unit} apart ({_years(q)} vs {_years(r)})"


def _nickname_text(a: NameFeat | None, b: NameFeat | None) -> str:
    """Say "partly the same" for a part of a compound name, else "nickname"."""
    if a is None or b is None:
        return "nickname"
    if is_part(a.skel, b.skel):
        return "partly the same"
    shared = set(a.nick) & set(b.nick)
    parts = {t.partition("|")[2] for t in shared if not t.startswith("~")}
    if any(t and t in (a.skel or "") and t in (b.skel or "") for t in parts):
        return "partly the same"
    return "nickname"


def explain_levels(
    levels: dict[str, str],
    weights: dict[str, float],
    request: PreparedRecord,
    variant: NameVariant,
    record: PreparedRecord,
    record_variant: NameVariant,
) -> tuple[str, tuple[Evidence, ...]]:
    """Text and per-field evidence for one scored pair."""
    pieces: list[str] = []
    evidence: list[Evidence] = []
    if variant.kind == "swapped":
        pieces.append("given and family names swapped")
    if variant.kind == "alias":
        pieces.append(f"matched on the request's other name {variant.alias!r}")
    if record_variant.kind == "alias":
        pieces.append(f"matched on the recorded other name {record_variant.alias!r}")
    name_pairs = {
        "given_name": (variant.given, record_variant.given),
        "family_name": (variant.family, record_variant.family),
        "father_name": (request.father, record.father),
        "mother_name": (request.mother, record.mother),
        "birth_place": (request.place, record.place),
    }
    for fld in ORDER:
        level = levels.get(fld, MISSING)
        w = weights.get(fld, 0.0)
        label = FIELD_LABELS[fld]
        if fld == "birth":
            q, r = request.birth, record.birth
            if level == MISSING:
                if q is not None and r is None:
                    text = f"{label}: not recorded"
                else:
                    continue
            else:
                text = _birth_text(level, q, r)
        elif fld == "gender":
            if level == MISSING:
                continue
            text = f"{label}: {_GENDER_TEXT[level]}"
        else:
            a, b = name_pairs[fld]
            if level == MISSING:
                if a is not None and b is None:
                    text = f"{label}: not recorded"
                else:
                    continue
            elif level == "nickname":
                text = f"{label}: {_nickname_text(a, b)}"
            else:
                text = f"{label}: {_NAME_TEXT[level]}"
        pieces.append(text)
        evidence.append(Evidence(fld, level, text, round(w, 3)))
    return "; ".join(pieces), tuple(evidence)
