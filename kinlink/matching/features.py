"""Per-field features and comparison levels.

Each field of a pair of records is put into one *comparison level* (for a name: the same
text, the same name in another script, a spelling variant, a nickname or part of the
name, a close spelling, a faint likeness, different, or missing).  The levels are
defined on a handful of precomputed features of each value (:class:`NameFeat`) so that
the very same rules can be written in SQL for batch linkage with Splink
(:mod:`kinlink.matching.splink_model`) and in Python for interactive search here.  If
you change a rule here, change it there (and in :mod:`kinlink.matching.index`) too;
``tests/matching`` checks that they all give the same levels.

The features themselves come from :mod:`kinlink.names` (normalisation, romanisation,
cross-script skeletons, keys, nickname variants); nothing name-specific is decided here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler, Levenshtein

from kinlink.calendars import ApproxDate

from . import _names

__all__ = [
    "ARABIC_SCRIPT",
    "BIRTH_LEVELS",
    "FAINT_MAX_EDITS",
    "FAINT_MIN_LEN",
    "FIELDS",
    "FIELD_LABELS",
    "GENDER_LEVELS",
    "JW_CLOSE",
    "JW_VARIANT",
    "LEVELS",
    "MISSING",
    "NAME_FIELDS",
    "NAME_LEVELS",
    "PLACE_LEVELS",
    "TF_FIELDS",
    "TF_LEVELS",
    "BirthFeat",
    "NameFeat",
    "birth_feat",
    "birth_level",
    "faint",
    "gender_level",
    "is_part",
    "name_feat",
    "name_level",
]

#: Jaro-Winkler similarity of the romanised forms from which two spellings count as
#: variants of each other, and as merely "close".  0.9 and 0.8 are the customary
#: thresholds for personal names (Winkler's own work and Splink's defaults use the same
#: neighbourhood); they were not tuned on any benchmark.
JW_VARIANT = 0.9
JW_CLOSE = 0.8
#: The "faint" level (:func:`faint`): skeletons this many letters apart at most (and
#: not the same), the longer one at least this long.
FAINT_MAX_EDITS = 1
FAINT_MIN_LEN = 2

MISSING = "missing"
NAME_LEVELS: tuple[str, ...] = (
    "exact",
    "other_script",
    "variant",
    "loose",
    "nickname",
    "close",
    "faint",
    "different",
)
PLACE_LEVELS: tuple[str, ...] = (
    "exact",
    "other_script",
    "variant",
    "loose",
    "close",
    "different",
)
BIRTH_LEVELS: tuple[str, ...] = (
    "same_day",
    "same_year_other_day",
    "same_year",
    "1_year",
    "2_3_years",
    "4_6_years",
    "different",
)
GENDER_LEVELS: tuple[str, ...] = ("same", "different")

NAME_FIELDS: tuple[str, ...] = ("given_name", "family_name", "father_name", "mother_name")
FIELDS: tuple[str, ...] = (*NAME_FIELDS, "birth", "gender", "birth_place")
LEVELS: dict[str, tuple[str, ...]] = {
    "given_name": NAME_LEVELS,
    "family_name": NAME_LEVELS,
    "father_name": NAME_LEVELS,
    "mother_name": NAME_LEVELS,
    "birth": BIRTH_LEVELS,
    "gender": GENDER_LEVELS,
    "birth_place": PLACE_LEVELS,
}
FIELD_LABELS: dict[str, str] = {
    "given_name": "given name",
    "family_name": "family name",
    "father_name": "father's name",
    "mother_name": "mother's name",
    "birth": "birth year",
    "gender": "gender",
    "birth_place": "birth place",
}
#: Fields whose agreement is weighed by how common the value is (term frequency).
TF_FIELDS: tuple[str, ...] = (*NAME_FIELDS, "birth_place")
#: Levels of those fields at which the weight is capped by the value's frequency:
#: agreeing on a name cannot be stronger evidence than the name is rare, whatever the
#: script or spelling it was written in.
TF_LEVELS: tuple[str, ...] = ("exact", "other_script", "variant")

_NON_LETTERS = re.compile(r"[^a-z]+")
#: kinlink.names.Script.ARABIC's value, as stored in NameFeat.script.
ARABIC_SCRIPT = "arabic"


@dataclass(frozen=True, slots=True)
class NameFeat:
    """Everything the comparison levels need to know about one name (or place) value."""

    text: str
    norm: str
    script: str
    roman: str | None  # romanised, letters only, lower case ("mohammadreza")
    skel: str | None  # cross-script consonant skeleton
    keys: tuple[str, ...]  # kinlink.names.name_keys, sorted
    nick: tuple[str, ...]  # skeletons of the tokens and nickname variants; "~" + nickname
    tfkey: str  # what term frequencies are counted on
    onset: str = ""  # "v": begins with a vowel (or alef/ain), "c": with a consonant, "": unknown
    codes: tuple[str, ...] = ()  # kinlink.names.strict_codes: long vowels kept, sorted
    loose: tuple[str, ...] = ()  # kinlink.names.loose_skeletons, onset-tagged, sorted
    tail: str = ""  # kinlink.names.name_tail: a compound's second part, a suffix, "i"

    def spelled(self, other: NameFeat) -> tuple[str | None, str | None]:
        """The two forms compared letter by letter: the normalised letters when both are
        in Perso-Arabic script (a romanisation guesses the short vowels, which would make
        مهسا and ماهان look alike), else the romanised forms."""
        if self.script == ARABIC_SCRIPT and other.script == ARABIC_SCRIPT:
            return self.norm, other.norm
        return self.roman, other.roman

    def jw(self, other: NameFeat) -> float:
        """Jaro-Winkler similarity of the :meth:`spelled` forms."""
        a, b = self.spelled(other)
        if not a or not b:
            return 0.0
        return JaroWinkler.similarity(a, b)


def _compact(text: str) -> str:
    return _NON_LETTERS.sub("", text.lower())


#: Letters with which an Arabic-script word begins on a vowel: alef (with or without
#: hamza or madda), ain, hamza.  Latin spellings begin these names with a vowel or an
#: apostrophe for ain (Ehsan احسان, Ali علی, 'Abbas عباس).
_SCRIPT_VOWEL_ONSET = frozenset("اآأإٱعءئ")
_APOSTROPHES = frozenset("'`ʿʾʻʼ‘’")
_WORD = re.compile(r"[^\s\-]+")


def onset(text: str) -> str:
    """Whether a name begins on a vowel ("v") or a consonant ("c"), "" when unknown.

    Skeletons drop vowels, so Ehsan/Hasan (احسان/حسن) and Ahmadi/Hamidi both share one;
    the onset tells them apart.  A Latin word without any vowel letter (a consonant
    transliteration such as "Hsn" for احسان) has an unknown onset, and so does any other
    script: an unknown onset never contradicts another."""
    word = _WORD.search(text)
    if word is None:
        return ""
    w = word.group()
    first = w[0]
    if first in _APOSTROPHES or first in _SCRIPT_VOWEL_ONSET:
        return "v"
    if "\u0600" <= first <= "\u06ff" or "\u0750" <= first <= "\u077f":
        return "c"
    letters = "".join(ch for ch in unicodedata.normalize("NFKD", w.lower()) if "a" <= ch <= "z")
    if not letters or not ("a" <= unicodedata.normalize("NFKD", first.lower())[0] <= "z"):
        return ""
    if letters[0] in "aeiou":
        return "v"
    return "c" if any(v in letters for v in "aeiou") else ""


def _with_onset(skel: str, on: str) -> tuple[str, ...]:
    """Nickname entries of a skeleton, tagged with the onset so that Ehsan and Hasan do
    not share one; an unknown onset is filed under both."""
    return (f"{on}|{skel}",) if on else (f"v|{skel}", f"c|{skel}")


def tails_differ(a: str, b: str) -> bool:
    """Both names end in a known way and the endings differ (mirrored in the index and
    the SQL)."""
    return bool(a) and bool(b) and a != b


def onsets_differ(a: str, b: str) -> bool:
    """Both onsets are known and differ (mirrored in the index and the SQL)."""
    return bool(a) and bool(b) and a != b


@lru_cache(maxsize=262_144)
def name_feat(text: str | None) -> NameFeat | None:
    """Features of one name or place value; None when there is nothing to compare."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    norm = _names.normalize(text)
    if not norm:
        return None
    script = _names.detect_script(text)
    script_s = script.value if hasattr(script, "value") else str(script)
    roman = _compact(_names.romanize(text)) or None
    # space-free: Abbas Nia and عباس‌نیا, Mhmd-por and محمدپور are one word
    skel = _names.skeleton(text).replace(" ", "") or None
    keys = tuple(sorted(k for k in _names.name_keys(text) if k))
    nick: set[str] = set()
    first = onset(text)
    tokens = _names.name_tokens(text) or [text]
    for i, tok in enumerate(tokens):
        sk = _names.skeleton(tok)
        if sk and len(sk) >= 2:
            nick.update(_with_onset(sk, first if i == 0 else onset(tok)))
        for form in _names.nickname_variants(tok):
            sk = _names.skeleton(form)
            if sk and len(sk) >= 2:
                nick.update(_with_onset(sk, onset(form)))
            # a nickname shared by two names ("Ray" for Reza and Mohammadreza)
            r = _compact(_names.romanize(form))
            if r:
                nick.add("~" + r)
    if skel and len(skel) >= 2:
        nick.update(_with_onset(skel, first))
    tfkey = skel or roman or norm
    return NameFeat(
        text,
        norm,
        script_s,
        roman,
        skel,
        keys,
        tuple(sorted(nick)),
        tfkey,
        onset(text),
        tuple(sorted(_names.strict_codes(text))),
        tuple(sorted(_names.loose_skeletons(text))),
        _names.name_tail(text),
    )


def name_level(a: NameFeat | None, b: NameFeat | None, *, place: bool = False) -> str:
    """Comparison level of two name (or, with ``place=True``, place) values.

    Mirrors the SQL in :mod:`kinlink.matching.splink_model` rule for rule.
    """
    if a is None or b is None:
        return MISSING
    if a.norm == b.norm:
        return "exact"
    same_roman = a.roman is not None and a.roman == b.roman
    if a.script != b.script and (same_roman or not set(a.codes).isdisjoint(b.codes)):
        return "other_script"
    same_skel = a.skel is not None and a.skel == b.skel and not onsets_differ(a.onset, b.onset)
    jw = a.jw(b)
    # a compound is not a spelling variant of its first part (Amirhossein, Amir), nor of
    # another compound or suffixed name that ends otherwise (Amirmahdi, Amirmohammad;
    # Jafarnezhad, Jafarnia), however high Jaro-Winkler's bonus for a shared beginning
    if same_skel or (
        jw >= JW_VARIANT and not is_part(*a.spelled(b)) and not tails_differ(a.tail, b.tail)
    ):
        return "variant"
    if not set(a.loose).isdisjoint(b.loose):
        return "loose"
    if not place and (not set(a.nick).isdisjoint(b.nick) or is_part(a.skel, b.skel)):
        return "nickname"
    if jw >= JW_CLOSE:
        return "close"
    if not place and faint(a.skel, b.skel):
        return "faint"
    return "different"


def faint(a: str | None, b: str | None) -> bool:
    """Two consonant skeletons of two letters or more, one letter apart (one letter
    added, dropped or changed: Yusi/یوسف ys/ysf, Gwirz/Goudarz grz/gdrz).  A typo on top
    of a transliteration lands here far more often than a different name does, so names
    at this level are weaker evidence against a match than plainly different ones, and
    plainly different ones are stronger.  The same skeleton with another onset
    (Ehsan/Hasan) stays different.  Mirrors the SQL and the index."""
    if not a or not b or max(len(a), len(b)) < FAINT_MIN_LEN:
        return False
    return 0 < Levenshtein.distance(a, b, score_cutoff=FAINT_MAX_EDITS) <= FAINT_MAX_EDITS


#: Shortest skeleton that counts as a part of a compound name ("Mahdi" in "Amirmahdi").
PART_MIN = 3


def is_part(a: str | None, b: str | None) -> bool:
    """One skeleton begins or ends the other (a compound name and one of its parts:
    Mahdi / Amirmahdi, Hossein / Mohammadhossein).  Mirrors the SQL."""
    if not a or not b or a == b:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < PART_MIN or len(short) == len(long_):
        return False
    return long_.startswith(short) or long_.endswith(short)


@dataclass(frozen=True, slots=True)
class BirthFeat:
    lo: int  # earliest possible Gregorian year
    hi: int  # latest possible Gregorian year
    day: int | None  # yyyymmdd when the day is known


def birth_feat(d: ApproxDate | None) -> BirthFeat | None:
    if d is None:
        return None
    day = d.year * 10000 + d.month * 100 + d.day if d.day is not None and d.month else None
    return BirthFeat(d.earliest_year, d.latest_year, day)


def birth_gap(a: BirthFeat, b: BirthFeat) -> int:
    return max(a.lo - b.hi, b.lo - a.hi, 0)


def birth_level(a: BirthFeat | None, b: BirthFeat | None) -> str:
    """Comparison level of two birth dates (mirrors the SQL rule for rule)."""
    if a is None or b is None:
        return MISSING
    if a.day is not None and a.day == b.day:
        return "same_day"
    gap = birth_gap(a, b)
    if a.day is not None and b.day is not None and gap == 0:
        return "same_year_other_day"
    if gap == 0:
        return "same_year"
    if gap <= 1:
        return "1_year"
    if gap <= 3:
        return "2_3_years"
    if gap <= 6:
        return "4_6_years"
    return "different"


def gender_level(a: str | None, b: str | None) -> str:
    if a is None or b is None:
        return MISSING
    return "same" if a == b else "different"
