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
``s``                 ث س ص                        s, th, c before e/i/y
``z``                 ذ ز ض ظ                      z, dh
``j``                 ج ژ                          j, dj, zh
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
Doubled letters are collapsed on both sides (Latin gemination is not written in script).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

__all__ = [
    "code",
    "code_variants",
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
        c = _AR_CONSONANT.get(ch)
        if c is not None:
            out.append(c)
        elif ch == "ا" and i == n - 1 and i > 0:
            out.append("a")  # a written final long a: زهرا (not زهره), رضا
        elif ch in _AR_SILENT:
            continue
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
            elif i == n - 1 and letters[i - 1] not in _AR_VOWEL_LETTERS:
                out.append("Y")  # final ی after a consonant: Ali, or Mostafa (alef maksura)
            else:
                out.append("i")
        elif ch == "ه" and i != n - 1:
            out.append("h")
    if out and out[-1] == "h" and letters and letters[-1] == "ح":
        out.pop()  # final ح is dropped like a final Latin h
    return _collapse(out)


# ---------------------------------------------------------------------------------------------
# Latin -> code (after normalize(): lower-case ASCII)

_LATIN_UNITS = re.compile(
    r"sch|tch|kh|gh|sh|ch|zh|dj|dh|th|ph|ck|ou|oo|ow|uu|ee|ei|ey|ie|ii|ai|ay|ae(?!e)|aa|[a-z]"
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
    "dj": "j",
    "dh": "z",
    "th": "s",
    "ph": "f",
    "ck": "k",
}
_SHORT = {"a", "e", "o", "aa"}
_LONG_U = {"ou", "oo", "uu", "ow"}
_LONG_I = {"ee", "ei", "ey", "ie", "ii", "ai", "ay"}


def _latin_code(token: str) -> str:
    units = _LATIN_UNITS.findall(token)
    n = len(units)
    out: list[str] = []
    for i, u in enumerate(units):
        first = i == 0
        last = i == n - 1
        c = _LATIN_CONSONANT.get(u)
        if c is not None:
            if c == "h" and last:
                continue
            out.append(c)
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
                elif u in ("a", "aa"):
                    out.append("A")  # Reza (ا) or Fatima (ة); final e/eh/ah is ه
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
    return _collapse(out)


def _collapse(codes: list[str]) -> str:
    """Join codes, merging runs of the same letter (soft and hard u/i count as one, hard wins)."""
    out: list[str] = []
    for c in codes:
        if out:
            p = out[-1]
            if p == c:
                continue
            if p.lower() == c.lower() and p in "uiaUIA" and c in "uiaUIA":
                out[-1] = p.lower()
                continue
        out.append(c)
    return "".join(out)


# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 18)
def code(token: str) -> str:
    """Return the phonetic code of one normalised token (Latin or Perso-Arabic)."""
    if not token:
        return ""
    if token.isascii():
        return _latin_code(token)
    if any("\u0600" <= ch <= "\u06ff" for ch in token):
        return _arabic_code(token)
    return ""


_MAX_SOFT = 3
_HARDEN = str.maketrans({"U": "u", "I": "i", "A": "a", "Y": "i"})
# Soft letters and their readings; the empty reading (dropping it) costs one penalty.
_SOFT = {"U": ("u", ""), "I": ("i", ""), "A": ("a", ""), "Y": ("i", "a", "")}


@lru_cache(maxsize=1 << 18)
def code_variants(token: str) -> tuple[tuple[str, int], ...]:
    """Return the readings of a token's code as ``(code, soft letters dropped)``.

    Each soft letter is either read (as hard ``u``/``i``) or dropped; at most three
    soft letters are enumerated, further ones are read. Duplicates keep the fewest drops.
    """
    c = code(token)
    soft = [i for i, ch in enumerate(c) if ch in _SOFT]
    if not soft:
        return ((c, 0),)
    positions = soft[:_MAX_SOFT]
    fixed = c.translate(_HARDEN)
    options = [_SOFT[c[i]] for i in positions]
    best: dict[str, int] = {}
    for choice in product(*options):
        chars = list(fixed)
        drops = 0
        for pos, letter in zip(positions, choice, strict=True):
            chars[pos] = letter
            drops += letter == ""
        v = _collapse([ch for ch in chars if ch])
        if v not in best or best[v] > drops:
            best[v] = drops
    return tuple(sorted(best.items(), key=lambda kv: (kv[1], kv[0])))


_SKELETON_DROP = str.maketrans("", "", "uiaUIAY")
_EXPAND = str.maketrans({"C": "ch", "S": "sh", "X": "kh"})


def skeleton_code(c: str) -> str:
    """Drop the vowel/semivowel letters of a code and collapse doubles (internal alphabet)."""
    return _collapse(list(c.translate(_SKELETON_DROP)))


def expand_code(c: str) -> str:
    """Spell an internal code in lower-case ASCII (ch, sh, kh)."""
    return c.translate(_EXPAND)
