"""Name lexicon for the benchmark, built only from data shipped in PyPI packages.

A *name entity* is one name (given name, family name or place) with its form in
Persian script and a vocalised Latin reading taken from a package that pairs the
two (``name-variants``, ``persian-names``, ``finglish``). The reading is aligned
letter by letter with the script so that each published table in
``bench/sources`` can render the name with its own letters and vowels.

Nothing here is imported from kinlink: the variants must not come from kinlink's
own rules.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import math
import pickle
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from bench.sources import TABLES

# --------------------------------------------------------------------------- script

ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ە": "ه", "ـ": None})
DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
ZWNJ = "\u200c"


def clean_script(text: str) -> str:
    """Canonical Persian-script form of a listed name (data cleaning, not matching)."""
    text = unicodedata.normalize("NFC", text).translate(ARABIC_TO_PERSIAN)
    text = DIACRITICS.sub("", text)
    # persian-gender-detection writes some names with a stray space after alef
    text = re.sub(r"^([اآ]) (?=\S)", r"\1", text)
    return re.sub(r"\s+", " ", text.replace(ZWNJ, " ")).strip()


def to_arabic_codepoints(text: str) -> str:
    """The same name as typed on an Arabic keyboard (U+064A yeh, U+0643 kaf)."""
    out = text.replace("ک", "ك")
    # final yeh: Arabic keyboards give U+064A; Egyptian usage U+0649 is not used here
    return out.replace("ی", "ي")


# --------------------------------------------------------------------------- aligner
# Options per Persian letter: (latin chunk, role, cost). Roles:
#   C consonant, L long vowel, S vowel carried by alef/hamza, D diphthong,
#   G glide, H final silent he, M alef maqsura, T teh marbuta, Z silent, X word break.
_SH = [("a", "S", 0.1), ("e", "S", 0.2), ("i", "S", 0.2), ("o", "S", 0.2), ("u", "S", 0.2)]
LETTER_OPTIONS: dict[str, list[tuple[str, str, float]]] = {
    "ا": [("a", "L", 0.0), ("aa", "L", 0.0), ("", "Z", 0.8)]
    + [(c, "S", w + 0.4) for c, _, w in _SH],
    "آ": [("a", "L", 0.0), ("aa", "L", 0.0)],
    "أ": [(c, "S", w) for c, _, w in _SH],
    "إ": [("e", "S", 0.0), ("i", "S", 0.0)],
    "ؤ": [("o", "S", 0.0), ("u", "S", 0.0), ("ou", "L", 0.2)],
    "ئ": [("", "Z", 0.2), ("e", "S", 0.1), ("i", "S", 0.1), ("y", "C", 0.3)],
    "ء": [("", "Z", 0.1)],
    "ب": [("b", "C", 0.0)],
    "پ": [("p", "C", 0.0)],
    "ت": [("t", "C", 0.0)],
    "ث": [("s", "C", 0.0), ("ss", "C", 0.1), ("th", "C", 0.3)],
    "ج": [("j", "C", 0.0), ("dj", "C", 0.3), ("g", "C", 0.8)],
    "چ": [("ch", "C", 0.0), ("tch", "C", 0.3)],
    "ح": [("h", "C", 0.0)],
    "خ": [("kh", "C", 0.0), ("h", "C", 0.8), ("x", "C", 0.8)],
    "د": [("d", "C", 0.0)],
    "ذ": [("z", "C", 0.0), ("dh", "C", 0.3), ("th", "C", 0.5)],
    "ر": [("r", "C", 0.0)],
    "ز": [("z", "C", 0.0)],
    "ژ": [("zh", "C", 0.0), ("j", "C", 0.5)],
    "س": [("s", "C", 0.0), ("ss", "C", 0.05)],
    "ش": [("sh", "C", 0.0), ("ch", "C", 0.8), ("sch", "C", 0.5)],
    "ص": [("s", "C", 0.0), ("ss", "C", 0.05)],
    "ض": [("z", "C", 0.0), ("d", "C", 0.3), ("dh", "C", 0.3)],
    "ط": [("t", "C", 0.0)],
    "ظ": [("z", "C", 0.0), ("dh", "C", 0.4)],
    "ع": [("", "C", 0.2)],
    "غ": [("gh", "C", 0.0), ("q", "C", 0.3), ("g", "C", 0.5)],
    "ف": [("f", "C", 0.0), ("ph", "C", 0.8)],
    "ق": [("gh", "C", 0.0), ("q", "C", 0.0), ("g", "C", 0.5), ("k", "C", 0.8)],
    "ک": [("k", "C", 0.0), ("c", "C", 0.6)],
    "گ": [("g", "C", 0.0)],
    "ل": [("l", "C", 0.0)],
    "م": [("m", "C", 0.0)],
    "ن": [("n", "C", 0.0)],
    "و": [
        ("v", "C", 0.0),
        ("w", "C", 0.2),
        ("ou", "L", 0.0),
        ("oo", "L", 0.0),
        ("u", "L", 0.0),
        ("o", "D", 0.3),
        ("ow", "D", 0.1),
        ("au", "D", 0.3),
        ("aw", "D", 0.3),
        ("", "Z", 1.5),
    ],
    "ه": [
        ("h", "C", 0.0),
        ("eh", "H", 0.0),
        ("e", "H", 0.05),
        ("ah", "H", 0.35),
        ("a", "H", 0.3),
    ],
    "ی": [
        ("y", "C", 0.0),
        ("i", "L", 0.0),
        ("ee", "L", 0.0),
        ("ii", "L", 0.2),
        ("e", "G", 0.4),
        ("ey", "D", 0.0),
        ("ei", "D", 0.0),
        ("ay", "D", 0.2),
        ("ai", "D", 0.2),
        ("a", "M", 0.5),
        ("", "Z", 1.5),
    ],
    "ة": [("a", "T", 0.0), ("ah", "T", 0.0), ("at", "T", 0.1), ("eh", "T", 0.0), ("e", "T", 0.1)],
    " ": [("", "X", 0.0)],
}
INSERTED_VOWELS = {"a": "a", "e": "e", "i": "e", "o": "o", "u": "o"}
_INSERT_COST = 0.25
_GEMINATE_COST = 0.15


@dataclass(frozen=True)
class Token:
    letter: str  # Persian letter, or "" for an inserted short vowel
    chunk: str  # the Latin chunk in the reading
    role: str  # C, C2 (geminated), L, S, V (short vowel), D, H, M, T, Z, X


def align(script: str, reading: str) -> list[Token] | None:
    """Align a Persian-script name with a Latin reading; None when they do not fit."""
    lat = re.sub("[^a-z]", "", unicodedata.normalize("NFKD", reading.lower()))
    letters = list(script)
    if not lat or not letters or any(ch not in LETTER_OPTIONS for ch in letters):
        return None
    n, m = len(letters), len(lat)
    inf = math.inf
    # state: (i letters consumed, j latin consumed, last_was_vowel_insert)
    best: dict[tuple[int, int, bool], tuple[float, tuple | None, Token | None]] = {
        (0, 0, False): (0.0, None, None)
    }
    for i in range(n + 1):
        for j in range(m + 1):
            for ins in (False, True):
                state = (i, j, ins)
                if state not in best:
                    continue
                cost = best[state][0]
                # insert a short vowel (not two in a row)
                if (
                    not ins
                    and j < m
                    and lat[j] in INSERTED_VOWELS
                    and 0 < i < n
                    and letters[i] != " "
                ):
                    extra = 0.1 if letters[i] in "عء" else 0.0  # vowel follows ayn
                    _relax(
                        best,
                        (i, j + 1, True),
                        cost + _INSERT_COST + extra,
                        state,
                        Token("", lat[j], "V"),
                    )
                if i == n:
                    continue
                letter = letters[i]
                final = i == n - 1 or letters[i + 1] == " "
                initial = i == 0 or letters[i - 1] == " "
                for chunk, role, c in LETTER_OPTIONS[letter]:
                    if role == "H" and not final:
                        continue
                    if role in ("M", "T") and not final:
                        continue
                    if letter == "ا" and role == "S" and initial:
                        c -= 0.4
                    if letter == "ا" and role == "L" and initial:
                        c += 0.3
                    if lat.startswith(chunk, j):
                        _relax(
                            best,
                            (i + 1, j + len(chunk), False),
                            cost + c,
                            state,
                            Token(letter, chunk, role),
                        )
                    if role == "C" and chunk and lat.startswith(chunk * 2, j):
                        _relax(
                            best,
                            (i + 1, j + 2 * len(chunk), False),
                            cost + c + _GEMINATE_COST,
                            state,
                            Token(letter, chunk, "C2"),
                        )
    ends = [best[(n, m, ins)] for ins in (False, True) if (n, m, ins) in best]
    if not ends:
        return None
    end_state = min(
        ((n, m, ins) for ins in (False, True) if (n, m, ins) in best), key=lambda s: best[s][0]
    )
    if best[end_state][0] == inf:
        return None
    tokens: list[Token] = []
    state = end_state
    while best[state][1] is not None:
        _, prev, tok = best[state]
        tokens.append(tok)
        state = prev
    tokens.reverse()
    return tokens


def _relax(best, state, cost, prev, tok) -> None:
    if state not in best or cost < best[state][0]:
        best[state] = (cost, prev, tok)


def alignment_cost(script: str, reading: str) -> float:
    tokens = align(script, reading)
    if tokens is None:
        return math.inf
    inserted = sum(1 for t in tokens if t.role == "V")
    return inserted * _INSERT_COST + sum(0.5 for t in tokens if t.role == "Z")


# --------------------------------------------------------------------------- rendering


def render(tokens: list[Token], table_name: str) -> str:
    """Render aligned tokens with one published table (diacritics kept)."""
    t = TABLES[table_name]
    out = []
    for tok in tokens:
        role, letter = tok.role, tok.letter
        if role == "C":
            out.append(t.CONSONANTS.get(letter, tok.chunk))
        elif role == "C2":
            c = t.CONSONANTS.get(letter, tok.chunk)
            out.append(c + c if c else "")
        elif role == "L":
            out.append(t.LONG.get(letter, tok.chunk))
        elif role in ("S", "V"):
            out.append(t.SHORT[INSERTED_VOWELS.get(tok.chunk[:1], "a")] if tok.chunk else "")
            if role == "S" and letter in ("أ", "إ", "ؤ", "ئ") and out[-1] and len(out) > 1:
                out.insert(-1, t.CONSONANTS.get(letter, ""))
        elif role == "G":  # yeh carrying a hamza-like glide (Rezaei)
            out.append(t.CONSONANTS.get("ء", ""))
        elif role == "D":
            out.append(t.DIPHTHONG.get(letter, tok.chunk))
        elif role == "H":
            out.append(t.FINAL_HE)
        elif role == "M":
            out.append(t.ALEF_MAQSURA)
        elif role == "T":
            out.append(t.TEH_MARBUTA)
        elif role == "X":
            out.append(" ")
    text = "".join(out).strip()
    text = re.sub(r"^[‘’ʻʼʿʾ']+", "", text)  # a leading ayn/hamza sign is usually not typed
    return " ".join(_capitalise(w) for w in text.split())


def _capitalise(word: str) -> str:
    for k, ch in enumerate(word):
        if ch.isalpha():
            return word[:k] + ch.upper() + word[k + 1 :]
    return word


def ascii_fold(text: str) -> str:
    """Drop diacritics and ayn/hamza signs, as most people typing a name do."""
    text = text.replace("ʻ", "").replace("ʼ", "").replace("ʿ", "").replace("ʾ", "")
    text = text.replace("‘", "").replace("’", "").replace("'", "")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --------------------------------------------------------------------------- sources


def _pkg_file(pkg: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(pkg)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"benchmark source package {pkg!r} is not installed")
    return Path(spec.origin).parent.joinpath(*parts)


def _read_lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf8").splitlines() if ln.strip()]


@functools.cache
def word_frequencies() -> dict[str, int]:
    """Persian word frequencies shipped in the finglish package (used as name weights)."""
    freq: dict[str, int] = {}
    path = _pkg_file("finglish", "persian-word-freq.txt")
    with path.open(encoding="utf8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                word = parts[0]  # Persian Wikipedia: already Persian yeh and kaf
                freq[word] = max(freq.get(word, 0), int(parts[1]))
    return freq


@functools.cache
def gender_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(male, female, family) Persian-script name sets (farsi-faker, persian-gender-detection)."""
    male: set[str] = set()
    female: set[str] = set()
    family: set[str] = set()
    with _pkg_file("farsi_faker", "data", "names.pkl").open("rb") as fh:
        data = pickle.load(fh)  # noqa: S301 - data file shipped in the farsi-faker wheel
    male.update(clean_script(x) for x in data["male_names"])
    female.update(clean_script(x) for x in data["female_names"])
    family.update(clean_script(x) for x in data["last_names"])
    path = _pkg_file("persian_gender_detection", "gender", "iranianNamesDataset.csv")
    with path.open(encoding="utf8") as fh:
        for row in csv.DictReader(fh):
            name = clean_script(row["Names"])
            (male if row["Gender"].strip() == "M" else female).add(name)
    from faker.providers.person.fa_IR import Provider as FaIR

    male.update(clean_script(x) for x in FaIR.first_names_male)
    female.update(clean_script(x) for x in FaIR.first_names_female)
    family.update(clean_script(x) for x in FaIR.last_names)
    return frozenset(male - female), frozenset(female - male), frozenset(family)


@dataclass
class NameEntity:
    script: str  # canonical Persian script
    reading: str  # vocalised Latin reading (lower case)
    kind: str  # "m", "f", "family", "place"
    origin: str  # package the pair came from
    weight: float = 1.0
    forms: list[str] = field(default_factory=list)  # spellings listed by name-variants
    tokens: list[Token] = field(default_factory=list)
    arabic: bool = False  # an Arabic-language name (Arabic-script source list)


def _first_letters(letter: str) -> set[str]:
    """Latin letters a reading can start with when the script starts with ``letter``."""
    out = {chunk[0] for chunk, _, _ in LETTER_OPTIONS.get(letter, []) if chunk}
    if any(not chunk for chunk, _, _ in LETTER_OPTIONS.get(letter, [])):
        out |= set("aeiou")
    return out


def _pair_lists(latin: list[str], script: list[str]) -> list[tuple[str, str]]:
    """Pair two unaligned lists of the same names (persian-names ships them sorted
    separately): keep a pair only when each side is the other's unique best fit."""
    lat = sorted({x.strip().lower() for x in latin if x.strip()})
    scr = sorted({clean_script(x) for x in script if x.strip()})
    by_lat: dict[str, list[tuple[float, str]]] = {}
    by_scr: dict[str, list[tuple[float, str]]] = {}
    for s in scr:
        skel = len(s.replace(" ", ""))
        starts = _first_letters(s[0])
        for latin_name in lat:
            if latin_name[0] not in starts or not skel - 1 <= len(latin_name) <= 2 * skel + 3:
                continue
            c = alignment_cost(s, latin_name)
            if c < 2.0:
                by_lat.setdefault(latin_name, []).append((c, s))
                by_scr.setdefault(s, []).append((c, latin_name))
    pairs = []
    for latin_name, cands in by_lat.items():
        cands.sort()
        c, s = cands[0]
        if len(cands) > 1 and cands[1][0] - c < 0.3:
            continue
        back = sorted(by_scr[s])
        if back[0][1] != latin_name or (len(back) > 1 and back[1][0] - back[0][0] < 0.3):
            continue
        pairs.append((latin_name, s))
    return pairs


SURNAME_SUFFIXES = [  # (script suffix, Latin suffix) in Iranian common usage
    ("ی", "i"),
    ("یی", "ei"),
    ("ئی", "ei"),
    (" پور", "pour"),
    ("پور", "pour"),
    (" زاده", "zadeh"),
    ("زاده", "zadeh"),
    ("یان", "ian"),
    ("ان", "an"),
    (" نیا", "nia"),
    ("نیا", "nia"),
    ("فر", "far"),
    (" نژاد", "nejad"),
    ("نژاد", "nejad"),
    ("راد", "rad"),
    ("منش", "manesh"),
    ("پناه", "panah"),
    ("وند", "vand"),
    ("لو", "lou"),
    ("خانی", "khani"),
]


@functools.cache
def build_lexicon() -> tuple[NameEntity, ...]:
    """All name entities with readings, from package data only."""
    from name_variants.arabic_names import ARABIC_NAME_VARIANTS
    from name_variants.persian_names import PERSIAN_NAME_VARIANTS

    male, female, family = gender_lists()
    freq = word_frequencies()
    out: dict[tuple[str, str], NameEntity] = {}

    def add(script: str, reading: str, kind: str, origin: str, forms=(), arabic=False):
        script = clean_script(script)
        reading = reading.lower().replace("-", "").replace(" ", "")
        if (script, kind) in out:
            out[(script, kind)].forms.extend(f for f in forms if f not in out[(script, kind)].forms)
            return
        tokens = align(script, reading)
        if tokens is None:
            return
        out[(script, kind)] = NameEntity(
            script, reading, kind, origin, forms=list(forms), tokens=tokens, arabic=arabic
        )

    from faker.providers.person.fa_IR import Provider as FaIR

    pn = _pkg_file("persian_names", "data")
    first_m = {clean_script(x) for x in (*FaIR.first_names_male, *_read_lines(pn / "male_fa.txt"))}
    first_f = {
        clean_script(x) for x in (*FaIR.first_names_female, *_read_lines(pn / "female_fa.txt"))
    }
    last = {clean_script(x) for x in FaIR.last_names}

    def kind_of(script: str) -> str | None:
        s = clean_script(script)
        if s in last or (s.endswith("ی") and s in family and s[:-1] in male | female):
            return "family"
        for kind, names in (
            ("m", first_m),
            ("f", first_f),
            ("m", male),
            ("f", female),
            ("family", family),
        ):
            if s in names:
                return kind
        return None

    for script, info in PERSIAN_NAME_VARIANTS.items():
        kind = kind_of(script)
        if kind:
            add(script, info["forms"][0], kind, "name-variants", info["forms"])
    for script, info in ARABIC_NAME_VARIANTS.items():
        kind = kind_of(script)
        if kind in ("m", "f"):
            add(script, info["forms"][0], kind, "name-variants", info["forms"], arabic=True)

    for gender, stem in (("m", "male"), ("f", "female")):
        for latin, script in _pair_lists(
            _read_lines(pn / f"{stem}_en.txt"), _read_lines(pn / f"{stem}_fa.txt")
        ):
            add(script, latin, gender, "persian-names")
    for latin, script in _pair_lists(
        _read_lines(pn / "region_en.txt"), _read_lines(pn / "region_fa.txt")
    ):
        add(script, latin, "place", "persian-names")

    # finglish ships a Latin -> Persian dictionary; keep the entries that a shipped
    # surname or given-name list knows
    for line in _read_lines(_pkg_file("finglish", "f2p-dict.txt")):
        parts = line.split(" ", 1)
        if len(parts) == 2:
            kind = kind_of(parts[1])
            if kind == "family":
                add(parts[1], parts[0], kind, "finglish")

    # family names: shipped surnames that are a known name or place plus a suffix
    bases = [e for e in out.values() if e.kind in ("m", "f", "place")]
    base_by_script = {}
    for e in bases:
        base_by_script.setdefault(e.script, e)
    for surname in sorted(family):
        if (surname, "family") in out:
            continue
        for suf_script, suf_latin in SURNAME_SUFFIXES:
            if surname.endswith(suf_script) and len(surname) > len(suf_script) + 1:
                base = base_by_script.get(surname[: -len(suf_script)].strip())
                if base is not None:
                    add(surname, base.reading + suf_latin, "family", "surname-list")
                    break

    popular = {
        clean_script(x)
        for x in (*FaIR.first_names_male, *FaIR.first_names_female, *FaIR.last_names)
    }
    listed = {clean_script(x) for x in (*PERSIAN_NAME_VARIANTS, *ARABIC_NAME_VARIANTS)}
    entities = list(out.values())
    for e in entities:
        # Weight: names in Faker's fa_IR lists (popular names) and in name-variants
        # (names common enough to have a variants entry) are much more frequent;
        # the Wikipedia word frequency shipped with finglish breaks ties (damped,
        # because many names are also common words).
        if e.kind != "place":
            e.weight = 1.0 + 25.0 * (e.script in popular) + 15.0 * (e.script in listed)
        e.weight += min(math.log1p(freq.get(e.script, 0)), 8.0) / 4.0
    return tuple(sorted(entities, key=lambda e: (e.kind, e.script)))
