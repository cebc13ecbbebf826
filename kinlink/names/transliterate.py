"""Cross-script phonetic codes and romanisation.

A *code* is a short string in an internal alphabet that a Perso-Arabic spelling and its
Latin spellings share. Short vowels are not written in Persian or Arabic script, so the
code keeps consonants and the letters that script does write for long vowels and
semivowels (و and ی), and drops short vowels:

====================  ===========================  ============================
code                  Perso-Arabic                 Latin
====================  ===========================  ============================
``b p f l m n r d``   ب پ ف ل م ن ر د              b p f/ph l m n r d
``t``                 ت ط                          t
``s``                 ث س ص                        s, th (soft), c before e/i/y
``z``                 ذ ز ض ظ                      z, dh (soft)
``j``                 ج ژ                          j, zh, initial dj
``C`` (ch)            چ                            ch, tch
``S`` (sh)            ش                            sh, sch
``X`` (kh)            خ                            kh, x
``q``                 ق غ                          q, gh
``k`` / ``g``         ک / گ                        k, ck, c / g
``h``                 ح ه (not word-final)         h (not word-final)
``v`` / ``y``         و / ی first in the word      v, w / y first in the word
``u``                 و elsewhere                  ou oo uu ow, v w, final u o
``i``                 ی elsewhere                  ee ei ey ie ii ai ay, y, final i
``U`` / ``I``         (soft u / i, may be absent)  single medial u / i, initial i u, ae
(dropped)             ا ع ء, final ه ح             a e o aa, final h
====================  ===========================  ============================

Soft letters (``U``, ``I``) mark a vowel that a Latin spelling writes but that the
script may or may not write: the *u* of Hussein is a short vowel (حسین has no و) while
the *u* of Musavi is long (موسوی). Comparisons try the code with and without them.
The script side has one soft letter: a final ی after a consonant may be read *a*
(مصطفی Mostafa, موسی Musa) or *i* (علی Ali), and و after خ is often silent (خواجه).
Latin dh and th are soft too: ذ/ث in Arabic-style spellings (Kadhim, Othman) but d+h,
t+h where two names are glued (Mohammadhossein, Fathollah).
Doubled letters are collapsed on both sides (Latin gemination is not written in script),
but not across a dropped vowel (Mehrdad keeps both d).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

__all__ = [
    "LOOSE",
    "code",
    "code_variants",
    "collapse",
    "expand_code",
    "skeleton_code",
]

# ---------------------------------------------------------------------------------------------
# Perso-Arabic letters -> code (after normalize(): Persian letter forms only)

_AR_CONSONANT = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ط": "t",
    "ث": "s",
    "س": "s",
    "ص": "s",
    "ج": "j",
    "ژ": "j",
    "چ": "C",
    "ح": "h",
    "خ": "X",
    "د": "d",
    "ذ": "z",
    "ز": "z",
    "ض": "z",
    "ظ": "z",
    "ر": "r",
    "ش": "S",
    "غ": "q",
    "ق": "q",
    "ف": "f",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
}
_AR_SILENT = {"ا", "ع"}
_AR_VOWEL_LETTERS = {"ا", "و", "ی"}


def _arabic_code(token: str) -> str:
    out: list[str] = []
    letters = [ch for ch in token if ch in _AR_CONSONANT or ch in "اعوهی"]
    n = len(letters)
    for i, ch in enumerate(letters):
        last = i == n - 1
        if i == 0 and ch in _AR_SILENT:
            out.append("'")  # a vowel onset: Ali علی, Omid امید (not Vali ولی, Nadia نادیا)
            continue
        if last and ch in "هح":
            out.append("e")  # final ه (Fatemeh) and ح (Saleh): Latin writes e, eh, ah, h
            continue
        c = _AR_CONSONANT.get(ch)
        if c is not None:
            out.append(c)
        elif ch == "ا":
            out.append("a" if last else ".")  # a written final long a: زهرا (not زهره), رضا
        elif ch == "ع":
            out.append(".")
        elif ch == "و":
            if i == 0:
                out.append("v")
            elif letters[i - 1] == "خ":
                out.append("U")  # silent or short after kh: خواجه, خورشید
            else:
                out.append("u")
        elif ch == "ی":
            if i == 0:
                out.append("y")
            elif last and letters[i - 1] not in _AR_VOWEL_LETTERS:
                out.append("Y")  # final ی after a consonant: Ali, or Mostafa (alef maksura)
            else:
                out.append("i")
        elif ch == "ه":
            out.append("h")
    return collapse(out)


# ---------------------------------------------------------------------------------------------
# Latin -> code (after normalize(): lower-case ASCII)

_LATIN_UNITS = re.compile(
    r"sch|tch|kh|gh|sh|ch|zh|dh|th|ph|ck|ou|oo|ow|uu|ee|ei|ey|ie|ii|ai|ay|ae(?!e)|aa|[a-z]"
)
_LATIN_CONSONANT = {
    "b": "b",
    "d": "d",
    "f": "f",
    "g": "g",
    "h": "h",
    "j": "j",
    "k": "k",
    "l": "l",
    "m": "m",
    "n": "n",
    "p": "p",
    "q": "q",
    "r": "r",
    "s": "s",
    "t": "t",
    "x": "X",
    "z": "z",
    "sch": "S",
    "tch": "C",
    "kh": "X",
    "gh": "q",
    "sh": "S",
    "ch": "C",
    "zh": "j",
    "dh": "Z",  # ذ (Kadhim) or d + h across a join (Mohammadhossein): soft, both readings
    "th": "T",  # ث (Othman) or t + h (Fathollah): soft, both readings
    "ph": "f",
    "ck": "k",
}
_SHORT = {"a", "e", "o", "aa"}
_LONG_U = {"ou", "oo", "uu", "ow"}
_LONG_I = {"ee", "ei", "ey", "ie", "ii", "ai", "ay"}


_VOWEL_UNITS = _SHORT | _LONG_U | _LONG_I | {"u", "i", "ae"}


_DOUBLE_CONSONANT = re.compile(r"([b-df-gj-np-tv-z])\1+")  # not h: Mashhad is sh + h


def _latin_code(token: str) -> str:
    token = _DOUBLE_CONSONANT.sub(r"\1", token)  # Abbas, Massoud
    if token.startswith("dj"):
        token = token[1:]  # French Dj for ج: Djafar
    units = _LATIN_UNITS.findall(token)
    n = len(units)
    out: list[str] = []
    if units and units[0] in _VOWEL_UNITS:
        out.append("'")  # a vowel onset, written ا or ع in script
    for i, u in enumerate(units):
        first = i == 0
        last = i == n - 1
        c = _LATIN_CONSONANT.get(u)
        if c is not None:
            out.append("e" if last and c == "h" and not first else c)  # Fatemeh, Saleh, Sobh
            continue
        if u == "c":
            nxt = units[i + 1] if not last else ""
            out.append("s" if nxt[:1] in ("e", "i", "y") else "k")
        elif u in ("v", "w"):
            out.append("v" if first else "u")
        elif u == "y":
            out.append("y" if first else "i")
        elif u in _SHORT:
            if last and not first:
                if u == "o":
                    out.append("u")  # Khosro
                elif u == "e":
                    out.append("e")  # Fereshte
                else:
                    out.append("A")  # Reza (ا), or Fatima (ة, read e)
            else:
                out.append(".")  # a dropped vowel still separates: Mehrdad is not Mehrad
        elif u in _LONG_U:
            out.append("U" if first else "u")
        elif u in _LONG_I:
            out.append("I" if first else "i")
        elif u == "u":
            out.append("u" if last and not first else "U")
        elif u == "i":
            out.append("i" if last and not first else "I")
        elif u == "ae":
            out.append("I")
    return collapse(out)


def collapse(codes: list[str]) -> str:
    """Join codes, merging a letter with the same letter right before it.

    Soft and hard u/i/a count as one (hard wins). A ``.`` marks a dropped vowel: letters
    on both sides of it are not merged (Mehrdad مهرداد keeps two d, Mehrad مهراد one), and
    runs of ``.`` are kept as one.
    """
    joined = "".join(codes)
    if not _NEEDS_COLLAPSE.search(joined):
        return joined
    out: list[str] = []
    for c in joined:
        if out:
            p = out[-1]
            if p == c:
                continue
            if p in _MERGE and c in _MERGE and p.lower() == c.lower():
                out[-1] = p.lower()
                continue
        out.append(c)
    return "".join(out)


_MERGE = frozenset("uiaUIA")
_NEEDS_COLLAPSE = re.compile(r"(.)\1|[uU]{2}|[iI]{2}|[aA]{2}")


# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 18)
def code(token: str) -> str:
    """Return the phonetic code of one normalised token (Latin or Perso-Arabic).

    The code may hold ``.`` where a vowel was dropped; readings and skeletons remove it.
    """
    if not token:
        return ""
    if token.isascii():
        return _latin_code(token).strip(".")
    if any("\u0600" <= ch <= "\u06ff" for ch in token):
        return _arabic_code(token).strip(".")
    return ""


_MAX_SOFT = 3
_HARDEN = str.maketrans({"U": "u", "I": "i", "A": "a", "Y": "i", "Z": "z", "T": "s"})
_SPLIT = str.maketrans({"Z": "dh", "T": "th"})
# Soft letters and their readings with their cost in penalties.
_SOFT: dict[str, tuple[tuple[str, int], ...]] = {
    "U": (("u", 0), ("", 1)),
    "I": (("i", 0), ("", 1)),
    "A": (("a", 0), ("e", 1), ("", 1)),  # Reza رضا; Fatima فاطمه; (dropped)
    "Y": (("i", 0), ("a", 0)),  # Ali علی; Mostafa مصطفی
    "Z": (("z", 0), ("dh", 0)),  # Kadhim کاظم; Mohammadhossein
    "T": (("s", 0), ("th", 0)),  # Othman عثمان; Fathollah
}


@lru_cache(maxsize=1 << 18)
def code_variants(token: str) -> tuple[tuple[str, int], ...]:
    """Return the readings of a token's code as ``(code, penalties)``, best first.

    Each soft letter is read in each of its ways (a soft *u* as ``u`` or not at all, a
    final *a* as ``a``, as ``e`` for teh marbuta or not at all...); the unusual readings
    cost a penalty each. At most three soft letters are enumerated (the last one and the
    first two); further ones take their usual reading. Duplicates keep the lowest cost.
    """
    c = code(token)
    soft = [i for i, ch in enumerate(c) if ch in _SOFT]
    if not soft:
        return ((c.replace(".", ""), 0),)
    positions = soft if len(soft) <= _MAX_SOFT else [*soft[: _MAX_SOFT - 1], soft[-1]]
    fixed = c.translate(_HARDEN)
    options = [_SOFT[c[i]] for i in positions]
    best: dict[str, int] = {}
    for choice in product(*options):
        chars = list(fixed)
        cost = 0
        for pos, (letter, penalty) in zip(positions, choice, strict=True):
            chars[pos] = letter
            cost += penalty
        v = collapse([ch for reading in chars for ch in (reading or ".")]).replace(".", "")
        if v not in best or best[v] > cost:
            best[v] = cost
    return tuple(sorted(best.items(), key=lambda kv: kv[1]))  # stable: usual reading first


# Letter classes that spellings confuse most, merged for loose keys and loose comparison:
# q gh g k j (Ghasem, Qasem, Kassem; Jamal, Gamal), kh with h and sh with s (romanisation
# tables typed without accents: Ḫalil → Halil, Šahram → Sahram), ch with s (French ch for
# ش: Rachid), d with z (ض is z in Persian and d in Arabic spellings: Reza, Rida).
LOOSE = str.maketrans({"q": "k", "g": "k", "j": "k", "X": "h", "S": "s", "C": "s", "d": "z"})

_SKELETON_DROP = str.maketrans({ch: "." for ch in "uiaeUIAY'"})
_EXPAND = str.maketrans({"C": "ch", "S": "sh", "X": "kh"})


def skeleton_code(c: str, split: bool = False) -> str:
    """Drop the vowel/semivowel letters of a code and collapse doubles (internal alphabet).

    Latin dh/th are read as ذ/ث (z, s), or with ``split`` as two letters (d h, t h).
    """
    c = c.translate(_SPLIT if split else _HARDEN)
    return collapse(list(c.translate(_SKELETON_DROP))).replace(".", "")


def expand_code(c: str) -> str:
    """Spell an internal code in lower-case ASCII (ch, sh, kh)."""
    return c.translate(_EXPAND)
