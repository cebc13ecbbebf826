"""Readings of a whole name for comparison: strict vowel-aware codes and loose skeletons.

A skeleton (:func:`kinlink.names.skeleton`) drops every vowel, so it makes حسین and
Husain meet, but also محمد and Mahmoud, حامد and Hamid, سنا and Sina: different names
whose script spellings differ by the long vowels that Persian does write (و ی ا).
Two finer and one looser reading serve the comparison levels of the matching engine:

* :func:`strict_codes`: the usual readings of the phonetic code (:func:`code_variants`
  at no penalty), which keep the long vowels that script writes. ``Mahmoud`` reads
  ``mhmud`` like محمود, not ``mhmd`` like محمد; ``Hamid`` reads ``hmid`` like حمید, not
  ``hmd`` like حامد. Two spellings in different scripts sharing a strict code are the
  same name written in another script. A letter-by-letter transliteration (no vowel
  letters: ``Hsn``) may begin on a vowel or not.
* :func:`loose_skeletons`: skeletons under the confusions that transliterations make,
  each tagged with its onset (``v|`` vowel, ``c|`` consonant; an unknown onset under
  both). Letter classes merge (q gh g k j; kh h; sh s; ch s; p b, as Arabic has no p:
  Akbar Pour → Ikbar Bur), a letter repeated across a vowel counts once (ساسان, Ssn),
  and ض ذ ظ are also read d as Arabic spellings write them (رضا, Rida); d and z stay
  apart otherwise (Azadi is not Azizi). A Latin spelling without vowel
  letters, as character-by-character transliterators write (``Zdh`` for زاده, ``Thrny``
  for تهرانی, ``Khmly`` for کمالی), is also read with its digraphs as two letters and
  kh as k; a Latin name beginning with i or o/u is also read with the consonant y or v
  (``Isna`` for یسنا, ``Oisi`` for ویسی).

Both are space-free (``Abbas Nia`` and ``عباس‌نیا`` compare as one word) and leave
honorifics out (Seyed, Haj, سید) unless they are the whole name. Sets stay small
(at most :data:`MAX_READINGS` per name).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

from .compounds import HONORIFICS, name_parts, suffix_stem
from .transliterate import code, code_variants, collapse, expand_code, skeleton_code

__all__ = ["MAX_READINGS", "loose_skeletons", "name_tail", "strict_codes"]

#: Most readings kept per name (the product over its parts is cut here).
MAX_READINGS = 16
#: Most readings kept per token before combining.
_PER_TOKEN = 8

_VOWEL_LETTERS = frozenset("aeiou")
_LOOSER = str.maketrans({"q": "k", "g": "k", "j": "k", "X": "h", "S": "s", "C": "s", "p": "b"})
_ARABIC_D = str.maketrans({"ض": "د", "ذ": "د", "ظ": "د"})
_DIGRAPH = re.compile(r"kh|th|dh|sh|zh|gh|ch")
# A digraph of a letter-by-letter transliteration, read as one letter (its code) or as
# two letters; kh also as k (unidecode writes ک as kh).
_DIGRAPH_READINGS: dict[str, tuple[str, ...]] = {
    "kh": ("X", "kh", "k"),
    "th": ("s", "th"),
    "dh": ("z", "dh"),
    "sh": ("S", "sh"),
    "zh": ("j", "zh"),
    "gh": ("q", "gh"),
    "ch": ("C", "kh"),
}
_CONSONANTAL_CODE = {
    "b": "b",
    "p": "p",
    "t": "t",
    "s": "s",
    "j": "j",
    "h": "h",
    "x": "X",
    "d": "d",
    "z": "z",
    "r": "r",
    "k": "k",
    "g": "g",
    "q": "q",
    "f": "f",
    "l": "l",
    "m": "m",
    "n": "n",
    "c": "k",
    "v": "v",
    "w": "v",
    "y": "y",
}


def _is_consonantal(tok: str) -> bool:
    """A Latin token with no vowel letter: a letter-by-letter transliteration."""
    return tok.isascii() and tok.isalpha() and not (_VOWEL_LETTERS & set(tok))


def _consonantal_codes(tok: str) -> list[str]:
    """Codes of a letter-by-letter transliteration, each digraph read both ways.

    w/v and y inside the word are the long vowels و and ی; a final h after a letter is
    read both as the silent ه (Zdh: زاده) and as a letter (Rh: رها, whose final alef the
    transliterator dropped)."""
    pieces = _DIGRAPH.split(tok)
    digraphs = _DIGRAPH.findall(tok)
    options: list[tuple[str, ...]] = []
    for i, piece in enumerate(pieces):
        options.append((piece,))
        if i < len(digraphs):
            options.append(_DIGRAPH_READINGS[digraphs[i]])
    out = []
    for choice in product(*options):
        letters = "".join(choice)
        chars: list[str] = []
        for j, ch in enumerate(letters):
            c = _CONSONANTAL_CODE.get(ch, ch if ch in "XSCq" else "")
            if c in ("v", "y") and j > 0:
                c = "u" if c == "v" else "i"
            chars.append(c)
        reading = "".join(chars)
        out.append(reading)
        if reading.endswith("h") and len(reading) > 1:
            out.append(reading[:-1] + "e")
        if len(out) >= _PER_TOKEN:
            break
    return out


def _loose_forms(skel: str) -> tuple[str, ...]:
    """The loose forms of a skeleton code: چ read as ch/sh (s) and as j (Arabic)."""
    skel = collapse(list(skel))
    forms = [skel.translate(_LOOSER)]
    if "C" in skel:
        forms.append(skel.replace("C", "j").translate(_LOOSER))
    return tuple(f for f in forms if f)


def _onset_of_code(c: str) -> str:
    return "v" if c.startswith("'") else "c"


@lru_cache(maxsize=1 << 18)
def _token_loose(tok: str) -> tuple[tuple[str, str], ...]:
    """(onset, loose skeleton) readings of one normalised token; onset "" when unknown."""
    out: dict[tuple[str, str], None] = {}
    if _is_consonantal(tok):
        for c in _consonantal_codes(tok):
            for sk in _loose_forms(skeleton_code(c)):
                out[("", sk)] = None
        return tuple(out)
    codes = [c for c, _ in code_variants(tok)]
    if not tok.isascii() and tok.translate(_ARABIC_D) != tok:
        codes += [c for c, _ in code_variants(tok.translate(_ARABIC_D))]
    for c in codes:
        for split in (False, True):
            for sk in _loose_forms(skeleton_code(c, split=split)):
                out[(_onset_of_code(c), sk)] = None
    if tok.isascii() and tok[:2] in _DIGRAPH_READINGS and len(tok) > 2 and tok[2] not in "aeiouy":
        # no Persian word begins with two consonants: Zhra is z+h (زهرا), not ژ
        for c, _ in code_variants(tok[0] + "'" + tok[1:]):
            for sk in _loose_forms(skeleton_code(c)):
                out[(_onset_of_code(c), sk)] = None
    if tok.isascii() and len(tok) > 2 and tok[0] in "iou":
        # a romaniser's vowel for an initial consonant ی/و: Isna یسنا, Oisi ویسی
        alt = ("y" if tok[0] == "i" else "v") + tok[1:]
        for c, _ in code_variants(alt):
            for sk in _loose_forms(skeleton_code(c)):
                out[("c", sk)] = None
    return tuple(list(out)[:_PER_TOKEN])


def _named_tokens(text: str) -> list[str]:
    """The name's tokens, honorifics (Seyed, Haj, سید) left out unless that is all."""
    tokens = [tok for tok, _ in name_parts(text)]
    named = [tok for tok in tokens if tok not in HONORIFICS]
    return named or tokens


@lru_cache(maxsize=1 << 17)
def loose_skeletons(text: str) -> frozenset[str]:
    """Loose skeletons of a name, each tagged with its onset (``v|...``, ``c|...``).

    Two spellings sharing one are plausibly the same name under a transliteration's
    confusions; the onset tag keeps Ehsan from Hasan (an unknown onset is filed under
    both)."""
    per = [_token_loose(tok) for tok in _named_tokens(text)]
    per = [p for p in per if p]
    if not per:
        return frozenset()
    out: set[str] = set()
    for combo in product(*per):
        onset = combo[0][0]
        sk = collapse(list("".join(s for _, s in combo)))
        for on in (onset,) if onset else ("v", "c"):
            out.add(f"{on}|{sk}")
        if len(out) >= MAX_READINGS:
            break
    return frozenset(out)


@lru_cache(maxsize=1 << 17)
def strict_codes(text: str) -> frozenset[str]:
    """The usual (no-penalty) readings of a name's phonetic code, space-free.

    Codes keep the long vowels script writes and a vowel onset (``'``), so two
    spellings sharing one are the same name: Mahmoud and محمود (``mhmud``), not محمد."""
    per = []
    tokens = [tok for tok in _named_tokens(text) if code(tok)]
    for tok in tokens:
        usual = tuple(c for c, cost in code_variants(tok) if cost == 0)
        if usual:
            per.append(usual)
    if not per:
        return frozenset()
    # a letter-by-letter transliteration does not show a vowel onset (Hsn: حسن or احسان)
    unknown_onset = _is_consonantal(tokens[0])
    out: set[str] = set()
    for combo in product(*per):
        joined = "".join(combo)
        out.add(joined)
        if unknown_onset and not joined.startswith("'"):
            out.add("'" + joined)
        if len(out) >= MAX_READINGS:
            break
    return frozenset(out)


_I_ENDINGS = ("i", "y", "ی")


@lru_cache(maxsize=1 << 17)
def name_tail(text: str) -> str:
    """How a name ends, when that makes it a name of its own: the skeleton of the second
    part of a compound (Amirmahdi → ``mhd``, Amirmohammad → ``mhmd``), of a family
    name's suffix (Jafarnezhad → ``njd``, جعفرنیا → ``n``, Taherkhani → ``khn``), or
    ``i`` for a name ending on -i (Sharifi, شریفی); "" otherwise.

    Two names whose tails differ are different names however alike they look
    (Jafarnezhad, Jafarnia; Mohammadali, Mohammadsaleh)."""
    parts = name_parts(text)
    if not parts:
        return ""
    tok, pieces = parts[-1]
    if len(pieces) > 1:
        return _skeleton(pieces[-1])
    stem = suffix_stem(tok)
    if stem is not None:
        return _skeleton(tok[len(stem) :])
    if len(tok) > 3 and tok.endswith(_I_ENDINGS) and tok[-2] not in "aeiouyاوی":
        return "i"
    return ""


def _skeleton(token: str) -> str:
    return expand_code(skeleton_code(code(token)))
